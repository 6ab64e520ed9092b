// SPDX-License-Identifier: MIT
// SGDRScheduler: the Keras callback of the same name for TensorFlow.js' layers API, with
// libsgdr computing the schedule.
//
//   const schedule = new SGDRScheduler({ minLr: 1e-5, maxLr: 1e-2, stepsPerEpoch: 45 });
//   await model.fit(x, y, { epochs: 30, batchSize: 32, callbacks: [schedule] });
//
// It sets model.optimizer's learning rate before every batch, keeps a copy of the weights
// at the end of every cycle and puts the last copy back when training ends.
import * as tf from '@tensorflow/tfjs';
import { Scheduler, SgdrError, Status } from './index.js';

/** The @tensorflow/tfjs module SGDRScheduler extends. A model must come from this same
 * module for fit() to accept the callback as one of its own. */
export { tf };

// A logs entry as a number: fit() passes the batch's metrics as scalar tensors.
async function resolveLogs(logs) {
  const out = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out[k] = v;
    else if (v instanceof tf.Tensor) out[k] = (await v.data())[0];
  }
  return out;
}

export class SGDRScheduler extends tf.Callback {
  #snapshots = new Map(); // cycle -> cloned weight tensors, oldest first
  #deriveStepsPerEpoch;

  /**
   * The Keras callback's arguments (minLr, maxLr, stepsPerEpoch, lrDecay, cycleLength,
   * multFactor) and libsgdr's others (restartMode, warmupEpochs, warmupStartLr, maxCycles, restoreAtEnd and,
   * with libsgdr 1.1, cycleWarmupSteps). stepsPerEpoch may be left out: it is then taken
   * from fit()'s samples and batch size at onTrainBegin; a run restored with
   * scheduler.loadState() continues under fit()'s batch count, whatever it was saved with.
   * keepSnapshots is how many
   * end-of-cycle copies of the weights to keep (the most recent ones; default 1).
   */
  constructor({
    minLr, maxLr, stepsPerEpoch, lrDecay = 1, cycleLength = 10, multFactor = 2,
    keepSnapshots = 1, ...others
  } = {}) {
    super();
    if (!(Number.isSafeInteger(keepSnapshots) && keepSnapshots >= 1)) {
      throw new SgdrError(Status.EVALUE, `keepSnapshots (${keepSnapshots}) must be an ` +
        'integer >= 1');
    }
    for (const k of ['setLr', 'getLr', 'snapshot', 'restore']) {
      if (k in others) {
        throw new SgdrError(Status.EVALUE, `${k}: SGDRScheduler sets its own hooks`);
      }
    }
    this.keepSnapshots = keepSnapshots;
    this.scheduler = new Scheduler({
      minLr, maxLr, stepsPerEpoch: stepsPerEpoch ?? 1, lrDecay, cycleLength, multFactor,
      ...others,
      setLr: (lr) => this.#setLr(lr),
      getLr: () => this.model.optimizer.learningRate,
      snapshot: (cycle) => this.#snapshot(cycle),
      restore: (cycle) => this.#restore(cycle),
    });
    this.#deriveStepsPerEpoch = stepsPerEpoch === undefined;
  }

  #setLr(lr) {
    const opt = this.model.optimizer;
    // SGD and momentum keep the rate in a tensor that only setLearningRate() updates
    if (typeof opt.setLearningRate === 'function') opt.setLearningRate(lr);
    else opt.learningRate = lr;
  }

  #snapshot(cycle) {
    const copy = this.model.getWeights().map((w) => tf.keep(w.clone()));
    // a retried epoch end snapshots the same cycle again: replace, do not append
    this.#drop(cycle);
    this.#snapshots.set(cycle, copy);
    while (this.#snapshots.size > this.keepSnapshots) this.#drop(this.#snapshots.keys().next().value);
  }

  #restore(cycle) {
    const copy = this.#snapshots.get(cycle);
    if (copy === undefined) {
      throw new Error(`no snapshot of cycle ${cycle} is kept (kept: ` +
        `${[...this.#snapshots.keys()].join(', ') || 'none'})`);
    }
    this.model.setWeights(copy);
  }

  #drop(cycle) {
    const copy = this.#snapshots.get(cycle);
    if (copy !== undefined) tf.dispose(copy);
    this.#snapshots.delete(cycle);
  }

  /** The kept end-of-cycle weights: Map cycle -> Tensor[] (owned by the callback). */
  get snapshots() {
    return new Map(this.#snapshots);
  }

  /** Per-batch history like the Keras callback's: {lr: [...], <every log key>: [...]}. */
  get history() {
    return this.scheduler.history;
  }

  /** The learning rate of the next batch. */
  get lr() {
    return this.scheduler.lr;
  }

  async onTrainBegin() {
    const p = this.params ?? {};
    const batches = p.samples != null && p.batchSize != null
      ? Math.ceil(p.samples / p.batchSize) : undefined;
    if (this.#deriveStepsPerEpoch && !this.scheduler.running) {
      if (batches === undefined) {
        throw new SgdrError(Status.ECONFIG, 'stepsPerEpoch was not given and fit() did not ' +
          'say how many samples it trains on');
      }
      this.scheduler.setParam('stepsPerEpoch', batches);
    } else if (batches !== undefined && batches !== this.scheduler.getParam('stepsPerEpoch')) {
      if (this.scheduler.running) {
        // a run restored by loadState and fit() with another batch size: it goes on at the
        // same epoch with the schedule of a run that had this many batches from the start
        this.scheduler.setParam('stepsPerEpoch', batches);
        this.scheduler.onTrainBegin();
        return;
      }
      throw new SgdrError(Status.ECONFIG, `stepsPerEpoch (${this.scheduler.getParam(
        'stepsPerEpoch')}) differs from the ${batches} batches fit() trains per epoch ` +
        `(${p.samples} samples, batch size ${p.batchSize})`);
    }
    this.scheduler.onTrainBegin();
  }

  async onBatchEnd(batch, logs) {
    this.scheduler.onBatchEnd(batch, await resolveLogs(logs));
  }

  async onEpochEnd(epoch, logs) {
    this.scheduler.onEpochEnd(epoch, await resolveLogs(logs));
  }

  async onTrainEnd(logs) {
    this.scheduler.onTrainEnd(await resolveLogs(logs));
  }

  /** Free the snapshots' tensors and the scheduler. */
  dispose() {
    for (const cycle of [...this.#snapshots.keys()]) this.#drop(cycle);
    this.scheduler.close();
  }
}
