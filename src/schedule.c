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

/* x86 before SSE4.1 has no instruction for ceil, and the call that replaces it doubles the
 * cost of a cycle of the walk. So on x86 the search is compiled twice, once for SSE4.1, and
 * the CPU is asked which to run (ceil is exact: the same bits either way). The copies are
 * made by inlining one body into two functions, and picked by a plain test: no ifunc, which
 * some loaders, static links and sanitizers cannot take. */
#if (defined(__x86_64__) || defined(__i386__)) && \
    ((defined(__GNUC__) && __GNUC__ >= 5) || defined(__clang__))
#define SGDR_SEARCH_SSE41 1
#endif

/* Whether n cycles of lengths L, L+d, ..., L+(n-1)d fit in `left` epochs:
 * n*L + d*n*(n-1)/2 <= left, without overflow (a*b = n*(n-1)/2, one of them halved). */
static int run_fits(uint64_t n, uint64_t L, uint64_t d, uint64_t left)
{
    uint64_t a = n % 2 == 0 ? n / 2 : n, b = n % 2 == 0 ? n - 1 : (n - 1) / 2;
    if (n == 0) return 1;
    if (L > left / n) return 0;
    left -= n * L;
    return b == 0 || a <= left / b / d;
}

/* Whether the cycle after one of length x (x + d < 2^53) is at most x + d epochs long:
 * next_cycle_length()'s own double arithmetic. */
static SGDR_INLINE int grows_at_most(double m, uint64_t x, uint64_t d)
{
    return ceil((double)x * m) <= (double)(x + d);
}

/* Jump over runs of cycles whose lengths grow by the same d, from cycle *k of length *length
 * starting at epoch *start, towards the cycle of epoch e. Why a jump is exact: let
 * g(x) = ceil(fl(x * m)) - x be the growth after a cycle of x epochs, and 2^p <= L < 2^52.
 * For integers x in [2^p, 2^(p+1)) whose real product x * m stays below 2^(p+1), doubles
 * there are the multiples of u = 2^(p-52) <= 1/2, so x is one and fl(x * m) is x plus
 * x * (m - 1) rounded to a multiple of u; that rounding never decreases as its argument
 * grows, so neither does g. If g(L) = d and g(L + j*d) <= d with L + (j+1)*d < 2^(p+1)
 * (so that product is below 2^(p+1) too), every length L + i*d, i <= j, grows by exactly d:
 * j+1 cycles whose starts are an arithmetic series, summed in exact integers. Only the count
 * j comes from a double estimate (x*(m-1) crosses d + u/2 there), and it is checked with
 * the recurrence itself, so the estimate decides the speed and never the result. Runs shorter
 * than about eight cycles (d * (m-1) > 1/8) are left to the walk, which is cheaper there; the
 * binade limit costs one extra run per power of two. */
static SGDR_INLINE void run_jumps(const sgdr_config *c, uint64_t e, uint64_t *k, uint64_t *start,
                      uint64_t *length)
{
    const double m = c->mult_factor, eps = m - 1.0; /* exact: m is in (1, 2) here */
    uint64_t L = *length, top = 1;                   /* top: the power of two above L */
    while (L < ((uint64_t)1 << 52) && e - *start >= L &&
           (c->max_cycles == 0 || *k < c->max_cycles)) {
        const uint64_t left = e - *start, d = (uint64_t)ceil((double)L * m) - L;
        uint64_t jmax, j = 0, n;
        double est, h;
        if ((double)d * eps > 0.125) break;
        while (top <= L) top <<= 1;
        jmax = (top - 1 - L) / d >= 2 ? (top - 1 - L) / d - 1 : 0; /* L + (j+1)*d < top */
        est = (((double)d + (double)top * 0x1p-54) / eps - (double)L) / (double)d;
        if (est > 0) j = est < (double)jmax ? (uint64_t)est : jmax;
        while (j > 0 && !grows_at_most(m, L + j * d, d)) j--;
        while (j < jmax && grows_at_most(m, L + (j + 1) * d, d)) j++;
        /* Cycles L, ..., L + j*d: how many fit in what is left (and below max_cycles). Most
         * runs fit whole, by a margin that the few roundings of the double sum cannot
         * close; the last one is solved and corrected exactly. */
        if (c->max_cycles != 0 && c->max_cycles - *k <= j) j = c->max_cycles - *k - 1;
        n = j + 1;
        if (!((double)n * ((double)L + 0.5 * (double)d * (double)j) < 0.999999 * (double)left)) {
            h = (double)L - 0.5 * (double)d;
            est = 2.0 * (double)left / (h + sqrt(h * h + 2.0 * (double)d * (double)left));
            n = est < (double)(j + 1) ? (uint64_t)est : j + 1;
            while (n > 0 && !run_fits(n, L, d, left)) n--;
            while (n < j + 1 && run_fits(n + 1, L, d, left)) n++;
        }
        /* The n cycles end within e: no sum overflows. */
        *start += n * L + d * (n % 2 == 0 ? n / 2 * (n - 1) : (n - 1) / 2 * n);
        *k += n;
        L += n * d;
        if (n < j + 1) break; /* the cycle of e, or the hold, is inside the run */
    }
    *length = L;
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

/* Cycle by cycle towards the cycle of epoch e: next_cycle_length() with the length kept as
 * a double too (converting from uint64_t is slow; ceil of a double is exactly the integer it
 * names, and below 2^62 it converts through int64_t). */
static SGDR_INLINE void walk(const sgdr_config *c, uint64_t e, uint64_t *k, uint64_t *start,
                 uint64_t *length)
{
    uint64_t n = *k, at = *start, L = *length;
    double len = (double)L;
    while (L != SGDR_CYCLE_FOREVER && e - at >= L && (c->max_cycles == 0 || n < c->max_cycles)) {
        at += L;
        len = ceil(len * c->mult_factor);
        L = len < SGDR_CYCLE_CAP ? (uint64_t)(int64_t)len : SGDR_CYCLE_FOREVER;
        n++;
    }
    *k = n, *start = at, *length = L;
}

/* The cycle of epoch e (from cycle *k of *length epochs starting at epoch *start), for a
 * factor above 1. */
static SGDR_INLINE void search(const sgdr_config *c, uint64_t e, uint64_t *k, uint64_t *start,
                               uint64_t *length)
{
    uint64_t a, b;
    if (c->mult_factor < 1.25) run_jumps(c, e, k, start, length);
    /* A factor a / 2^b (1.5, 2, 3, 10, ...): while L * a < 2^53 the product L * factor
     * is exact in double precision, and its ceil is an integer division. */
    if (dyadic(c->mult_factor, &a, &b)) {
        while (*length < ((uint64_t)1 << 53) / a && e - *start >= *length &&
               (c->max_cycles == 0 || *k < c->max_cycles)) {
            *start += *length;
            *length = (*length * a + ((uint64_t)1 << b) - 1) >> b;
            ++*k;
        }
    }
    walk(c, e, k, start, length);
}

#ifdef SGDR_SEARCH_SSE41
__attribute__((target("sse4.1"))) static void search_sse41(const sgdr_config *c, uint64_t e,
                                                           uint64_t *k, uint64_t *start,
                                                           uint64_t *length)
{
    search(c, e, k, start, length);
}
#endif

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
#ifdef SGDR_SEARCH_SSE41
        if (__builtin_cpu_supports("sse4.1")) {
            search_sse41(c, e, &k, &start, &length);
        } else
#endif
            search(c, e, &k, &start, &length);
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
