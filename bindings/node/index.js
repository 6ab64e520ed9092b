// SPDX-License-Identifier: MIT
// sgdr: libsgdr (SGDR, cosine annealing with warm restarts) for Node.js, over koffi.
//
// Scheduler is the library's scheduler as a JavaScript object with the Keras callback's four
// methods; hooks are plain synchronous functions. A hook fails by throwing: the callback then
// throws an SgdrError (the hook's exception as `cause`) and the scheduler is exactly as it
// was, so the call may be retried, as in the C API.
import koffi from 'koffi';
import {
  fn, libraryPath, GetLrFn, SetLrFn, SnapshotFn, RestoreFn,
} from './lib/native.js';

export { libraryPath };
/** The raw koffi functions, one per function of sgdr.h, by their C names. */
export const native = fn;

// What a 1.0 or 1.1 library cannot say about itself (sgdr_status_name and
// sgdr_param_describe came with 1.2): its status names in code order, and its boolean
// parameters. The tests compare both with the library.
export const FALLBACK_STATUS_NAMES = Object.freeze([
  'SGDR_OK', 'SGDR_ENULL', 'SGDR_EBADPARAM', 'SGDR_EVALUE', 'SGDR_ECONFIG', 'SGDR_EORDER',
  'SGDR_EEPOCH', 'SGDR_EMETRIC', 'SGDR_ENOMEM', 'SGDR_EHOOK_GET_LR', 'SGDR_EHOOK_SET_LR',
  'SGDR_EHOOK_SNAPSHOT', 'SGDR_EHOOK_RESTORE', 'SGDR_EBUFSIZE', 'SGDR_ETRUNCATED',
  'SGDR_EMAGIC', 'SGDR_EVERSION', 'SGDR_ECHECKSUM', 'SGDR_ECORRUPT', 'SGDR_EIO', 'SGDR_EINDEX',
]);
export const FALLBACK_BOOLEAN_PARAMS = Object.freeze(['restore_at_end', 'history']);

function statusNames() {
  if (!fn.sgdr_status_name) return FALLBACK_STATUS_NAMES;
  const out = [];
  for (let st = 0; fn.sgdr_status_name(st) !== 'unknown status'; st++) {
    out.push(fn.sgdr_status_name(st));
  }
  return out;
}

/** sgdr_status values by name, as the loaded library names them (fixed forever; new codes
 * are appended). */
export const Status = Object.freeze(Object.fromEntries(
  statusNames().map((name, i) => [name.slice('SGDR_'.length), i]),
));
const STATUS_NAMES = Object.fromEntries(Object.entries(Status).map(([k, v]) => [v, k]));

/** sgdr_progress counters by their camelCase names. */
export const Progress = Object.freeze({
  step: 1, epoch: 2, batchInEpoch: 3, cycle: 4, cyclePosition: 5, cycleLength: 6, phase: 7,
  snapshots: 8, lastSnapshot: 9, running: 10,
});
const PHASES = ['warmup', 'cycle', 'hold'];
const RESTART_MODES = { peak: 0, 'keras-seed': 1 };

/** The library's fixed description of a status code. */
export function strerror(status) {
  return fn.sgdr_strerror(status);
}

/** The version of the library actually loaded ("1.2.0") and as 10000*major+100*minor+patch. */
export const version = fn.sgdr_version_string();
export const versionNumber = fn.sgdr_version_number();

/** A libsgdr call failed. `status` is the sgdr_status value, `code` its name ("SGDR_EVALUE"),
 * `detail` the library's message naming the problem and the value; when a hook threw, that
 * exception is `cause`. */
export class SgdrError extends Error {
  constructor(status, detail, options) {
    const name = STATUS_NAMES[status] ?? `status ${status}`;
    super(`${detail || strerror(status)} [SGDR_${name}]`, options);
    this.name = 'SgdrError';
    this.status = status;
    this.code = `SGDR_${name}`;
    this.detail = detail;
  }
}

