// SPDX-License-Identifier: MIT
// Compiled (not run) by scripts/checks/66-node.sh with `tsc --noEmit`: the declarations in
// index.d.ts and tfjs.d.ts describe the package as it is used in the tests and the guide.
import * as tf from '@tensorflow/tfjs';
import {
  Scheduler, SgdrError, Status, Progress, PARAMS, native, openSchedulers, paramId, strerror,
  version, versionNumber, libraryPath, describeParam, FALLBACK_STATUS_NAMES,
  FALLBACK_BOOLEAN_PARAMS,
} from 'sgdr';
import { SGDRScheduler, tf as tfFromSgdr } from 'sgdr/tfjs';

let lr = 0;
const s = new Scheduler({
  minLr: 1e-5, maxLr: 0.1, stepsPerEpoch: 4, cycleLength: 2n, restartMode: 'keras-seed',
  setLr: (next: number) => { lr = next; }, snapshot: (c: number) => void c,
});
s.onTrainBegin();
s.onBatchEnd(0, { loss: 1 });
s.onBatchEnd(1n);
s.onEpochEnd(0, {});
s.onTrainEnd();
const a: number = s.lrAt(3) + s.lrAt(3n) + s.lr + lr;
const h: Record<string, number[]> = s.history;
const blob: Uint8Array = s.saveState();
s.loadState(blob);
const st: number | bigint = s.progress('cycleLength');
const phase: 'warmup' | 'cycle' | 'hold' = s.phase;
s.setParams({ maxLr: 0.2, restoreAtEnd: false });
s.setLrHooks({ getLr: () => 0.1, setLr: null });
s.setWeightHooks({});
const csv: string = s.historyCsv();
s.close();
try {
  s.lrAt(0);
} catch (e) {
  if (e instanceof SgdrError) {
    const parts: [number, string, string, unknown] = [e.status, e.code, e.detail, e.cause];
    void parts;
  }
}
const schedule = new SGDRScheduler({ minLr: 1e-5, maxLr: 1e-2, stepsPerEpoch: 45, lrDecay: 0.9,
  restartMode: 'peak', keepSnapshots: 2 });
const cb: tf.Callback = schedule;
const kept: Map<number, tf.Tensor[]> = schedule.snapshots;
const same: typeof tf.sequential = tfFromSgdr.sequential;
const positional = new SGDRScheduler(1e-5, 1e-2, null, 1, 10, 2);
const checkpoint: Promise<void>[] = [positional.save('run.ckpt'), positional.load('run.ckpt')];
const initialEpoch: number = positional.epoch;
void [checkpoint, initialEpoch];
positional.dispose();
schedule.dispose();
void [a, h, st, phase, csv, cb, kept, same, Status.EVALUE, Progress.step, PARAMS[0][1],
  native.sgdr_lr, openSchedulers(), paramId('maxLr'), strerror(1), version, versionNumber,
  libraryPath, describeParam(1)?.default_value, FALLBACK_STATUS_NAMES[0],
  FALLBACK_BOOLEAN_PARAMS[0]];
