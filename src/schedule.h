/* SPDX-License-Identifier: MIT */
/* schedule.h -- the pure schedule math: configuration rules, cycle bookkeeping, and the
 * learning rate of a position. No allocation, no hooks, no scheduler: everything here is a
 * function of its arguments, so the callbacks and sgdr_lr_at() share one code path. */
#ifndef SGDR_SCHEDULE_H
#define SGDR_SCHEDULE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Largest value of the integer parameters: products of two of them fit in 64 bits. */
#define SGDR_INT_PARAM_MAX 4294967295.0

/* A cycle length (in epochs) that no run can reach: the cycle never ends. Cycle lengths
 * saturate here instead of overflowing. */
#define SGDR_CYCLE_FOREVER UINT64_MAX

/* Bits of sgdr_config.set for the parameters that have no default. */
enum { SGDR_SET_MIN_LR = 1u, SGDR_SET_MAX_LR = 2u, SGDR_SET_STEPS = 4u };

/* Cycle start epochs cached per configuration so that sgdr_lr_at() finds a cycle by binary
 * search; for mult_factor >= 1.5 this covers every 64-bit epoch. */
#define SGDR_CYCLE_TABLE 128

typedef struct sgdr_config {
    double min_lr, max_lr, lr_decay, mult_factor, warmup_start_lr;
    uint64_t steps_per_epoch, cycle_length, warmup_epochs, max_cycles;
    int restart_mode, restore_at_end, history;
    unsigned set; /* SGDR_SET_* of the required parameters given so far */
} sgdr_config;

/* Cycles past the table (mult_factor close to 1, where ceil() lengthens cycles by one epoch
 * at a time for thousands of cycles) are kept one in `stride` as checkpoints, so that
 * sgdr_position_at steps at most `stride` cycles from the nearest one. The walk that builds
 * them stops after SGDR_CHECKPOINT_WALK cycles (factors so close to 1 that 2^64 epochs hold
 * more cycles than that step on from the last checkpoint). */
#define SGDR_CYCLE_CHECKPOINTS 1024
#define SGDR_CHECKPOINT_WALK ((uint64_t)1 << 19)

/* The table of cycle starts of a configuration: start[k] is the first epoch of cycle k
 * counted from the end of warm-up, for k < count. start[count-1] is the last start that did
 * not saturate; cycles after it are found by stepping, from the checkpoints when there are
 * any: cycle cp_cycle[j] starts at epoch cp_start[j] and lasts cp_length[j] epochs, for
 * j < cp_count, every cp_stride-th cycle after the table's last. */
typedef struct sgdr_cycle_table {
    uint64_t start[SGDR_CYCLE_TABLE];
    uint64_t length[SGDR_CYCLE_TABLE];
    size_t count;
    uint64_t cp_cycle[SGDR_CYCLE_CHECKPOINTS];
    uint64_t cp_start[SGDR_CYCLE_CHECKPOINTS];
    uint64_t cp_length[SGDR_CYCLE_CHECKPOINTS];
    size_t cp_count;
    uint64_t cp_stride;
} sgdr_cycle_table;

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

/* The default configuration (required parameters unset, read as NaN). */
void sgdr_config_defaults(sgdr_config *c);

/* Check `value` for parameter `p` alone; on success store it in *c. On failure write a
 * message naming the parameter and value into msg and change nothing. */
sgdr_status sgdr_config_set(sgdr_config *c, sgdr_param p, double value, char *msg, size_t cap);

/* Write the message for a parameter id that does not exist; returns SGDR_EBADPARAM. */
sgdr_status sgdr_config_unknown(sgdr_param p, char *msg, size_t cap);

/* Read parameter `p`; SGDR_EBADPARAM for an unknown one. */
sgdr_status sgdr_config_get(const sgdr_config *c, sgdr_param p, double *value);

/* Check every value and every rule between parameters (what on_train_begin requires). */
sgdr_status sgdr_config_check(const sgdr_config *c, char *msg, size_t cap);

