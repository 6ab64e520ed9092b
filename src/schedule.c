/* SPDX-License-Identifier: MIT */
/* schedule.c -- the pure schedule math (see schedule.h). */
#include "schedule.h"

#include <float.h>
#include <math.h>

#include "numfmt.h"

/* Cycle lengths at or above this saturate to SGDR_CYCLE_FOREVER: 2^62 epochs is beyond any
 * run, and keeping lengths below it keeps every sum of two of them in 64 bits. */
#define SGDR_CYCLE_CAP 4611686018427387904.0 /* 2^62 */

void sgdr_config_defaults(sgdr_config *c)
{
    c->min_lr = NAN;
    c->max_lr = NAN;
    c->steps_per_epoch = 0;
    c->lr_decay = 1.0;
    c->cycle_length = 10;
    c->mult_factor = 2.0;
    c->restart_mode = SGDR_RESTART_PEAK;
    c->warmup_epochs = 0;
    c->warmup_start_lr = 0.0;
    c->max_cycles = 0;
    c->restore_at_end = 1;
    c->history = 1;
    c->set = 0;
}

const char *sgdr_param_name(sgdr_param p)
{
    switch (p) {
    case SGDR_PARAM_MIN_LR: return "min_lr";
    case SGDR_PARAM_MAX_LR: return "max_lr";
    case SGDR_PARAM_STEPS_PER_EPOCH: return "steps_per_epoch";
    case SGDR_PARAM_LR_DECAY: return "lr_decay";
    case SGDR_PARAM_CYCLE_LENGTH: return "cycle_length";
    case SGDR_PARAM_MULT_FACTOR: return "mult_factor";
    case SGDR_PARAM_RESTART_MODE: return "restart_mode";
    case SGDR_PARAM_WARMUP_EPOCHS: return "warmup_epochs";
    case SGDR_PARAM_WARMUP_START_LR: return "warmup_start_lr";
    case SGDR_PARAM_MAX_CYCLES: return "max_cycles";
    case SGDR_PARAM_RESTORE_AT_END: return "restore_at_end";
    case SGDR_PARAM_HISTORY: return "history";
    }
    return NULL;
}

/* An integer parameter: an exact integer in [lo, SGDR_INT_PARAM_MAX]. */
static sgdr_status check_int(sgdr_param p, double v, double lo, char *msg, size_t cap)
{
    if (!(v >= lo && v <= SGDR_INT_PARAM_MAX && v == floor(v))) {
        char num[SGDR_NUMFMT_CAP];
        sgdr_numfmt(num, v);
        sgdr_msgf(msg, cap, sgdr_param_name(p), " (", num,
                  lo == 0 ? ") must be an integer from 0 to 4294967295"
                          : ") must be an integer from 1 to 4294967295", NULL);
        return SGDR_EVALUE;
    }
    return SGDR_OK;
}

/* A finite real parameter with v >= lo (or v > lo when strict). */
static sgdr_status check_real(sgdr_param p, double v, double lo, int strict, char *msg,
                              size_t cap)
{
    if (!isfinite(v) || (strict ? !(v > lo) : !(v >= lo))) {
        char num[SGDR_NUMFMT_CAP], bound[SGDR_NUMFMT_CAP];
        sgdr_numfmt(num, v);
        sgdr_numfmt(bound, lo);
        sgdr_msgf(msg, cap, sgdr_param_name(p), " (", num,
                  strict ? ") must be finite and greater than " : ") must be finite and at least ",
                  bound, NULL);
        return SGDR_EVALUE;
    }
    return SGDR_OK;
}

static sgdr_status check_flag(sgdr_param p, double v, char *msg, size_t cap)
{
    if (!(v == 0.0 || v == 1.0)) {
        char num[SGDR_NUMFMT_CAP];
        sgdr_numfmt(num, v);
        sgdr_msgf(msg, cap, sgdr_param_name(p), " (", num, ") must be 0 or 1", NULL);
        return SGDR_EVALUE;
    }
    return SGDR_OK;
}

