/* SPDX-License-Identifier: MIT */
/*
 * sgdr.h -- libsgdr, cosine annealing with warm restarts (SGDR) for any training loop.
 *
 * This header is the manual. Every declaration carries its contract in the comment above it.
 *
 * libsgdr drives the learning rate of a host training loop with SGDR (Loshchilov & Hutter,
 * "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017). It is the C form of the
 * Keras `SGDRScheduler` callback: the scheduler lives behind an opaque handle, the host calls
 * four callbacks from its loop, and the scheduler reaches back into the host through function
 * pointers to get/set the learning rate and to snapshot/restore the weights at cycle ends.
 *
 * Typical use:
 *
 *     sgdr_scheduler *s;
 *     if (sgdr_create(&s) != SGDR_OK) ...;
 *     sgdr_set_param(s, SGDR_PARAM_MIN_LR, 1e-5);
 *     sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1);
 *     sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 100);
 *     sgdr_set_lr_hooks(s, NULL, my_set_lr, my_optimizer);
 *     sgdr_on_train_begin(s);
 *     for (epoch = 0; epoch < epochs; epoch++) {
 *         for (batch = 0; batch < 100; batch++) {
 *             train_one_batch();
 *             sgdr_on_batch_end(s, batch, metrics, n_metrics);
 *         }
 *         sgdr_on_epoch_end(s, epoch, NULL, 0);
 *     }
 *     sgdr_on_train_end(s, NULL, 0);
 *     sgdr_destroy(s);
 *
 * ABI rules. Every exported symbol starts with `sgdr_`, every macro with `SGDR_`. The ABI
 * evolves by addition only: new functions, new enum values at the end of an enum. No function
 * is variadic, no struct is passed by value, and no public struct can grow, so that FFIs
 * (Python ctypes, Node, Rust, Julia, ...) can bind every function.
 *
 * Threads. A scheduler is used by one thread at a time, with one exception: any number of
 * threads may make calls that take a `const sgdr_scheduler *` on the same scheduler at once,
 * while no other call on it runs, as long as none of those calls fails. A successful const
 * call writes nothing in the scheduler (no cache, no lazy fill, no message cleared); a
 * failing one writes the scheduler's last-error message: it is a write, and races with
 * sgdr_last_error() and with every other call on that scheduler. A const call
 * cannot fail when its arguments are valid: output pointers not NULL, ids, names and indices
 * that exist, a buffer large enough, and for sgdr_lr_at() a configuration that
 * sgdr_on_train_begin() would accept (sgdr_history_write_csv() can also lack memory or a
 * writable file; it calls the scheduler's allocator, which must then be safe to call from
 * those threads, as malloc is). Separate schedulers share nothing: the library has no
 * global mutable state, so different threads may use different schedulers at the same time
 * without locking.
 *
 * Errors. Every function that can fail returns an `sgdr_status`. On failure nothing has
 * changed (the scheduler is exactly as it was before the call) and `sgdr_last_error()` holds
 * a message that names the problem and the value. The library never aborts, exits or prints.
 */
#ifndef SGDR_H
#define SGDR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Export macro and version                                                                 */
/* ---------------------------------------------------------------------------------------- */

/* SGDR_API marks every public function. The library is compiled with hidden visibility by
 * default and SGDR_BUILDING defined; users see plain declarations (or dllimport on Windows
 * when linking the DLL). Define SGDR_STATIC when linking the static library on Windows. */
#if defined(_WIN32) && !defined(SGDR_STATIC)
#  if defined(SGDR_BUILDING)
#    define SGDR_API __declspec(dllexport)
#  else
#    define SGDR_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SGDR_API __attribute__((visibility("default")))
#else
#  define SGDR_API
#endif

#define SGDR_VERSION_MAJOR 1
#define SGDR_VERSION_MINOR 2
#define SGDR_VERSION_PATCH 0
/* 10000*major + 100*minor + patch: 10200 for 1.2.0. Compare with sgdr_version_number() to
 * detect a header/library mismatch at run time. */
#define SGDR_VERSION_NUMBER \
    (SGDR_VERSION_MAJOR * 10000 + SGDR_VERSION_MINOR * 100 + SGDR_VERSION_PATCH)
#define SGDR_VERSION_STRING "1.2.0"

