// SPDX-License-Identifier: MIT
// The binding against the library: every function bound, the golden vectors, lrAt against
// the callbacks, hooks that throw, bad arguments, close, state blobs, history, versions.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import koffi from 'koffi';
import { goldens, packageDir, required, sgdr, top } from './support.mjs';

const {
  Scheduler, SgdrError, Status, PARAMS, native, openSchedulers, paramId, strerror, version,
  versionNumber, libraryPath, describeParam, FALLBACK_STATUS_NAMES, FALLBACK_BOOLEAN_PARAMS,
} = sgdr;

const BASE = { minLr: 1e-5, maxLr: 0.1, stepsPerEpoch: 4, cycleLength: 2, multFactor: 2 };

// Drive a scheduler through `epochs` epochs; returns the lr each batch trained with (what
// setLr received before it).
function drive(s, epochs, spe, from = 0) {
  const lrs = [];
  for (let e = from; e < epochs; e++) {
    for (let b = 0; b < spe; b++) {
      lrs.push(s.lr);
      s.onBatchEnd(b, { loss: e + b / 10 });
    }
    s.onEpochEnd(e);
  }
  return lrs;
}

// Assert that fn throws an SgdrError with this status, and return it.
function refuses(fn, status, pattern) {
  let err;
  assert.throws(fn, (e) => { err = e; return true; });
  assert.ok(err instanceof SgdrError, `expected an SgdrError, got ${err}`);
  assert.equal(err.code, `SGDR_${Object.keys(Status).find((k) => Status[k] === status)}`,
    `${err.message}`);
  assert.equal(err.status, status);
  if (pattern) assert.match(err.message, pattern);
  return err;
}

test('the library under test is the one SGDR_LIBRARY names, with the header\'s version', () => {
  assert.equal(libraryPath, required('SGDR_LIBRARY'));
  const h = readFileSync(join(top, 'include/sgdr.h'), 'utf8');
  const v = h.match(/#define SGDR_VERSION_STRING "([^"]+)"/)[1];
  assert.equal(version, v);
  const [maj, min, pat] = v.split('.').map(Number);
  assert.equal(versionNumber, maj * 10000 + min * 100 + pat);
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  assert.equal(pkg.version, v, 'bindings/node/package.json version differs from sgdr.h');
});

test('every exported function of the library is bound, and nothing else', () => {
  const map = readFileSync(join(top, 'src/sgdr.map'), 'utf8');
  const exported = [...map.matchAll(/^\s*(sgdr_\w+);/gm)].map((m) => m[1]).sort();
  assert.ok(exported.length >= 29);
  assert.deepEqual(Object.keys(native).sort(), exported);
});

// What the binding restates about statuses and parameters, against the library: the status
// names (and the fallback a 1.0/1.1 library gets), index.d.ts's Status and ScheduleParams
// members, the boolean parameters, and a new Scheduler's values.
test('the binding\'s statuses and parameters are the library\'s', () => {
  const names = [];
  for (let st = 0; native.sgdr_status_name(st) !== 'unknown status'; st++) {
    names.push(native.sgdr_status_name(st));
  }
  assert.deepEqual([...FALLBACK_STATUS_NAMES], names);
  assert.deepEqual(Object.entries(Status), names.map((n, i) => [n.slice(5), i]));
  const dts = readFileSync(join(packageDir, 'index.d.ts'), 'utf8');
  const declared = dts.match(/const Status: Readonly<\{([^}]*)\}>/)[1];
  assert.deepEqual([...declared.matchAll(/(\w+): (\d+);/g)].map((m) => [m[1], Number(m[2])]),
    Object.entries(Status), 'index.d.ts: Status');
  const members = dts.match(/interface ScheduleParams \{([^}]*)\}/)[1];
  const camel = (n) => n.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  assert.deepEqual([...members.matchAll(/^\s*(\w+)\?:/gm)].map((m) => m[1]),
    PARAMS.map(([, n]) => camel(n)), 'index.d.ts: ScheduleParams');
  const described = PARAMS.map(([id]) => describeParam(id));
  assert.deepEqual(described.filter((d) => d.kind === 4 && d.since < 10200).map((d) => d.name),
    [...FALLBACK_BOOLEAN_PARAMS]);
  const s = new Scheduler({ minLr: 0.1, maxLr: 1, stepsPerEpoch: 3 });
  const modes = ['peak', 'keras-seed'];
  for (const d of described.filter((x) => !x.required)) {
    const want = d.kind === 4 ? d.default_value !== 0
      : d.name === 'restart_mode' ? modes[d.default_value] : d.default_value;
    assert.equal(s.params[camel(d.name)], want, d.name);
  }
  s.close();
  assert.equal(describeParam(0), null);
  assert.equal(describeParam(PARAMS.length + 1), null);
});

