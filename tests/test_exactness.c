/* SPDX-License-Identifier: MIT */
/* test_exactness.c -- restart points found in exact arithmetic, far into a run.
 *
 * A closed form that finds the cycle with a logarithm (PyTorch's and timm's
 * floor(log(T_cur / T_0 * (m - 1) + 1, m))) can land one cycle short at a restart point and
 * give the floor instead of the peak. Here a reference walks the cycle lengths one by one,
 * C[k+1] = ceil(C[k] * mult_factor) in double (docs/SPEC.md §3.2), with batch positions as exact
 * integers, and sgdr_lr_at must agree at every cycle's first batch (bit for bit: the peak),
 * around every boundary, and densely over the first cycles. Then sgdr_lr_at at the far end
 * of uint64_t, and the callbacks against sgdr_lr_at bit for bit over long runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "host.h"
#include "testutil.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define TWO_POW_62 ((uint64_t)1 << 62)

/* ---- the reference ---- */

static double cosine(double min_lr, double peak, uint64_t b, uint64_t n)
{
    return min_lr + 0.5 * (peak - min_lr) * (1.0 + cos(M_PI * (double)b / (double)n));
}

/* P[k]: max_lr * lr_decay^k, clamped to min_lr in peak mode only. */
static double peak_of(const golden *c, uint64_t k)
{
    double p = k == 0 ? c->max_lr : c->max_lr * pow(c->lr_decay, (double)k);
    return c->mode == SGDR_RESTART_PEAK && p < c->min_lr ? c->min_lr : p;
}

/* C[k+1]; lengths of 2^62 epochs and more (no run gets there) read as UINT64_MAX. */
static uint64_t next_length(const golden *c, uint64_t length)
{
    double next = ceil((double)length * c->mult_factor);
    return next >= (double)TWO_POW_62 ? UINT64_MAX : (uint64_t)next;
}

/* The lr of batch `b` of cycle k (n batches) as docs/SPEC.md §3.4 defines it for uniform epochs. */
static double cycle_lr(const golden *c, uint64_t k, uint64_t b, uint64_t n)
{
    if (c->mode == SGDR_RESTART_KERAS_SEED && b == 0) return k == 0 ? c->max_lr : c->min_lr;
    return cosine(c->min_lr, peak_of(c, k), b, n);
}

/* The lr of batch `step`, walking the cycles from the first. Returns 0 when the walk would
 * need a cycle of 2^62 epochs or more (beyond any run; the library saturates there) or more
 * than a million cycles. */
static int reference_lr(const golden *c, uint64_t step, double *lr)
{
    const uint64_t spe = (uint64_t)c->steps_per_epoch;
    const uint64_t warm = (uint64_t)c->warmup_epochs * spe;
    uint64_t epoch, start = 0, length = (uint64_t)c->cycle_length, k = 0;
    if (step < warm) {
        *lr = c->warmup_start_lr + (c->max_lr - c->warmup_start_lr) * (double)step / (double)warm;
        return 1;
    }
    epoch = (step - warm) / spe;
    if (c->mult_factor == 1.0 && c->max_cycles == 0) { /* equal cycles: integer division */
        k = epoch / length;
        start = k * length;
    }
    while (epoch - start >= length) {
        if (k >= 1000000) return 0; /* a walk this long is not worth it for a test */
        if (c->max_cycles > 0 && k + 1 >= (uint64_t)c->max_cycles) {
            *lr = c->min_lr; /* the hold */
            return 1;
        }
        start += length;
        length = next_length(c, length);
        k++;
        if (length >= TWO_POW_62) return 0;
    }
    if (length > UINT64_MAX / spe) return 0;
    *lr = cycle_lr(c, k, step - warm - start * spe, length * spe);
    return 1;
}

/* ---- helpers ---- */

static sgdr_scheduler *make(const golden *c)
{
    sgdr_scheduler *s = golden_scheduler(c);
    assert_non_null(s);
    return s;
}

static double lr_at(const sgdr_scheduler *s, uint64_t step)
{
    double lr = NAN;
    assert_int_equal(sgdr_lr_at(s, step, &lr), SGDR_OK);
    return lr;
}

