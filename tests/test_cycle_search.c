/* SPDX-License-Identifier: MIT */
/* test_cycle_search.c -- every finite mult_factor >= 1 is accepted (1.0 accepted them all,
 * and a minor version takes nothing away), and the library's search for the cycle of a step
 * agrees bit for bit with a plain walk over the cycle lengths, C[k+1] = ceil(C[k] * factor)
 * in double, one cycle at a time. Factors just above 1 are where the search jumps over runs
 * of cycles whose lengths grow by the same number of epochs; the walk checks every cycle
 * start and the batch before it (and its last batch) over the first 300 cycles, then every cycle where the growth
 * changes or the length crosses a power of two (sampled), and far steps up to 2^64 - 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "testutil.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define DECAY 0.9999999 /* every cycle its own peak, so a peak names its cycle */

/* One batch per epoch, peak mode, lr from 1 down to 0. */
static sgdr_scheduler *make(double factor, double cycle_length)
{
    sgdr_scheduler *s = NULL;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, cycle_length), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, DECAY), SGDR_OK);
    if (sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, factor) != SGDR_OK)
        fail_msg("mult_factor %.17g refused: %s", factor, sgdr_last_error(s));
    return s;
}

/* The reference, one cycle at a time: cycle k of `length` epochs starts at epoch `start`. */
typedef struct walk {
    double factor;
    uint64_t k, start, length, growth;
    uint64_t prev; /* the length of cycle k - 1 */
} walk;

static void walk_begin(walk *w, double factor, uint64_t cycle_length)
{
    w->factor = factor;
    w->k = w->start = w->growth = w->prev = 0;
    w->length = cycle_length;
}

/* Step to the next cycle; 0 when it would start after 2^64 - 1 or be 2^62 epochs long
 * (where the library saturates). */
static int walk_next(walk *w)
{
    double next = ceil((double)w->length * w->factor);
    if (w->length > UINT64_MAX - w->start || next >= 0x1p62) return 0;
    w->start += w->length;
    w->prev = w->length;
    w->growth = (uint64_t)next - w->length;
    w->length = (uint64_t)next;
    w->k++;
    return 1;
}

/* The lr of batch `pos` of cycle k (n batches), as the library computes it. */
static double cycle_lr(uint64_t k, uint64_t pos, uint64_t n)
{
    double peak = k == 0 ? 1.0 : pow(DECAY, (double)k);
    if (pos == 0) return peak;
    return 0.5 * peak * (1.0 + cos(M_PI * (double)pos / (double)n));
}

static void expect_lr(const sgdr_scheduler *s, uint64_t step, double want, const walk *w)
{
    double got = NAN;
    assert_int_equal(sgdr_lr_at(s, step, &got), SGDR_OK);
    if (!same_bits(got, want))
        fail_msg("mult_factor %.17g, step %llu (cycle %llu of %llu epochs from %llu): lr %a, "
                 "a plain walk gives %a", w->factor, (unsigned long long)step,
                 (unsigned long long)w->k, (unsigned long long)w->length,
                 (unsigned long long)w->start, got, want);
}

/* The first batch of the walk's current cycle, the one before it, and the cycle's last. */
static void check_cycle(const sgdr_scheduler *s, const walk *w)
{
    expect_lr(s, w->start, cycle_lr(w->k, 0, w->length), w);
    if (w->k > 0) expect_lr(s, w->start - 1, cycle_lr(w->k - 1, w->prev - 1, w->prev), w);
    if (w->length <= UINT64_MAX - w->start)
        expect_lr(s, w->start + w->length - 1, cycle_lr(w->k, w->length - 1, w->length), w);
}

/* 1.0 accepted these; 1.1 refused them (strictly between 1 + 2^-33 and 1.0005). */
static void test_factors_one_point_oh_accepted(void **state)
{
    static const double factors[] = {1.0001, 1.0000001, 1.00001, 1.0 + 0x1p-32, 1.0004999,
                                     1.0003};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof factors / sizeof factors[0]; i++) {
        sgdr_scheduler *s = make(factors[i], 1);
        double got = NAN, lr = NAN;
        walk w;
        assert_int_equal(sgdr_get_param(s, SGDR_PARAM_MULT_FACTOR, &got), SGDR_OK);
        assert_true(got == factors[i]);
        walk_begin(&w, factors[i], 1);
        while (w.start + w.length <= 1000000) assert_true(walk_next(&w));
        expect_lr(s, 1000000, cycle_lr(w.k, 1000000 - w.start, w.length), &w);
        assert_int_equal(sgdr_lr_at(s, UINT64_MAX, &lr), SGDR_OK);
        assert_true(lr >= 0 && lr <= 1);
        sgdr_destroy(s);
    }
}

/* Factors from just above 1 to 1.01, and random ones, each from several first lengths (some
 * just below a power of two, where a run of equal growth meets a binade of doubles). */
