/* SPDX-License-Identifier: MIT */
/* test_elastic.c -- steps_per_epoch changed during a run (a resume with another batch size
 * or another number of workers). For S and S2 in {1, 7, 30, 45, 60, 1000} and a change at
 * every epoch boundary of runs with warm-up, cycle warm-up, decay, max_cycles and keras-seed
 * restarts, every learning rate after the change (what set_lr receives and sgdr_lr returns)
 * has the bits of a run with S2 from the start at the same (epoch, batch): on a running
 * scheduler, on a loaded one before on_train_begin, and after a save and load that follow
 * the change. Mid-epoch, a change after b batches is accepted exactly when b * S2 / S is
 * whole and refused otherwise with the nearest exact positions and nothing changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "observe.h"
#include "state_util.h"
#include "testutil.h"

static const uint64_t sizes[] = {1, 7, 30, 45, 60, 1000};
#define SIZES (sizeof sizes / sizeof sizes[0])

/* The sizes changed from. SGDR_TEST_SHORT (the valgrind check, where walking the 1000 batch
 * positions of S = 1000 against every S2 takes minutes) leaves out S = 1000 as the size
 * changed from; it stays a size changed to. Every other build runs them all. */
static size_t sizes_from(void)
{
    return test_short() ? SIZES - 1 : SIZES;
}

typedef struct run_cfg {
    const char *name;
    int keras;
    double cycle_length, mult, decay, warmup_epochs, cycle_warmup, max_cycles;
    uint64_t epochs; /* the run: past max_cycles into the hold, where there is one */
} run_cfg;

static const run_cfg cfgs[] = {
    {"warm-up, decay, max_cycles", 0, 1, 2, 0.5, 2, 0, 3, 11},
    {"cycle warm-up of 1 batch, mult 1.5", 0, 2, 1.5, 0.7, 0, 1, 3, 12},
    {"cycle warm-up of 50 batches", 0, 2, 2, 0.5, 0, 50, 2, 8},
    {"keras-seed", 1, 2, 2, 0.8, 0, 0, 0, 9},
};
#define CFGS (sizeof cfgs / sizeof cfgs[0])

/* Whether cfg allows steps_per_epoch spe (the cycle warm-up must fit the first cycle). */
static int fits(const run_cfg *c, uint64_t spe)
{
    return c->cycle_warmup < (double)spe * c->cycle_length;
}

static sgdr_scheduler *make(const run_cfg *c, uint64_t spe, host *h)
{
    sgdr_scheduler *s;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)spe), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_RESTART_MODE, c->keras), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, c->cycle_length), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, c->mult), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, c->decay), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_EPOCHS, c->warmup_epochs), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_START_LR, 0.01), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, c->cycle_warmup), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_CYCLES, c->max_cycles), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 0), SGDR_OK);
    if (h != NULL) {
        host_reset(h);
        h->no_events = 1;
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, h), SGDR_OK);
    }
    return s;
}

/* ref[e * spe + b]: the learning rate batch b of epoch e trains with, in a run with spe
 * from the start (checked against set_lr as it goes); ref[epochs * spe] the one after. */
static double *reference(const run_cfg *c, uint64_t spe)
{
    host h;
    sgdr_scheduler *s = make(c, spe, &h);
    double *ref = malloc((c->epochs * spe + 1) * sizeof *ref);
    uint64_t e, b;
    assert_non_null(ref);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (e = 0; e < c->epochs; e++) {
        for (b = 0; b < spe; b++) {
            ref[e * spe + b] = sgdr_lr(s);
            assert_true(same_bits(h.lr, sgdr_lr(s)));
            assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
        }
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
    }
    ref[c->epochs * spe] = sgdr_lr(s);
    sgdr_destroy(s);
    return ref;
}

static void expect_lr(const sgdr_scheduler *s, const host *h, const double *ref, uint64_t at,
                      const char *what, uint64_t e, uint64_t b)
{
    if (!same_bits(sgdr_lr(s), ref[at]) || !same_bits(h->lr, ref[at]))
        fail_msg("%s: epoch %llu batch %llu: sgdr_lr %.17g, set_lr %.17g, a run with the new "
                 "steps_per_epoch from the start %.17g", what, (unsigned long long)e,
                 (unsigned long long)b, sgdr_lr(s), h->lr, ref[at]);
}

/* Train from (epoch e, batch b) to the end of the run with spe batches an epoch, checking
 * every learning rate against ref and the step count against `step`. */
static void continue_run(sgdr_scheduler *s, const host *h, const run_cfg *c, uint64_t spe,
                         const double *ref, uint64_t e, uint64_t b, uint64_t step,
                         const char *what)
{
    uint64_t got;
    for (; e < c->epochs; e++, b = 0) {
        for (; b < spe; b++) {
            expect_lr(s, h, ref, e * spe + b, what, e, b);
            assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
            step++;
        }
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
    }
    expect_lr(s, h, ref, c->epochs * spe, what, e, 0);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &got), SGDR_OK);
    assert_int_equal(got, step);
}

