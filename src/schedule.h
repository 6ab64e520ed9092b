/* SPDX-License-Identifier: MIT */
/* schedule.h -- the schedule as pure functions: the parameter table and the rules of a
 * configuration (params.c), where a step falls and the learning rate there (schedule.c).
 * No allocation, no hooks, no scheduler, so the callbacks, sgdr_lr_at() and the state
 * loader share one code path. */
#ifndef SGDR_SCHEDULE_H
#define SGDR_SCHEDULE_H

#include <math.h>

#include "sgdr.h" /* and with it stddef.h and stdint.h */

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Hints for the compiler: format checks, the per-batch path kept tight, failures out of it. */
#if defined(__GNUC__)
#define SGDR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SGDR_COLD __attribute__((cold))
#define SGDR_NOINLINE __attribute__((noinline))
#define SGDR_INLINE __attribute__((always_inline)) inline
#define SGDR_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define SGDR_PRINTF(f, a)
#define SGDR_COLD
#define SGDR_NOINLINE
#define SGDR_INLINE inline
#define SGDR_LIKELY(x) (x)
#endif

/* Parameter ids run from 1 to SGDR_PARAM_LAST, status codes from 0 to SGDR_STATUS_LAST: the
 * last value of each enum in sgdr.h. The tables indexed by them assert their length. */
#define SGDR_PARAM_LAST SGDR_PARAM_CYCLE_WARMUP_STEPS
#define SGDR_STATUS_LAST SGDR_EINDEX

/* A cycle length (in epochs) that no run can reach: the cycle never ends. Cycle lengths
 * saturate here instead of overflowing. */
#define SGDR_CYCLE_FOREVER UINT64_MAX

typedef struct sgdr_config {
    double min_lr, max_lr, lr_decay, mult_factor, warmup_start_lr;
    uint64_t steps_per_epoch, cycle_length, warmup_epochs, max_cycles, cycle_warmup_steps;
    int restart_mode, restore_at_end, history;
    unsigned set; /* bit id-1 of each required parameter given so far */
} sgdr_config;

/* One row of the parameter table: everything about a parameter but its meaning. A REAL is
 * held as a double, an INTEGER as a uint64_t, an ENUM or BOOLEAN as an int. */
typedef struct sgdr_param_info {
    const char *name;
    int kind;             /* an sgdr_param_kind */
    double lo, hi;        /* REAL: finite and >= lo (> lo when strict); else integers lo..hi */
    int strict;
    int required;         /* no default: must be set before a run */
    double def;           /* the default (NaN for a required parameter) */
    size_t field;         /* offset in sgdr_config */
    unsigned since;       /* the SGDR_VERSION_NUMBER that added it */
    const char *choices;  /* ENUM, BOOLEAN: how a message lists the valid values */
} sgdr_param_info;

/* A compile-time assertion that C99 accepts: an array of negative size does not compile.
 * C11 compilers get _Static_assert and its message. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SGDR_STATIC_ASSERT(cond, tag) _Static_assert(cond, #tag)
#else
#define SGDR_STATIC_ASSERT(cond, tag) typedef char sgdr_assert_##tag[(cond) ? 1 : -1]
#endif

/* The row of parameter p, or NULL for an id that does not exist. */
const sgdr_param_info *sgdr_param_row(int p);

/* The default configuration (required parameters unset, read as NaN). */
void sgdr_config_defaults(sgdr_config *c);

/* Check `value` for parameter `p` alone; on success store it in *c. On failure write a
 * message naming the parameter and value into msg and change nothing. */
sgdr_status sgdr_config_set(sgdr_config *c, sgdr_param p, double value, char *msg, size_t cap);

/* The value of parameter row r (NaN for an unset required one). */
double sgdr_config_get(const sgdr_config *c, const sgdr_param_info *r);

/* The required parameters and the rules between parameters (what on_train_begin requires),
 * for a configuration whose values each passed sgdr_config_set. */
sgdr_status sgdr_config_check(const sgdr_config *c, char *msg, size_t cap);

/* Where the next batch is. Everything the callbacks need to continue a run. */
typedef struct sgdr_position {
    uint64_t step;           /* batches trained since on_train_begin */
    uint64_t epoch;          /* epochs completed */
    uint64_t batch_in_epoch; /* batches trained in the current epoch */
    uint64_t cycle;          /* k (0 during warm-up) */
    uint64_t cycle_length;   /* C[k] in epochs; SGDR_CYCLE_FOREVER if saturated */
    uint64_t cycle_end;      /* epochs completed when cycle k (or warm-up) closes */
    uint64_t pos;            /* batches since the cycle (or warm-up) began */
    double peak;             /* P[k] */
    int phase;               /* SGDR_PHASE_* */
} sgdr_position;

/* Peak of cycle k: max(min_lr, max_lr * lr_decay^k) in peak mode, unclamped in keras-seed. */
double sgdr_cycle_peak(const sgdr_config *c, uint64_t k);

/* Move *p to the next cycle (or from warm-up to cycle 0, or into the hold after
 * max_cycles). Called when the epoch that closes the current phase ends. */
void sgdr_position_restart(const sgdr_config *c, sgdr_position *p);

/* The position of batch `step` when every epoch has steps_per_epoch batches (step 0: the
 * start of a run, in warm-up or cycle 0). */
void sgdr_position_at(const sgdr_config *c, uint64_t step, sgdr_position *p);

/* sgdr_phase_lr() outside a plain peak-mode cycle: warm-up, the hold, keras-seed, and
 * cycles with cycle_warmup_steps. */
double sgdr_phase_lr_other(const sgdr_config *c, const sgdr_position *p, uint64_t pos);

/* The learning rate of the batch `pos` batches into the phase that *p describes (p->pos
 * itself is not read, so on_batch_end asks for the next batch without copying the
 * position). The one formula behind the callbacks and sgdr_lr_at(); inline because it is
 * the whole per-batch cost of the scheduler. */
static inline double sgdr_phase_lr(const sgdr_config *c, const sgdr_position *p, uint64_t pos)
{
    const uint64_t spe = c->steps_per_epoch, length = p->cycle_length;
    double x;
    if (p->phase != SGDR_PHASE_CYCLE || c->restart_mode != SGDR_RESTART_PEAK ||
        c->cycle_warmup_steps != 0)
        return sgdr_phase_lr_other(c, p, pos);
    /* Peak mode: b / N clamped to 1. */
    if (pos == 0) return p->peak;
    if (SGDR_LIKELY(length <= UINT32_MAX)) {
        /* spe and length are below 2^32, so N = spe * length is exact in 64 bits and
         * (double)N is the same double as (double)spe * (double)length. */
        const uint64_t n = spe * length;
        if (pos >= n) return c->min_lr;
        x = cos(M_PI * (double)pos / (double)n);
    } else {
        if (pos / spe >= length) return c->min_lr;
        x = cos(M_PI * (double)pos / ((double)spe * (double)length));
    }
    return c->min_lr + 0.5 * (p->peak - c->min_lr) * (1.0 + x);
}

#endif
