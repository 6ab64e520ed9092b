// SPDX-License-Identifier: MIT
// Strings that cross into C: a NUL byte is refused (C would read the string cut there);
// special names such as '__proto__' are ordinary metric names.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sgdr } from './support.mjs';

const { Scheduler, SgdrError, Status, paramId } = sgdr;
const BASE = { minLr: 0.001, maxLr: 0.1, stepsPerEpoch: 4 };

function refuses(f, status, re) {
  assert.throws(f, (e) => e instanceof SgdrError && e.status === status && re.test(e.message),
    `expected status ${status} and ${re}`);
}

test('a NUL byte in a string for C is refused and changes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgdr-nul-'));
  try {
    const s = new Scheduler(BASE);
    s.onTrainBegin();
    s.onBatchEnd(0, { loss: 1 });
    const before = [s.saveState(), s.historyCsv()];
    refuses(() => s.writeHistoryCsv(join(dir, 'report.csv\0.txt')), Status.EVALUE, /NUL/);
    assert.deepEqual(readdirSync(dir), []);
    refuses(() => s.historyColumn('loss\0x'), Status.EVALUE, /NUL/);
    refuses(() => s.onBatchEnd(1, { 'loss\0x': 2 }), Status.EMETRIC, /metric name.*NUL/);
    refuses(() => s.onEpochEnd(0, { 'acc\0': 2 }), Status.EMETRIC, /NUL/);
    refuses(() => s.setParams({ 'maxLr\0x': 0.2 }), Status.EBADPARAM, /unknown parameter/);
    refuses(() => s.getParam('max_lr\0'), Status.EBADPARAM, /unknown parameter/);
    refuses(() => paramId('minLr\0'), Status.EBADPARAM, /unknown parameter/);
    assert.deepEqual([s.saveState(), s.historyCsv()], before);
    s.writeHistoryCsv(join(dir, 'report.csv'));
    assert.ok(existsSync(join(dir, 'report.csv')));
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('__proto__ and other special names are ordinary metric names', () => {
  const s = new Scheduler(BASE);
  s.onTrainBegin();
  const logs = JSON.parse('{"__proto__": 1.5, "constructor": 2, "toString": 3}');
  s.onBatchEnd(0, logs);
  s.onBatchEnd(1, JSON.parse('{"__proto__": 2.5}'));
  const h = s.history;
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.deepEqual(Object.keys(h), ['lr', '__proto__', 'constructor', 'toString']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(h, '__proto__').value, [1.5, 2.5]);
  assert.deepEqual(h.constructor, [2, NaN]);
  assert.deepEqual(s.historyColumn('__proto__'), [1.5, 2.5]);
  assert.match(s.historyCsv().split('\n')[0], /__proto__,constructor,toString/);
  s.close();
});

test('setParams is all or nothing, whatever the order of the refused one', () => {
  const s = new Scheduler(BASE);
  const before = s.params;
  refuses(() => s.setParams({ minLr: 0.002, cycleLength: 3, maxLr: -1 }), Status.EVALUE, /max_lr/);
  refuses(() => s.setParams({ cycleWarmupSteps: 2, stepsPerEpoch: 0 }), Status.EVALUE, /steps_per_epoch/);
  assert.deepEqual(s.params, before);
  s.close();
});

test('logs that are a collection rather than an object are refused, not read as no metrics', () => {
  const s = new Scheduler(BASE);
  s.onTrainBegin();
  const before = [s.saveState(), s.historyCsv()];
  for (const [logs, kind] of [[[0.5], 'Array'], [new Map([['loss', 0.5]]), 'Map'],
    [new Set([0.5]), 'Set'], [new Float64Array([0.5]), 'Float64Array']]) {
    refuses(() => s.onBatchEnd(0, logs), Status.EMETRIC, new RegExp(`logs \\(a value of type ${kind}\\)`));
    refuses(() => s.onEpochEnd(0, logs), Status.EMETRIC, new RegExp(kind));
  }
  assert.deepEqual([s.saveState(), s.historyCsv()], before);
  s.onBatchEnd(0, { loss: 0.5 });
  assert.deepEqual(s.history.loss, [0.5]);
  s.close();
});
