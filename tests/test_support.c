/* SPDX-License-Identifier: MIT */
/* test_support.c -- the test support library checked against the library it observes: the
 * observer notices every kind of change a refused call could make, and the recording host
 * logs, counts and fails as it says. Every "nothing changed" in the other tests rests on
 * these. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "observe.h"
#include "testutil.h"

static const golden base = {.min_lr = 0.1, .max_lr = 0.5, .steps_per_epoch = 2, .lr_decay = 1,
                            .cycle_length = 1, .mult_factor = 2};

static sgdr_scheduler *configured(void)
{
    sgdr_scheduler *s = golden_scheduler(&base);
    assert_non_null(s);
    return s;
}

/* a and b differ, and the observer names `what` */
static void assert_diff(const observed *a, const observed *b, const char *what)
{
    const char *diff = observed_diff(a, b);
    if (diff == NULL || strcmp(diff, what) != 0)
        fail_msg("expected a difference in the %s, the observer says %s", what,
                 diff ? diff : "nothing changed");
}

static void test_observer_sees_every_change(void **state)
{
    static const sgdr_metric one[] = {{"loss", 1}}, other[] = {{"loss", 2}};
    static const sgdr_metric acc[] = {{"acc", 1}};
    observed *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    sgdr_scheduler *s = configured(), *t = configured();
    (void)state;
    assert_non_null(a);
    assert_non_null(b);

    /* the same scheduler twice, and two configured alike: nothing differs */
    observe(s, a);
    observe(s, b);
    assert_null(observed_diff(a, b));
    observe(t, b);
    assert_null(observed_diff(a, b));
    assert_true(a->exists && a->len > 0 && a->n_params >= 12);

    /* a parameter */
    assert_int_equal(sgdr_set_param(t, SGDR_PARAM_LR_DECAY, 0.5), SGDR_OK);
    observe(t, b);
    assert_diff(a, b, "saved state bytes");
    a->len = b->len;
    memcpy(a->blob, b->blob, b->len); /* the parameter list alone still shows it */
    assert_diff(a, b, "parameters");
    sgdr_destroy(t);

    /* a step: lr, counters, history */
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    observe(s, a);
    assert_int_equal(sgdr_on_batch_end(s, 0, one, 1), SGDR_OK);
    observe(s, b);
    assert_diff(a, b, "saved state bytes");
    b->len = a->len;
    memcpy(b->blob, a->blob, a->len);
    assert_diff(a, b, "sgdr_lr");
    b->lr = a->lr;
    assert_diff(a, b, "progress counters");
    memcpy(b->progress, a->progress, sizeof a->progress);
    assert_diff(a, b, "history row count");

    /* the history alone: same shape, a different name or value anywhere */
    t = configured();
    assert_int_equal(sgdr_on_train_begin(t), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(t, 0, other, 1), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 1, one, 1), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(t, 1, one, 1), SGDR_OK);
    observe(s, a);
    observe(t, b);
    assert_diff(a, b, "history values"); /* row 0 differs, the last row does not */
    sgdr_destroy(t);
    t = configured();
    assert_int_equal(sgdr_on_train_begin(t), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(t, 0, acc, 1), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(t, 1, acc, 1), SGDR_OK);
    observe(t, b);
    assert_diff(a, b, "history column names");

    /* no scheduler */
    observe(NULL, b);
    assert_false(b->exists);
    assert_diff(a, b, "existence of the scheduler");
    assert_unchanged(s, a);
    sgdr_destroy(s);
    sgdr_destroy(t);
    free(a);
    free(b);
}

static void test_host_records_and_fails(void **state)
{
    host h;
    double lr = 0;
    sgdr_scheduler *s = configured();
    (void)state;
    host_reset(&h);
    assert_true(isnan(h.lr));
    host_attach(s, &h);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(host_count(&h, EV_SET_LR), 1);
    assert_true(same_bits(host_nth(&h, EV_SET_LR, 0)->lr, 0.5));
    assert_true(same_bits(h.lr, 0.5));
    assert_int_equal(host_get_lr(&h, &lr), 0); /* get_lr reports what set_lr accepted */
    assert_true(lr == 0.5);

    /* call number N fails once, with the hook's code; nothing is logged for it */
    h.fail_nth = h.calls + 1;
    assert_int_equal(host_set_lr(&h, 0.25), -1);
    assert_int_equal(h.failures, 1);
    assert_int_equal(h.failed_hook, HOST_SET_LR);
    assert_true(same_bits(h.lr, 0.5));
    assert_int_equal(host_set_lr(&h, 0.25), 0);
    assert_true(same_bits(h.lr, 0.25));

    /* a hook told to fail fails every time, with that value */
    h.fail[HOST_SNAPSHOT] = 3;
    assert_int_equal(host_snapshot(&h, 1), 3);
    assert_int_equal(host_snapshot(&h, 1), 3);
    assert_int_equal(host_count(&h, EV_SNAPSHOT), 0);
    h.fail[HOST_SNAPSHOT] = 0;
    h.epoch = 7;
    assert_int_equal(host_snapshot(&h, 1), 0);
    assert_int_equal(host_nth(&h, EV_SNAPSHOT, 0)->cycle, 1);
    assert_int_equal(host_nth(&h, EV_SNAPSHOT, 0)->epoch, 7);
    assert_int_equal(h.calls_of[HOST_GET_LR], 1);
    assert_int_equal(h.calls_of[HOST_SET_LR], 3);
    assert_int_equal(h.calls_of[HOST_SNAPSHOT], 3);
    assert_int_equal(h.calls, 7);
    assert_int_equal(h.failures, 3);
    assert_int_equal(h.failed_hook, HOST_SNAPSHOT);
    assert_true(same_event(&h.ev[0], &h.ev[0]));
    assert_false(same_event(&h.ev[0], &h.ev[1]));

    /* a host of zero bytes fails nothing */
    {
        host *z = calloc(1, sizeof *z);
        assert_non_null(z);
        assert_int_equal(host_set_lr(z, 0.5), 0);
        assert_int_equal(host_snapshot(z, 0), 0);
        assert_int_equal(z->failures, 0);
        assert_int_equal(z->n, 2);
        free(z);
    }

    /* a full log fails the hook instead of losing an event */
    h.n = HOST_MAX_EVENTS;
    assert_int_equal(host_restore(&h, 0), -1);
    assert_true(h.overflow);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observer_sees_every_change),
        cmocka_unit_test(test_host_records_and_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
