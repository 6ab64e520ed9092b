// SPDX-License-Identifier: MIT
// Types of the sgdr package: libsgdr (SGDR, cosine annealing with warm restarts) for Node.js.

/** sgdr_status values by name, as the loaded library names them (fixed forever; new codes
 * are appended). The tests compare these members with the library. */
export declare const Status: Readonly<{
  OK: 0; ENULL: 1; EBADPARAM: 2; EVALUE: 3; ECONFIG: 4; EORDER: 5; EEPOCH: 6; EMETRIC: 7;
  ENOMEM: 8; EHOOK_GET_LR: 9; EHOOK_SET_LR: 10; EHOOK_SNAPSHOT: 11; EHOOK_RESTORE: 12;
  EBUFSIZE: 13; ETRUNCATED: 14; EMAGIC: 15; EVERSION: 16; ECHECKSUM: 17; ECORRUPT: 18;
  EIO: 19; EINDEX: 20;
}>;
export type StatusCode = (typeof Status)[keyof typeof Status];

/** sgdr_progress counters by name. */
export declare const Progress: Readonly<{
  step: 1; epoch: 2; batchInEpoch: 3; cycle: 4; cyclePosition: 5; cycleLength: 6; phase: 7;
  snapshots: 8; lastSnapshot: 9; running: 10;
}>;
export type ProgressName = keyof typeof Progress;

/** The parameters the loaded library knows, as [id, C name] pairs ("min_lr", ...). */
export declare const PARAMS: ReadonlyArray<readonly [number, string]>;
/** What libsgdr describes about a parameter (sgdr_param_desc of sgdr.h). */
export interface ParamDesc {
  name: string;
  /** 1 real, 2 integer, 3 enum, 4 boolean (sgdr_param_kind). */
  kind: 1 | 2 | 3 | 4;
  /** 1: no default, must be set. */
  required: number;
  /** NaN when required. */
  default_value: number;
  lower: number;
  /** Infinity for an unbounded real. */
  upper: number;
  lower_inclusive: number;
  upper_inclusive: number;
  /** The library version that added it, as 10000*major + 100*minor + patch. */
  since: number;
}
/** The library's description of parameter `id`; null for an id it does not have, or when
 * the library (older than 1.2) cannot describe its parameters. */
export declare function describeParam(id: number): ParamDesc | null;
/** The status names of a 1.0 or 1.1 library, which cannot name them itself. */
export declare const FALLBACK_STATUS_NAMES: ReadonlyArray<string>;
/** The boolean parameters of a 1.0 or 1.1 library, which cannot describe them itself. */
export declare const FALLBACK_BOOLEAN_PARAMS: ReadonlyArray<string>;
/** The path or name the library was loaded from. */
export declare const libraryPath: string;
/** The loaded library's version, "major.minor.patch". */
export declare const version: string;
/** The loaded library's version as 10000*major + 100*minor + patch. */
export declare const versionNumber: number;
/** The raw koffi functions, one per function of sgdr.h, by their C names. */
export declare const native: Readonly<Record<string, (...args: any[]) => any>>;

/** The library's fixed description of a status code. */
export declare function strerror(status: number): string;
/** The sgdr_param id of a parameter named in camelCase ("maxLr") or as in C ("max_lr");
 * throws SgdrError EBADPARAM for a name the loaded library does not know. */
export declare function paramId(name: string): number;
/** C schedulers created and not yet freed (by close() or the garbage collector). */
export declare function openSchedulers(): number;

/** A libsgdr call failed, or an argument could not reach it. */
export declare class SgdrError extends Error {
  readonly name: 'SgdrError';
  /** The sgdr_status value. */
  readonly status: number;
  /** The status name, e.g. "SGDR_EVALUE". */
  readonly code: string;
  /** The library's message, naming the problem and the value. */
  readonly detail: string;
  /** When a hook threw: what it threw. */
  readonly cause?: unknown;
}