sgdr_status sgdr_config_set(sgdr_config *c, sgdr_param p, double v, char *msg, size_t cap)
{
    sgdr_status st;
    switch (p) {
    case SGDR_PARAM_MIN_LR:
        if ((st = check_real(p, v, 0.0, 0, msg, cap)) != SGDR_OK) return st;
        c->min_lr = v;
        c->set |= SGDR_SET_MIN_LR;
        return SGDR_OK;
    case SGDR_PARAM_MAX_LR:
        if ((st = check_real(p, v, 0.0, 1, msg, cap)) != SGDR_OK) return st;
        c->max_lr = v;
        c->set |= SGDR_SET_MAX_LR;
        return SGDR_OK;
    case SGDR_PARAM_STEPS_PER_EPOCH:
        if ((st = check_int(p, v, 1, msg, cap)) != SGDR_OK) return st;
        c->steps_per_epoch = (uint64_t)v;
        c->set |= SGDR_SET_STEPS;
        return SGDR_OK;
    case SGDR_PARAM_LR_DECAY:
        if ((st = check_real(p, v, 0.0, 1, msg, cap)) != SGDR_OK) return st;
        c->lr_decay = v;
        return SGDR_OK;
    case SGDR_PARAM_CYCLE_LENGTH:
        if ((st = check_int(p, v, 1, msg, cap)) != SGDR_OK) return st;
        c->cycle_length = (uint64_t)v;
        return SGDR_OK;
    case SGDR_PARAM_MULT_FACTOR:
        if ((st = check_real(p, v, 1.0, 0, msg, cap)) != SGDR_OK) return st;
        c->mult_factor = v;
        return SGDR_OK;
    case SGDR_PARAM_RESTART_MODE:
        if (!(v == SGDR_RESTART_PEAK || v == SGDR_RESTART_KERAS_SEED)) {
            char num[SGDR_NUMFMT_CAP];
            sgdr_numfmt(num, v);
            sgdr_msgf(msg, cap, "restart_mode (", num,
                      ") must be 0 (SGDR_RESTART_PEAK) or 1 (SGDR_RESTART_KERAS_SEED)", NULL);
            return SGDR_EVALUE;
        }
        c->restart_mode = (int)v;
        return SGDR_OK;
    case SGDR_PARAM_WARMUP_EPOCHS:
        if ((st = check_int(p, v, 0, msg, cap)) != SGDR_OK) return st;
        c->warmup_epochs = (uint64_t)v;
        return SGDR_OK;
    case SGDR_PARAM_WARMUP_START_LR:
        if ((st = check_real(p, v, 0.0, 0, msg, cap)) != SGDR_OK) return st;
        c->warmup_start_lr = v;
        return SGDR_OK;
    case SGDR_PARAM_MAX_CYCLES:
        if ((st = check_int(p, v, 0, msg, cap)) != SGDR_OK) return st;
        c->max_cycles = (uint64_t)v;
        return SGDR_OK;
    case SGDR_PARAM_RESTORE_AT_END:
        if ((st = check_flag(p, v, msg, cap)) != SGDR_OK) return st;
        c->restore_at_end = (int)v;
        return SGDR_OK;
    case SGDR_PARAM_HISTORY:
        if ((st = check_flag(p, v, msg, cap)) != SGDR_OK) return st;
        c->history = (int)v;
        return SGDR_OK;
    }
    return sgdr_config_unknown(p, msg, cap);
}

sgdr_status sgdr_config_unknown(sgdr_param p, char *msg, size_t cap)
{
    char num[SGDR_NUMFMT_CAP];
    sgdr_numfmt(num, (double)(int)p);
    sgdr_msgf(msg, cap, "unknown parameter id ", num, " (valid ids are 1 to 12)", NULL);
    return SGDR_EBADPARAM;
}

sgdr_status sgdr_config_get(const sgdr_config *c, sgdr_param p, double *v)
{
    switch (p) {
    case SGDR_PARAM_MIN_LR: *v = c->min_lr; return SGDR_OK;
    case SGDR_PARAM_MAX_LR: *v = c->max_lr; return SGDR_OK;
    case SGDR_PARAM_STEPS_PER_EPOCH:
        *v = (c->set & SGDR_SET_STEPS) ? (double)c->steps_per_epoch : NAN;
        return SGDR_OK;
    case SGDR_PARAM_LR_DECAY: *v = c->lr_decay; return SGDR_OK;
    case SGDR_PARAM_CYCLE_LENGTH: *v = (double)c->cycle_length; return SGDR_OK;
    case SGDR_PARAM_MULT_FACTOR: *v = c->mult_factor; return SGDR_OK;
    case SGDR_PARAM_RESTART_MODE: *v = c->restart_mode; return SGDR_OK;
    case SGDR_PARAM_WARMUP_EPOCHS: *v = (double)c->warmup_epochs; return SGDR_OK;
    case SGDR_PARAM_WARMUP_START_LR: *v = c->warmup_start_lr; return SGDR_OK;
    case SGDR_PARAM_MAX_CYCLES: *v = (double)c->max_cycles; return SGDR_OK;
    case SGDR_PARAM_RESTORE_AT_END: *v = c->restore_at_end; return SGDR_OK;
    case SGDR_PARAM_HISTORY: *v = c->history; return SGDR_OK;
    }
    return SGDR_EBADPARAM;
}