/* C[k+1] from C[k]: ceil(C[k] * mult_factor) in double precision, saturating at
 * SGDR_CYCLE_FOREVER. */
uint64_t sgdr_next_cycle_length(const sgdr_config *c, uint64_t length);

/* a + b, saturating at UINT64_MAX. */
uint64_t sgdr_add_sat(uint64_t a, uint64_t b);

/* Peak of cycle k: max(min_lr, max_lr * lr_decay^k) in peak mode, unclamped in keras-seed. */
double sgdr_cycle_peak(const sgdr_config *c, uint64_t k);

/* Fill the cycle-start table of a configuration. */
void sgdr_cycle_table_build(const sgdr_config *c, sgdr_cycle_table *t);

/* The position at the start of a run (warm-up, or cycle 0). */
void sgdr_position_start(const sgdr_config *c, sgdr_position *p);

/* Move *p to the next cycle (or from warm-up to cycle 0, or into the hold after
 * max_cycles). Called when the epoch that closes the current phase ends. */
void sgdr_position_restart(const sgdr_config *c, sgdr_position *p);

/* The position of batch `step` when every epoch has steps_per_epoch batches: a binary search
 * in the table and its checkpoints, then at most cp_stride steps from the nearest. */
void sgdr_position_at(const sgdr_config *c, const sgdr_cycle_table *t, uint64_t step,
                      sgdr_position *p);

/* The learning rate a batch at position *p trains with: sgdr_phase_lr(c, p, p->pos). This
 * is the one formula behind both the callbacks and sgdr_lr_at(). In keras-seed mode the
 * first batch of a later cycle trains at the previous cycle's last value: the callbacks
 * carry it, and for uniform epochs it is exactly min_lr, which this function returns for
 * that position. */
double sgdr_position_lr(const sgdr_config *c, const sgdr_position *p);

/* sgdr_phase_lr() outside a peak-mode cycle: warm-up, the hold, keras-seed. */
double sgdr_phase_lr_other(const sgdr_config *c, const sgdr_position *p, uint64_t pos);

#if defined(__GNUC__)
#define SGDR_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define SGDR_LIKELY(x) (x)
#endif

/* cos(pi * b / N), the only transcendental of a cycle. Its caller reads min_lr and the peak
 * after this returns, so that they need not be kept across the call. */
static inline double sgdr_cos_pi(double b, double n)
{
    return cos(M_PI * b / n);
}

/* The learning rate of the batch `pos` batches into the phase (warm-up, cycle or hold) that
 * *p describes; p->pos itself is not read, so on_batch_end asks for the next batch without
 * copying the position. Inline because it is the whole per-batch cost of the scheduler. */
static inline double sgdr_phase_lr(const sgdr_config *c, const sgdr_position *p, uint64_t pos)
{
    const uint64_t spe = c->steps_per_epoch, length = p->cycle_length;
    double x;
    if (p->phase != SGDR_PHASE_CYCLE || c->restart_mode != SGDR_RESTART_PEAK)
        return sgdr_phase_lr_other(c, p, pos);
    /* Peak mode: b / N clamped to 1. */
    if (pos == 0) return p->peak;
    if (SGDR_LIKELY(length <= UINT32_MAX)) {
        /* Every run that is not saturated: spe and length are below 2^32, so N = spe * length
         * is exact in 64 bits, `pos >= N` needs no 64-bit division, and (double)N is the same
         * double as (double)spe * (double)length (one rounding of the same exact product). */
        const uint64_t n = spe * length;
        if (pos >= n) return c->min_lr;
        x = sgdr_cos_pi((double)pos, (double)n);
    } else {
        if (pos / spe >= length) return c->min_lr;
        x = sgdr_cos_pi((double)pos, (double)spe * (double)length);
    }
    /* lr = min + (P - min) * (1 + cos(pi * b / N)) / 2 */
    return c->min_lr + 0.5 * (p->peak - c->min_lr) * (1.0 + x);
}

#endif