const show = (v) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v)
  : typeof v === 'number' || typeof v === 'boolean' || v == null ? String(v)
    : `a value of type ${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}`);

// A string for a `const char *` argument: C would read one with a NUL in it as cut there.
function cstr(what, v, status = Status.EVALUE) {
  if (v.includes('\0')) {
    throw new SgdrError(status, `${what} (${show(v)}) contains a NUL character`);
  }
  return v;
}

// obj[key] = value as an own, ordinary property, also for keys such as '__proto__'.
function put(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

const U64_MAX = (1n << 64n) - 1n;

// An exact non-negative integer for a uint64_t argument, as a BigInt. Numbers above 2^53 - 1
// are refused: they may already have been rounded (2^53 + 1 reads as 2^53).
function u64(name, v) {
  if (typeof v === 'bigint') {
    if (v >= 0n && v <= U64_MAX) return v;
    throw new SgdrError(Status.EVALUE, `${name} (${v}n) must be from 0 to 2^64 - 1`);
  }
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  let why = 'must be a non-negative integer';
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
    why = 'is above 2^53 - 1, where a Number may already have been rounded: pass a BigInt';
  } else if (typeof v !== 'number') why = 'must be a Number or a BigInt';
  throw new SgdrError(Status.EVALUE, `${name} (${show(v)}) ${why}`);
}

const toSnake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const toCamel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** The parameters the loaded library knows, as [id, snake_name] pairs in id order. */
export const PARAMS = Object.freeze((() => {
  const out = [];
  for (let id = 1; id < 256; id++) {
    const name = fn.sgdr_param_name(id);
    if (name !== null) out.push(Object.freeze([id, name]));
  }
  return out;
})());

/** The library's description of parameter `id` (sgdr_param_describe: name, kind, required,
 * default_value, lower, upper, lower_inclusive, upper_inclusive, since), or null when the
 * library is older than 1.2 or has no such parameter. */
export function describeParam(id) {
  if (!fn.sgdr_param_describe) return null;
  const out = {};
  return fn.sgdr_param_describe(id, out) === Status.OK ? out : null;
}

const BOOLEAN_PARAMS = new Set(fn.sgdr_param_describe
  ? PARAMS.filter(([id]) => describeParam(id).kind === 4).map(([, n]) => n) // SGDR_KIND_BOOLEAN
  : FALLBACK_BOOLEAN_PARAMS);

/** The sgdr_param id of a parameter named in camelCase ("maxLr") or as in C ("max_lr"). */
export function paramId(name) {
  if (typeof name === 'string' && !name.includes('\0')) {
    const out = [0];
    if (fn.sgdr_param_from_name(toSnake(name), out) === Status.OK) return out[0];
  }
  throw new SgdrError(Status.EBADPARAM, `unknown parameter ${show(name)} (libsgdr ${version} ` +
    `knows: ${PARAMS.map(([, n]) => toCamel(n)).join(', ')})`);
}