static void test_search_matches_walk(void **state)
{
    double factors[24] = {1.0 + 0x1p-52, 1.0 + 0x1p-40, 1.0 + 1e-12, 1.0 + 0x1p-33,
                          1.0 + 0x1p-30, 1.0 + 1e-8, 1.0000001, 1.00001, 1.0001,
                          1.0003,        1.0005,        1.001,       1.01,     1.1};
    static const uint64_t lengths[] = {1, 3, 1000, 2147483645, 4294967295};
    const size_t fixed = 14, n_factors = test_short() ? fixed : sizeof factors / sizeof factors[0];
    const uint64_t max_k = test_short() ? 2000 : 400000;
    uint64_t rng = 0x9E3779B97F4A7C15u;
    size_t f, l, checks = 0;
    (void)state;
    for (f = fixed; f < n_factors; f++) { /* random factors: 1 + 2^-u, u uniform in [2, 40] */
        rng = rng * 6364136223846793005u + 1442695040888963407u;
        factors[f] = 1.0 + ldexp(1.0, -2 - (int)((rng >> 33) % 39)) *
                               (1.0 + (double)(rng >> 40) / 16777216.0);
    }
    for (f = 0; f < n_factors; f++) {
        for (l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            sgdr_scheduler *s = make(factors[f], (double)lengths[l]);
            uint64_t last_growth = 0, changes = 0, next_change = 0;
            walk w;
            walk_begin(&w, factors[f], lengths[l]);
            for (;;) {
                int crossed = w.k > 0 && (w.prev ^ w.length) > w.prev; /* a new power of two */
                int sampled = w.growth != last_growth && changes++ == next_change;
                if (sampled) next_change += next_change / 4 + 1;
                if (w.k < 300 || crossed || sampled) {
                    check_cycle(s, &w);
                    checks++;
                }
                last_growth = w.growth;
                if (w.k >= max_k || !walk_next(&w)) break;
            }
            check_cycle(s, &w);
            sgdr_destroy(s);
        }
    }
    print_message("%zu factors x %zu first lengths, %zu cycles checked\n", n_factors,
                  sizeof lengths / sizeof lengths[0], checks);
}

/* The whole of uint64_t for factors a plain walk can cross in a test. */
static void test_far_steps(void **state)
{
    static const double factors[] = {1.00001, 1.00003, 1.0001, 1.0003, 1.0005, 1.001, 1.01};
    const size_t n = sizeof factors / sizeof factors[0];
    size_t f;
    (void)state;
    for (f = test_short() ? n - 2 : 0; f < n; f++) {
        sgdr_scheduler *s = make(factors[f], 1);
        uint64_t next_check = 1;
        walk w;
        walk_begin(&w, factors[f], 1);
        for (;;) {
            if (w.k == next_check) {
                check_cycle(s, &w);
                next_check *= 4;
            }
            if (!walk_next(&w)) break;
        }
        check_cycle(s, &w);
        assert_true(w.length > UINT64_MAX - w.start); /* the walk reached 2^64 - 1 */
        expect_lr(s, UINT64_MAX, cycle_lr(w.k, UINT64_MAX - w.start, w.length), &w);
        sgdr_destroy(s);
    }
}

/* max_cycles ends the search inside a run or a walk: the hold (min_lr, here 0) starts
 * exactly where cycle max_cycles would, and lasts to 2^64 - 1. */
static void test_hold_after_max_cycles(void **state)
{
    static const double factors[] = {1.0 + 0x1p-40, 1.0000001, 1.0001, 1.001, 1.5};
    static const double limits[] = {1, 2, 7, 1000, 4999, 100000};
    size_t f, l;
    (void)state;
    for (f = 0; f < sizeof factors / sizeof factors[0]; f++)
        for (l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            sgdr_scheduler *s = make(factors[f], 3);
            double lr = NAN;
            walk w;
            assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_CYCLES, limits[l]), SGDR_OK);
            walk_begin(&w, factors[f], 3);
            while (w.k < (uint64_t)limits[l] && walk_next(&w)) continue;
            if (w.k == (uint64_t)limits[l]) { /* cycle max_cycles is the hold */
                expect_lr(s, w.start - 1, cycle_lr(w.k - 1, w.prev - 1, w.prev), &w);
                assert_int_equal(sgdr_lr_at(s, w.start, &lr), SGDR_OK);
                assert_true(lr == 0);
                assert_int_equal(sgdr_lr_at(s, UINT64_MAX, &lr), SGDR_OK);
                assert_true(lr == 0);
            }
            sgdr_destroy(s);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factors_one_point_oh_accepted),
        cmocka_unit_test(test_search_matches_walk),
        cmocka_unit_test(test_far_steps),
        cmocka_unit_test(test_hold_after_max_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