/* A scheduler loaded from blob, with a fresh host. */
static sgdr_scheduler *loaded(const run_cfg *c, uint64_t spe, host *h, const unsigned char *blob,
                              size_t len)
{
    sgdr_scheduler *s = make(c, spe, h);
    assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);
    return s;
}

/* A change at the boundary before epoch e of a run at from batches an epoch. */
static void change_at_boundary(const run_cfg *c, uint64_t from, uint64_t to, const double *ref,
                               const unsigned char *blob, size_t len, uint64_t e)
{
    unsigned char again[OBSERVED_STATE_CAP];
    char what[160];
    host h, h2;
    sgdr_scheduler *s, *t;
    double lr;
    size_t n;
    uint64_t step = e * from, k;

    snprintf(what, sizeof what, "%s, %llu -> %llu at epoch %llu", c->name,
             (unsigned long long)from, (unsigned long long)to, (unsigned long long)e);
    /* A running scheduler. */
    s = loaded(c, from, &h, blob, len);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    if (!fits(c, to)) {
        observed before;
        size_t calls = h.calls;
        observe(s, &before);
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)to), SGDR_ECONFIG);
        assert_non_null(strstr(sgdr_last_error(s), "cycle_warmup_steps (50)"));
        assert_non_null(strstr(sgdr_last_error(s), "steps_per_epoch ("));
        assert_unchanged(s, &before);
        assert_int_equal(h.calls, calls);
        sgdr_destroy(s);
        return;
    }
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)to), SGDR_OK);
    /* sgdr_lr_at describes the schedule under the new value from step 0. */
    assert_int_equal(sgdr_lr_at(s, e * to, &lr), SGDR_OK);
    assert_true(same_bits(lr, ref[e * to]));
    /* A few batches, then a save and a load into another scheduler that goes on. */
    for (k = 0; k < to && k < 3 && e < c->epochs; k++) {
        expect_lr(s, &h, ref, e * to + k, what, e, k);
        assert_int_equal(sgdr_on_batch_end(s, k, NULL, 0), SGDR_OK);
    }
    n = save_blob(s, again);
    t = loaded(c, from, &h2, again, n);
    assert_int_equal(sgdr_on_train_begin(t), SGDR_OK);
    continue_run(t, &h2, c, to, ref, e, k, step + k, what);
    continue_run(s, &h, c, to, ref, e, k, step + k, what);
    sgdr_destroy(t);
    sgdr_destroy(s);

    /* The trainers' flow: load, change, then on_train_begin resumes under the new value. */
    s = loaded(c, from, &h, blob, len);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)to), SGDR_OK);
    if (to != from) expect_lr(s, &h, ref, e * to, what, e, 0); /* handed to set_lr */
    else assert_true(h.calls == 0); /* the same value: nothing moves */
    h.lr = NAN;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    continue_run(s, &h, c, to, ref, e, 0, step, what);
    sgdr_destroy(s);
}