export type RestartMode = 'peak' | 'keras-seed';
/** A uint64 argument: a BigInt, or a Number that is a safe integer (0 .. 2^53 - 1). */
export type Count = number | bigint;
/** Keras-style logs: metric name -> number. */
export type Logs = Record<string, number | bigint>;

export interface ScheduleParams {
  minLr?: number;
  maxLr?: number;
  stepsPerEpoch?: Count;
  lrDecay?: number;
  cycleLength?: Count;
  multFactor?: number;
  restartMode?: RestartMode;
  warmupEpochs?: Count;
  warmupStartLr?: number;
  maxCycles?: Count;
  restoreAtEnd?: boolean;
  history?: boolean;
  /** libsgdr 1.1 and later; refused (EBADPARAM) by a 1.0 library. */
  cycleWarmupSteps?: Count;
}

export interface Hooks {
  /** Receives the learning rate of the next batch. */
  setLr?: ((lr: number) => void) | null;
  /** Returns the learning rate the optimizer actually used. */
  getLr?: (() => number) | null;
  /** Keeps the weights as the end-of-cycle snapshot of `cycle` (0-based). */
  snapshot?: ((cycle: number) => void) | null;
  /** Puts back the weights kept for `cycle`. */
  restore?: ((cycle: number) => void) | null;
}

/**
 * SGDR (cosine annealing with warm restarts) driving a training loop: the Keras callback's
 * four methods over libsgdr. Hooks are synchronous functions; one that throws makes the
 * callback throw an SgdrError with the hook's exception as `cause`, and leaves the scheduler
 * exactly as it was, so the callback may be called again. Any other failure throws an
 * SgdrError naming the problem and the value and changes nothing.
 */
export declare class Scheduler {
  constructor(options: ScheduleParams & Hooks);
  /** Free the C scheduler now (the garbage collector does it otherwise). Idempotent;
   * refused from inside one of this scheduler's hooks. Any later use throws. */
  close(): void;
  readonly closed: boolean;

  /** Set parameters by name; all or nothing. Between runs only, except stepsPerEpoch, which
   * may also change during a run or on a loaded state before onTrainBegin (a resume with
   * another batch size or number of workers): mid-epoch only where b * new / old is whole. */
  setParams(params: ScheduleParams | Record<string, number | bigint | boolean | string>): void;
  setParam(name: string, value: number | bigint | boolean | string): void;
  getParam(name: string): number | boolean | string;
  readonly params: Record<string, number | boolean | string>;
  setLrHooks(hooks: Pick<Hooks, 'getLr' | 'setLr'>): void;
  setWeightHooks(hooks: Pick<Hooks, 'snapshot' | 'restore'>): void;

  onTrainBegin(logs?: Logs): void;
  onBatchEnd(batch: Count, logs?: Logs): void;
  onEpochEnd(epoch: Count, logs?: Logs): void;
  onTrainEnd(logs?: Logs): void;

  /** The learning rate of the next batch (NaN before onTrainBegin). */
  readonly lr: number;
  /** The learning rate batch `step` trains with, in closed form: the callbacks' bits. */
  lrAt(step: Count): number;
  /** A progress counter: a Number, or a BigInt above 2^53 - 1. */
  progress(what: ProgressName | number): number | bigint;
  readonly step: number | bigint;
  readonly epoch: number | bigint;
  readonly batchInEpoch: number | bigint;
  readonly cycle: number | bigint;
  readonly cyclePosition: number | bigint;
  readonly currentCycleLength: number | bigint;
  readonly snapshots: number | bigint;
  readonly lastSnapshot: number | bigint;
  readonly phase: 'warmup' | 'cycle' | 'hold';
  readonly running: boolean;

  /** {lr: [...], <metric>: [...]}, one entry per batch; NaN where a metric was absent. */
  readonly history: Record<string, number[]>;
  historyColumn(name: string): number[];
  historyCsv(): string;
  writeHistoryCsv(path: string): void;

  /** The state as a versioned, checksummed blob (not the hooks or the history). */
  saveState(): Uint8Array;
  /** Replace configuration and counters; a bad blob is refused and changes nothing. */
  loadState(blob: Uint8Array): void;
}
