#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The digits trainer of examples/digits in TensorFlow.js: the same data file, split and
// 64-64-10 perceptron, trained with model.fit() and libsgdr's SGDRScheduler callback, which
// sets the learning rate of every batch, keeps the weights at every cycle's end and puts the
// last ones back when fit() returns.
//
//   node examples/tfjs/train.mjs [--epochs N] [--lr-csv FILE] ... (--help lists the flags)
//
// Deterministic for a given --seed: the initial weights are seeded, and the batch order is
// shuffled once from --seed (fit()'s own shuffling draws from Math.random, which cannot
// be seeded), so the same flags print the same lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { SGDRScheduler, tf } from '../../bindings/node/tfjs.js';

const PROGRAM = 'train.mjs';
const SPLIT_SEED = 2017n; // the train/test split, fixed for every --seed (as sgdr-digits)
const TEST_FRACTION = 0.2;
const PIXELS = 64;
const CLASSES = 10;

// flag -> [SGDRScheduler option or null, default, parse]
const real = (s) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN);
const whole = (s) => (/^\d+$/.test(s) ? Number(s) : NaN);
const FLAGS = {
  'min-lr': ['minLr', 0.001, real],
  'max-lr': ['maxLr', 0.1, real],
  'lr-decay': ['lrDecay', 1, real],
  'cycle-length': ['cycleLength', 2, whole],
  'mult-factor': ['multFactor', 2, real],
  'restart-mode': ['restartMode', 'peak', (s) => s],
  'warmup-epochs': ['warmupEpochs', 0, whole],
  'warmup-start-lr': ['warmupStartLr', 0, real],
  'max-cycles': ['maxCycles', 0, whole],
  'cycle-warmup-steps': ['cycleWarmupSteps', undefined, whole],
  epochs: [null, 30, whole],
  'batch-size': [null, 32, whole],
  hidden: [null, 64, whole],
  momentum: [null, 0.9, real],
  seed: [null, 1, whole],
  data: [null, 'data/digits.csv.gz', (s) => s],
  'lr-csv': [null, undefined, (s) => s],
};

function usage() {
  const lines = Object.entries(FLAGS).map(([f, [, def]]) =>
    `  --${f.padEnd(20)}${def === undefined ? '' : `(default ${def})`}`);
  return `Usage: node examples/tfjs/train.mjs [FLAG VALUE]...\n\nTrain a 64-H-10 perceptron ` +
    `on the digits with model.fit() and SGDRScheduler.\n\n${lines.join('\n')}\n  --help\n\n` +
    '--lr-csv FILE writes step,epoch,lr: the learning rate each batch trained with, read ' +
    'from the optimizer.\n';
}

function fail(msg, status) {
  process.stderr.write(`${PROGRAM}: ${msg}\n`);
  if (status === 2) process.stderr.write(`Try '${PROGRAM} --help' for the list of flags.\n`);
  process.exit(status);
}

function parseFlags(argv) {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: 'string' }]));
  options.help = { type: 'boolean' };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (e) {
    fail(e.message, 2);
  }
  if (values.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  const schedule = {};
  const o = {};
  for (const [f, [key, def, parse]] of Object.entries(FLAGS)) {
    let v = def;
    if (values[f] !== undefined) {
      v = parse(values[f]);
      if (v === '' || Number.isNaN(v)) fail(`--${f} '${values[f]}': not a valid value`, 2);
    }
    if (key !== null) { if (v !== undefined) schedule[key] = v; } else o[f] = v;
  }
  for (const f of ['epochs', 'batch-size', 'hidden']) {
    if (!(o[f] >= 1 && o[f] <= 100000)) fail(`--${f} '${o[f]}': expected 1 to 100000`, 2);
  }
  if (!(o.momentum >= 0 && o.momentum < 1)) fail(`--momentum '${o.momentum}': expected 0 <= X < 1`, 2);
  if (!Number.isSafeInteger(o.seed)) fail(`--seed '${o.seed}': expected 0 to 2^53 - 1`, 2);
  return { schedule, o };
}

// SplitMix64, as examples/digits/rng.c: the same split and shuffles as the C trainer.
function rng(seed) {
  let state = BigInt.asUintN(64, BigInt(seed));
  const next = () => {
    state = BigInt.asUintN(64, state + 0x9E3779B97F4A7C15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    return z ^ (z >> 31n);
  };
  const uniform = () => Number(next() >> 11n) * (1 / 9007199254740992);
  return {
    shuffle(a) {
      for (let i = a.length; i > 1; i--) {
        const j = Math.floor(uniform() * i);
        [a[i - 1], a[j]] = [a[j], a[i - 1]];
      }
      return a;
    },
  };
}

function loadDigits(path) {
  let text;
  try {
    const raw = readFileSync(path);
    text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('latin1');
  } catch (e) {
    fail(`cannot read ${path}: ${e.message}`, 1);
  }
  const rows = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const f = line.split(',').map(Number);
    if (f.length !== PIXELS + 1 || f.some((v) => !Number.isInteger(v))) {
      fail(`${path}:${i + 1}: expected ${PIXELS + 1} integers`, 1);
    }
    rows.push(f);
  });
  return rows;
}

function tensors(rows) {
  const x = new Float32Array(rows.length * PIXELS);
  rows.forEach((r, i) => { for (let j = 0; j < PIXELS; j++) x[i * PIXELS + j] = r[j] / 16; });
  const y = tf.oneHot(tf.tensor1d(rows.map((r) => r[PIXELS]), 'int32'), CLASSES);
  return { x: tf.tensor2d(x, [rows.length, PIXELS]), y, labels: rows.map((r) => r[PIXELS]) };
}