sgdr_status sgdr_config_check(const sgdr_config *c, char *msg, size_t cap)
{
    static const sgdr_param all[] = {
        SGDR_PARAM_MIN_LR, SGDR_PARAM_MAX_LR, SGDR_PARAM_STEPS_PER_EPOCH,
        SGDR_PARAM_LR_DECAY, SGDR_PARAM_CYCLE_LENGTH, SGDR_PARAM_MULT_FACTOR,
        SGDR_PARAM_RESTART_MODE, SGDR_PARAM_WARMUP_EPOCHS, SGDR_PARAM_WARMUP_START_LR,
        SGDR_PARAM_MAX_CYCLES, SGDR_PARAM_RESTORE_AT_END, SGDR_PARAM_HISTORY};
    static const unsigned required[] = {SGDR_SET_MIN_LR, SGDR_SET_MAX_LR, SGDR_SET_STEPS};
    char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP];
    size_t i;
    sgdr_config probe = *c;

    for (i = 0; i < 3; i++) {
        if (!(c->set & required[i])) {
            sgdr_msgf(msg, cap, sgdr_param_name(all[i]),
                      " is required and has not been set", NULL);
            return SGDR_ECONFIG;
        }
    }
    /* Every value alone, by the same rules as sgdr_set_param (a loaded blob comes here). */
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        double v = 0;
        sgdr_status st;
        sgdr_config_get(c, all[i], &v);
        if ((st = sgdr_config_set(&probe, all[i], v, msg, cap)) != SGDR_OK) return st;
    }
    if (!(c->max_lr > c->min_lr)) {
        sgdr_numfmt(a, c->max_lr);
        sgdr_numfmt(b, c->min_lr);
        sgdr_msgf(msg, cap, "max_lr (", a, ") must be greater than min_lr (", b, ")", NULL);
        return SGDR_ECONFIG;
    }
    if (!(c->warmup_start_lr <= c->max_lr)) {
        sgdr_numfmt(a, c->warmup_start_lr);
        sgdr_numfmt(b, c->max_lr);
        sgdr_msgf(msg, cap, "warmup_start_lr (", a, ") must not exceed max_lr (", b, ")",
                  NULL);
        return SGDR_ECONFIG;
    }
    if (c->restart_mode == SGDR_RESTART_KERAS_SEED) {
        if (c->warmup_epochs != 0) {
            sgdr_numfmt(a, (double)c->warmup_epochs);
            sgdr_msgf(msg, cap, "warmup_epochs (", a,
                      ") must be 0 in keras-seed mode (warm-up is a peak-mode feature)", NULL);
            return SGDR_ECONFIG;
        }
        if (c->max_cycles != 0) {
            sgdr_numfmt(a, (double)c->max_cycles);
            sgdr_msgf(msg, cap, "max_cycles (", a,
                      ") must be 0 in keras-seed mode (a cycle limit is a peak-mode feature)",
                      NULL);
            return SGDR_ECONFIG;
        }
    }
    return SGDR_OK;
}

uint64_t sgdr_add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t sgdr_next_cycle_length(const sgdr_config *c, uint64_t length)
{
    double next;
    if (length == SGDR_CYCLE_FOREVER) return SGDR_CYCLE_FOREVER;
    /* The seed's np.ceil(cycle_length * mult_factor), in double precision. Exact integer
     * arithmetic on the counters everywhere else: no logarithm decides a cycle. */
    next = ceil((double)length * c->mult_factor);
    if (!(next < SGDR_CYCLE_CAP)) return SGDR_CYCLE_FOREVER;
    return (uint64_t)next;
}

double sgdr_cycle_peak(const sgdr_config *c, uint64_t k)
{
    double peak = k == 0 ? c->max_lr : c->max_lr * pow(c->lr_decay, (double)k);
    /* lr_decay > 1 over enough cycles overflows: saturate, so that no learning rate is
     * ever infinite (or NaN, from inf * 0 at the end of a cycle). */
    if (peak > DBL_MAX) peak = DBL_MAX;
    if (c->restart_mode == SGDR_RESTART_PEAK && !(peak > c->min_lr)) peak = c->min_lr;
    return peak;
}

