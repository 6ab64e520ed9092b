// SPDX-License-Identifier: MIT
// SGDRScheduler's constructor forms, a fit() that throws, and checkpoints: save(path) and
// load(path) resume a run exactly (snapshots included), and every single-bit flip of a
// checkpoint file is refused before anything in it is read.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { data, model, sgdr, sgdrTfjs } from './support.mjs';

const { SgdrError, Status } = sgdr;
const { SGDRScheduler, tf } = sgdrTfjs;

tf.enableProdMode();

const values = (tensors) => tensors.map((t) => Array.from(t.dataSync()));
const refused = (status, re = /./) => (e) => e instanceof SgdrError && e.status === status && re.test(e.message);
const FIT = { batchSize: 8, verbose: 0, shuffle: false };

test('the Keras callback\'s positional constructor, and the options object', () => {
  const s = new SGDRScheduler(1e-5, 1e-2, 8);
  let p = s.scheduler.params;
  assert.deepEqual([p.minLr, p.maxLr, p.stepsPerEpoch, p.lrDecay, p.cycleLength, p.multFactor],
    [1e-5, 1e-2, 8, 1, 10, 2]);
  s.dispose();
  const all = new SGDRScheduler(0.001, 0.1, 5, 0.9, 3, 1);
  p = all.scheduler.params;
  assert.deepEqual([p.minLr, p.maxLr, p.stepsPerEpoch, p.lrDecay, p.cycleLength, p.multFactor],
    [0.001, 0.1, 5, 0.9, 3, 1]);
  all.dispose();
  const o = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 5, cycleLength: 3 });
  assert.equal(o.scheduler.getParam('cycleLength'), 3);
  o.dispose();
  assert.throws(() => new SGDRScheduler(0.1, 0.001, 5), refused(Status.ECONFIG, /max_lr/));
  assert.throws(() => new SGDRScheduler({ minLr: 0, maxLr: 1 }, 5), refused(Status.EVALUE, /not both/));
  assert.throws(() => new SGDRScheduler(0, 1, 5, 1, 10, 2, 7), refused(Status.EVALUE, /at most 6/));
});

test('cycleWarmupSteps without stepsPerEpoch, and stepsPerEpoch null, wait for fit()', async () => {
  const { x, y } = data(40); // 5 batches per epoch
  const m = model();
  const s = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, cycleLength: 1, cycleWarmupSteps: 3 });
  await m.fit(x, y, { ...FIT, epochs: 2, callbacks: [s] });
  assert.equal(s.scheduler.getParam('stepsPerEpoch'), 5);
  assert.deepEqual(s.history.lr, Array.from({ length: 10 }, (_, i) => s.scheduler.lrAt(i)));
  assert.ok(s.history.lr[0] < s.history.lr[2], 'no warm-up at the cycle start');
  s.dispose();
  const tooLong = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, cycleLength: 1, cycleWarmupSteps: 5 });
  await assert.rejects(m.fit(x, y, { ...FIT, epochs: 1, callbacks: [tooLong] }),
    refused(Status.ECONFIG, /cycle_warmup_steps/));
  tooLong.dispose();
  const n = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: null, cycleLength: 1 });
  await m.fit(x, y, { ...FIT, epochs: 1, callbacks: [n] });
  assert.equal(n.scheduler.getParam('stepsPerEpoch'), 5);
  assert.equal(n.history.lr.length, 5);
  n.dispose();
  tf.dispose([x, y]);
  m.dispose();
});

test('after a fit() that throws the callback is ready; a new fit() keeps no old snapshots', async () => {
  const { x, y } = data(24); // 3 batches per epoch
  const m = model(3);
  const s = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 3, cycleLength: 1, multFactor: 1, keepSnapshots: 10 });
  const boom = new tf.CustomCallback({ onEpochEnd: (e) => { if (e === 1) throw new Error('boom'); } });
  await assert.rejects(m.fit(x, y, { ...FIT, epochs: 4, callbacks: [s, boom] }), /boom/);
  assert.deepEqual([...s.snapshots.keys()], [0, 1]);
  await m.fit(x, y, { ...FIT, epochs: 1, callbacks: [s] });
  assert.deepEqual(s.history.lr, [0, 1, 2].map((i) => s.scheduler.lrAt(i)));
  assert.deepEqual([...s.snapshots.keys()], [0], 'snapshots of the failed fit() kept');
  // a completed fit(), then one whose cycle does not end: no snapshot of the earlier one
  const two = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 3, cycleLength: 2, keepSnapshots: 10, restoreAtEnd: false });
  await m.fit(x, y, { ...FIT, epochs: 2, callbacks: [two] });
  assert.deepEqual([...two.snapshots.keys()], [0]);
  await m.fit(x, y, { ...FIT, epochs: 1, callbacks: [two] });
  assert.deepEqual([...two.snapshots.keys()], []);
  for (const c of [s, two]) c.dispose();
  tf.dispose([x, y]);
  m.dispose();
});

const OPTS = { minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 3, cycleLength: 1, multFactor: 2, keepSnapshots: 3 };