/* The version of the library actually loaded, as SGDR_VERSION_NUMBER (10200 for 1.2.0). */
SGDR_API unsigned sgdr_version_number(void);

/* The version of the library actually loaded, as "major.minor.patch". Static storage. */
SGDR_API const char *sgdr_version_string(void);

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* The scheduler. Opaque: create it with sgdr_create(), free it with sgdr_destroy(). */
typedef struct sgdr_scheduler sgdr_scheduler;

/* One named metric, as in Keras' `logs` dictionary. `name` must be a non-empty NUL-terminated
 * string, and the names within one call must differ; in on_batch_end the name "lr" is
 * reserved for the learning-rate column. These rules hold whether history is on or off
 * (SGDR_EMETRIC otherwise). More than 16 names are checked by sorting them in scratch memory
 * (SGDR_ENOMEM, changing nothing, if it cannot be had). The library copies what it keeps, so
 * the caller's strings may change after a call. */
typedef struct sgdr_metric {
    const char *name;
    double value;
} sgdr_metric;

/* Status codes. One code space for the whole library; values are fixed forever and new codes
 * are only appended. sgdr_strerror() gives a fixed description of each, sgdr_last_error() the
 * message of a scheduler's most recent failure, which names the parameter and value. */
typedef enum sgdr_status {
    SGDR_OK = 0,
    SGDR_ENULL = 1,             /* a required pointer argument is NULL */
    SGDR_EBADPARAM = 2,         /* an sgdr_param (or other enum) value that does not exist */
    SGDR_EVALUE = 3,            /* a parameter value outside its valid range */
    SGDR_ECONFIG = 4,           /* parameters that are valid alone but not together */
    SGDR_EORDER = 5,            /* a call out of order (e.g. a batch before on_train_begin) */
    SGDR_EEPOCH = 6,            /* the host's epoch index differs from the scheduler's count */
    SGDR_EMETRIC = 7,           /* a metric with a NULL/empty name, or a name given twice */
    SGDR_ENOMEM = 8,            /* an allocation failed */
    SGDR_EHOOK_GET_LR = 9,      /* the host's get_lr hook returned non-zero */
    SGDR_EHOOK_SET_LR = 10,     /* the host's set_lr hook returned non-zero */
    SGDR_EHOOK_SNAPSHOT = 11,   /* the host's snapshot hook returned non-zero */
    SGDR_EHOOK_RESTORE = 12,    /* the host's restore hook returned non-zero */
    SGDR_EBUFSIZE = 13,         /* the output buffer is too small */
    SGDR_ETRUNCATED = 14,       /* a state blob shorter than its header says */
    SGDR_EMAGIC = 15,           /* not a libsgdr state blob */
    SGDR_EVERSION = 16,         /* a state blob from an incompatible format version */
    SGDR_ECHECKSUM = 17,        /* a state blob whose checksum does not match */
    SGDR_ECORRUPT = 18,         /* a state blob whose fields are inconsistent */
    SGDR_EIO = 19,              /* a file could not be written */
    SGDR_EINDEX = 20            /* an index (history row or column) out of range */
} sgdr_status;

