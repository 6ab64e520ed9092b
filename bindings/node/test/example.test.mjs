// SPDX-License-Identifier: MIT
// examples/tfjs/train.mjs: the learning rate each batch trained with (read back from the
// optimizer) is sgdr-schedule's for the same parameters, bit for bit, in both restart
// modes, and its --lr-csv file is sgdr-schedule's CSV byte for byte; the same flags print the same lines; bad flags exit 2 with nothing on stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, after } from 'node:test';
import { required, top } from './support.mjs';

const tool = required('SGDR_SCHEDULE');
const dir = mkdtempSync(join(tmpdir(), 'sgdr-tfjs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args) {
  return spawnSync(process.execPath, ['examples/tfjs/train.mjs', ...args], { cwd: top, encoding: 'utf8' });
}

const rows = (csv) => csv.trim().split('\n').map((l) => l.split(','));

for (const [mode, extra] of [['peak', ['--warmup-epochs', '1', '--max-cycles', '2']],
  ['keras-seed', []]]) {
  test(`the example's lr CSV is sgdr-schedule's, bit for bit (${mode})`, () => {
    const sched = ['--min-lr', '0.002', '--max-lr', '0.08', '--cycle-length', '1',
      '--mult-factor', '2', '--lr-decay', '0.8', '--restart-mode', mode, ...extra];
    const csv = join(dir, `${mode}.csv`);
    const r = run([...sched, '--epochs', '6', '--batch-size', '128', '--lr-csv', csv]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /batch 128 \(12 batches per epoch\)/);
    assert.match(r.stdout, /^restored snapshot \(end of cycle \d\): test accuracy 0\.\d{4} \(\d+ of 359 images\)$/m);
    assert.equal(r.stdout.split('\n').filter((l) => /^ {4}\d {2}/.test(l)).length, 6);
    const ref = spawnSync(tool, [...sched, '--steps-per-epoch', '12', '--epochs', '6'], { encoding: 'utf8' });
    assert.equal(ref.status, 0, ref.error ? `${tool}: ${ref.error.message}` : ref.stderr);
    const got = rows(readFileSync(csv, 'utf8'));
    const want = rows(ref.stdout);
    assert.deepEqual(got[0], ['step', 'epoch', 'lr']);
    assert.equal(got.length, want.length);
    assert.equal(got.length, 1 + 6 * 12);
    for (let i = 1; i < want.length; i++) {
      assert.deepEqual(got[i].slice(0, 2), want[i].slice(0, 2));
      assert.ok(Object.is(Number(got[i][2]), Number(want[i][2])), `row ${i}: ${got[i]} vs ${want[i]}`);
    }
    // and the same text: numbers as sgdr-schedule's %.17g, so the files compare byte for byte
    assert.equal(readFileSync(csv, 'utf8'), ref.stdout);
  });
}

test('the example prints the same lines for the same flags, and refuses bad flags', () => {
  const args = ['--epochs', '2', '--batch-size', '256', '--seed', '7'];
  const a = run(args);
  const b = run(args);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(run(['--epochs', '2', '--batch-size', '256', '--seed', '8']).stdout, a.stdout);
  for (const bad of [['--bogus', '1'], ['--epochs', '0'], ['--max-lr', 'fast'],
    ['--restart-mode', 'sometimes'], ['--min-lr', '0.5', '--max-lr', '0.1'], ['--momentum', '1'],
    ['--epochs']]) {
    const r = run(bad);
    assert.equal(r.status, 2, `${bad.join(' ')}: status ${r.status}, ${r.stderr}`);
    assert.equal(r.stdout, '', `${bad.join(' ')} wrote to stdout`);
    assert.match(r.stderr, /^train\.mjs: /, bad.join(' '));
  }
  const h = run(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--cycle-length +\(default 2\)/);
});
