// SPDX-License-Identifier: MIT
// SGDRScheduler inside TensorFlow.js' model.fit(): the learning rate of every batch, the
// Keras callback's history, snapshots (cloned, disposed when replaced) and their restore at
// the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { data, model, sgdr, sgdrTfjs } from './support.mjs';

const { SgdrError, Status } = sgdr;
const { SGDRScheduler, tf } = sgdrTfjs;

tf.enableProdMode();

const values = (tensors) => tensors.map((t) => Array.from(t.dataSync()));

test('the Keras callback\'s constructor and defaults', () => {
  const s = new SGDRScheduler({ minLr: 1e-5, maxLr: 1e-2, stepsPerEpoch: 10 });
  assert.ok(s instanceof tf.Callback);
  const p = s.scheduler.params;
  assert.deepEqual([p.minLr, p.maxLr, p.stepsPerEpoch, p.lrDecay, p.cycleLength, p.multFactor,
    p.restartMode], [1e-5, 1e-2, 10, 1, 10, 2, 'peak']);
  s.dispose();
  const k = new SGDRScheduler({ minLr: 0, maxLr: 1, stepsPerEpoch: 3, restartMode: 'keras-seed', lrDecay: 0.5 });
  assert.equal(k.scheduler.getParam('restartMode'), 'keras-seed');
  k.dispose();
  assert.throws(() => new SGDRScheduler({ minLr: 1, maxLr: 0.5, stepsPerEpoch: 3 }),
    (e) => e instanceof SgdrError && e.status === Status.ECONFIG);
  assert.throws(() => new SGDRScheduler({ minLr: 0, maxLr: 1, stepsPerEpoch: 3, warmupEpochs: 1, restartMode: 'keras-seed' }),
    (e) => e instanceof SgdrError && e.status === Status.ECONFIG);
  assert.throws(() => new SGDRScheduler({ minLr: 0, maxLr: 1, bogus: 1 }),
    (e) => e.status === Status.EBADPARAM && /bogus/.test(e.message));
  assert.throws(() => new SGDRScheduler({ minLr: 0, maxLr: 1, keepSnapshots: 0 }),
    (e) => e.status === Status.EVALUE);
});

test('fit(): every batch trains at lrAt(step), the history is the Keras callback\'s, the weights end as the last snapshot', async () => {
  const { x, y } = data(40); // batch 8: 5 batches per epoch
  const m = model();
  // cycles of 1, 2, 4 epochs: snapshots after epochs 0 and 2; epoch 4 ends mid-cycle
  const schedule = new SGDRScheduler({ minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 5, cycleLength: 1, multFactor: 2, lrDecay: 0.9 });
  const used = [];
  let beforeRestore = null;
  const probe = new tf.CustomCallback({
    onBatchBegin: () => { used.push(m.optimizer.learningRate); },
    onTrainEnd: () => { beforeRestore = values(m.getWeights()); },
  });
  const tensorsBefore = tf.memory().numTensors;
  await m.fit(x, y, { epochs: 5, batchSize: 8, shuffle: false, verbose: 0, callbacks: [probe, schedule] });
  assert.equal(used.length, 25);
  used.forEach((lr, i) => assert.ok(Object.is(lr, schedule.scheduler.lrAt(i)), `batch ${i}: ${lr}`));
  const h = schedule.history;
  assert.deepEqual(Object.keys(h).sort(), ['batch', 'loss', 'lr', 'size']);
  assert.deepEqual(h.lr, used);
  assert.deepEqual(h.batch.slice(0, 6), [0, 1, 2, 3, 4, 0]);
  assert.ok(h.loss.every((v) => Number.isFinite(v) && v > 0));
  const snaps = schedule.snapshots;
  assert.deepEqual([...snaps.keys()], [1]); // keepSnapshots 1: cycle 0's copy was disposed
  const after = values(m.getWeights());
  assert.deepEqual(after, values(snaps.get(1)));
  assert.notDeepEqual(after, beforeRestore, 'the last epoch changed nothing to restore');
  // the snapshot is a copy, not the model's variables
  assert.ok(snaps.get(1).every((t, i) => t !== m.getWeights()[i]));
  // one snapshot (4 tensors) kept besides what fit itself leaves
  const kept = tf.memory().numTensors - tensorsBefore;
  schedule.dispose();
  assert.equal(tf.memory().numTensors - tensorsBefore, kept - 4);
  assert.equal(schedule.scheduler.closed, true);
  tf.dispose([x, y]);
  m.dispose();
});