static void every_epoch_boundary(void **state)
{
    size_t ci, i, j;
    unsigned long changes = 0;
    (void)state;
    for (ci = 0; ci < CFGS; ci++) {
        const run_cfg *c = &cfgs[ci];
        double *ref[SIZES];
        for (j = 0; j < SIZES; j++) ref[j] = fits(c, sizes[j]) ? reference(c, sizes[j]) : NULL;
        for (i = 0; i < sizes_from(); i++) {
            host h;
            sgdr_scheduler *s;
            uint64_t e, b;
            if (!fits(c, sizes[i])) continue;
            s = make(c, sizes[i], &h);
            assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
            for (e = 0; e <= c->epochs; e++) {
                unsigned char blob[OBSERVED_STATE_CAP];
                size_t len = save_blob(s, blob);
                for (j = 0; j < SIZES; j++, changes++)
                    change_at_boundary(c, sizes[i], sizes[j], ref[j], blob, len, e);
                if (e == c->epochs) break;
                for (b = 0; b < sizes[i]; b++)
                    assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
                assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
            }
            sgdr_destroy(s);
        }
        for (j = 0; j < SIZES; j++) free(ref[j]);
    }
    print_message("%lu changes at epoch boundaries\n", changes);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* After every b of the S batches of an epoch in warm-up and of one in a cycle. */
static void mid_epoch(void **state)
{
    static const uint64_t epochs[] = {1, 4};
    size_t ci, i, j, k;
    unsigned long accepted = 0, refused = 0;
    (void)state;
    for (ci = 0; ci < 2; ci++) {
        const run_cfg *c = &cfgs[ci];
        double *ref[SIZES];
        for (j = 0; j < SIZES; j++) ref[j] = reference(c, sizes[j]);
        for (i = 0; i < sizes_from(); i++) {
            const uint64_t from = sizes[i];
            for (k = 0; k < 2; k++) {
                const uint64_t e = epochs[k];
                unsigned char blob[OBSERVED_STATE_CAP];
                size_t len;
                host h;
                sgdr_scheduler *s = make(c, from, &h);
                uint64_t b, n;
                assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
                for (n = 0; n < e * from; n++) {
                    assert_int_equal(sgdr_on_batch_end(s, n % from, NULL, 0), SGDR_OK);
                    if (n % from == from - 1)
                        assert_int_equal(sgdr_on_epoch_end(s, n / from, NULL, 0), SGDR_OK);
                }
                len = save_blob(s, blob);
                sgdr_destroy(s);
                for (j = 0; j < SIZES; j++) {
                    const uint64_t to = sizes[j], q = from / gcd(from, to);
                    for (b = 1; b < from; b++) {
                        char what[160];
                        s = loaded(c, from, &h, blob, len);
                        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
                        for (n = 0; n < b; n++)
                            assert_int_equal(sgdr_on_batch_end(s, n, NULL, 0), SGDR_OK);
                        if (b * to % from == 0) {
                            uint64_t b2 = b * to / from;
                            snprintf(what, sizeof what, "%s, %llu -> %llu after %llu of epoch "
                                     "%llu", c->name, (unsigned long long)from,
                                     (unsigned long long)to, (unsigned long long)b,
                                     (unsigned long long)e);
                            assert_int_equal(
                                sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)to),
                                SGDR_OK);
                            assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_BATCH_IN_EPOCH,
                                                               &n), SGDR_OK);
                            assert_int_equal(n, b2);
                            /* to the end of the next epoch */
                            for (n = b2; n < 2 * to; n++) {
                                uint64_t ee = e + n / to, bb = n % to;
                                expect_lr(s, &h, ref[j], ee * to + bb, what, ee, bb);
                                assert_int_equal(sgdr_on_batch_end(s, bb, NULL, 0), SGDR_OK);
                                if (bb == to - 1)
                                    assert_int_equal(sgdr_on_epoch_end(s, ee, NULL, 0), SGDR_OK);
                            }
                            assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &n),
                                             SGDR_OK);
                            assert_int_equal(n, e * from + b + 2 * to - b2);
                            accepted++;
                        } else {
                            observed before;
                            size_t calls = h.calls;
                            char says[200];
                            observe(s, &before);
                            assert_int_equal(
                                sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)to),
                                SGDR_EORDER);
                            snprintf(says, sizeof says, "%llu * %llu / %llu is not whole; the "
                                     "nearest batch positions where the change is exact are "
                                     "%llu and %llu", (unsigned long long)b,
                                     (unsigned long long)to, (unsigned long long)from,
                                     (unsigned long long)(b / q * q),
                                     (unsigned long long)(b / q * q + q));
                            if (strstr(sgdr_last_error(s), says) == NULL)
                                fail_msg("\"%s\" does not say \"%s\"", sgdr_last_error(s), says);
                            assert_unchanged(s, &before);
                            assert_int_equal(h.calls, calls);
                            refused++;
                        }
                        sgdr_destroy(s);
                    }
                }
            }
        }
        for (j = 0; j < SIZES; j++) free(ref[j]);
    }
    print_message("%lu mid-epoch changes accepted, %lu refused\n", accepted, refused);
}

static int set_lr_fails(void *user, double lr)
{
    (void)user;
    (void)lr;
    return 7;
}

static int change_from_hook(void *user, double lr)
{
    sgdr_scheduler *s = user;
    (void)lr;
    return sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 14) == SGDR_EORDER ? 0 : 1;
}

/* A failing set_lr refuses the change; so does a hook; other parameters still refuse;
 * the history keeps its rows and the step its count. */
static void refusals_and_counters(void **state)
{
    const run_cfg *c = &cfgs[0];
    observed before;
    sgdr_scheduler *s = make(c, 7, NULL);
    uint64_t n;
    size_t rows = 0;
    int i;
    (void)state;
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 1), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (i = 0; i < 7; i++) assert_int_equal(sgdr_on_batch_end(s, (uint64_t)i, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);

    assert_int_equal(sgdr_set_lr_hooks(s, NULL, set_lr_fails, NULL), SGDR_OK);
    observe(s, &before);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 30), SGDR_EHOOK_SET_LR);
    assert_unchanged(s, &before);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, change_from_hook, s), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, NULL, NULL), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 3), SGDR_EORDER);
    assert_string_equal(sgdr_last_error(s),
                        "cannot change cycle_length during a run: call sgdr_on_train_end first");

    /* The same value changes nothing (and hands set_lr nothing). */
    observe(s, &before);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 7), SGDR_OK);
    assert_unchanged(s, &before);

    /* 1 of 7 batches: 1 * 14 / 7 = 2 is whole. */
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 14), SGDR_OK);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &n), SGDR_OK);
    assert_int_equal(n, 8);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_BATCH_IN_EPOCH, &n), SGDR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE_POSITION, &n), SGDR_OK);
    assert_int_equal(n, 16);
    assert_int_equal(sgdr_on_batch_end(s, 2, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_history_rows(s, &rows), SGDR_OK);
    assert_int_equal(rows, 9);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_epoch_boundary),
        cmocka_unit_test(mid_epoch),
        cmocka_unit_test(refusals_and_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