test('the parameters are the library\'s, by camelCase and C name', () => {
  assert.deepEqual(PARAMS.slice(0, 12).map(([, n]) => n), ['min_lr', 'max_lr',
    'steps_per_epoch', 'lr_decay', 'cycle_length', 'mult_factor', 'restart_mode',
    'warmup_epochs', 'warmup_start_lr', 'max_cycles', 'restore_at_end', 'history']);
  assert.equal(paramId('maxLr'), 2);
  assert.equal(paramId('max_lr'), 2);
  refuses(() => paramId('maxlr'), Status.EBADPARAM, /unknown parameter "maxlr".*knows: minLr, maxLr/);
  // cycle_warmup_steps (libsgdr 1.1) by name where the library has it, refused where not
  const s = new Scheduler(BASE);
  if (PARAMS.some(([, n]) => n === 'cycle_warmup_steps')) {
    s.setParams({ cycleWarmupSteps: 2 });
    assert.equal(s.getParam('cycleWarmupSteps'), 2);
  } else {
    refuses(() => s.setParams({ cycleWarmupSteps: 2 }), Status.EBADPARAM, /cycleWarmupSteps/);
  }
  s.close();
});

for (const g of goldens()) {
  test(`golden ${g.name}: the callbacks within 1e-12 * max_lr, lrAt bit-equal to them`, () => {
    const spe = g.config.steps_per_epoch;
    const epochs = g.config.epochs;
    delete g.config.epochs;
    const set = [];
    const snaps = [];
    const restored = [];
    let epochNow = 0;
    const s = new Scheduler({
      ...g.config,
      setLr: (lr) => set.push(lr),
      snapshot: (c) => snaps.push([epochNow, c]),
      restore: (c) => restored.push(c),
    });
    s.onTrainBegin();
    const lrs = [];
    for (let e = 0; e < epochs; e++) {
      epochNow = e;
      for (let b = 0; b < spe; b++) {
        lrs.push(s.lr);
        s.onBatchEnd(b);
      }
      s.onEpochEnd(e);
    }
    s.onTrainEnd();
    assert.equal(lrs.length, g.rows.length);
    const tol = 1e-12 * g.config.max_lr;
    g.rows.forEach((r, i) => {
      assert.equal(Math.floor(i / spe), r.epoch);
      assert.ok(Math.abs(lrs[i] - r.lr) <= tol, `step ${i}: ${lrs[i]}, golden ${r.lr}`);
      assert.ok(Object.is(s.lrAt(i), lrs[i]), `lrAt(${i}) = ${s.lrAt(i)}, callbacks ${lrs[i]}`);
      assert.ok(Object.is(s.lrAt(BigInt(i)), lrs[i]));
    });
    // setLr received the first lr and every change; the history's lr column is the lr used
    assert.ok(Object.is(set[0], lrs[0]));
    assert.deepEqual(s.history.lr, lrs);
    assert.deepEqual(snaps.map(([e]) => e), g.snapshotEpochs);
    const last = snaps.at(-1);
    assert.deepEqual(restored, g.restoredEpoch === null ? [] : [last[1]]);
    assert.equal(g.restoredEpoch, last ? last[0] : null);
    s.close();
  });
}