/* Walk on from the table's last cycle while a later cycle can still start within 64 bits,
 * keeping every cp_stride-th: when the checkpoints are full, every other one is dropped and
 * the stride doubles, so they stay evenly spaced however far the walk goes. The walk is the
 * same stepping as sgdr_position_at's, so a checkpoint is exactly where stepping gets. */
static void checkpoints_build(const sgdr_config *c, sgdr_cycle_table *t)
{
    const size_t last = t->count - 1;
    uint64_t k = last, start = t->start[last], length = t->length[last], walked = 0;
    size_t i;
    t->cp_count = 0;
    t->cp_stride = 1;
    if (t->count < SGDR_CYCLE_TABLE || c->mult_factor == 1.0) return;
    while (length != SGDR_CYCLE_FOREVER && length <= UINT64_MAX - start &&
           walked < SGDR_CHECKPOINT_WALK) {
        start += length;
        length = sgdr_next_cycle_length(c, length);
        k++;
        if (++walked % t->cp_stride != 0) continue;
        if (t->cp_count == SGDR_CYCLE_CHECKPOINTS) {
            /* Entry j is the (j + 1) * stride-th cycle walked: keep those of odd j. */
            for (i = 1; i < SGDR_CYCLE_CHECKPOINTS; i += 2) {
                t->cp_cycle[i / 2] = t->cp_cycle[i];
                t->cp_start[i / 2] = t->cp_start[i];
                t->cp_length[i / 2] = t->cp_length[i];
            }
            t->cp_count = SGDR_CYCLE_CHECKPOINTS / 2;
            t->cp_stride *= 2;
            if (walked % t->cp_stride != 0) continue;
        }
        t->cp_cycle[t->cp_count] = k;
        t->cp_start[t->cp_count] = start;
        t->cp_length[t->cp_count] = length;
        t->cp_count++;
    }
}

void sgdr_cycle_table_build(const sgdr_config *c, sgdr_cycle_table *t)
{
    uint64_t start = 0, length = c->cycle_length;
    size_t k;
    for (k = 0; k < SGDR_CYCLE_TABLE; k++) {
        t->start[k] = start;
        t->length[k] = length;
        if (length == SGDR_CYCLE_FOREVER || c->mult_factor == 1.0) {
            k++;
            break;
        }
        start = sgdr_add_sat(start, length);
        length = sgdr_next_cycle_length(c, length);
    }
    t->count = k;
    checkpoints_build(c, t);
}

/* The position at the start of cycle k whose first epoch (after warm-up) is `start`. */
static void enter_cycle(const sgdr_config *c, sgdr_position *p, uint64_t k, uint64_t start,
                        uint64_t length)
{
    p->phase = (c->max_cycles != 0 && k >= c->max_cycles) ? SGDR_PHASE_HOLD : SGDR_PHASE_CYCLE;
    p->cycle = k;
    p->cycle_length = p->phase == SGDR_PHASE_HOLD ? SGDR_CYCLE_FOREVER : length;
    p->cycle_end = sgdr_add_sat(sgdr_add_sat(c->warmup_epochs, start), p->cycle_length);
    p->pos = 0;
    p->peak = p->phase == SGDR_PHASE_HOLD ? c->min_lr : sgdr_cycle_peak(c, k);
}

/* The position `pos` batches into the warm-up. */
static void enter_warmup(const sgdr_config *c, sgdr_position *p, uint64_t pos)
{
    p->phase = SGDR_PHASE_WARMUP;
    p->cycle = 0;
    p->cycle_length = c->warmup_epochs;
    p->cycle_end = c->warmup_epochs;
    p->pos = pos;
    p->peak = c->max_lr;
}

void sgdr_position_start(const sgdr_config *c, sgdr_position *p)
{
    p->step = 0;
    p->epoch = 0;
    p->batch_in_epoch = 0;
    if (c->warmup_epochs > 0) {
        enter_warmup(c, p, 0);
    } else {
        enter_cycle(c, p, 0, 0, c->cycle_length);
    }
}