/* Schedule parameters, set with sgdr_set_param() and read with sgdr_get_param(). The values
 * are fixed forever; new parameters are appended. Integer parameters are passed as doubles
 * and must hold an exact integer. Defaults and the range of each value alone (what
 * sgdr_param_describe() reports; the rules between parameters are sgdr_set_param()'s):
 *
 *   parameter                     meaning                          default   range
 *   SGDR_PARAM_MIN_LR             floor of every cycle             required  finite, >= 0
 *   SGDR_PARAM_MAX_LR             peak of the first cycle          required  finite, > 0
 *   SGDR_PARAM_STEPS_PER_EPOCH    batches in one epoch             required  integer 1 .. 2^32-1
 *   SGDR_PARAM_LR_DECAY           peak multiplier per restart      1         finite, > 0
 *   SGDR_PARAM_CYCLE_LENGTH       epochs in the first cycle        10        integer 1 .. 2^32-1
 *   SGDR_PARAM_MULT_FACTOR        C[k+1] = ceil(C[k] * factor)     2         finite, >= 1
 *   SGDR_PARAM_RESTART_MODE       SGDR_RESTART_PEAK or _KERAS_SEED  0        0 or 1
 *   SGDR_PARAM_WARMUP_EPOCHS      linear warm-up (peak mode only)  0         integer 0 .. 2^32-1
 *   SGDR_PARAM_WARMUP_START_LR    lr of the first warm-up batch    0         finite, >= 0
 *   SGDR_PARAM_MAX_CYCLES         cycles, then hold min_lr; 0=inf  0         integer 0 .. 2^32-1
 *   SGDR_PARAM_RESTORE_AT_END     on_train_end restores snapshot   1         0 or 1
 *   SGDR_PARAM_HISTORY            record lr and metrics per batch  1         0 or 1
 *   SGDR_PARAM_CYCLE_WARMUP_STEPS batches of linear rise (1.1)     0         integer 0 .. 2^32-1
 *
 * cycle_warmup_steps (since 1.1) starts every cycle (peak mode) with a linear rise from
 * min_lr: with V > 0, batch b of cycle k (peak P[k], N[k] batches) trains at
 * min_lr + (P[k] - min_lr) * b / V while b < V, then at
 * min_lr + 0.5 * (P[k] - min_lr) * (1 + cos(pi * min(1, (b - V) / (N[k] - V)))).
 *
 * "Required" parameters have no default: sgdr_on_train_begin() refuses to start until they
 * are set. The integer parameters steps_per_epoch, cycle_length, warmup_epochs, max_cycles
 * and cycle_warmup_steps are limited to 2^32 - 1, so that no product of counters can
 * overflow. */
typedef enum sgdr_param {
    SGDR_PARAM_MIN_LR = 1,
    SGDR_PARAM_MAX_LR = 2,
    SGDR_PARAM_STEPS_PER_EPOCH = 3,
    SGDR_PARAM_LR_DECAY = 4,
    SGDR_PARAM_CYCLE_LENGTH = 5,
    SGDR_PARAM_MULT_FACTOR = 6,
    SGDR_PARAM_RESTART_MODE = 7,
    SGDR_PARAM_WARMUP_EPOCHS = 8,
    SGDR_PARAM_WARMUP_START_LR = 9,
    SGDR_PARAM_MAX_CYCLES = 10,
    SGDR_PARAM_RESTORE_AT_END = 11,
    SGDR_PARAM_HISTORY = 12,
    SGDR_PARAM_CYCLE_WARMUP_STEPS = 13 /* since 1.1 */
} sgdr_param;

/* Values of SGDR_PARAM_RESTART_MODE.
 * SGDR_RESTART_PEAK: the first batch of every cycle trains at that cycle's peak
 *   P[k] = max(min_lr, max_lr * lr_decay^k), as in the SGDR paper and PyTorch.
 * SGDR_RESTART_KERAS_SEED: bug-for-bug the Keras callback: the first batch of every cycle
 *   after the first trains at the previous cycle's last value (min_lr) and the decayed peak
 *   is not clamped to min_lr. Warm-up and max_cycles are refused in this mode. */
enum { SGDR_RESTART_PEAK = 0, SGDR_RESTART_KERAS_SEED = 1 };

/* Progress counters, read with sgdr_get_progress(). Values fixed forever; appended only. */
typedef enum sgdr_progress {
    SGDR_PROGRESS_STEP = 1,           /* batches trained since on_train_begin */
    SGDR_PROGRESS_EPOCH = 2,          /* epochs completed (the index the next on_epoch_end
                                         must pass) */
    SGDR_PROGRESS_BATCH_IN_EPOCH = 3, /* batches trained in the current epoch */
    SGDR_PROGRESS_CYCLE = 4,          /* index of the current cycle (0 during warm-up,
                                         max_cycles in the hold after it) */
    SGDR_PROGRESS_CYCLE_POSITION = 5, /* batches trained since the current cycle (or the
                                         warm-up, or the hold) began */
    SGDR_PROGRESS_CYCLE_LENGTH = 6,   /* epochs in the current cycle (warmup_epochs during
                                         warm-up, UINT64_MAX in the hold: it never ends) */
    SGDR_PROGRESS_PHASE = 7,          /* an SGDR_PHASE_* value */
    SGDR_PROGRESS_SNAPSHOTS = 8,      /* snapshot hook calls that succeeded this run */
    SGDR_PROGRESS_LAST_SNAPSHOT = 9,  /* cycle of the most recent snapshot (valid if > 0
                                         snapshots) */
    SGDR_PROGRESS_RUNNING = 10        /* 1 between on_train_begin and on_train_end, else 0 */
} sgdr_progress;