// The double sgdr_set_param receives. Range checks are the library's; here only what cannot
// reach it as a double is refused.
function asDouble(pname, value) {
  if (pname === 'restart_mode' && typeof value === 'string') {
    if (!Object.hasOwn(RESTART_MODES, value)) {
      throw new SgdrError(Status.EVALUE, `restartMode (${show(value)}) must be one of ` +
        `${Object.keys(RESTART_MODES).map((m) => `'${m}'`).join(', ')}`);
    }
    return RESTART_MODES[value];
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' && BigInt(Number(value)) === value) return Number(value);
  const why = typeof value === 'bigint' ? 'is not exactly representable as a double'
    : 'is not a number';
  throw new SgdrError(Status.EVALUE, `${toCamel(pname)} (${show(value)}) ${why}`);
}

function fromDouble(pname, d) {
  if (Number.isNaN(d)) return d; // a required parameter that is not set
  if (pname === 'restart_mode') return Object.keys(RESTART_MODES)[d] ?? d;
  if (BOOLEAN_PARAMS.has(pname)) return d !== 0;
  return d;
}

// Metrics for a Keras-style logs object: an array of {name, value} (koffi copies the names
// for the duration of the call).
function metrics(logs, who) {
  if (logs == null) return [];
  // Object.entries reads an array's indices as names and a Map or Set as empty
  if (typeof logs !== 'object' || Array.isArray(logs) || logs instanceof Map ||
      logs instanceof Set || ArrayBuffer.isView(logs)) {
    throw new SgdrError(Status.EMETRIC, `${who}: logs (${show(logs)}) must be an object of ` +
      'metric name -> number');
  }
  return Object.entries(logs).map(([key, value]) => {
    const name = cstr(`${who}: metric name`, key, Status.EMETRIC);
    if (typeof value === 'number') return { name, value };
    if (typeof value === 'bigint' && BigInt(Number(value)) === value) {
      return { name, value: Number(value) };
    }
    throw new SgdrError(Status.EMETRIC, `${who}: metric '${name}' has a non-numeric value ` +
      `${show(value)}`);
  });
}

// ---- hooks ---------------------------------------------------------------------------
// One box per scheduler holds its hook functions and the exception the last failing hook
// threw. The C trampolines find the box by the integer passed as the user pointer. The map
// holds boxes weakly: a box must not keep its scheduler (which its hooks may reference)
// alive, or the FinalizationRegistry could never free a forgotten one.
const boxes = new Map();
let nextBoxId = 1;

class HookBox {
  constructor() {
    this.getLr = this.setLr = this.snapshot = this.restore = null;
    this.error = null;
    this.depth = 0; // library calls in progress: > 0 while a hook may be running
  }

  take() {
    const e = this.error;
    this.error = null;
    return e;
  }
}

function runHook(id, what, call) {
  const box = boxes.get(Number(id))?.deref();
  if (box === undefined) return 1;
  try {
    const r = call(box);
    if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
      throw new TypeError(`the ${what} hook returned a Promise: hooks run inside a library ` +
        'call and must be synchronous');
    }
    return 0;
  } catch (e) {
    box.error = e;
    return 1;
  }
}

// The four trampolines, registered once for the process.
const trampolines = {
  getLr: koffi.register((id, out) => runHook(id, 'getLr', (box) => {
    const v = box.getLr();
    if (typeof v !== 'number') {
      throw new TypeError(`the getLr hook returned ${show(v)}, not a number`);
    }
    koffi.encode(out, 'double', v);
  }), koffi.pointer(GetLrFn)),
  setLr: koffi.register((id, lr) => runHook(id, 'setLr', (box) => box.setLr(lr)),
    koffi.pointer(SetLrFn)),
  snapshot: koffi.register((id, c) => runHook(id, 'snapshot', (box) => box.snapshot(c)),
    koffi.pointer(SnapshotFn)),
  restore: koffi.register((id, c) => runHook(id, 'restore', (box) => box.restore(c)),
    koffi.pointer(RestoreFn)),
};

function checkHook(name, f) {
  if (f != null && typeof f !== 'function') {
    throw new SgdrError(Status.EVALUE, `${name} (${show(f)}) must be a function or null`);
  }
  return f ?? null;
}

// ---- life cycle ------------------------------------------------------------------------
let open = 0;
const registry = new FinalizationRegistry(({ handle, id }) => {
  fn.sgdr_destroy(handle);
  boxes.delete(id);
  open--;
});

/** The number of C schedulers created and not yet freed (by close() or by the garbage
 * collector), for leak checks. */
export function openSchedulers() {
  return open;
}

const HOOK_KEYS = new Set(['setLr', 'getLr', 'snapshot', 'restore']);

/** SGDR driving a training loop. See index.d.ts for the full contract. */
export class Scheduler {
  #h = null;
  #box = new HookBox();
  #id = nextBoxId++;

