// SPDX-License-Identifier: MIT
// Finding libsgdr and declaring every public function of sgdr.h to koffi.
//
// The library is looked up, in order, at the path in SGDR_LIBRARY, as the copy bundled in
// this package (native/, put there by `npm pack`), and on the system (the dynamic loader's
// search path). An SGDR_LIBRARY that cannot be loaded is an error rather than a reason to
// look elsewhere, so a test run never silently picks up a different build.
//
// Hook user pointers are declared as uintptr_t (the same size and calling convention as
// void * on every platform koffi supports): the binding passes a small integer that names
// the scheduler's hook box, so that the four C trampolines are registered once for the
// whole process and never point into a freed closure.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

// The major version this binding speaks (the SONAME is libsgdr.so.<major>).
export const ABI_MAJOR = 1;

const LIB_NAMES = {
  linux: 'libsgdr.so.1', darwin: 'libsgdr.1.dylib', win32: 'sgdr.dll',
};
const libName = LIB_NAMES[process.platform] ?? 'libsgdr.so.1';
export const bundledPath = join(dirname(dirname(fileURLToPath(import.meta.url))), 'native', libName);

function candidates() {
  const env = process.env.SGDR_LIBRARY;
  if (env) return { list: [[`SGDR_LIBRARY=${env}`, env]], explicit: true };
  const list = [];
  if (existsSync(bundledPath)) list.push([`bundled ${bundledPath}`, bundledPath]);
  else list.push([`bundled ${bundledPath} (not found)`, null]);
  list.push([`system ${libName}`, libName]);
  return { list, explicit: false };
}

function load() {
  const { list, explicit } = candidates();
  const tried = [];
  for (const [desc, target] of list) {
    if (target === null) { tried.push(desc); continue; }
    let lib;
    try {
      lib = koffi.load(target);
    } catch (e) {
      tried.push(`${desc}: ${e.message}`);
      if (explicit) break;
      continue;
    }
    let major;
    try {
      major = Math.floor(lib.func('unsigned int sgdr_version_number(void)')() / 10000);
    } catch (e) {
      tried.push(`${desc}: not libsgdr (${e.message})`);
      lib.unload();
      if (explicit) break;
      continue;
    }
    if (major !== ABI_MAJOR) {
      tried.push(`${desc}: libsgdr major version ${major}, this binding needs ${ABI_MAJOR}`);
      lib.unload();
      if (explicit) break;
      continue;
    }
    return { lib, path: target };
  }
  throw new Error('sgdr: cannot load libsgdr; tried:\n  ' + tried.join('\n  ') +
    '\nSet SGDR_LIBRARY to the path of libsgdr.so.1, install the library, or build it with ' +
    '`cmake --preset release && cmake --build --preset release`.');
}

const { lib, path } = load();
export const libraryPath = path;

koffi.opaque('sgdr_scheduler');
export const Metric = koffi.struct('sgdr_metric', { name: 'const char *', value: 'double' });
// sgdr_param_desc (libsgdr 1.2; fixed forever).
export const ParamDesc = koffi.struct('sgdr_param_desc', {
  name: 'const char *', kind: 'int', required: 'int', default_value: 'double', lower: 'double',
  upper: 'double', lower_inclusive: 'int', upper_inclusive: 'int', since: 'unsigned int',
});

// Hook types (sgdr.h: sgdr_get_lr_fn, sgdr_set_lr_fn, sgdr_snapshot_fn, sgdr_restore_fn,
// sgdr_alloc_fn, sgdr_free_fn).
export const GetLrFn = koffi.proto('int sgdr_get_lr_fn(uintptr_t user, double *lr)');
export const SetLrFn = koffi.proto('int sgdr_set_lr_fn(uintptr_t user, double lr)');
export const SnapshotFn = koffi.proto('int sgdr_snapshot_fn(uintptr_t user, uint32_t cycle)');
export const RestoreFn = koffi.proto('int sgdr_restore_fn(uintptr_t user, uint32_t cycle)');
export const AllocFn = koffi.proto('void *sgdr_alloc_fn(void *user, size_t size)');
export const FreeFn = koffi.proto('void sgdr_free_fn(void *user, void *ptr)');