/* Values of SGDR_PROGRESS_PHASE. */
enum {
    SGDR_PHASE_WARMUP = 0, /* linear warm-up before cycle 0 */
    SGDR_PHASE_CYCLE = 1,  /* inside a cosine cycle */
    SGDR_PHASE_HOLD = 2    /* max_cycles completed: every batch trains at min_lr */
};

/* ---------------------------------------------------------------------------------------- */
/* Host hooks                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Every hook receives the `user` pointer registered with it and returns 0 on success. A
 * non-zero return makes the calling callback fail with the matching SGDR_EHOOK_* status and
 * leaves the scheduler exactly as it was before that callback, so the host may retry it.
 * Because of that retry, a hook that succeeded may be called again with the same arguments
 * when a later hook of the same callback failed (get_lr before set_lr in on_batch_end,
 * snapshot before set_lr in on_epoch_end): hooks should be idempotent per cycle (overwrite
 * the snapshot of that cycle rather than append). A hook must not change its own scheduler:
 * sgdr_set_param, sgdr_load_state and the four callbacks called from inside one of its
 * hooks return SGDR_EORDER (reading it, e.g. sgdr_lr or sgdr_get_progress, is fine). */

/* Read the learning rate the host's optimizer actually used (it may scale or clip what the
 * scheduler set). Called once per on_batch_end when history is on, to record it; optional. */
typedef int (*sgdr_get_lr_fn)(void *user, double *lr);
/* Set the learning rate of the next batch. Optional: without it the host reads sgdr_lr(). */
typedef int (*sgdr_set_lr_fn)(void *user, double lr);
/* Keep the current weights as the end-of-cycle snapshot of `cycle` (0-based). A cycle index
 * above 4294967295 (only after more than 2^32 cycles) is passed as 4294967295; the progress
 * counters SGDR_PROGRESS_CYCLE and SGDR_PROGRESS_LAST_SNAPSHOT keep the full 64-bit index. */
typedef int (*sgdr_snapshot_fn)(void *user, uint32_t cycle);
/* Put back the weights kept by the snapshot of `cycle` (saturated as for snapshot). */
typedef int (*sgdr_restore_fn)(void *user, uint32_t cycle);

/* Custom allocator: `alloc` returns `size` bytes aligned for any type, or NULL on failure;
 * `free` releases what `alloc` returned (never called with NULL). */
typedef void *(*sgdr_alloc_fn)(void *user, size_t size);
typedef void (*sgdr_free_fn)(void *user, void *ptr);

/* ---------------------------------------------------------------------------------------- */
/* Life cycle                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Create a scheduler with every parameter at its default (min_lr, max_lr and steps_per_epoch
 * unset), no hooks, and empty history; store it in *out. Memory comes from malloc/free.
 * Returns SGDR_OK, SGDR_ENULL (out is NULL) or SGDR_ENOMEM (*out is then set to NULL). */
SGDR_API sgdr_status sgdr_create(sgdr_scheduler **out);

/* As sgdr_create(), with every allocation of this scheduler made through `alloc` and
 * released through `free_fn`, both given `user`. Both functions are required.
 * Returns SGDR_OK, SGDR_ENULL or SGDR_ENOMEM. */
SGDR_API sgdr_status sgdr_create_with_allocator(sgdr_scheduler **out, sgdr_alloc_fn alloc,
                                                sgdr_free_fn free_fn, void *user);

/* Free the scheduler and everything it owns. NULL is fine. Calls no hook. */
SGDR_API void sgdr_destroy(sgdr_scheduler *s);

