/* SPDX-License-Identifier: MIT */
/* test_limits.c -- the edges of the counters and of the history:
 * - a run at the end of the 64-bit counters: the call that would wrap the step or the epoch
 *   (or move the hold, which lasts until epoch 2^64 - 1, into a cycle after it) is refused
 *   with nothing changed, and what the scheduler saves there loads back;
 * - a set_lr hook called while on_batch_end records a new metric sees the history as it was
 *   before the call (no column the call has not committed);
 * - sgdr_history_write_csv says why a file could not be written (the errno text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "state_util.h"
#include "testutil.h"

/* A refused call changes nothing: the saved bytes are the same before and after. */
static void refused_unchanged(sgdr_scheduler *s, sgdr_status got, const char *part)
{
    (void)s;
    assert_int_equal(got, SGDR_EORDER);
    assert_non_null(strstr(sgdr_last_error(s), part));
}

/* One batch per epoch, cycles of one epoch, mult_factor 1, max_cycles 1: after epoch 0 the
 * run holds min_lr "forever" (cycle end 2^64 - 1). The state of such a run at epoch
 * 2^64 - 2, made by moving a real blob's counters there. */
static sgdr_scheduler *hold_at_the_end(void)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *s, *t;
    size_t len;
    const uint64_t epoch = UINT64_MAX - 1;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_CYCLES, 1), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK); /* into the hold */
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 1, NULL, 0), SGDR_OK);
    len = save_blob(s, blob);
    put_le(blob + 96, epoch, 8);      /* step */
    put_le(blob + 104, epoch, 8);     /* epoch */
    put_le(blob + 144, epoch - 1, 8); /* batches since the hold began (at step 1) */
    fix_crc(blob, len);
    assert_int_equal(sgdr_create(&t), SGDR_OK);
    if (sgdr_load_state(t, blob, len) != SGDR_OK) fail_msg("%s", sgdr_last_error(t));
    assert_int_equal(sgdr_on_train_begin(t), SGDR_OK);
    sgdr_destroy(s);
    return t;
}

static void counters_do_not_wrap(void **state)
{
    unsigned char before[STATE_CAP], after[STATE_CAP];
    sgdr_scheduler *s = hold_at_the_end(), *back;
    uint64_t v = 0;
    size_t len;
    (void)state;
    /* The last batch there is: step 2^64 - 1. */
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &v), SGDR_OK);
    assert_true(v == UINT64_MAX);
    len = save_blob(s, before);
    /* One more batch would wrap the step. */
    refused_unchanged(s, sgdr_on_batch_end(s, 0, NULL, 0),
                      "step count is at its limit (18446744073709551615)");
    assert_int_equal(save_blob(s, after), len);
    assert_memory_equal(before, after, len);
    /* Ending epoch 2^64 - 2 would reach the hold's end (2^64 - 1 means never): the message
     * names the epoch limit, 2^64 - 2, not the step's. */
    refused_unchanged(s, sgdr_on_epoch_end(s, UINT64_MAX - 1, NULL, 0),
                      "epoch count is at its limit (18446744073709551614)");
    assert_int_equal(save_blob(s, after), len);
    assert_memory_equal(before, after, len);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
    assert_true(v == 1);
    assert_true(sgdr_lr(s) == 0.001);
    /* What it saved there loads. */
    assert_int_equal(sgdr_create(&back), SGDR_OK);
    if (sgdr_load_state(back, before, len) != SGDR_OK) fail_msg("%s", sgdr_last_error(back));
    sgdr_destroy(back);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    sgdr_destroy(s);
}

/* ---- hooks see the history before the call ---- */

typedef struct peek {
    sgdr_scheduler *s;
    size_t columns;
    sgdr_status name_of_1, find_loss;
    int fail;
} peek;

static int peeking_set_lr(void *user, double lr)
{
    peek *p = user;
    const char *name = NULL;
    size_t column = 0;
    (void)lr;
    assert_int_equal(sgdr_history_columns(p->s, &p->columns), SGDR_OK);
    p->name_of_1 = sgdr_history_column_name(p->s, 1, &name);
    p->find_loss = sgdr_history_find(p->s, "loss", &column);
    return p->fail;
}

static void hooks_see_committed_history(void **state)
{
    static const sgdr_metric loss[] = {{"loss", 2.5}};
    sgdr_scheduler *s;
    peek p;
    size_t columns = 0, rows = 0;
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 4), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    memset(&p, 0, sizeof p);
    p.s = s;
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, peeking_set_lr, &p), SGDR_OK);
    /* A failing hook: the new column must never have been visible. */
    p.fail = 1;
    assert_int_equal(sgdr_on_batch_end(s, 0, loss, 1), SGDR_EHOOK_SET_LR);
    assert_int_equal(p.columns, 1);
    assert_int_equal(p.name_of_1, SGDR_EINDEX);
    assert_int_equal(p.find_loss, SGDR_EINDEX);
    assert_int_equal(sgdr_history_columns(s, &columns), SGDR_OK);
    assert_int_equal(columns, 1);
    /* A succeeding one: still the state before the call; after it, the column is there. */
    p.fail = 0;
    assert_int_equal(sgdr_on_batch_end(s, 0, loss, 1), SGDR_OK);
    assert_int_equal(p.columns, 1);
    assert_int_equal(p.name_of_1, SGDR_EINDEX);
    assert_int_equal(sgdr_history_columns(s, &columns), SGDR_OK);
    assert_int_equal(columns, 2);
    assert_int_equal(sgdr_history_rows(s, &rows), SGDR_OK);
    assert_int_equal(rows, 1);
    sgdr_destroy(s);
}

/* ---- why a file could not be written ---- */

static void write_csv_says_why(void **state)
{
    sgdr_scheduler *s;
    char want[256];
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_history_write_csv(s, "/nonexistent-dir-of-sgdr/h.csv"), SGDR_EIO);
    snprintf(want, sizeof want, "'/nonexistent-dir-of-sgdr/h.csv' for writing: %s",
             strerror(ENOENT));
    assert_non_null(strstr(sgdr_last_error(s), want));
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_do_not_wrap),
        cmocka_unit_test(hooks_see_committed_history),
        cmocka_unit_test(write_csv_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