test('stepsPerEpoch is taken from fit() when left out, and refused when it differs', async () => {
  const { x, y } = data(30);
  const m = model(3);
  const s = new SGDRScheduler({ minLr: 0, maxLr: 0.05, cycleLength: 1 });
  await m.fit(x, y, { epochs: 2, batchSize: 7, verbose: 0, callbacks: [s] });
  assert.equal(s.scheduler.getParam('stepsPerEpoch'), 5);
  assert.equal(s.history.lr.length, 10);
  s.dispose();
  const wrong = new SGDRScheduler({ minLr: 0, maxLr: 0.05, stepsPerEpoch: 4 });
  await assert.rejects(m.fit(x, y, { epochs: 1, batchSize: 7, verbose: 0, callbacks: [wrong] }),
    (e) => e instanceof SgdrError && e.status === Status.ECONFIG && /differs from the 5 batches/.test(e.message));
  wrong.dispose();
  tf.dispose([x, y]);
  m.dispose();
});

test('a second fit() starts a new run; fit(initialEpoch) after loadState resumes it', async () => {
  const { x, y } = data(24);
  const opts = { minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 3, cycleLength: 2, multFactor: 1, lrDecay: 0.5 };
  const m = model(5);
  const whole = new SGDRScheduler(opts);
  await m.fit(x, y, { epochs: 6, batchSize: 8, verbose: 0, shuffle: false, callbacks: [whole] });
  const want = whole.history.lr;
  // the first 3 epochs, then the state into a new callback that continues from epoch 3
  const first = new SGDRScheduler(opts);
  const probe = new tf.CustomCallback({ onEpochEnd: (e) => { if (e === 2) blob = first.scheduler.saveState(); } });
  let blob;
  await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [first, probe] });
  const second = new SGDRScheduler(opts);
  second.scheduler.loadState(blob);
  await m.fit(x, y, { epochs: 6, initialEpoch: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [second] });
  assert.deepEqual([...first.history.lr, ...second.history.lr], want);
  for (const s of [whole, first, second]) s.dispose();
  tf.dispose([x, y]);
  m.dispose();
});

test('fit() with another batch size after loadState continues the run under the new batch count', async () => {
  const { x, y } = data(24);
  const opts = { minLr: 0.001, maxLr: 0.1, cycleLength: 2, multFactor: 1, lrDecay: 0.5, warmupEpochs: 1 };
  const m = model(6);
  const first = new SGDRScheduler({ ...opts, stepsPerEpoch: 3 });
  let blob;
  const probe = new tf.CustomCallback({ onEpochEnd: (e) => { if (e === 2) blob = first.scheduler.saveState(); } });
  await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, shuffle: false, callbacks: [first, probe] });
  const second = new SGDRScheduler({ ...opts, stepsPerEpoch: 3 });
  second.scheduler.loadState(blob);
  await m.fit(x, y, { epochs: 6, initialEpoch: 3, batchSize: 4, verbose: 0, shuffle: false, callbacks: [second] });
  assert.equal(second.scheduler.getParam('stepsPerEpoch'), 6);
  const reference = new sgdr.Scheduler({ ...opts, stepsPerEpoch: 6 });
  const want = Array.from({ length: 18 }, (_, i) => reference.lrAt(18 + i));
  assert.deepEqual(second.history.lr, want);
  assert.equal(second.scheduler.step, 9 + 18);
  for (const s of [first, second]) s.dispose();
  reference.close();
  tf.dispose([x, y]);
  m.dispose();
});