/* ---------------------------------------------------------------------------------------- */
/* Configuration                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Set parameter `p` to `value` (integer parameters as an exact integer in the double).
 * Allowed before on_train_begin and after on_train_end, not during a run, except for
 * steps_per_epoch (below). Never from inside a hook.
 * Returns SGDR_OK; SGDR_ENULL; SGDR_EBADPARAM (unknown p); SGDR_EVALUE (out of range, NaN,
 * infinite, not an integer where one is needed); SGDR_EORDER (during a run). Rules that
 * involve two parameters (max_lr > min_lr, warmup_start_lr <= max_lr, no warm-up or
 * max_cycles in keras-seed mode) are checked by sgdr_on_train_begin() and sgdr_lr_at(), so
 * parameters may be set in any order. cycle_warmup_steps is refused there too together with
 * warmup_epochs > 0, in keras-seed mode, or when it is not less than steps_per_epoch *
 * cycle_length (SGDR_ECONFIG naming both parameters). On failure the parameter keeps its
 * value. */
SGDR_API sgdr_status sgdr_set_param(sgdr_scheduler *s, sgdr_param p, double value);

/* steps_per_epoch during a run (including one restored by sgdr_load_state, before
 * sgdr_on_train_begin resumes it): a resume with another batch size or number of workers.
 * Cycles are counted in epochs, so the epoch, the cycle, the snapshots and every quantity
 * counted in epochs stay as they are, and the run goes on exactly as a run with the new
 * value S2 from the start would at the same epoch:
 * - at an epoch boundary (no batch of the epoch trained yet) the change is always exact;
 * - after b batches of an epoch of S, only when b * S2 / S is a whole number b2, which
 *   becomes the batch in the epoch; otherwise SGDR_EORDER with the nearest batch positions
 *   where the change is exact, and nothing changes;
 * - cycle_warmup_steps is counted in batches and kept: if it no longer fits the first cycle
 *   under S2, SGDR_ECONFIG naming both;
 * - SGDR_EORDER, with nothing changed, if the position in the current phase under S2 would
 *   pass 2^64 - 1 batches (only after billions of epochs in one phase);
 * - set_lr receives the next batch's learning rate under S2 (which sgdr_lr then returns);
 *   SGDR_EHOOK_SET_LR if it fails, with nothing changed;
 * - SGDR_PROGRESS_STEP goes on counting the batches trained and the history keeps its rows,
 *   while sgdr_lr_at(step) describes the schedule under the current steps_per_epoch from
 *   step 0 (e.g. after 10 epochs of 45 and a change to 90, batch 3 of epoch 10 is step 453
 *   of the run, and sgdr_lr_at(s, 903, &lr) gives its learning rate).
 * A state saved after such a change loads and continues exactly. */

/* Store the value of parameter `p` in *value. An unset required parameter reads as NaN.
 * Returns SGDR_OK, SGDR_ENULL or SGDR_EBADPARAM. */
SGDR_API sgdr_status sgdr_get_param(const sgdr_scheduler *s, sgdr_param p, double *value);

/* The name of parameter `p` as used by the C API, the command-line tool and the bindings
 * ("min_lr", "max_lr", ...), or NULL for an unknown p. Static storage. */
SGDR_API const char *sgdr_param_name(sgdr_param p);

/* Look up a parameter by its name (as sgdr_param_name() gives it) and store it in *p.
 * Returns SGDR_OK, SGDR_ENULL, or SGDR_EBADPARAM for an unknown name. */
SGDR_API sgdr_status sgdr_param_from_name(const char *name, sgdr_param *p);

/* How a parameter's value is read (sgdr_param_desc.kind). Every value passes through
 * sgdr_set_param() as a double; the kind says which doubles mean something. */
typedef enum sgdr_param_kind {
    SGDR_KIND_REAL = 1,    /* any finite double within the bounds */
    SGDR_KIND_INTEGER = 2, /* an exact integer within the bounds */
    SGDR_KIND_ENUM = 3,    /* one of the integers lower..upper, each a named value */
    SGDR_KIND_BOOLEAN = 4  /* 0 (off) or 1 (on) */
} sgdr_param_kind;

/* What the library knows about one parameter, filled by sgdr_param_describe() (since 1.2).
 * The bounds are those sgdr_set_param() checks for the value alone; the rules between
 * parameters (max_lr > min_lr, ...) are those of sgdr_set_param()'s comment.
 *
 * This struct is fixed forever, as every public struct of this header: bindings declare
 * its layout once (ctypes, koffi, ...) and an older program must keep reading what a newer
 * library writes. What a later release has to add about parameters comes in a new
 * function, never in a longer struct. */