test('save() at an epoch end and load() into new objects: the same lrs, snapshots and final weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgdr-tfjs-'));
  const path = join(dir, 'run.ckpt');
  const { x, y } = data(24);
  try {
    const m = model(5);
    const whole = new SGDRScheduler(OPTS);
    const saver = new tf.CustomCallback({ onEpochEnd: async (e) => { if (e === 1) await whole.save(path); } });
    await m.fit(x, y, { ...FIT, epochs: 7, callbacks: [whole, saver] });
    const want = { lr: whole.history.lr.slice(6), weights: values(m.getWeights()),
      snapshots: [...whole.snapshots].map(([c, w]) => [c, values(w)]) };
    // another initialisation: everything must come from the file
    const m2 = model(9);
    const resumed = new SGDRScheduler(OPTS);
    await resumed.load(path);
    assert.equal(resumed.epoch, 2);
    assert.deepEqual([...resumed.snapshots.keys()], [0]);
    await m2.fit(x, y, { ...FIT, epochs: 7, initialEpoch: resumed.epoch, callbacks: [resumed] });
    assert.deepEqual(resumed.history.lr, want.lr);
    assert.deepEqual([...resumed.snapshots].map(([c, w]) => [c, values(w)]), want.snapshots);
    assert.deepEqual(values(m2.getWeights()), want.weights);
    // a checkpoint of another model: refused at fit(), which puts back what load() replaced:
    // the model, the scheduler and the snapshots are as before load()
    const other = model(2, 5);
    const before = values(other.getWeights());
    const o = new SGDRScheduler(OPTS);
    const fresh = o.scheduler.saveState();
    await o.load(path);
    assert.notDeepEqual(o.scheduler.saveState(), fresh);
    await assert.rejects(other.fit(x, y, { ...FIT, epochs: 7, initialEpoch: 2, callbacks: [o] }),
      refused(Status.ECORRUPT, /another model.*as before load\(\)/));
    assert.deepEqual(values(other.getWeights()), before);
    assert.deepEqual(o.scheduler.saveState(), fresh);
    assert.equal(o.snapshots.size, 0);
    // then a new run trains from the start, as with a callback that never loaded
    await other.fit(x, y, { ...FIT, epochs: 2, callbacks: [o] });
    assert.equal(o.epoch, 2);
    // a callback that knows its model (a fit() ran) refuses such a checkpoint in load() itself
    const trained = o.scheduler.saveState();
    const kept = [...o.snapshots].map(([c, w]) => [c, values(w)]);
    await assert.rejects(o.load(path), refused(Status.ECORRUPT, /another model/));
    assert.deepEqual(o.scheduler.saveState(), trained);
    assert.deepEqual([...o.snapshots].map(([c, w]) => [c, values(w)]), kept);
    await assert.rejects(o.load(join(dir, 'missing')), refused(Status.EIO, /missing/));
    for (const c of [whole, resumed, o]) c.dispose();
    for (const mm of [m, m2, other]) mm.dispose();
  } finally {
    tf.dispose([x, y]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every single-bit flip of a checkpoint is refused and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgdr-tfjs-flip-'));
  const x = tf.tensor2d([[1], [2]]);
  const y = tf.tensor2d([[1], [0]]);
  try {
    // a tiny model, so that every bit of its file is tried
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' })] });
    m.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'meanSquaredError' });
    const s = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 1, cycleLength: 1 });
    const good = join(dir, 'good.ckpt');
    const saver = new tf.CustomCallback({ onEpochEnd: async (e) => { if (e === 1) await s.save(good); } });
    await m.fit(x, y, { batchSize: 2, epochs: 3, verbose: 0, callbacks: [s, saver] });
    const bytes = readFileSync(good);
    const target = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 1, cycleLength: 1 });
    await target.load(good);
    const state = target.scheduler.saveState();
    const snaps = target.snapshots;
    const weights = values(m.getWeights());
    const bad = join(dir, 'bad.ckpt');
    // Each flip overwrites the file in place: a file truncated and written again is flushed
    // to disk at close on ext4 (auto_da_alloc), a disk write per flip.
    const fd = openSync(bad, 'w');
    let wrong = 0;
    try {
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = Buffer.from(bytes);
        flipped[bit >> 3] ^= 1 << (bit & 7);
        writeSync(fd, flipped, 0, flipped.length, 0);
        try {
          await target.load(bad);
          wrong++;
        } catch (e) {
          if (!(e instanceof SgdrError && (e.status === Status.ECHECKSUM || e.status === Status.EMAGIC))) wrong++;
        }
      }
    } finally {
      closeSync(fd);
    }
    assert.equal(wrong, 0, `${wrong} of ${bytes.length * 8} flips loaded or failed otherwise`);
    assert.deepEqual(target.scheduler.saveState(), state);
    assert.deepEqual([...target.snapshots], [...snaps]);
    assert.deepEqual(values(m.getWeights()), weights);
    // and the target still resumes from the good file
    await m.fit(x, y, { batchSize: 2, epochs: 3, initialEpoch: target.epoch, verbose: 0, callbacks: [target] });
    assert.equal(target.history.lr.length, 1);
    console.log(`checkpoint of ${bytes.length} bytes: all ${bytes.length * 8} single-bit flips refused`);
    for (const c of [s, target]) c.dispose();
    m.dispose();
  } finally {
    tf.dispose([x, y]);
    rmSync(dir, { recursive: true, force: true });
  }
});