function accuracy(model, set) {
  const pred = tf.tidy(() => model.predict(set.x).argMax(1).dataSync());
  let right = 0;
  set.labels.forEach((l, i) => { right += pred[i] === l; });
  return right / set.labels.length;
}

const g4 = (v) => String(Number(v.toPrecision(4)));
const f4 = (v) => v.toFixed(4);

// C's printf("%.17g") (17 significant digits, which read back to the same double; trailing
// zeros dropped; the exponent form below 1e-4 and from 1e17), the number format of
// sgdr-schedule's CSV, so that the two files compare byte for byte.
function g17(x) {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : (x > 0 ? 'inf' : '-inf');
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, e] = x.toExponential(16).split('e');
  const exp = Number(e);
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, ''); // 17 of them
  const trim = (t) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 17) {
    return `${sign}${trim(`${digits[0]}.${digits.slice(1)}`)}e${exp < 0 ? '-' : '+'}` +
      String(Math.abs(exp)).padStart(2, '0');
  }
  if (exp < 0) return sign + trim(`0.${'0'.repeat(-exp - 1)}${digits}`);
  return sign + trim(`${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`);
}

async function main() {
  tf.enableProdMode(); // no debug checks, and no advice on stderr to install tfjs-node
  const { schedule: params, o } = parseFlags(process.argv.slice(2));
  const all = loadDigits(o.data);
  const idx = rng(SPLIT_SEED).shuffle([...all.keys()]);
  const nTest = Math.floor(all.length * TEST_FRACTION + 0.5);
  const testRows = idx.slice(0, nTest).map((i) => all[i]);
  // the batch order: shuffled once from --seed
  const trainRows = rng(o.seed).shuffle(idx.slice(nTest)).map((i) => all[i]);
  const train = tensors(trainRows);
  const test = tensors(testRows);
  const spe = Math.ceil(trainRows.length / o['batch-size']);

  let schedule;
  try {
    schedule = new SGDRScheduler({ ...params, stepsPerEpoch: spe });
  } catch (e) {
    fail(e.message, 2);
  }
  const init = (k) => tf.initializers.glorotUniform({ seed: o.seed * 2 + k });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [PIXELS], units: o.hidden, activation: 'relu', kernelInitializer: init(0) }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: init(1) }),
    ],
  });
  model.compile({ optimizer: tf.train.momentum(params.maxLr ?? 0.1, o.momentum), loss: 'categoricalCrossentropy' });

  const s = schedule.scheduler;
  console.log(`digits: ${trainRows.length} training and ${testRows.length} test images, ` +
    `perceptron 64-${o.hidden}-10, batch ${o['batch-size']} (${spe} batches per epoch), ` +
    `momentum ${o.momentum}, seed ${o.seed}, tfjs ${tf.version.tfjs} (${tf.getBackend()})`);
  console.log(`SGDR (${s.getParam('restartMode')} restarts): min_lr ${g4(s.getParam('minLr'))}, ` +
    `max_lr ${g4(s.getParam('maxLr'))}, cycle_length ${s.getParam('cycleLength')}, ` +
    `mult_factor ${s.getParam('multFactor')}, lr_decay ${s.getParam('lrDecay')}; ${o.epochs} epochs\n`);
  console.log('epoch  lr high    lr low     train loss  test acc');

  const lrCsv = ['step,epoch,lr'];
  let epochLrs = [];
  let snapshotsBefore = 0;
  let step = 0;
  let epochNow = 0;
  // Reads back the rate each batch trains with, and prints each epoch's line after the
  // schedule's own onEpochEnd (which took any snapshot and restarted).
  const reporter = new tf.CustomCallback({
    onEpochBegin: (epoch) => { epochNow = epoch; epochLrs = []; snapshotsBefore = s.snapshots; },
    onBatchBegin: () => {
      const lr = model.optimizer.learningRate;
      epochLrs.push(lr);
      lrCsv.push(`${step++},${epochNow},${g17(lr)}`);
    },
    onEpochEnd: (epoch, logs) => {
      let line = `${String(epoch + 1).padStart(5)}  ${g4(Math.max(...epochLrs)).padEnd(10)} ` +
        `${g4(Math.min(...epochLrs)).padEnd(10)} ${f4(logs.loss).padStart(8)}  ` +
        `${f4(accuracy(model, test)).padStart(8)}`;
      if (s.snapshots > snapshotsBefore) {
        line += `  end of cycle ${s.lastSnapshot + 1}: snapshot ${s.snapshots}`;
        if (epoch + 1 < o.epochs && s.phase === 'cycle') {
          line += `, restart (next cycle: ${s.currentCycleLength} epochs)`;
        } else if (epoch + 1 < o.epochs) line += ', max_cycles reached: min_lr from here on';
      }
      console.log(line);
    },
  });
  await model.fit(train.x, train.y, {
    epochs: o.epochs, batchSize: o['batch-size'], shuffle: false, verbose: 0,
    callbacks: [schedule, reporter],
  });

  const acc = accuracy(model, test);
  const n = testRows.length;
  const count = `${f4(acc)} (${Math.round(acc * n)} of ${n} images)`;
  console.log('');
  if (s.snapshots > 0) console.log(`restored snapshot (end of cycle ${s.lastSnapshot + 1}): test accuracy ${count}`);
  else console.log(`no cycle completed in ${o.epochs} epochs, no snapshot: final weights: test accuracy ${count}`);
  if (o['lr-csv'] !== undefined) {
    writeFileSync(o['lr-csv'], `${lrCsv.join('\n')}\n`);
    console.log(`wrote ${o['lr-csv']} (step,epoch,lr of every batch, read from the optimizer)`);
  }
  schedule.dispose();
}

main().catch((e) => fail(e.stack ?? String(e), 1));