typedef struct sgdr_param_desc {
    const char *name;       /* as sgdr_param_name() gives it; static storage */
    int kind;               /* an sgdr_param_kind */
    int required;           /* 1: no default; sgdr_on_train_begin() needs it set */
    double default_value;   /* the value of a new scheduler; NaN when required */
    double lower, upper;    /* the range; upper is +infinity for an unbounded real */
    int lower_inclusive;    /* 1: lower itself is valid; 0: only values above it */
    int upper_inclusive;    /* 1: upper itself is valid; 0 (unbounded): finite values only */
    unsigned since;         /* the library version that added it, as SGDR_VERSION_NUMBER
                               (10000 for 1.0.0, 10100 for 1.1.0) */
} sgdr_param_desc;

/* Store the description of parameter `p` in *out (since 1.2). Ids run from 1 without gaps,
 * so a program lists every parameter of the library it runs with by describing 1, 2, ...
 * until SGDR_EBADPARAM. Returns SGDR_OK, SGDR_ENULL (out is NULL) or SGDR_EBADPARAM (no
 * parameter has id p: the status of every call given an sgdr_param that does not exist;
 * *out is unchanged). */
SGDR_API sgdr_status sgdr_param_describe(sgdr_param p, sgdr_param_desc *out);

/* Register the learning-rate hooks (either may be NULL) and their user pointer, replacing
 * any earlier ones. Allowed at any time. Returns SGDR_OK or SGDR_ENULL (s is NULL). */
SGDR_API sgdr_status sgdr_set_lr_hooks(sgdr_scheduler *s, sgdr_get_lr_fn get,
                                       sgdr_set_lr_fn set, void *user);

/* Register the weight hooks (either may be NULL) and their user pointer, replacing any
 * earlier ones. Without a snapshot hook no snapshot is taken and nothing is restored.
 * Allowed at any time. Returns SGDR_OK or SGDR_ENULL (s is NULL). */
SGDR_API sgdr_status sgdr_set_weight_hooks(sgdr_scheduler *s, sgdr_snapshot_fn snap,
                                           sgdr_restore_fn restore, void *user);

/* ---------------------------------------------------------------------------------------- */
/* Callbacks                                                                                */
/* ---------------------------------------------------------------------------------------- */
/* The host calls on_train_begin, then per epoch on_batch_end once per batch and on_epoch_end
 * once, then on_train_end. `m` points to `n` metrics (m may be NULL when n is 0). */

/* Start a run. Validates the whole configuration (SGDR_ECONFIG / SGDR_EVALUE naming the
 * parameter), resets the counters and the history, and sets the first batch's learning rate
 * through set_lr (SGDR_EHOOK_SET_LR if it fails). On a scheduler restored by
 * sgdr_load_state() into a running state and not yet advanced, it resumes instead: the
 * counters are kept and set_lr receives the restored learning rate (the Keras
 * `initial_epoch` path). Refused with SGDR_EORDER while a run is already going.
 * Hooks called: set_lr. */
SGDR_API sgdr_status sgdr_on_train_begin(sgdr_scheduler *s);

/* A batch has trained. Records history (the learning rate the batch trained with, read
 * through get_lr when registered, else the scheduler's own, and each metric; metrics absent
 * in this batch are NaN in their column), advances the step and sets the next batch's
 * learning rate through set_lr. `batch` is the host's batch index, informational only.
 * Returns SGDR_OK; SGDR_ENULL; SGDR_EORDER (not running); SGDR_EMETRIC; SGDR_ENOMEM (history
 * growth, or checking more than 16 metric names); SGDR_EHOOK_GET_LR; SGDR_EHOOK_SET_LR.
 * Hooks called: get_lr (history on), then set_lr. */
SGDR_API sgdr_status sgdr_on_batch_end(sgdr_scheduler *s, uint64_t batch, const sgdr_metric *m,
                                       size_t n);