  constructor(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new SgdrError(Status.EVALUE, `options (${show(options)}) must be an object`);
    }
    const out = [null];
    const st = fn.sgdr_create(out);
    if (st !== Status.OK) throw new SgdrError(st, strerror(st));
    this.#h = out[0];
    boxes.set(this.#id, new WeakRef(this.#box));
    open++;
    registry.register(this, { handle: this.#h, id: this.#id }, this);
    try {
      const params = {};
      for (const [k, v] of Object.entries(options)) if (!HOOK_KEYS.has(k) && v !== undefined) params[k] = v;
      this.setParams(params);
      this.lrAt(0); // the rules that involve two parameters, checked now
      this.setLrHooks({ getLr: options.getLr, setLr: options.setLr });
      this.setWeightHooks({ snapshot: options.snapshot, restore: options.restore });
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Free the C scheduler now (also done when the object is collected). Safe to call
   * twice; refused from inside one of this scheduler's own hooks. */
  close() {
    if (this.#h === null) return;
    if (this.#box.depth > 0) {
      throw new SgdrError(Status.EORDER, 'close() called from inside one of this ' +
        "scheduler's hooks; close it after the callback returns");
    }
    registry.unregister(this);
    fn.sgdr_destroy(this.#h);
    boxes.delete(this.#id);
    open--;
    this.#h = null;
  }

  /** True once close() has run. */
  get closed() {
    return this.#h === null;
  }

  #handle() {
    if (this.#h === null) throw new SgdrError(Status.ENULL, 'the scheduler has been closed');
    return this.#h;
  }

  // Call fn[name](handle, ...args) and throw the SgdrError of a failure, with the exception
  // of a failing hook as its cause.
  #call(name, ...args) {
    const h = this.#handle();
    this.#box.depth++;
    let st;
    try {
      st = fn[name](h, ...args);
    } finally {
      this.#box.depth--;
    }
    if (st !== Status.OK) {
      const cause = this.#box.take();
      throw new SgdrError(st, fn.sgdr_last_error(h), cause === null ? undefined : { cause });
    }
  }

  // ---- configuration ----------------------------------------------------------------

  /** Set parameters by name (camelCase or C names). All or nothing: if one is refused, the
   * ones already set get their old values back. stepsPerEpoch may also change during a run
   * (sgdr_set_param has the rules). */
  setParams(params) {
    const h = this.#handle();
    if (params === null || typeof params !== 'object') {
      throw new SgdrError(Status.EVALUE, `params (${show(params)}) must be an object`);
    }
    const values = Object.entries(params).map(([name, value]) => {
      const p = paramId(name);
      return [p, asDouble(fn.sgdr_param_name(p), value)];
    });
    this.#tryParams(values);
    const old = [];
    try {
      for (const [p, d] of values) {
        const prev = [0];
        this.#call('sgdr_get_param', p, prev);
        this.#call('sgdr_set_param', p, d);
        old.push([p, prev[0]]);
      }
    } catch (e) {
      for (const [p, prev] of old.reverse()) if (!Number.isNaN(prev)) fn.sgdr_set_param(h, p, prev);
      throw e;
    }
  }

  // Throw what setting values ([id, double] pairs) would throw, on a scratch scheduler holding
  // this one's parameters: the library cannot unset a required parameter, so the rollback of
  // setParams could not undo setting one that was unset.
  #tryParams(values) {
    const out = [null];
    const st = fn.sgdr_create(out);
    if (st !== Status.OK) throw new SgdrError(st, strerror(st));
    const probe = out[0];
    try {
      const v = [0];
      for (const [id] of PARAMS) {
        if (fn.sgdr_get_param(this.#h, id, v) === Status.OK && !Number.isNaN(v[0])) {
          fn.sgdr_set_param(probe, id, v[0]);
        }
      }
      for (const [p, d] of values) {
        const r = fn.sgdr_set_param(probe, p, d);
        if (r !== Status.OK) throw new SgdrError(r, fn.sgdr_last_error(probe));
      }
    } finally {
      fn.sgdr_destroy(probe);
    }
  }

  /** Set one parameter. */
  setParam(name, value) {
    this.setParams({ [name]: value });
  }

  /** One parameter's value: a number, a boolean for the flags, the restart mode's name;
   * NaN for a required parameter that is not set. */
  getParam(name) {
    const p = paramId(name);
    const out = [0];
    this.#call('sgdr_get_param', p, out);
    return fromDouble(fn.sgdr_param_name(p), out[0]);
  }

  /** Every parameter the library knows, by camelCase name. */
  get params() {
    return Object.fromEntries(PARAMS.map(([, n]) => [toCamel(n), this.getParam(n)]));
  }

  /** Replace the learning-rate hooks: setLr(lr) receives the next batch's learning rate,
   * getLr() returns the one the optimizer used. null or absent removes one. */
  setLrHooks({ getLr = null, setLr = null } = {}) {
    this.#handle();
    const g = checkHook('getLr', getLr);
    const s = checkHook('setLr', setLr);
    this.#call('sgdr_set_lr_hooks', g && trampolines.getLr, s && trampolines.setLr, this.#id);
    this.#box.getLr = g;
    this.#box.setLr = s;
  }

  /** Replace the weight hooks: snapshot(cycle) keeps the weights at a cycle's end,
   * restore(cycle) puts them back at onTrainEnd. null or absent removes one. */
  setWeightHooks({ snapshot = null, restore = null } = {}) {
    this.#handle();
    const s = checkHook('snapshot', snapshot);
    const r = checkHook('restore', restore);
    this.#call('sgdr_set_weight_hooks', s && trampolines.snapshot, r && trampolines.restore,
      this.#id);
    this.#box.snapshot = s;
    this.#box.restore = r;
  }

  // ---- the four callbacks -------------------------------------------------------------

  /** Start (or, after loadState of a running state, resume) a run. */
  onTrainBegin() {
    this.#call('sgdr_on_train_begin');
  }

  /** A batch has trained; `logs` is an object of numeric metrics, like Keras'. */
  onBatchEnd(batch, logs) {
    const m = metrics(logs, 'onBatchEnd');
    this.#call('sgdr_on_batch_end', u64('batch', batch), m.length ? m : null, m.length);
  }

  /** An epoch has ended; `epoch` must be the scheduler's count (0-based). */
  onEpochEnd(epoch, logs) {
    const m = metrics(logs, 'onEpochEnd');
    this.#call('sgdr_on_epoch_end', u64('epoch', epoch), m.length ? m : null, m.length);
  }

  /** End the run, restoring the last snapshot if restoreAtEnd. */
  onTrainEnd(logs) {
    const m = metrics(logs, 'onTrainEnd');
    this.#call('sgdr_on_train_end', m.length ? m : null, m.length);
  }

  // ---- learning rate, progress, history ---------------------------------------------

  /** The learning rate of the next batch (NaN before onTrainBegin). */
  get lr() {
    return fn.sgdr_lr(this.#handle());
  }

  /** The learning rate batch `step` (0-based; a BigInt or a Number up to 2^53 - 1) trains
   * with, in closed form: the same bits as the callbacks give. */
  lrAt(step) {
    const s = u64('step', step);
    const out = [0];
    this.#call('sgdr_lr_at', s, out);
    return out[0];
  }

  /** A progress counter by name (Progress) or id: a Number, or a BigInt above 2^53 - 1. */
  progress(what) {
    const id = typeof what === 'string' ? Progress[what] : what;
    if (!Object.values(Progress).includes(id)) {
      throw new SgdrError(Status.EBADPARAM, `unknown progress counter ${show(what)} (known: ` +
        `${Object.keys(Progress).join(', ')})`);
    }
    const out = [0];
    this.#call('sgdr_get_progress', id, out);
    const v = out[0];
    return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  get step() { return this.progress('step'); }
  get epoch() { return this.progress('epoch'); }
  get batchInEpoch() { return this.progress('batchInEpoch'); }
  get cycle() { return this.progress('cycle'); }
  get cyclePosition() { return this.progress('cyclePosition'); }
  get currentCycleLength() { return this.progress('cycleLength'); }
  get snapshots() { return this.progress('snapshots'); }
  get lastSnapshot() { return this.progress('lastSnapshot'); }
  /** 'warmup', 'cycle' or 'hold'. */
  get phase() { return PHASES[this.progress('phase')]; }
  /** True between onTrainBegin and onTrainEnd. */
  get running() { return this.progress('running') === 1; }

  #rows() {
    const rows = [0];
    this.#call('sgdr_history_rows', rows);
    return Number(rows[0]);
  }

  #column(c, rows) {
    const buf = new Float64Array(rows);
    if (rows > 0) this.#call('sgdr_history_copy', c, 0, buf, rows);
    return Array.from(buf);
  }

  /** Per-batch history as the Keras callback keeps it: {lr: [...], metric: [...]}. A metric
   * missing in a batch reads NaN there. */
  get history() {
    const rows = this.#rows();
    const cols = [0];
    this.#call('sgdr_history_columns', cols);
    const out = {};
    for (let c = 0; c < Number(cols[0]); c++) {
      const name = [null];
      this.#call('sgdr_history_column_name', c, name);
      put(out, name[0], this.#column(c, rows));
    }
    return out;
  }

  /** One history column by name. */
  historyColumn(name) {
    if (typeof name !== 'string') {
      throw new SgdrError(Status.EVALUE, `column name (${show(name)}) must be a string`);
    }
    const col = [0];
    this.#call('sgdr_history_find', cstr('column name', name), col);
    return this.#column(Number(col[0]), this.#rows());
  }

  /** The history as CSV text ("step,lr,<metrics>" and one line per batch). */
  historyCsv() {
    const len = [0];
    this.#call('sgdr_history_to_csv', null, 0, len);
    const buf = new Uint8Array(Number(len[0]));
    this.#call('sgdr_history_to_csv', buf, buf.length, len);
    return new TextDecoder().decode(buf);
  }

  /** Write the history CSV to the file at `path`. */
  writeHistoryCsv(path) {
    if (typeof path !== 'string') {
      throw new SgdrError(Status.EVALUE, `path (${show(path)}) must be a string`);
    }
    this.#call('sgdr_history_write_csv', cstr('path', path));
  }

  // ---- checkpoint and resume ----------------------------------------------------------

  /** The scheduler's state as a versioned, checksummed blob (not the hooks or history). */
  saveState() {
    const len = [0];
    this.#call('sgdr_save_state', null, 0, len);
    const buf = new Uint8Array(Number(len[0]));
    this.#call('sgdr_save_state', buf, buf.length, len);
    return buf;
  }

  /** Replace configuration and counters with a blob from saveState(); on a running state,
   * call onTrainBegin() next to resume. A bad blob changes nothing. */
  loadState(blob) {
    if (!(blob instanceof Uint8Array)) {
      throw new SgdrError(Status.EVALUE, `state (${show(blob)}) must be a Uint8Array`);
    }
    // an empty array would reach the library as NULL: it is a truncated blob, not a NULL one
    this.#call('sgdr_load_state', blob.length ? blob : new Uint8Array(1), blob.length);
  }

  toString() {
    if (this.#h === null) return 'Scheduler (closed)';
    const p = this.params;
    return `Scheduler minLr=${p.minLr} maxLr=${p.maxLr} stepsPerEpoch=${p.stepsPerEpoch} ` +
      `cycleLength=${p.cycleLength} multFactor=${p.multFactor} lrDecay=${p.lrDecay} ` +
      `step=${this.step} lr=${this.lr}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `<${this.toString()}>`;
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Scheduler.prototype[Symbol.dispose] = Scheduler.prototype.close;
}
