// SPDX-License-Identifier: MIT
// Types of sgdr/tfjs: SGDRScheduler, the Keras callback for TensorFlow.js.
import * as tf from '@tensorflow/tfjs';
import { Scheduler, ScheduleParams } from './index.js';

/** The @tensorflow/tfjs module SGDRScheduler extends. */
export { tf };

export interface SGDRSchedulerArgs extends Omit<ScheduleParams, 'history'> {
  minLr: number;
  maxLr: number;
  /** Batches per epoch; taken from fit() when left out or null. */
  stepsPerEpoch?: number | null;
  /** End-of-cycle weight copies to keep, the most recent (default 1). */
  keepSnapshots?: number;
}

/** The Keras SGDRScheduler callback (docs/SPEC.md §1.1) for model.fit(): sets
 * model.optimizer's learning rate for every batch, snapshots model.getWeights() at each
 * cycle's end, restores the last at onTrainEnd, and keeps the per-batch history (lr and every
 * log key). */
export declare class SGDRScheduler extends tf.Callback {
  constructor(args: SGDRSchedulerArgs);
  /** The Keras callback's positional form. */
  constructor(minLr: number, maxLr: number, stepsPerEpoch?: number | null, lrDecay?: number,
    cycleLength?: number, multFactor?: number);
  readonly scheduler: Scheduler;
  readonly keepSnapshots: number;
  /** cycle -> the kept copy of the weights (owned by the callback). */
  readonly snapshots: Map<number, tf.Tensor[]>;
  readonly history: Record<string, number[]>;
  readonly lr: number;
  /** Epochs completed: fit()'s initialEpoch after load(). */
  readonly epoch: number;
  /** Write the scheduler, the kept snapshots, the model's weights and the optimizer's state to
   * a checksummed file (during fit(), at an epoch's end, or after it). */
  save(path: string): Promise<void>;
  /** Continue the run saved at `path`; the model's weights and optimizer state are set at the
   * next fit()'s onTrainBegin. A damaged file is refused and changes nothing; weights of
   * another model are refused by load() when a fit() ran, else by the next fit(), which then
   * puts back what load() replaced. */
  load(path: string): Promise<void>;
  /** Dispose the kept tensors and close the scheduler. */
  dispose(): void;
}