/* An epoch has ended. `epoch` must equal the scheduler's count of completed epochs
 * (SGDR_EEPOCH names both otherwise). If this epoch closes a cycle, calls snapshot(cycle)
 * (when a snapshot hook is registered and max_cycles has not been reached), then restarts:
 * the next cycle's length and peak, or warm-up's end, or the hold after max_cycles, and sets
 * the next batch's learning rate through set_lr if it changed. Metrics are validated and
 * otherwise unused. Returns SGDR_OK; SGDR_ENULL; SGDR_EORDER (not running); SGDR_EEPOCH;
 * SGDR_EMETRIC; SGDR_ENOMEM (checking more than 16 metric names); SGDR_EHOOK_SNAPSHOT;
 * SGDR_EHOOK_SET_LR. Hooks called: snapshot, then set_lr. */
SGDR_API sgdr_status sgdr_on_epoch_end(sgdr_scheduler *s, uint64_t epoch, const sgdr_metric *m,
                                       size_t n);

/* End the run. If restore_at_end is 1 and a snapshot was taken, calls restore(cycle) for the
 * most recent one (SGDR_EHOOK_RESTORE if it fails; the run is then still going and the call
 * may be retried). Afterwards parameters may be changed and on_train_begin starts a new run.
 * Returns SGDR_OK; SGDR_ENULL; SGDR_EORDER (not running); SGDR_EMETRIC; SGDR_ENOMEM (checking
 * more than 16 metric names); SGDR_EHOOK_RESTORE. Hooks called: restore. */
SGDR_API sgdr_status sgdr_on_train_end(sgdr_scheduler *s, const sgdr_metric *m, size_t n);

/* ---------------------------------------------------------------------------------------- */
/* Learning rate and progress                                                               */
/* ---------------------------------------------------------------------------------------- */

/* The learning rate of the next batch: what set_lr last received, or after sgdr_load_state
 * the restored one (which sgdr_on_train_begin then hands to set_lr). NaN if s is NULL or no
 * run has begun. */
SGDR_API double sgdr_lr(const sgdr_scheduler *s);

/* The learning rate that batch `step` (0-based from on_train_begin) trains with when every
 * epoch has exactly steps_per_epoch batches: bit-identical to what the callbacks set. The
 * cycle is found exactly (no logarithm decides it): runs of cycles whose lengths grow by the
 * same number of epochs are jumped in closed form, the rest walked. Under a microsecond at
 * any step for mult_factor 1, 1.5, 2, 3 and 10; for every factor under a millisecond up to
 * step 2^40 and tens of milliseconds at most up to 2^64 - 1 (docs/PERFORMANCE.md).
 * Uses the current parameters, so it works before on_train_begin, and after steps_per_epoch
 * changed during a run it describes the schedule under the new value from step 0 (see
 * sgdr_set_param). Calls no hook.
 * Returns SGDR_OK, SGDR_ENULL, SGDR_EVALUE or SGDR_ECONFIG (an invalid configuration). */
SGDR_API sgdr_status sgdr_lr_at(const sgdr_scheduler *s, uint64_t step, double *lr);

/* Store progress counter `what` in *value. Returns SGDR_OK, SGDR_ENULL or SGDR_EBADPARAM. */
SGDR_API sgdr_status sgdr_get_progress(const sgdr_scheduler *s, sgdr_progress what,
                                       uint64_t *value);

/* ---------------------------------------------------------------------------------------- */
/* History                                                                                  */
/* ---------------------------------------------------------------------------------------- */
/* With SGDR_PARAM_HISTORY on (the default) every on_batch_end appends one row: column 0 is
 * "lr", then one column per metric name in order of first appearance. A metric first seen at
 * row r reads NaN in rows before r, and NaN in any row where it was not given. The history is
 * cleared by on_train_begin (not by a resume) and is not part of the saved state. */

/* Store the number of rows in *rows. Returns SGDR_OK or SGDR_ENULL. */
SGDR_API sgdr_status sgdr_history_rows(const sgdr_scheduler *s, size_t *rows);

/* Store the number of columns (1 + distinct metric names) in *columns. */
SGDR_API sgdr_status sgdr_history_columns(const sgdr_scheduler *s, size_t *columns);

/* Store the name of column `column` in *name: owned by the scheduler, valid until the next
 * on_train_begin, sgdr_load_state or sgdr_destroy. Returns SGDR_OK, SGDR_ENULL, SGDR_EINDEX. */
SGDR_API sgdr_status sgdr_history_column_name(const sgdr_scheduler *s, size_t column,
                                              const char **name);

