/* SPDX-License-Identifier: MIT */
/* test_cycle_warmup.c -- cycle_warmup_steps (1.1): the parameter's name, default and range;
 * the refusals that name both parameters, at on_train_begin and sgdr_lr_at, with nothing
 * changed; the rise and the cosine of every cycle; the state format 1.1 that carries it
 * (saved only when it is not 0, flagged so a 1.0 reader refuses it), a resume through it,
 * and 1.0 blobs loading with it at 0. The golden vectors are in test_golden.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "state_util.h"
#include "testutil.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static sgdr_scheduler *configured(double spe, double cycle, double mult, double v)
{
    sgdr_scheduler *s;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, spe), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, cycle), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, mult), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.5), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, v), SGDR_OK);
    return s;
}

static void name_default_range(void **state)
{
    sgdr_scheduler *s;
    sgdr_param p = SGDR_PARAM_MIN_LR;
    double v = -1;
    (void)state;
    assert_int_equal(SGDR_PARAM_CYCLE_WARMUP_STEPS, 13);
    assert_string_equal(sgdr_param_name(SGDR_PARAM_CYCLE_WARMUP_STEPS), "cycle_warmup_steps");
    assert_int_equal(sgdr_param_from_name("cycle_warmup_steps", &p), SGDR_OK);
    assert_int_equal(p, SGDR_PARAM_CYCLE_WARMUP_STEPS);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_get_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, &v), SGDR_OK);
    assert_true(v == 0);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, 2.5), SGDR_EVALUE);
    assert_string_equal(sgdr_last_error(s),
                        "cycle_warmup_steps (2.5) must be an integer from 0 to 4294967295");
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, -1), SGDR_EVALUE);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, 4294967296.0), SGDR_EVALUE);
    assert_int_equal(sgdr_get_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, &v), SGDR_OK);
    assert_true(v == 0);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, 4294967295.0), SGDR_OK);
    assert_int_equal(sgdr_get_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, &v), SGDR_OK);
    assert_true(v == 4294967295.0);
    assert_true(sgdr_version_number() >= 10100); /* the release that added it */
    sgdr_destroy(s);
}

/* Each conflict is refused by on_train_begin and sgdr_lr_at with both names in the message,
 * and a refused on_train_begin calls no hook and starts nothing. */
static int count_set_lr(void *user, double lr)
{
    (void)lr;
    ++*(int *)user;
    return 0;
}

static void refusals_name_both(void **state)
{
    static const struct {
        sgdr_param p;
        double value;
        const char *first, *second;
    } conflict[] = {
        {SGDR_PARAM_WARMUP_EPOCHS, 1, "cycle_warmup_steps (3)", "warmup_epochs (1)"},
        {SGDR_PARAM_RESTART_MODE, SGDR_RESTART_KERAS_SEED, "cycle_warmup_steps (3)",
         "restart_mode is 1"},
        {SGDR_PARAM_CYCLE_LENGTH, 1, "cycle_warmup_steps (3)", "steps_per_epoch (3)"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof conflict / sizeof conflict[0]; i++) {
        sgdr_scheduler *s = configured(3, 2, 2, 3);
        int calls = 0;
        uint64_t running = 1;
        double lr = 0;
        assert_int_equal(sgdr_lr_at(s, 0, &lr), SGDR_OK); /* 3 < 3 * 2 */
        assert_int_equal(sgdr_set_param(s, conflict[i].p, conflict[i].value), SGDR_OK);
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, count_set_lr, &calls), SGDR_OK);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_ECONFIG);
        assert_non_null(strstr(sgdr_last_error(s), conflict[i].first));
        assert_non_null(strstr(sgdr_last_error(s), conflict[i].second));
        assert_int_equal(calls, 0);
        assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_RUNNING, &running), SGDR_OK);
        assert_int_equal(running, 0);
        assert_int_equal(sgdr_lr_at(s, 0, &lr), SGDR_ECONFIG);
        assert_non_null(strstr(sgdr_last_error(s), conflict[i].first));
        assert_non_null(strstr(sgdr_last_error(s), conflict[i].second));
        sgdr_destroy(s);
    }
}

/* Every batch of a run through three cycles, against the formula of docs/SPEC.md §3.7 written out
 * here, and sgdr_lr_at bit-equal to the callbacks. */
static int keep_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