void sgdr_position_restart(const sgdr_config *c, sgdr_position *p)
{
    if (p->phase == SGDR_PHASE_WARMUP) {
        enter_cycle(c, p, 0, 0, c->cycle_length);
    } else {
        uint64_t start = p->cycle_end - c->warmup_epochs;
        enter_cycle(c, p, p->cycle + 1, start, sgdr_next_cycle_length(c, p->cycle_length));
    }
}

void sgdr_position_at(const sgdr_config *c, const sgdr_cycle_table *t, uint64_t step,
                      sgdr_position *p)
{
    const uint64_t spe = c->steps_per_epoch;
    const uint64_t warm = c->warmup_epochs * spe; /* both < 2^32: no overflow */
    uint64_t epoch, k, start, length;

    p->step = step;
    p->epoch = step / spe;
    p->batch_in_epoch = step % spe;
    if (step < warm) {
        enter_warmup(c, p, step);
        return;
    }
    epoch = (step - warm) / spe; /* epochs since cycle 0 began */
    /* Cycle max_cycles (when limited) is the hold: the search never goes past it. */
    if (c->mult_factor == 1.0) {
        k = epoch / c->cycle_length;
        if (c->max_cycles != 0 && k > c->max_cycles) k = c->max_cycles;
        start = k * c->cycle_length;
        length = c->cycle_length;
    } else {
        /* Binary search for the last table start <= epoch, then step past the table. */
        size_t lo = 0, hi = t->count;
        if (c->max_cycles != 0 && c->max_cycles < hi) hi = (size_t)c->max_cycles + 1;
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->start[mid] <= epoch) lo = mid;
            else hi = mid;
        }
        k = lo;
        start = t->start[lo];
        length = t->length[lo];
        if (lo == t->count - 1 && t->cp_count > 0) {
            /* Past the table: the last checkpoint that starts by `epoch`, within max_cycles. */
            size_t cp_lo = 0, cp_hi = t->cp_count;
            if (t->cp_start[0] <= epoch &&
                (c->max_cycles == 0 || t->cp_cycle[0] <= c->max_cycles)) {
                while (cp_hi - cp_lo > 1) {
                    size_t mid = cp_lo + (cp_hi - cp_lo) / 2;
                    if (t->cp_start[mid] <= epoch &&
                        (c->max_cycles == 0 || t->cp_cycle[mid] <= c->max_cycles))
                        cp_lo = mid;
                    else
                        cp_hi = mid;
                }
                k = t->cp_cycle[cp_lo];
                start = t->cp_start[cp_lo];
                length = t->cp_length[cp_lo];
            }
        }
        while (length != SGDR_CYCLE_FOREVER && epoch - start >= length &&
               (c->max_cycles == 0 || k < c->max_cycles)) {
            start += length;
            length = sgdr_next_cycle_length(c, length);
            k++;
        }
    }
    enter_cycle(c, p, k, start, length);
    p->pos = step - warm - start * spe;
}

double sgdr_position_lr(const sgdr_config *c, const sgdr_position *p)
{
    return sgdr_phase_lr(c, p, p->pos);
}

double sgdr_phase_lr_other(const sgdr_config *c, const sgdr_position *p, uint64_t pos)
{
    const uint64_t spe = c->steps_per_epoch;
    switch (p->phase) {
    case SGDR_PHASE_WARMUP: {
        uint64_t total = c->warmup_epochs * spe;
        double rise;
        if (pos >= total) return c->max_lr;
        rise = (c->max_lr - c->warmup_start_lr) * (double)pos;
        /* A max_lr near DBL_MAX overflows that product: divide first then (other bits,
         * but only where the usual order would give infinity). */
        if (!(rise <= DBL_MAX))
            return c->warmup_start_lr +
                   (c->max_lr - c->warmup_start_lr) * ((double)pos / (double)total);
        return c->warmup_start_lr + rise / (double)total;
    }
    case SGDR_PHASE_HOLD:
        return c->min_lr;
    default:
        break;
    }
    /* keras-seed (peak-mode cycles are sgdr_phase_lr's own). The seed's clr(): fraction =
     * b / (steps_per_epoch * cycle_length), unclamped. The first batch of cycle 0 trains at
     * max_lr (set by on_train_begin); that of a later cycle at the previous cycle's value at
     * b = N, which is exactly min_lr. */
    if (pos == 0) return p->cycle == 0 ? c->max_lr : c->min_lr;
    return c->min_lr + 0.5 * (p->peak - c->min_lr) *
                           (1.0 + cos(((double)pos / ((double)spe * (double)p->cycle_length)) *
                                      M_PI));
}