static void assert_bits(double got, double want, uint64_t step)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("step %llu: lr %.17g, expected exactly %.17g", (unsigned long long)step, got,
                 want);
}

/* Within 1e-12 * max_lr: what different libm cosines allow (docs/SPEC.md §1.3). */
static void assert_near(const golden *c, double got, double want, uint64_t step)
{
    if (!(fabs(got - want) <= 1e-12 * c->max_lr))
        fail_msg("step %llu: lr %.17g, reference %.17g", (unsigned long long)step, got, want);
}

#define CFG(mode_, spe_, cycle_, mult_, decay_, warm_)                                      \
    {.mode = (mode_), .min_lr = 1e-4, .max_lr = 0.5, .steps_per_epoch = (spe_),            \
     .cycle_length = (cycle_), .mult_factor = (mult_), .lr_decay = (decay_),               \
     .warmup_epochs = (warm_), .warmup_start_lr = 0.01}

/* ---- restart points ---- */

static const struct restart_case {
    golden cfg;
    uint64_t min_cycles; /* the walk must reach this many (all that end by step 2^62) */
    uint64_t max_cycles; /* and stops after this many */
} restart_cases[] = {
    {CFG(SGDR_RESTART_PEAK, 1, 1, 3, 1, 0), 39, 1000},
    {CFG(SGDR_RESTART_PEAK, 391, 10, 3, 1, 0), 32, 1000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 10, 1, 0), 19, 1000},
    {CFG(SGDR_RESTART_PEAK, 7, 3, 10, 0.5, 2), 18, 1000},
    {CFG(SGDR_RESTART_KERAS_SEED, 1, 1, 3, 0.5, 0), 39, 1000},
    {CFG(SGDR_RESTART_KERAS_SEED, 13, 2, 10, 1, 0), 18, 1000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 1.5, 1, 0), 103, 1000},
    {CFG(SGDR_RESTART_PEAK, 5, 3, 1.5, 0.5, 1), 97, 1000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 2, 1, 0), 62, 1000},
    {CFG(SGDR_RESTART_KERAS_SEED, 3, 1, 2, 1, 0), 60, 1000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 1.001, 1, 0), 3000, 3000},
    {CFG(SGDR_RESTART_PEAK, 2, 7, 1.001, 0.5, 3), 3000, 3000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 1.0 + 0x1p-40, 1, 0), 3000, 3000},
    {CFG(SGDR_RESTART_PEAK, 3, 5, 1.0 + 0x1p-52, 0.5, 0), 3000, 3000},
    {CFG(SGDR_RESTART_PEAK, 1, 1, 1, 1, 0), 10000, 10000},
    {CFG(SGDR_RESTART_PEAK, 4, 3, 1, 0.5, 2), 10000, 10000},
};

/* main() lists every case of the table. */
typedef char every_restart_case_listed[sizeof restart_cases / sizeof restart_cases[0] == 16 ? 1 : -1];

/* Every cycle's first batch trains at its peak (keras-seed: max_lr, then the carried
 * min_lr); the batch before it at the end of the previous cycle, the one after it and the
 * cycle's middle as the reference says. Cycles are walked until their end passes 2^62. */