static void every_batch(void **state)
{
    const uint64_t spe = 4, v = 5;
    sgdr_scheduler *s = configured((double)spe, 2, 2, (double)v);
    double lr = NAN, at, peak = 0.1;
    uint64_t cycle_len = 2, pos = 0, epoch = 0, step = 0, b;
    (void)state;
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, keep_lr, &lr), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    while (epoch < 14) { /* cycles of 2, 4 and 8 epochs */
        for (b = 0; b < spe; b++, step++, pos++) {
            const double n = (double)(spe * cycle_len);
            double want = pos < v ? 0.001 + (peak - 0.001) * (double)pos / (double)v
                                  : 0.001 + 0.5 * (peak - 0.001) *
                                                (1 + cos(M_PI * fmin(1, ((double)pos - v) / (n - v))));
            if (!(fabs(lr - want) <= 1e-15)) fail_msg("step %llu: %.17g, want %.17g",
                                                      (unsigned long long)step, lr, want);
            assert_int_equal(sgdr_lr_at(s, step, &at), SGDR_OK);
            assert_memory_equal(&at, &lr, sizeof lr);
            assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
        }
        assert_int_equal(sgdr_on_epoch_end(s, epoch, NULL, 0), SGDR_OK);
        epoch++;
        if (epoch == 2 || epoch == 6) {
            cycle_len *= 2;
            pos = 0;
            peak *= 0.5;
            assert_true(lr == 0.001); /* every cycle starts at min_lr */
        }
    }
    sgdr_destroy(s);
}

/* ---- the state ---- */

/* Format 1.1 (196 bytes, cycle_warmup_steps at offset 184, byte 94 = 1) only when the
 * parameter is not 0; a resume through it continues bit-identically. */
static void state_1_1(void **state)
{
    unsigned char blob[STATE_CAP], again[STATE_CAP];
    sgdr_scheduler *s = configured(3, 2, 2, 4), *t, *plain;
    double a = 0, b = 0, v = 0;
    size_t len, i;
    (void)state;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (i = 0; i < 8; i++) assert_int_equal(sgdr_on_batch_end(s, i % 3, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK); /* short epochs are fine */
    assert_int_equal(sgdr_on_epoch_end(s, 1, NULL, 0), SGDR_OK); /* restart into cycle 1 */
    len = save_blob(s, blob);
    assert_int_equal(len, 196);
    assert_int_equal(blob[10], 1); /* minor */
    assert_int_equal(blob[94], 1); /* flag: a 1.0 reader, which wants 0 there, refuses it */
    assert_int_equal(blob[184], 4);
    assert_int_equal(sgdr_create(&t), SGDR_OK);
    assert_int_equal(sgdr_load_state(t, blob, len), SGDR_OK);
    assert_int_equal(sgdr_get_param(t, SGDR_PARAM_CYCLE_WARMUP_STEPS, &v), SGDR_OK);
    assert_true(v == 4);
    assert_int_equal(save_blob(t, again), len);
    assert_memory_equal(again, blob, len);
    assert_int_equal(sgdr_on_train_begin(t), SGDR_OK);
    for (i = 0; i < 20; i++) {
        assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
        assert_int_equal(sgdr_on_batch_end(t, 0, NULL, 0), SGDR_OK);
        a = sgdr_lr(s), b = sgdr_lr(t);
        assert_memory_equal(&a, &b, sizeof a);
    }
    /* The flag must match the parameter. */
    blob[94] = 0;
    fix_crc(blob, len);
    assert_int_equal(sgdr_load_state(t, blob, len), SGDR_ECORRUPT);
    assert_non_null(strstr(sgdr_last_error(t), "cycle_warmup_steps (4)"));
    /* The same run without cycle warm-up saves format 1.0. */
    plain = configured(3, 2, 2, 0);
    assert_int_equal(save_blob(plain, blob), 188);
    assert_int_equal(blob[10], 0);
    sgdr_destroy(plain);
    sgdr_destroy(s);
    sgdr_destroy(t);
}

/* Checkpoints written by 1.0 (tests/state) load with cycle_warmup_steps 0. */
static void blobs_1_0_load_with_zero(void **state)
{
    static const char *const names[] = {"state/fresh.bin", "state/peak_warmup.bin",
                                        "state/peak_cycle2.bin", "state/peak_hold.bin",
                                        "state/keras_restart.bin", "state/ended.bin"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        unsigned char blob[STATE_CAP], again[STATE_CAP];
        sgdr_scheduler *s;
        double v = -1;
        size_t len;
        FILE *f = fopen(test_data_path(names[i]), "rb");
        assert_non_null(f);
        len = fread(blob, 1, sizeof blob, f);
        fclose(f);
        assert_int_equal(len, 188);
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, 7), SGDR_OK);
        assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);
        assert_int_equal(sgdr_get_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, &v), SGDR_OK);
        assert_true(v == 0);
        assert_int_equal(save_blob(s, again), 188);
        assert_memory_equal(again, blob, 188);
        sgdr_destroy(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_default_range),
        cmocka_unit_test(refusals_name_both),
        cmocka_unit_test(every_batch),
        cmocka_unit_test(state_1_1),
        cmocka_unit_test(blobs_1_0_load_with_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
