// SPDX-License-Identifier: MIT
// SGDRScheduler: the Keras callback of the same name for TensorFlow.js' layers API, with
// libsgdr computing the schedule.
//
//   const schedule = new SGDRScheduler({ minLr: 1e-5, maxLr: 1e-2, stepsPerEpoch: 45 });
//   // or the Keras callback's positional form: new SGDRScheduler(1e-5, 1e-2, 45)
//   await model.fit(x, y, { epochs: 30, batchSize: 32, callbacks: [schedule] });
//
// It sets model.optimizer's learning rate before every batch, keeps a copy of the weights
// at the end of every cycle and puts the last copy back when training ends. save(path) and
// load(path) checkpoint a run: the scheduler, the kept copies, the model's weights and the
// optimizer's state, in a file whose SHA-256 is checked before anything in it is read.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { Scheduler, SgdrError, Status } from './index.js';

/** The @tensorflow/tfjs module SGDRScheduler extends. A model must come from this same
 * module for fit() to accept the callback as one of its own. */
export { tf };

// A logs entry as a number: fit() passes the batch's metrics as scalar tensors. Keys are
// own properties whatever their name ('__proto__' too).
async function resolveLogs(logs) {
  const out = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    let value;
    if (typeof v === 'number') value = v;
    else if (v instanceof tf.Tensor) value = (await v.data())[0];
    else continue;
    Object.defineProperty(out, k, { value, writable: true, enumerable: true, configurable: true });
  }
  return out;
}

// The Keras callback's positional arguments, or the options object.
const POSITIONAL = ['minLr', 'maxLr', 'stepsPerEpoch', 'lrDecay', 'cycleLength', 'multFactor'];
function constructorOptions(args) {
  if (args.length === 0) return {};
  if (args[0] !== null && typeof args[0] === 'object') {
    if (args.length > 1) {
      throw new SgdrError(Status.EVALUE, 'SGDRScheduler takes an options object or the ' +
        `positional (${POSITIONAL.join(', ')}), not both`);
    }
    return args[0];
  }
  if (args.length > POSITIONAL.length) {
    throw new SgdrError(Status.EVALUE, `SGDRScheduler takes at most ${POSITIONAL.length} ` +
      `positional arguments (${POSITIONAL.join(', ')}), not ${args.length}`);
  }
  const out = {};
  args.forEach((v, i) => { if (v !== undefined) out[POSITIONAL[i]] = v; });
  return out;
}

// The checkpoint file: this magic, the SHA-256 of the rest, then JSON (tensors in base64).
const FILE_MAGIC = Buffer.from('SGDR-TF1');
const HASH_BYTES = 32;
const DTYPES = { float32: Float32Array, int32: Int32Array };

function encodeTensor(t) {
  if (!Object.hasOwn(DTYPES, t.dtype)) {
    throw new SgdrError(Status.EVALUE, `save(): a tensor of dtype ${t.dtype} (only float32 ` +
      'and int32 are saved)');
  }
  const v = t.dataSync();
  return { shape: t.shape, dtype: t.dtype,
    data: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
}

// {shape, dtype, values} of a saved tensor, checked; the tensor itself is made later, once
// everything in the file has been checked.
function decodeTensor(spec, what) {
  const bad = (why) => new SgdrError(Status.ECORRUPT, `load(): ${what}: ${why}`);
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.shape) ||
      !spec.shape.every((n) => Number.isSafeInteger(n) && n >= 0) ||
      !Object.hasOwn(DTYPES, spec.dtype) || typeof spec.data !== 'string') {
    throw bad('not a saved tensor');
  }
  const bytes = Buffer.from(spec.data, 'base64');
  const n = spec.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * 4) throw bad(`${bytes.length} bytes for shape [${spec.shape}]`);
  const values = new DTYPES[spec.dtype](n);
  new Uint8Array(values.buffer).set(bytes);
  return { shape: spec.shape, dtype: spec.dtype, values };
}