static void test_restart_points(void **state)
{
    const struct restart_case *rc = *state;
    const golden *c = &rc->cfg;
    sgdr_scheduler *s = make(c);
    const uint64_t spe = (uint64_t)c->steps_per_epoch;
    uint64_t start = (uint64_t)c->warmup_epochs, length = (uint64_t)c->cycle_length, k;
    const uint64_t limit = TWO_POW_62 / spe; /* in epochs */
    uint64_t prev_n = 0;
    /* short (test_short()): the first 300 cycles, where the slow walks of the long cases
     * have not yet begun to cost */
    const uint64_t max_cycles = test_short() && rc->max_cycles > 300 ? 300 : rc->max_cycles;
    const uint64_t min_cycles = rc->min_cycles < max_cycles ? rc->min_cycles : max_cycles;

    for (k = 0; k < max_cycles && start <= limit && length <= limit - start; k++) {
        const uint64_t first = start * spe, n = length * spe;
        assert_bits(lr_at(s, first), cycle_lr(c, k, 0, n), first);
        if (k > 0)
            assert_near(c, lr_at(s, first - 1), cycle_lr(c, k - 1, prev_n - 1, prev_n),
                        first - 1);
        if (n > 1) assert_near(c, lr_at(s, first + 1), cycle_lr(c, k, 1, n), first + 1);
        assert_near(c, lr_at(s, first + n / 2), cycle_lr(c, k, n / 2, n), first + n / 2);
        prev_n = n;
        start += length;
        length = next_length(c, length);
    }
    if (k < min_cycles)
        fail_msg("only %llu cycles walked, expected at least %llu", (unsigned long long)k,
                 (unsigned long long)min_cycles);
    sgdr_destroy(s);
}

/* Every batch of the first cycles against the reference. */
static void test_every_step_of_the_first_cycles(void **state)
{
    static const golden cases[] = {
        CFG(SGDR_RESTART_PEAK, 1, 1, 3, 1, 0),  CFG(SGDR_RESTART_PEAK, 1, 1, 10, 0.5, 0),
        CFG(SGDR_RESTART_PEAK, 3, 2, 3, 1, 2),  CFG(SGDR_RESTART_KERAS_SEED, 1, 1, 3, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 1.5, 1, 0),
    };
    const uint64_t steps = test_short() ? 15000 : 150000;
    size_t i;
    uint64_t step;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sgdr_scheduler *s = make(&cases[i]);
        for (step = 0; step < steps; step++) {
            double want = NAN;
            assert_true(reference_lr(&cases[i], step, &want));
            assert_near(&cases[i], lr_at(s, step), want, step);
        }
        sgdr_destroy(s);
    }
}

/* cycle_length 1, mult_factor 3, one batch per epoch: cycles start at 0, 1, 4, 13, 40, 121,
 * 364, ... At 121 the log-based closed form computes log(243) / log(3) a hair under 5, takes
 * cycle 4 and gives eta_min; the first batch of cycle 5 must train at the peak. */
static void test_pytorch_trap_step_121(void **state)
{
    golden c = {.min_lr = 0, .max_lr = 1, .steps_per_epoch = 1, .lr_decay = 1,
                .cycle_length = 1, .mult_factor = 3};
    static const uint64_t starts[] = {0, 1, 4, 13, 40, 121, 364, 1093, 3280, 9841};
    sgdr_scheduler *s = make(&c);
    size_t i;
    (void)state;
    for (i = 0; i < sizeof starts / sizeof starts[0]; i++) assert_bits(lr_at(s, starts[i]), 1.0, starts[i]);
    assert_true(lr_at(s, 120) < 1e-3); /* the last batch of cycle 4 (81 batches) */
    assert_near(&c, lr_at(s, 122), cosine(0, 1, 1, 243), 122);
    sgdr_destroy(s);
}

/* ---- the far end of uint64_t ---- */

/* Far steps return promptly (no timing is asserted here; bench/ measures it) with a finite
 * lr in [min_lr, max_lr], the same one twice; where no cycle reaches 2^62 epochs before the
 * step, the reference agrees. */