/* Find the column called `name` and store its index in *column. Returns SGDR_OK,
 * SGDR_ENULL, or SGDR_EINDEX when there is no such column. */
SGDR_API sgdr_status sgdr_history_find(const sgdr_scheduler *s, const char *name,
                                       size_t *column);

/* Copy `count` values of column `column`, from row `first`, into out[0..count). Returns
 * SGDR_OK, SGDR_ENULL (out NULL with count > 0), SGDR_EINDEX (column or rows out of range;
 * nothing copied). */
SGDR_API sgdr_status sgdr_history_copy(const sgdr_scheduler *s, size_t column, size_t first,
                                       double *out, size_t count);

/* Write the history as CSV: a header "step,<column names>", then one line per row, numbers
 * as %.17g with '.' as decimal point whatever the locale, NaN as "nan". With buf == NULL
 * only stores the needed size in *len (no terminating NUL is written or counted).
 * Returns SGDR_OK, SGDR_ENULL, SGDR_EBUFSIZE (cap too small; *len holds the size needed),
 * SGDR_ENOMEM (the text would be longer than a size_t can count: only on 32-bit systems). */
SGDR_API sgdr_status sgdr_history_to_csv(const sgdr_scheduler *s, char *buf, size_t cap,
                                         size_t *len);

/* Write the history CSV (as sgdr_history_to_csv) to the file at `path`, replacing it.
 * Returns SGDR_OK, SGDR_ENULL, SGDR_ENOMEM or SGDR_EIO (naming the path and the system's
 * reason, e.g. "No such file or directory"). */
SGDR_API sgdr_status sgdr_history_write_csv(const sgdr_scheduler *s, const char *path);

/* ---------------------------------------------------------------------------------------- */
/* State: checkpoint and resume                                                             */
/* ---------------------------------------------------------------------------------------- */

/* Write the scheduler's state (configuration, counters, current cycle and peak, snapshot
 * bookkeeping; not the hooks nor the history) as a self-describing, versioned,
 * little-endian blob with a CRC-32C; the layout is in docs/STATE_FORMAT.md: format 1.0
 * (188 bytes) when cycle_warmup_steps is 0, so every 1.x reader loads it, else 1.1 (196
 * bytes), which a 1.0 reader refuses rather than continue without the warm-ups. With
 * buf == NULL only stores the size in *len. Returns SGDR_OK, SGDR_ENULL, or SGDR_EBUFSIZE
 * (cap too small; *len holds the size needed; nothing written). */
SGDR_API sgdr_status sgdr_save_state(const sgdr_scheduler *s, void *buf, size_t cap,
                                     size_t *len);

/* Replace the scheduler's configuration and counters with those in the blob, keeping its
 * hooks and allocator; the history is cleared. Allowed at any time (a load replaces a run
 * wholesale). Everything is checked before anything changes: on SGDR_ENULL, SGDR_ETRUNCATED,
 * SGDR_EMAGIC, SGDR_EVERSION, SGDR_ECHECKSUM or SGDR_ECORRUPT the scheduler is exactly as it
 * was, and the message says what was wrong. Calls no hook. After
 * loading a running state, call sgdr_on_train_begin() to hand the restored learning rate to
 * set_lr, then continue with the next batch and epoch as if the run had never stopped. */
SGDR_API sgdr_status sgdr_load_state(sgdr_scheduler *s, const void *buf, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* A fixed English description of `st` ("out of memory", ...); "unknown status" for values
 * that are not in sgdr_status. Static storage, never NULL. */
SGDR_API const char *sgdr_strerror(sgdr_status st);

/* The symbolic name of `st` as this header spells it ("SGDR_EVALUE"), for logs and for
 * bindings that map codes to names without copying this enum (since 1.2); "unknown status"
 * for values that are not in sgdr_status. Static storage, never NULL. */
SGDR_API const char *sgdr_status_name(sgdr_status st);

/* The message of the scheduler's most recent failed call, naming the problem and the value
 * (e.g. "max_lr (0.001) must be greater than min_lr (0.01)"); "" if no call has failed.
 * Successful calls do not clear it. Valid until the next call on `s`. Never NULL. */
SGDR_API const char *sgdr_last_error(const sgdr_scheduler *s);

#ifdef __cplusplus
}
#endif

#endif /* SGDR_H */