const makeTensor = (d) => tf.keep(tf.tensor(d.values, d.shape, d.dtype));

export class SGDRScheduler extends tf.Callback {
  #snapshots = new Map(); // cycle -> cloned weight tensors, oldest first
  #deriveStepsPerEpoch;
  #inFit = false; // onTrainBegin ran and onTrainEnd not yet: still true if that fit() threw
  #quiet = false; // the restore hook does nothing (ending a run abandoned by a fit() that threw)
  // {model, optimizer, previous} from load(): the weights go into the model at the next
  // onTrainBegin, or, if they do not fit it, `previous` (what load() replaced) comes back
  #pending = null;

  /**
   * The Keras callback's positional arguments (minLr, maxLr, stepsPerEpoch, lrDecay = 1,
   * cycleLength = 10, multFactor = 2), or an options object with those and libsgdr's others
   * (restartMode, warmupEpochs, warmupStartLr, maxCycles, restoreAtEnd and, with libsgdr 1.1,
   * cycleWarmupSteps). stepsPerEpoch may be left out (or null): it is then taken from fit()'s
   * samples and batch size at onTrainBegin; a run restored with scheduler.loadState() continues
   * under fit()'s batch count, whatever it was saved with. keepSnapshots is how many end-of-cycle copies of
   * the weights to keep (the most recent ones; default 1).
   */
  constructor(...args) {
    const {
      minLr, maxLr, stepsPerEpoch, lrDecay = 1, cycleLength = 10, multFactor = 2,
      keepSnapshots = 1, ...others
    } = constructorOptions(args);
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
    const derive = stepsPerEpoch == null;
    // Until fit() tells, a stepsPerEpoch that no cycleWarmupSteps is too long for, so that
    // the other parameters are checked now and that one against fit()'s batches.
    const cws = others.cycleWarmupSteps;
    const placeholder = Number.isSafeInteger(cws) && cws > 0 ? cws + 1 : 1;
    this.scheduler = new Scheduler({
      minLr, maxLr, stepsPerEpoch: derive ? placeholder : stepsPerEpoch, lrDecay, cycleLength,
      multFactor,
      ...others,
      setLr: (lr) => this.#setLr(lr),
      getLr: () => this.model.optimizer.learningRate,
      snapshot: (cycle) => this.#snapshot(cycle),
      restore: (cycle) => this.#restore(cycle),
    });
    this.#deriveStepsPerEpoch = derive;
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
    if (this.#quiet) return;
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

  /** Epochs completed: fit()'s initialEpoch after load(). */
  get epoch() {
    return this.scheduler.epoch;
  }

  async onTrainBegin() {
    if (this.#pending !== null && !this.#fits(this.#pending.model)) {
      this.#undoLoad();
      throw new SgdrError(Status.ECORRUPT, 'the loaded checkpoint holds the weights of another ' +
        'model (their number, shapes or types differ); the scheduler and the snapshots are as ' +
        'before load()');
    }
    if (this.#inFit) this.#abandon();
    const resuming = this.scheduler.running; // a running state from load()
    const p = this.params ?? {};
    const batches = p.samples != null && p.batchSize != null
      ? Math.ceil(p.samples / p.batchSize) : undefined;
    if (this.#deriveStepsPerEpoch && !resuming) {
      if (batches === undefined) {
        throw new SgdrError(Status.ECONFIG, 'stepsPerEpoch was not given and fit() did not ' +
          'say how many samples it trains on');
      }
      this.scheduler.setParam('stepsPerEpoch', batches);
    } else if (batches !== undefined && batches !== this.scheduler.getParam('stepsPerEpoch')) {
      if (!resuming) {
        throw new SgdrError(Status.ECONFIG, `stepsPerEpoch (${this.scheduler.getParam(
          'stepsPerEpoch')}) differs from the ${batches} batches fit() trains per epoch ` +
          `(${p.samples} samples, batch size ${p.batchSize})`);
      }
      // a restored run and fit() with another batch size: it goes on at the same epoch with
      // the schedule of a run that had this many batches from the start
      this.scheduler.setParam('stepsPerEpoch', batches);
    }
    if (this.#pending !== null) await this.#applyPending();
    this.scheduler.onTrainBegin();
    if (!resuming) this.#dropAll(); // a new run: no copies of an earlier one
    this.#inFit = true;
  }

  // End the run of a fit() that threw, without putting weights back: the next fit() starts
  // a new run.
  #abandon() {
    this.#quiet = true;
    try {
      if (this.scheduler.running) this.scheduler.onTrainEnd();
    } finally {
      this.#quiet = false;
    }
    this.#inFit = false;
  }

  #dropAll() {
    for (const cycle of [...this.#snapshots.keys()]) this.#drop(cycle);
  }

  async onBatchEnd(batch, logs) {
    this.scheduler.onBatchEnd(batch, await resolveLogs(logs));
  }

  async onEpochEnd(epoch, logs) {
    this.scheduler.onEpochEnd(epoch, await resolveLogs(logs));
  }

  async onTrainEnd(logs) {
    this.scheduler.onTrainEnd(await resolveLogs(logs));
    this.#inFit = false;
  }

  /** Free the snapshots' tensors and the scheduler. */
  dispose() {
    this.#dropAll();
    this.#forgetPrevious();
    this.#pending = null;
    this.scheduler.close();
  }

  // ---- checkpoint and resume ----------------------------------------------------------

  /** Write everything a resumed run needs to the file at `path`: the scheduler's state, the
   * kept snapshots, the model's weights and its optimizer's state. Call it during fit() (at
   * an epoch's end, from a callback listed after this one) or after it. */
  async save(path) {
    if (this.model == null) {
      throw new SgdrError(Status.EORDER, 'save() needs the model: call it during or after ' +
        'fit()');
    }
    const optimizer = await this.model.optimizer.getWeights();
    const payload = Buffer.from(JSON.stringify({
      state: Buffer.from(this.scheduler.saveState()).toString('base64'),
      snapshots: [...this.#snapshots].map(([cycle, w]) => ({ cycle, weights: w.map(encodeTensor) })),
      model: this.model.getWeights().map(encodeTensor),
      optimizer: optimizer.map(({ name, tensor }) => ({ name, ...encodeTensor(tensor) })),
    }));
    const hash = createHash('sha256').update(payload).digest();
    const tmp = `${path}.tmp`;
    try {
      writeFileSync(tmp, Buffer.concat([FILE_MAGIC, hash, payload]));
      renameSync(tmp, path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new SgdrError(Status.EIO, `save(): cannot write ${path}: ${e.message}`, { cause: e });
    }
  }

  /** Continue the run saved by save(path): the scheduler and the snapshots are replaced now,
   * the model's weights and the optimizer's state at the next fit()'s onTrainBegin; pass that
   * fit() `initialEpoch: schedule.epoch`. The file's checksum is verified before anything in
   * it is read; a refused file changes nothing. Weights of another model are refused here when
   * the callback knows its model (a fit() ran), else by that onTrainBegin, which then puts the
   * scheduler and the snapshots back as they were before load(). */
  async load(path) {
    let data;
    try {
      data = readFileSync(path);
    } catch (e) {
      throw new SgdrError(Status.EIO, `load(): cannot read ${path}: ${e.message}`, { cause: e });
    }
    const head = FILE_MAGIC.length + HASH_BYTES;
    if (data.length < head || !data.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
      throw new SgdrError(Status.EMAGIC, `load(): ${path} is not an SGDRScheduler checkpoint ` +
        `(it does not start with ${FILE_MAGIC})`);
    }
    const payload = data.subarray(head);
    if (!createHash('sha256').update(payload).digest().equals(data.subarray(FILE_MAGIC.length, head))) {
      throw new SgdrError(Status.ECHECKSUM, `load(): ${path}: the checksum does not match (the ` +
        'file is damaged or truncated)');
    }
    let c;
    try {
      c = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      throw new SgdrError(Status.ECORRUPT, `load(): ${path}: ${e.message}`, { cause: e });
    }
    const list = (v, what) => {
      if (!Array.isArray(v)) throw new SgdrError(Status.ECORRUPT, `load(): ${what} is not a list`);
      return v;
    };
    if (c === null || typeof c !== 'object' || typeof c.state !== 'string') {
      throw new SgdrError(Status.ECORRUPT, `load(): ${path} holds no scheduler state`);
    }
    const snapshots = list(c.snapshots, 'snapshots').map((s, i) => {
      if (!Number.isSafeInteger(s?.cycle) || s.cycle < 0) {
        throw new SgdrError(Status.ECORRUPT, `load(): snapshot ${i} has no cycle`);
      }
      return [s.cycle, list(s.weights, `snapshot ${i}`).map((w, j) => decodeTensor(w, `snapshot ${i}, tensor ${j}`))];
    });
    const model = list(c.model, 'model').map((w, j) => decodeTensor(w, `model tensor ${j}`));
    const optimizer = list(c.optimizer, 'optimizer').map((w, j) => {
      if (typeof w?.name !== 'string') {
        throw new SgdrError(Status.ECORRUPT, `load(): optimizer tensor ${j} has no name`);
      }
      return { name: w.name, ...decodeTensor(w, `optimizer tensor ${j}`) };
    });
    // A model this callback knows already (a fit() ran) is checked now; otherwise the next
    // fit() checks it and, if it refuses, puts back what this load() replaces.
    if (this.model != null && !this.#fits(model)) {
      throw new SgdrError(Status.ECORRUPT, `load(): ${path} holds the weights of another ` +
        'model (their number, shapes or types differ)');
    }
    const previous = { state: this.scheduler.saveState(), snapshots: this.#snapshots,
      pending: this.#pending, inFit: this.#inFit };
    // the only call that can refuse what was checked above; it changes nothing when it does
    this.scheduler.loadState(new Uint8Array(Buffer.from(c.state, 'base64')));
    this.#snapshots = new Map(snapshots.map(([cycle, weights]) => [cycle, weights.map(makeTensor)]));
    this.#pending = { model, optimizer, previous };
    this.#inFit = false;
  }

  // Whether saved weights (load()'s {shape, dtype}) are as many as the model's, and alike.
  #fits(saved) {
    const live = this.model.getWeights();
    return saved.length === live.length &&
      saved.every((w, i) => w.dtype === live[i].dtype && w.shape.length === live[i].shape.length &&
        w.shape.every((n, k) => n === live[i].shape[k]));
  }

  // Back to what the pending load() replaced: the scheduler's state, the snapshots, the
  // load() before it, if any, and whether a fit() was under way.
  #undoLoad() {
    const { previous } = this.#pending;
    this.scheduler.loadState(previous.state);
    this.#dropAll();
    this.#snapshots = previous.snapshots;
    this.#pending = previous.pending;
    this.#inFit = previous.inFit;
  }

  // Free the snapshots kept for #undoLoad(), once no load() can be undone.
  #forgetPrevious() {
    for (let p = this.#pending?.previous; p != null; p = p.pending?.previous) {
      for (const copy of p.snapshots.values()) tf.dispose(copy);
    }
  }

  // The weights load() read, into the model (onTrainBegin checked that they fit) and its
  // optimizer.
  async #applyPending() {
    const { model, optimizer } = this.#pending;
    this.#forgetPrevious();
    const weights = model.map((w) => tf.tensor(w.values, w.shape, w.dtype));
    this.model.setWeights(weights);
    tf.dispose(weights);
    if (optimizer.length > 0) {
      await this.model.optimizer.setWeights(optimizer.map((w) => ({
        name: w.name, tensor: tf.tensor(w.values, w.shape, w.dtype),
      })));
    }
    this.#pending = null;
  }

}