static void test_far_steps(void **state)
{
    static const golden cases[] = {
        CFG(SGDR_RESTART_PEAK, 1, 1, 1, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 1.001, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 1.0 + 0x1p-40, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 4294967295.0, 1.0 + 0x1p-33, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 1.5, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 2, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 3, 1, 0),
        CFG(SGDR_RESTART_PEAK, 1, 1, 10, 1, 0),
        CFG(SGDR_RESTART_PEAK, 391, 10, 3, 0.9, 5),
        CFG(SGDR_RESTART_PEAK, 4294967295.0, 4294967295.0, 1.001, 1, 4294967295.0),
        CFG(SGDR_RESTART_KERAS_SEED, 1, 1, 3, 1, 0),
        CFG(SGDR_RESTART_KERAS_SEED, 97, 4294967295.0, 2, 1, 0),
        {.min_lr = 0.01, .max_lr = 0.5, .steps_per_epoch = 1, .lr_decay = 1,
         .cycle_length = 1, .mult_factor = 2, .max_cycles = 60},
        {.min_lr = 0.01, .max_lr = 0.5, .steps_per_epoch = 1, .lr_decay = 0.5,
         .cycle_length = 2, .mult_factor = 1.5, .max_cycles = 4294967295.0},
    };
    static const uint64_t steps[] = {TWO_POW_62 - 1, TWO_POW_62, TWO_POW_62 + 1,
                                     UINT64_MAX - 1, UINT64_MAX};
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sgdr_scheduler *s = make(&cases[i]);
        for (j = 0; j < sizeof steps / sizeof steps[0]; j++) {
            double lr = lr_at(s, steps[j]), want;
            if (!(isfinite(lr) && lr >= cases[i].min_lr && lr <= cases[i].max_lr))
                fail_msg("case %zu, step %llu: lr %.17g", i, (unsigned long long)steps[j], lr);
            assert_bits(lr_at(s, steps[j]), lr, steps[j]);
            if (reference_lr(&cases[i], steps[j], &want))
                assert_near(&cases[i], lr, want, steps[j]);
        }
        sgdr_destroy(s);
    }
}

/* ---- the callbacks and sgdr_lr_at: one code path ---- */

/* Every batch of a long run driven through the callbacks trains at exactly the bits
 * sgdr_lr_at gives for its step. */
static void test_callbacks_match_lr_at(void **state)
{
    static const golden cases[] = {
        CFG(SGDR_RESTART_PEAK, 7, 3, 2, 1, 0),
        CFG(SGDR_RESTART_KERAS_SEED, 7, 3, 2, 1, 0),
        CFG(SGDR_RESTART_KERAS_SEED, 5, 2, 1.5, 0.5, 0),
        CFG(SGDR_RESTART_PEAK, 11, 2, 1.5, 0.8, 3),
        CFG(SGDR_RESTART_PEAK, 5, 2, 1, 0.7, 0),
        CFG(SGDR_RESTART_PEAK, 3, 2, 1.37, 1, 1),
        CFG(SGDR_RESTART_PEAK, 1, 1, 3, 1, 0),
        {.min_lr = 0.001, .max_lr = 0.1, .steps_per_epoch = 13, .lr_decay = 0.9,
         .cycle_length = 1, .mult_factor = 3, .max_cycles = 4, .warmup_epochs = 2},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint64_t spe = (uint64_t)cases[i].steps_per_epoch;
        sgdr_scheduler *s = make(&cases[i]);
        host h;
        uint64_t step;
        host_reset(&h);
        h.no_events = 1; /* 30000 batches (3000 short): only the last lr matters */
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, &h), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 0), SGDR_OK);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        for (step = 0; step < (test_short() ? 3000u : 30000u); step++) {
            assert_bits(h.lr, lr_at(s, step), step);
            assert_int_equal(sgdr_on_batch_end(s, step % spe, NULL, 0), SGDR_OK);
            if ((step + 1) % spe == 0)
                assert_int_equal(sgdr_on_epoch_end(s, step / spe, NULL, 0), SGDR_OK);
        }
        assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
        sgdr_destroy(s);
    }
}

#define RESTART(i) cmocka_unit_test_prestate(test_restart_points, (void *)&restart_cases[i])

int main(void)
{
    const struct CMUnitTest tests[] = {
        RESTART(0), RESTART(1), RESTART(2), RESTART(3), RESTART(4), RESTART(5), RESTART(6),
        RESTART(7), RESTART(8), RESTART(9), RESTART(10), RESTART(11), RESTART(12), RESTART(13),
        RESTART(14), RESTART(15),
        cmocka_unit_test(test_every_step_of_the_first_cycles),
        cmocka_unit_test(test_pytorch_trap_step_121),
        cmocka_unit_test(test_far_steps),
        cmocka_unit_test(test_callbacks_match_lr_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