test('lrAt takes BigInts and safe integers and refuses anything inexact', () => {
  const s = new Scheduler(BASE);
  const big = 2 ** 53 - 1;
  assert.ok(Object.is(s.lrAt(big), s.lrAt(BigInt(big))));
  assert.ok(Number.isFinite(s.lrAt((1n << 64n) - 1n)));
  const before = s.saveState();
  for (const [v, why] of [[1.5, /non-negative integer/], [-1, /non-negative integer/],
    [NaN, /non-negative integer/], [Infinity, /non-negative integer/],
    [2 ** 53, /above 2\^53 - 1.*BigInt/], [2 ** 60, /above 2\^53 - 1/], [-1n, /2\^64 - 1/],
    [1n << 64n, /2\^64 - 1/], ['3', /Number or a BigInt/], [null, /Number or a BigInt/],
    [undefined, /Number or a BigInt/], [{}, /Number or a BigInt/]]) {
    refuses(() => s.lrAt(v), Status.EVALUE, why);
  }
  assert.deepEqual(s.saveState(), before);
  s.close();
});

test('bad arguments get a specific status and message and change nothing', () => {
  const s = new Scheduler(BASE);
  const before = s.saveState();
  refuses(() => s.setParams({ maxLr: NaN }), Status.EVALUE, /max_lr/);
  refuses(() => s.setParams({ maxLr: -1 }), Status.EVALUE, /max_lr/);
  refuses(() => s.setParams({ maxLr: '0.1' }), Status.EVALUE, /maxLr \("0.1"\) is not a number/);
  refuses(() => s.setParams({ stepsPerEpoch: 2.5 }), Status.EVALUE, /steps_per_epoch/);
  refuses(() => s.setParams({ stepsPerEpoch: (1n << 60n) + 1n }), Status.EVALUE, /not exactly/);
  refuses(() => s.setParams({ restartMode: 'keras' }), Status.EVALUE, /'peak', 'keras-seed'/);
  refuses(() => s.setParams({ restartMode: 'toString' }), Status.EVALUE, /restartMode/);
  refuses(() => s.setParams({ nonsense: 1 }), Status.EBADPARAM, /nonsense/);
  // all or nothing: the valid first one is undone when the second is refused
  refuses(() => s.setParams({ minLr: 0.001, cycleLength: 0 }), Status.EVALUE, /cycle_length/);
  assert.equal(s.getParam('minLr'), 1e-5);
  refuses(() => s.setParams(null), Status.EVALUE);
  refuses(() => s.setLrHooks({ setLr: 3 }), Status.EVALUE, /setLr \(3\) must be a function/);
  refuses(() => new Scheduler({ ...BASE, maxLr: 1e-6 }), Status.ECONFIG, /max_lr/);
  refuses(() => new Scheduler(null), Status.EVALUE);
  refuses(() => s.onBatchEnd(0), Status.EORDER);
  s.onTrainBegin();
  for (const b of [-1, 0.5, NaN, 2 ** 53, 'x']) refuses(() => s.onBatchEnd(b), Status.EVALUE, /batch/);
  refuses(() => s.onBatchEnd(0, { loss: 'high' }), Status.EMETRIC, /loss/);
  refuses(() => s.onBatchEnd(0, { lr: 1 }), Status.EMETRIC, /lr/);
  refuses(() => s.onBatchEnd(0, { '': 1 }), Status.EMETRIC);
  refuses(() => s.onEpochEnd(3), Status.EEPOCH);
  refuses(() => s.setParams({ maxLr: 0.2 }), Status.EORDER);
  refuses(() => s.progress('bogus'), Status.EBADPARAM, /bogus/);
  refuses(() => s.historyColumn('nope'), Status.EINDEX);
  refuses(() => s.loadState('blob'), Status.EVALUE, /Uint8Array/);
  assert.equal(s.step, 0);
  assert.equal(s.history.lr.length, 0);
  s.onTrainEnd();
  assert.deepEqual(s.saveState().slice(0, 8), before.slice(0, 8));
  assert.equal(strerror(Status.ENOMEM), 'out of memory');
  s.close();
});

