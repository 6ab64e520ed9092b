/* SPDX-License-Identifier: MIT */
/* test_fuzz_findings.c -- inputs the fuzz targets (fuzz/) found, kept as unit tests so that
 * the fixes stay fixed. Each test says what the fuzzer saw and what was wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_util.h"

static int finite_lr(double lr)
{
    return isfinite(lr) && lr >= 0;
}

/* fuzz_api: sgdr_lr_at returned +inf. With lr_decay > 1 the peak max_lr * lr_decay^k
 * overflowed after enough cycles (here lr_decay 4294967295, warm-up 135 epochs, step
 * 1.4e17), and the end of such a cycle gave inf * 0 = NaN. Peaks now saturate at DBL_MAX. */
static void growing_peak_overflows(void **state)
{
    static const param_value found[] = {
        {SGDR_PARAM_MIN_LR, 1e-4}, {SGDR_PARAM_MAX_LR, 0.1}, {SGDR_PARAM_STEPS_PER_EPOCH, 1},
        {SGDR_PARAM_LR_DECAY, 4294967295.0}, {SGDR_PARAM_CYCLE_LENGTH, 2},
        {SGDR_PARAM_WARMUP_EPOCHS, 135}, {0, 0}};
    sgdr_scheduler *s;
    double lr = NAN;
    uint64_t step;
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    apply_params(s, found);
    assert_int_equal(sgdr_lr_at(s, 143691876099162112ull, &lr), SGDR_OK);
    assert_true(finite_lr(lr));
    for (step = 0; step < 2000; step++) {
        assert_int_equal(sgdr_lr_at(s, step, &lr), SGDR_OK);
        assert_true(finite_lr(lr));
    }
    sgdr_destroy(s);
}

/* The same through the callbacks, in both modes: every learning rate handed to set_lr is
 * finite, the saturated peak is DBL_MAX, and the state saves and loads. */
static void growing_peak_callbacks(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *s, *t;
    host h;
    uint64_t e, b, mode;
    size_t i, len;
    (void)state;
    for (mode = 0; mode < 2; mode++) {
        host_reset(&h);
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.0), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 1.0), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 3), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, 1), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 1e200), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_RESTART_MODE, (double)mode), SGDR_OK);
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, &h), SGDR_OK);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        for (e = 0; e < 5; e++) {
            for (b = 0; b < 3; b++) assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
            assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
            len = save_blob(s, blob);
            assert_int_equal(sgdr_create(&t), SGDR_OK);
            if (sgdr_load_state(t, blob, len) != SGDR_OK)
                fail_msg("epoch %u: %s", (unsigned)e, sgdr_last_error(t));
            sgdr_destroy(t);
        }
        assert_true(h.n > 10);
        for (i = 0; i < h.n; i++) assert_true(finite_lr(h.ev[i].lr));
        assert_true(get_le_f64(blob + AT_PEAK) == DBL_MAX);
        sgdr_destroy(s);
    }
}

/* fuzz_load_state: a loaded configuration (max_lr 5.4e307, warm-up from 0.05) handed set_lr
 * +inf in its warm-up: (max_lr - warmup_start_lr) * pos overflowed before the division by
 * the warm-up's length. The warm-up now divides first where that product overflows. */
static void warmup_product_overflows(void **state)
{
    static const param_value found[] = {
        {SGDR_PARAM_MIN_LR, 0.0}, {SGDR_PARAM_MAX_LR, 1e308}, {SGDR_PARAM_STEPS_PER_EPOCH, 10},
        {SGDR_PARAM_WARMUP_EPOCHS, 1}, {SGDR_PARAM_WARMUP_START_LR, 0.05}, {0, 0}};
    sgdr_scheduler *s;
    host h;
    double lr = NAN, prev = 0;
    uint64_t step;
    size_t i;
    (void)state;
    host_reset(&h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    apply_params(s, found);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, &h), SGDR_OK);
    for (step = 0; step <= 10; step++) {
        assert_int_equal(sgdr_lr_at(s, step, &lr), SGDR_OK);
        assert_true(finite_lr(lr) && lr >= prev);
        prev = lr;
    }
    assert_true(lr == 1e308);
    assert_int_equal(sgdr_lr_at(s, 5, &lr), SGDR_OK);
    assert_true(fabs(lr - 0.5e308) <= 1e-15 * 1e308);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (step = 0; step < 10; step++) assert_int_equal(sgdr_on_batch_end(s, step, NULL, 0), SGDR_OK);
    for (i = 0; i < h.n; i++) assert_true(finite_lr(h.ev[i].lr));
    sgdr_destroy(s);
}

/* fuzz_load_state: a loaded configuration (max_lr 5.4e307, cycle_warmup_steps 512) handed
 * set_lr +inf in the warm-up at the start of a cycle: (peak - min_lr) * b overflowed before
 * the division by cycle_warmup_steps, as the warm-up before the first cycle once did. Both
 * rises now share one formula that divides first where that product overflows. */
static void cycle_warmup_product_overflows(void **state)
{
    static const param_value found[] = {
        {SGDR_PARAM_MIN_LR, 0.0}, {SGDR_PARAM_MAX_LR, 1e308}, {SGDR_PARAM_STEPS_PER_EPOCH, 10},
        {SGDR_PARAM_CYCLE_LENGTH, 2}, {SGDR_PARAM_CYCLE_WARMUP_STEPS, 8}, {0, 0}};
    sgdr_scheduler *s;
    host h;
    double lr = NAN, prev = 0;
    uint64_t step;
    size_t i;
    (void)state;
    host_reset(&h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    apply_params(s, found);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, &h), SGDR_OK);
    for (step = 0; step <= 8; step++) {
        assert_int_equal(sgdr_lr_at(s, step, &lr), SGDR_OK);
        assert_true(finite_lr(lr) && lr >= prev);
        prev = lr;
    }
    assert_true(lr == 1e308);
    assert_int_equal(sgdr_lr_at(s, 4, &lr), SGDR_OK);
    assert_true(fabs(lr - 0.5e308) <= 1e-15 * 1e308);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (step = 0; step < 30; step++) {
        assert_int_equal(sgdr_on_batch_end(s, step % 10, NULL, 0), SGDR_OK);
        if (step % 10 == 9) assert_int_equal(sgdr_on_epoch_end(s, step / 10, NULL, 0), SGDR_OK);
    }
    for (i = 0; i < h.n; i++) assert_true(finite_lr(h.ev[i].lr));
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(growing_peak_overflows),
        cmocka_unit_test(growing_peak_callbacks),
        cmocka_unit_test(warmup_product_overflows),
        cmocka_unit_test(cycle_warmup_product_overflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