// Every function of sgdr.h, in the header's order; the tests check this list against
// src/sgdr.map.
const SIGNATURES = [
  'unsigned int sgdr_version_number(void)',
  'const char *sgdr_version_string(void)',
  'int sgdr_create(_Out_ sgdr_scheduler **out)',
  'int sgdr_create_with_allocator(_Out_ sgdr_scheduler **out, sgdr_alloc_fn *alloc, sgdr_free_fn *free_fn, void *user)',
  'void sgdr_destroy(sgdr_scheduler *s)',
  'int sgdr_set_param(sgdr_scheduler *s, int p, double value)',
  'int sgdr_get_param(const sgdr_scheduler *s, int p, _Out_ double *value)',
  'const char *sgdr_param_name(int p)',
  'int sgdr_param_from_name(const char *name, _Out_ int *p)',
  'int sgdr_param_describe(int p, _Out_ sgdr_param_desc *out)',
  'int sgdr_set_lr_hooks(sgdr_scheduler *s, sgdr_get_lr_fn *get, sgdr_set_lr_fn *set, uintptr_t user)',
  'int sgdr_set_weight_hooks(sgdr_scheduler *s, sgdr_snapshot_fn *snap, sgdr_restore_fn *restore, uintptr_t user)',
  'int sgdr_on_train_begin(sgdr_scheduler *s)',
  'int sgdr_on_batch_end(sgdr_scheduler *s, uint64_t batch, const sgdr_metric *m, size_t n)',
  'int sgdr_on_epoch_end(sgdr_scheduler *s, uint64_t epoch, const sgdr_metric *m, size_t n)',
  'int sgdr_on_train_end(sgdr_scheduler *s, const sgdr_metric *m, size_t n)',
  'double sgdr_lr(const sgdr_scheduler *s)',
  'int sgdr_lr_at(const sgdr_scheduler *s, uint64_t step, _Out_ double *lr)',
  'int sgdr_get_progress(const sgdr_scheduler *s, int what, _Out_ uint64_t *value)',
  'int sgdr_history_rows(const sgdr_scheduler *s, _Out_ size_t *rows)',
  'int sgdr_history_columns(const sgdr_scheduler *s, _Out_ size_t *columns)',
  'int sgdr_history_column_name(const sgdr_scheduler *s, size_t column, _Out_ const char **name)',
  'int sgdr_history_find(const sgdr_scheduler *s, const char *name, _Out_ size_t *column)',
  'int sgdr_history_copy(const sgdr_scheduler *s, size_t column, size_t first, _Out_ double *out, size_t count)',
  'int sgdr_history_to_csv(const sgdr_scheduler *s, _Out_ uint8_t *buf, size_t cap, _Out_ size_t *len)',
  'int sgdr_history_write_csv(const sgdr_scheduler *s, const char *path)',
  'int sgdr_save_state(const sgdr_scheduler *s, _Out_ uint8_t *buf, size_t cap, _Out_ size_t *len)',
  'int sgdr_load_state(sgdr_scheduler *s, const uint8_t *buf, size_t len)',
  'const char *sgdr_strerror(int st)',
  'const char *sgdr_status_name(int st)',
  'const char *sgdr_last_error(const sgdr_scheduler *s)',
];

// The functions added after 1.0, with the library version that added them: an older
// library lacks them and still loads (fn then has no entry for them).
export const SINCE = Object.freeze({ sgdr_param_describe: 10200, sgdr_status_name: 10200 });

// name -> koffi function, for every function of sgdr.h the library has.
export const fn = Object.freeze(Object.fromEntries(SIGNATURES.flatMap((sig) => {
  const name = sig.match(/(sgdr_\w+)\(/)[1];
  try {
    return [[name, lib.func(sig)]];
  } catch (e) {
    if (name in SINCE) return [];
    throw e;
  }
})));