// A hook that throws once, on its n-th call.
function throwsOnce(n, f = () => {}) {
  let calls = 0;
  const err = new Error('hook failure');
  const hook = (...a) => {
    calls++;
    if (calls === n) throw err;
    return f(...a);
  };
  return { hook, err };
}

test('a hook that throws fails the callback with its exception as cause, changes nothing, and the call may be retried', () => {
  const ref = new Scheduler(BASE);
  ref.onTrainBegin();
  const want = drive(ref, 6, 4);
  ref.close();
  for (const [hookName, n, status] of [['setLr', 5, Status.EHOOK_SET_LR],
    ['getLr', 3, Status.EHOOK_GET_LR], ['snapshot', 2, Status.EHOOK_SNAPSHOT]]) {
    const seen = [];
    const { hook, err } = throwsOnce(n, hookName === 'getLr' ? () => 0.5 : (v) => seen.push(v));
    const s = new Scheduler({ ...BASE, [hookName]: hook });
    s.onTrainBegin();
    const lrs = [];
    let failures = 0;
    for (let e = 0; e < 6; e++) {
      for (let b = 0; b < 4; b++) {
        lrs.push(s.lr);
        for (;;) {
          const state = s.saveState();
          const rows = s.history.lr.length;
          try {
            s.onBatchEnd(b);
            break;
          } catch (x) {
            failures++;
            assert.ok(x instanceof SgdrError);
            assert.equal(x.status, status);
            assert.equal(x.cause, err);
            assert.deepEqual(s.saveState(), state, 'the state changed');
            assert.equal(s.history.lr.length, rows, 'a history row was added');
          }
        }
      }
      for (;;) {
        const state = s.saveState();
        try {
          s.onEpochEnd(e);
          break;
        } catch (x) {
          failures++;
          assert.equal(x.status, status);
          assert.equal(x.cause, err);
          assert.deepEqual(s.saveState(), state);
        }
      }
    }
    assert.equal(failures, 1, `${hookName}: one failure`);
    assert.deepEqual(lrs, want, `${hookName}: the schedule after the retry`);
    s.close();
  }
  // restore, at onTrainEnd: the run is still going and the call may be retried
  const { hook, err } = throwsOnce(1);
  const s = new Scheduler({ ...BASE, snapshot: () => {}, restore: hook });
  s.onTrainBegin();
  drive(s, 2, 4);
  const e = refuses(() => s.onTrainEnd(), Status.EHOOK_RESTORE);
  assert.equal(e.cause, err);
  assert.equal(s.running, true);
  s.onTrainEnd();
  assert.equal(s.running, false);
  s.close();
});

