/* SPDX-License-Identifier: MIT */
/* test_hook_reentry.c -- what a hook may and may not do to its own scheduler, when get_lr is
 * asked, and that a new run's history starts small whatever the last run recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "testutil.h"

static sgdr_scheduler *configured(void)
{
    static const golden cfg = {.min_lr = 0.001, .max_lr = 0.1, .steps_per_epoch = 3,
                               .lr_decay = 1, .cycle_length = 1, .mult_factor = 2};
    sgdr_scheduler *s = golden_scheduler(&cfg);
    assert_non_null(s);
    return s;
}

/* A hook that tries every call that would change its scheduler, and records what each
 * returned. */
typedef struct reentry {
    sgdr_scheduler *s;
    unsigned char blob[512];
    size_t blob_len;
    int calls;
    sgdr_status got[6];
} reentry;

static void try_everything(reentry *r)
{
    r->got[0] = sgdr_set_param(r->s, SGDR_PARAM_MIN_LR, 0.5);
    r->got[1] = sgdr_load_state(r->s, r->blob, r->blob_len);
    r->got[2] = sgdr_on_train_begin(r->s);
    r->got[3] = sgdr_on_batch_end(r->s, 0, NULL, 0);
    r->got[4] = sgdr_on_epoch_end(r->s, 0, NULL, 0);
    r->got[5] = sgdr_on_train_end(r->s, NULL, 0);
    r->calls++;
}

static int reentering_set_lr(void *user, double lr)
{
    (void)lr;
    try_everything(user);
    return 0;
}

static int reentering_snapshot(void *user, uint32_t cycle)
{
    (void)cycle;
    try_everything(user);
    return 0;
}

static void assert_all_refused(const reentry *r)
{
    size_t i;
    for (i = 0; i < 6; i++) assert_int_equal(r->got[i], SGDR_EORDER);
}

static void test_hooks_cannot_change_their_scheduler(void **state)
{
    reentry r;
    double min_lr;
    uint64_t step;
    (void)state;
    memset(&r, 0, sizeof r);
    r.s = configured();
    assert_int_equal(sgdr_save_state(r.s, r.blob, sizeof r.blob, &r.blob_len), SGDR_OK);
    assert_int_equal(sgdr_set_lr_hooks(r.s, NULL, reentering_set_lr, &r), SGDR_OK);

    /* inside on_train_begin's set_lr the run has not started yet: still refused */
    assert_int_equal(sgdr_on_train_begin(r.s), SGDR_OK);
    assert_int_equal(r.calls, 1);
    assert_all_refused(&r);
    assert_non_null(strstr(sgdr_last_error(r.s), "hook"));
    assert_int_equal(sgdr_get_param(r.s, SGDR_PARAM_MIN_LR, &min_lr), SGDR_OK);
    assert_true(min_lr == 0.001);

    /* inside on_batch_end's set_lr: the batch still counts once */
    assert_int_equal(sgdr_on_batch_end(r.s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(r.calls, 2);
    assert_all_refused(&r);
    assert_int_equal(sgdr_get_progress(r.s, SGDR_PROGRESS_STEP, &step), SGDR_OK);
    assert_int_equal(step, 1);

    /* inside the snapshot hook at a cycle end */
    assert_int_equal(sgdr_set_lr_hooks(r.s, NULL, NULL, NULL), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(r.s, reentering_snapshot, NULL, &r), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(r.s, 1, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(r.s, 2, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(r.s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(r.calls, 3);
    assert_all_refused(&r);

    /* outside any hook the same calls work again */
    assert_int_equal(sgdr_on_train_end(r.s, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_set_param(r.s, SGDR_PARAM_MIN_LR, 0.002), SGDR_OK);
    sgdr_destroy(r.s);
}

static void test_get_lr_only_when_recording(void **state)
{
    static const sgdr_metric twice[] = {{"loss", 1}, {"loss", 2}};
    static const sgdr_metric reserved[] = {{"lr", 1}};
    static const sgdr_metric good[] = {{"loss", 1}};
    host h;
    sgdr_scheduler *s = configured();
    double lr;
    (void)state;
    host_reset(&h);
    h.lr = 0.25; /* the optimizer's learning rate, which get_lr reports */
    assert_int_equal(sgdr_set_lr_hooks(s, host_get_lr, NULL, &h), SGDR_OK);

    /* history off: nothing to record, get_lr is not asked */
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 0), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, good, 1), SGDR_OK);
    assert_int_equal(h.calls_of[HOST_GET_LR], 0);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);

    /* history on: asked once per batch, and not at all for a batch refused for its names */
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 1), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, good, 1), SGDR_OK);
    assert_int_equal(h.calls_of[HOST_GET_LR], 1);
    assert_int_equal(sgdr_on_batch_end(s, 1, twice, 2), SGDR_EMETRIC);
    assert_non_null(strstr(sgdr_last_error(s), "sgdr_on_batch_end: metric 'loss'"));
    assert_int_equal(sgdr_on_batch_end(s, 1, reserved, 1), SGDR_EMETRIC);
    assert_non_null(strstr(sgdr_last_error(s), "sgdr_on_batch_end: metric 'lr'"));
    assert_int_equal(h.calls_of[HOST_GET_LR], 1);
    /* what get_lr said is what the history holds */
    assert_int_equal(sgdr_history_copy(s, 0, 0, &lr, 1), SGDR_OK);
    assert_true(lr == 0.25);
    sgdr_destroy(s);
}

/* Bytes currently allocated, through the custom allocator (a size header per block). */
typedef struct arena {
    size_t live_bytes, peak_bytes;
} arena;

static void *arena_alloc(void *user, size_t size)
{
    arena *a = user;
    size_t *p = malloc(sizeof(size_t) * 2 + size);
    if (p == NULL) return NULL;
    p[0] = size;
    a->live_bytes += size;
    if (a->live_bytes > a->peak_bytes) a->peak_bytes = a->live_bytes;
    return p + 2;
}

static void arena_free(void *user, void *ptr)
{
    arena *a = user;
    size_t *p = (size_t *)ptr - 2;
    a->live_bytes -= p[0];
    free(p);
}

static void run_batches(sgdr_scheduler *s, size_t batches)
{
    static const sgdr_metric m[] = {{"loss", 1}};
    size_t i;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (i = 0; i < batches; i++) {
        assert_int_equal(sgdr_on_batch_end(s, i % 3, m, 1), SGDR_OK);
        if (i % 3 == 2) assert_int_equal(sgdr_on_epoch_end(s, i / 3, NULL, 0), SGDR_OK);
    }
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
}

static void test_history_sized_to_its_run(void **state)
{
    arena a = {0, 0};
    sgdr_scheduler *s;
    size_t base, after_short;
    (void)state;
    assert_int_equal(sgdr_create_with_allocator(&s, arena_alloc, arena_free, &a), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 3), SGDR_OK);
    base = a.live_bytes;
    run_batches(s, 3);
    after_short = a.live_bytes - base;
    run_batches(s, 300000); /* two columns of 300000 doubles: several MiB */
    assert_true(a.live_bytes - base > 4000000);
    run_batches(s, 3);
    /* the next short run holds what a short run holds, not the long run's buffers */
    assert_true(a.live_bytes - base <= after_short);
    sgdr_destroy(s);
    assert_int_equal(a.live_bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hooks_cannot_change_their_scheduler),
        cmocka_unit_test(test_get_lr_only_when_recording),
        cmocka_unit_test(test_history_sized_to_its_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
