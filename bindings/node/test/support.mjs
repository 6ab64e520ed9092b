// SPDX-License-Identifier: MIT
// What the tests share: the source tree, the library and tool under test (SGDR_LIBRARY and
// SGDR_SCHEDULE, else this checkout's build/release, which `npm test`'s pretest builds when
// missing: scripts/test-library.mjs), and the golden vectors.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const top = process.env.SGDR_TEST_TOP ??
  resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// The package under test: this source tree's, or with SGDR_TEST_INSTALLED=1 the `sgdr` that
// npm installed next to these files (66-node copies them into a project that installed the
// packed tarball).
const installed = process.env.SGDR_TEST_INSTALLED === '1';
if (!installed) {
  // before the package is imported: it loads the library that SGDR_LIBRARY names
  const { underTest } = await import('../scripts/test-library.mjs');
  const { library, schedule } = underTest();
  process.env.SGDR_LIBRARY = library;
  process.env.SGDR_SCHEDULE = schedule;
}
export const sgdr = await import(installed ? 'sgdr' : '../index.js');
export const sgdrTfjs = await import(installed ? 'sgdr/tfjs' : '../tfjs.js');
export const packageDir = installed
  ? resolve(dirname(fileURLToPath(import.meta.resolve('sgdr'))))
  : resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function required(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

// A golden file as { name, config: {key: value}, snapshotEpochs, restoredEpoch, rows }.
export function goldens() {
  const dir = join(top, 'tests/golden');
  return readdirSync(dir).filter((f) => f.endsWith('.csv')).sort().map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    const header = (key) => lines.find((l) => l.startsWith(`# ${key}=`))?.slice(key.length + 3);
    const config = Object.fromEntries(`mode=${header('mode')}`.split(' ').map((kv, i) => {
      const [k, v] = kv.split('=');
      return i === 0 ? ['restart_mode', v] : [k, Number(v)];
    }));
    const list = (s) => (s === 'none' ? [] : s.split(',').map(Number));
    const rows = lines.filter((l) => /^\d/.test(l)).map((l) => {
      const [step, epoch, lr] = l.split(',');
      return { step: Number(step), epoch: Number(epoch), lr: Number(lr) };
    });
    return {
      name: f, config, rows,
      snapshotEpochs: list(header('snapshot_epochs')),
      restoredEpoch: header('restored_epoch') === 'none' ? null : Number(header('restored_epoch')),
    };
  });
}

// The TensorFlow.js tests' data (n rows of 4 features, 3 classes) and model (4-units-3, seeded).
const { tf } = sgdrTfjs;
export function data(n) {
  const x = tf.tensor2d(Array.from({ length: n * 4 }, (_, i) => Math.sin(i * 1.7)), [n, 4]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32'), 3);
  return { x, y };
}

export function model(seed = 1, units = 8) {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [4], units, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  m.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'categoricalCrossentropy' });
  return m;
}