test('hooks must be synchronous, and may read but not change or close their scheduler', () => {
  const s = new Scheduler({ ...BASE, setLr: async () => {} });
  const e = refuses(() => s.onTrainBegin(), Status.EHOOK_SET_LR);
  assert.match(e.cause.message, /returned a Promise/);
  const read = [];
  s.setLrHooks({ setLr: (lr) => read.push([lr, s.getParam('maxLr'), s.step, s.lrAt(0)]) });
  s.onTrainBegin();
  assert.deepEqual(read, [[0.1, 0.1, 0, 0.1]]);
  s.setLrHooks({ setLr: () => s.close() });
  const c = refuses(() => s.onBatchEnd(0), Status.EHOOK_SET_LR);
  assert.ok(c.cause instanceof SgdrError && c.cause.status === Status.EORDER, String(c.cause));
  assert.match(c.cause.message, /inside one of this scheduler's hooks/);
  s.setLrHooks({ setLr: () => s.setParams({ maxLr: 0.5 }) });
  const p = refuses(() => s.onBatchEnd(0), Status.EHOOK_SET_LR);
  assert.equal(p.cause.status, Status.EORDER);
  s.setLrHooks({ getLr: () => 'fast' });
  assert.match(refuses(() => s.onBatchEnd(0), Status.EHOOK_GET_LR).cause.message, /not a number/);
  s.setLrHooks({});
  s.onBatchEnd(0);
  assert.equal(s.step, 1);
  s.close();
});

test('use after close throws; close is idempotent', () => {
  const s = new Scheduler(BASE);
  s.close();
  s.close();
  assert.equal(s.closed, true);
  for (const f of [() => s.lr, () => s.lrAt(0), () => s.onTrainBegin(), () => s.onBatchEnd(0),
    () => s.onEpochEnd(0), () => s.onTrainEnd(), () => s.setParams({ maxLr: 1 }),
    () => s.getParam('maxLr'), () => s.saveState(), () => s.loadState(new Uint8Array(4)),
    () => s.history, () => s.historyCsv(), () => s.step, () => s.setLrHooks({}),
    () => s.setWeightHooks({})]) {
    refuses(f, Status.ENULL, /closed/);
  }
  assert.equal(String(s), 'Scheduler (closed)');
});

test('state blobs: a round trip resumes bit for bit; a corrupt blob is refused and changes nothing', () => {
  const ref = new Scheduler({ ...BASE, lrDecay: 0.7 });
  ref.onTrainBegin();
  const want = drive(ref, 9, 4);
  const a = new Scheduler({ ...BASE, lrDecay: 0.7 });
  a.onTrainBegin();
  const first = drive(a, 3, 4);
  const blob = a.saveState();
  assert.ok(blob instanceof Uint8Array);
  a.close();
  const set = [];
  const b = new Scheduler({ minLr: 0, maxLr: 1, stepsPerEpoch: 1, setLr: (lr) => set.push(lr) });
  b.loadState(blob);
  b.onTrainBegin(); // resumes
  assert.equal(b.epoch, 3);
  assert.ok(Object.is(set[0], want[12]));
  assert.deepEqual([...first, ...drive(b, 9, 4, 3)], want);
  assert.deepEqual(b.params, ref.params);
  const before = b.saveState();
  const cases = [
    [blob.slice(0, 10), Status.ETRUNCATED],
    [blob.slice(0, blob.length - 1), Status.ETRUNCATED],
    [Uint8Array.from(blob, (x, i) => (i === 0 ? x ^ 0xff : x)), Status.EMAGIC],
    [Uint8Array.from(blob, (x, i) => (i === blob.length >> 1 ? x ^ 1 : x)), Status.ECHECKSUM],
    [new Uint8Array(0), Status.ETRUNCATED],
  ];
  for (const [bad, status] of cases) {
    refuses(() => b.loadState(bad), status);
    assert.deepEqual(b.saveState(), before);
  }
  b.close();
  ref.close();
});

test('history: lr and every metric, NaN where a metric was not given; CSV', () => {
  const s = new Scheduler(BASE);
  s.onTrainBegin();
  s.onBatchEnd(0, { loss: 2 });
  s.onBatchEnd(1, { loss: 1, acc: 0.5 });
  s.onBatchEnd(2);
  const h = s.history;
  assert.deepEqual(Object.keys(h), ['lr', 'loss', 'acc']);
  assert.deepEqual(h.loss, [2, 1, NaN]);
  assert.deepEqual(h.acc, [NaN, 0.5, NaN]);
  assert.deepEqual(s.historyColumn('acc'), h.acc);
  const csv = s.historyCsv();
  assert.equal(csv.split('\n')[0], 'step,lr,loss,acc');
  assert.equal(csv.split('\n')[1], '0,0.10000000000000001,2,nan');
  const dir = mkdtempSync(join(tmpdir(), 'sgdr-node-'));
  s.writeHistoryCsv(join(dir, 'h.csv'));
  assert.equal(readFileSync(join(dir, 'h.csv'), 'utf8'), csv);
  refuses(() => s.writeHistoryCsv(join(dir, 'missing/h.csv')), Status.EIO, /missing/);
  rmSync(dir, { recursive: true });
  s.close();
});

test('progress counters; a counter above 2^53 - 1 reads as a BigInt', () => {
  const s = new Scheduler({ ...BASE, maxCycles: 1 });
  s.onTrainBegin();
  drive(s, 2, 4);
  assert.equal(s.phase, 'hold');
  assert.equal(s.currentCycleLength, (1n << 64n) - 1n);
  assert.equal(s.step, 8);
  assert.equal(s.epoch, 2);
  assert.equal(s.snapshots, 0);
  assert.equal(s.running, true);
  s.close();
});

test('the raw functions: sgdr_create_with_allocator reports a failing allocator', () => {
  const calls = [];
  const alloc = koffi.register((user, size) => { calls.push(size); return null; },
    koffi.pointer(koffi.resolve('sgdr_alloc_fn')));
  const free = koffi.register(() => {}, koffi.pointer(koffi.resolve('sgdr_free_fn')));
  const out = [undefined];
  assert.equal(native.sgdr_create_with_allocator(out, alloc, free, null), Status.ENOMEM);
  assert.equal(out[0], null);
  assert.ok(calls.length >= 1);
  assert.equal(native.sgdr_create_with_allocator(out, null, free, null), Status.ENULL);
  koffi.unregister(alloc);
  koffi.unregister(free);
  assert.ok(Number.isNaN(native.sgdr_lr(null)));
  assert.equal(native.sgdr_last_error(null) !== undefined, true);
});

test('a scheduler that is never closed is freed by the garbage collector', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const settle = async (until) => {
    for (let i = 0; i < 50 && !until(); i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  let prev = -1;
  await settle(() => { const same = openSchedulers() === prev; prev = openSchedulers(); return same; });
  const base = openSchedulers();
  (() => {
    for (let i = 0; i < 50; i++) {
      // a hook that references its own scheduler: the cycle must not keep it alive
      const s = new Scheduler({ ...BASE, setLr: () => s.lr });
      s.onTrainBegin();
    }
  })();
  assert.equal(openSchedulers(), base + 50);
  await settle(() => openSchedulers() <= base);
  assert.equal(openSchedulers(), base);
});

test('stepsPerEpoch changes during a run: the run goes on as one with the new value from the start', () => {
  const opts = { minLr: 1e-3, maxLr: 0.1, cycleLength: 2, lrDecay: 0.5, cycleWarmupSteps: 5 };
  const handed = [];
  const s = new Scheduler({ ...opts, stepsPerEpoch: 30, setLr: (lr) => handed.push(lr) });
  const reference = new Scheduler({ ...opts, stepsPerEpoch: 45 });
  s.onTrainBegin();
  for (let e = 0; e < 3; e++) {
    for (let b = 0; b < 30; b++) s.onBatchEnd(b);
    s.onEpochEnd(e);
  }
  s.setParam('stepsPerEpoch', 45);
  assert.equal(handed.at(-1), reference.lrAt(3 * 45));
  for (let b = 0; b < 3; b++) {
    assert.equal(s.lr, reference.lrAt(3 * 45 + b));
    s.onBatchEnd(b);
  }
  // 3 of 45 batches: 3 * 7 / 45 is not whole; refused, nothing changed
  const before = s.saveState();
  assert.throws(() => s.setParam('stepsPerEpoch', 7), (e) => e instanceof SgdrError &&
    e.status === Status.EORDER && /nearest batch positions where the change is exact are 0 and 45/.test(e.message));
  assert.deepEqual(s.saveState(), before);
  // cycleWarmupSteps 5 does not fit a first cycle of 2 epochs of 2 batches
  assert.throws(() => s.setParams({ stepsPerEpoch: 2 }), (e) => e instanceof SgdrError &&
    e.status === Status.EORDER);
  s.onEpochEnd(3);
  assert.throws(() => s.setParams({ stepsPerEpoch: 2 }), (e) => e instanceof SgdrError &&
    e.status === Status.ECONFIG && /cycle_warmup_steps \(5\)/.test(e.message) && /steps_per_epoch \(2\)/.test(e.message));
  assert.equal(s.step, 90 + 3);
  s.close();
  reference.close();
});
