/* SPDX-License-Identifier: MIT */
/* schedule.c -- where a step falls and the learning rate there (see schedule.h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "schedule.h"

/* Cycle lengths at or above this saturate to SGDR_CYCLE_FOREVER: 2^62 epochs is beyond any
 * run, and keeping lengths below it keeps every sum of two of them in 64 bits. */
#define SGDR_CYCLE_CAP 4611686018427387904.0 /* 2^62 */

/* a + b, saturating at UINT64_MAX. */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* C[k+1] from C[k], saturating at SGDR_CYCLE_FOREVER. */
static uint64_t next_cycle_length(const sgdr_config *c, uint64_t length)
{
    double next;
    if (length == SGDR_CYCLE_FOREVER) return SGDR_CYCLE_FOREVER;
    /* The Keras callback's np.ceil(cycle_length * mult_factor), in double precision
     * (docs/SPEC.md §3.2). Exact integer arithmetic on the counters everywhere else: no
     * logarithm decides a cycle. */
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

/* The position at the start of cycle k whose first epoch (after warm-up) is `start`. */
static void enter_cycle(const sgdr_config *c, sgdr_position *p, uint64_t k, uint64_t start,
                        uint64_t length)
{
    p->phase = (c->max_cycles != 0 && k >= c->max_cycles) ? SGDR_PHASE_HOLD : SGDR_PHASE_CYCLE;
    p->cycle = k;
    p->cycle_length = p->phase == SGDR_PHASE_HOLD ? SGDR_CYCLE_FOREVER : length;
    p->cycle_end = add_sat(add_sat(c->warmup_epochs, start), p->cycle_length);
    p->pos = 0;
    p->peak = p->phase == SGDR_PHASE_HOLD ? c->min_lr : sgdr_cycle_peak(c, k);
}

void sgdr_position_restart(const sgdr_config *c, sgdr_position *p)
{
    if (p->phase == SGDR_PHASE_WARMUP)
        enter_cycle(c, p, 0, 0, c->cycle_length);
    else
        enter_cycle(c, p, p->cycle + 1, p->cycle_end - c->warmup_epochs,
                    next_cycle_length(c, p->cycle_length));
}

/* Whether j cycles of lengths L, L+1, ..., L+j-1 fit in e epochs: j*L + j*(j-1)/2 <= e. */
static int ramp_fits(uint64_t j, uint64_t L, uint64_t e)
{
    uint64_t tri = (j % 2 == 0) ? j / 2 : (j - 1) / 2, other = (j % 2 == 0) ? j - 1 : j;
    if (j == 0) return 1;
    if (L > e / j) return 0;
    e -= j * L;
    return other == 0 || tri <= e / other;
}

/* Lengths grow by exactly one epoch while L * (mult_factor - 1) <= 1: then L * mult_factor
 * lies in (L, L + 1], and so does its rounding to a double (L + 1 is a double, rounding is
 * monotonic, and the product exceeds L by at least an ulp of L). From a cycle of length L
 * there, jump over as many cycles as fit in e epochs: their starts are a quadratic in the
 * count, solved in double precision and corrected in exact integers. */
static void ramp_jump(const sgdr_config *c, uint64_t e, uint64_t *k, uint64_t *start,
                      uint64_t *length)
{
    const double eps = c->mult_factor - 1.0; /* exact: mult_factor is in (1, 2) here */
    double top = floor(1.0 / eps), h, est;
    uint64_t L = *length, left = e - *start, j, jmax;
    while (fma(top, eps, -1.0) > 0) top -= 1;
    while (fma(top + 1, eps, -1.0) <= 0) top += 1;
    if ((double)L > top) return;
    /* Cycles L .. top each lead to a length one more: jump at most that many. */
    jmax = (uint64_t)top - L + 1;
    if (c->max_cycles != 0 && c->max_cycles - *k < jmax) jmax = c->max_cycles - *k;
    h = (double)L - 0.5;
    est = 2.0 * (double)left / (h + sqrt(h * h + 2.0 * (double)left));
    j = est < (double)jmax ? (uint64_t)est : jmax;
    while (j > 0 && !ramp_fits(j, L, left)) j--;
    while (j < jmax && ramp_fits(j + 1, L, left)) j++;
    /* The j cycles jumped end within e, so none of these sums overflows. */
    *start += j * L + (j % 2 == 0 ? j / 2 * (j - 1) : (j - 1) / 2 * j);
    *length = L + j;
    *k += j;
}

/* Whether m (>= 1) is a / 2^b with a < 2^20. */
static int dyadic(double m, uint64_t *a, uint64_t *b)
{
    uint64_t bits, mant;
    int exp, tz = 0;
    memcpy(&bits, &m, sizeof bits);
    exp = (int)((bits >> 52) & 0x7FF) - 1023;
    if (exp >= 20) return 0;
    mant = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    while (((mant >> tz) & 1) == 0) tz++;
    if (52 - tz > 19 + exp) return 0; /* a would need 20 bits or more */
    *a = mant >> tz;
    if (52 - tz - exp >= 0) {
        *b = (uint64_t)(52 - tz - exp);
    } else {
        *a <<= exp - (52 - tz);
        *b = 0;
    }
    return *a < ((uint64_t)1 << 20);
}

void sgdr_position_at(const sgdr_config *c, uint64_t step, sgdr_position *p)
{
    const uint64_t spe = c->steps_per_epoch;
    const uint64_t warm = c->warmup_epochs * spe; /* both < 2^32: no overflow */
    uint64_t e, k = 0, start = 0, length = c->cycle_length;

    p->step = step;
    p->epoch = step / spe;
    p->batch_in_epoch = step % spe;
    if (step < warm) {
        p->phase = SGDR_PHASE_WARMUP;
        p->cycle = 0;
        p->cycle_length = p->cycle_end = c->warmup_epochs;
        p->peak = c->max_lr;
        p->pos = step;
        return;
    }
    e = (step - warm) / spe; /* epochs since cycle 0 began */
    /* Cycle max_cycles (when limited) is the hold: the search never goes past it. */
    if (c->mult_factor == 1.0) {
        k = e / length;
        if (c->max_cycles != 0 && k > c->max_cycles) k = c->max_cycles;
        start = k * length;
    } else {
        uint64_t a, b;
        double len;
        if (c->mult_factor - 1.0 <= 0x1p-10) ramp_jump(c, e, &k, &start, &length);
        /* A factor a / 2^b (1.5, 2, 3, 10, ...): while L * a < 2^53 the product L * factor
         * is exact in double precision, and its ceil is an integer division. */
        if (dyadic(c->mult_factor, &a, &b)) {
            while (length < ((uint64_t)1 << 53) / a && e - start >= length &&
                   (c->max_cycles == 0 || k < c->max_cycles)) {
                start += length;
                length = (length * a + ((uint64_t)1 << b) - 1) >> b;
                k++;
            }
        }
        /* next_cycle_length() with the length kept as a double too (converting from
         * uint64_t is slow): ceil of a double is exactly the integer it names. */
        len = (double)length;
        while (length != SGDR_CYCLE_FOREVER && e - start >= length &&
               (c->max_cycles == 0 || k < c->max_cycles)) {
            start += length;
            len = ceil(len * c->mult_factor);
            length = len < SGDR_CYCLE_CAP ? (uint64_t)len : SGDR_CYCLE_FOREVER;
            k++;
        }
    }
    enter_cycle(c, p, k, start, length);
    p->pos = step - warm - start * spe;
}

/* Batch pos of a linear rise from `from` to `to` over n batches (both warm-ups). A `to` near
 * DBL_MAX overflows (to - from) * pos: divide first then (other bits, but only where the
 * usual order would give infinity). */
static double rise(double from, double to, uint64_t pos, uint64_t n)
{
    double r = (to - from) * (double)pos;
    if (!(r <= DBL_MAX)) return from + (to - from) * ((double)pos / (double)n);
    return from + r / (double)n;
}

double sgdr_phase_lr_other(const sgdr_config *c, const sgdr_position *p, uint64_t pos)
{
    const uint64_t spe = c->steps_per_epoch;
    if (p->phase == SGDR_PHASE_WARMUP) {
        uint64_t total = c->warmup_epochs * spe;
        if (pos >= total) return c->max_lr;
        return rise(c->warmup_start_lr, c->max_lr, pos, total);
    }
    if (p->phase == SGDR_PHASE_HOLD) return c->min_lr;
    if (c->restart_mode == SGDR_RESTART_PEAK) {
        /* cycle_warmup_steps V > 0: a rise from min_lr over V batches, then the cosine over
         * the N - V batches left (V < N: the first cycle is the shortest). */
        const uint64_t v = c->cycle_warmup_steps;
        double x;
        if (pos < v) return rise(c->min_lr, p->peak, pos, v);
        x = (double)(pos - v) / (p->cycle_length <= UINT32_MAX
                                     ? (double)(spe * p->cycle_length - v)
                                     : (double)spe * (double)p->cycle_length - (double)v);
        if (x > 1) x = 1;
        return c->min_lr + 0.5 * (p->peak - c->min_lr) * (1.0 + cos(M_PI * x));
    }
    /* keras-seed (docs/SPEC.md §3.5): the Keras callback's clr(), fraction = b /
     * (steps_per_epoch * cycle_length), unclamped. The first batch of cycle 0 trains at
     * max_lr (set by on_train_begin); that of a later cycle at the previous cycle's value at
     * b = N, which is exactly min_lr. */
    if (pos == 0) return p->cycle == 0 ? c->max_lr : c->min_lr;
    return c->min_lr + 0.5 * (p->peak - c->min_lr) *
                           (1.0 + cos(((double)pos / ((double)spe * (double)p->cycle_length)) *
                                      M_PI));
}
