/* SPDX-License-Identifier: MIT */
/* test_callbacks.c -- the callbacks' calls into the host (docs/SPEC.md §4), in cmocka's
 * expect_function_call()/function_called() style: every hook call must be expected, in order,
 * with the expected argument (check_expected). A missing, extra or out-of-order hook call
 * fails the test, so a test that expects nothing between two callbacks asserts that no hook
 * was called there. */
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

/* The user pointer every hook must receive back. */
static int hook_user;

/* cmocka checks parameters as integers: learning rates travel as their bit patterns. */
static uint64_t bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* ---- the mock hooks ---- */

static int mock_set_lr(void *user, double lr)
{
    uint64_t lr_bits = bits(lr);
    assert_ptr_equal(user, &hook_user);
    function_called();
    check_expected(lr_bits);
    return 0;
}

/* Reports the learning rate queued with will_return (bits), like an optimizer that scales
 * what it was given. */
static int mock_get_lr(void *user, double *lr)
{
    assert_ptr_equal(user, &hook_user);
    function_called();
    *lr = from_bits(mock_type(uint64_t));
    return 0;
}

static int mock_snapshot(void *user, uint32_t cycle)
{
    assert_ptr_equal(user, &hook_user);
    function_called();
    check_expected(cycle);
    return 0;
}

static int mock_restore(void *user, uint32_t cycle)
{
    assert_ptr_equal(user, &hook_user);
    function_called();
    check_expected(cycle);
    return 0;
}

/* ---- expectations ---- */

/* Cosine values are compared within 1e-12 (every configuration here has max_lr <= 1): the
 * library's libm call and this file's may differ in the last bit. Peaks, floors and warm-up
 * ends are exact and compared bit for bit. */
static int lr_near(const LargestIntegralType value, const LargestIntegralType expected)
{
    double got = from_bits(value), want = from_bits(expected);
    if (fabs(got - want) <= 1e-12) return 1;
    print_error("set_lr received %.17g, expected %.17g\n", got, want);
    return 0;
}

static void expect_set_lr(double lr)
{
    expect_function_call(mock_set_lr);
    expect_value(mock_set_lr, lr_bits, bits(lr));
}

static void expect_set_lr_near(double lr)
{
    expect_function_call(mock_set_lr);
    expect_check(mock_set_lr, lr_bits, lr_near, bits(lr));
}

static void expect_snapshot(uint32_t cycle)
{
    expect_function_call(mock_snapshot);
    expect_value(mock_snapshot, cycle, cycle);
}

static void expect_restore(uint32_t cycle)
{
    expect_function_call(mock_restore);
    expect_value(mock_restore, cycle, cycle);
}

/* docs/SPEC.md §3.4: the lr of the batch b batches into a cycle of n batches with peak p, without the
 * clamp of b / n (keras-seed leaves it unclamped; peak-mode callers clamp b). */
static double cosine(double min_lr, double peak, uint64_t b, uint64_t n)
{
    return min_lr + 0.5 * (peak - min_lr) * (1.0 + cos(M_PI * (double)b / (double)n));
}

/* ---- driving the callbacks ---- */

/* A scheduler configured as `cfg` says, with the mock set_lr, snapshot and restore hooks. */
static sgdr_scheduler *make(const golden *cfg)
{
    sgdr_scheduler *s = golden_scheduler(cfg);
    assert_non_null(s);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, mock_set_lr, &hook_user), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, mock_snapshot, mock_restore, &hook_user), SGDR_OK);
    return s;
}

static double lr_at(const sgdr_scheduler *s, uint64_t step)
{
    double lr = NAN;
    assert_int_equal(sgdr_lr_at(s, step, &lr), SGDR_OK);
    return lr;
}

static void begin(sgdr_scheduler *s)
{
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
}

static void batch(sgdr_scheduler *s)
{
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
}

static void epoch(sgdr_scheduler *s, uint64_t e)
{
    assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
}

static void end(sgdr_scheduler *s)
{
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
}

/* A scheduler made as `cfg` says, begun: set_lr gets the first batch's lr. */
static sgdr_scheduler *start(const golden *cfg)
{
    sgdr_scheduler *s = make(cfg);
    expect_set_lr(cfg->warmup_epochs > 0 ? cfg->warmup_start_lr : cfg->max_lr);
    begin(s);
    return s;
}

/* The end of epoch e closes a cycle: snapshot(cycle), then set_lr(peak) for the next. */
static void restart(sgdr_scheduler *s, uint64_t e, uint32_t cycle, double peak)
{
    expect_snapshot(cycle);
    expect_set_lr(peak);
    epoch(s, e);
}

/* on_train_end, which must restore snapshot `restore` (-1: must call no hook), then free. */
static void finish(sgdr_scheduler *s, int restore)
{
    if (restore >= 0) expect_restore((uint32_t)restore);
    end(s);
    sgdr_destroy(s);
}

static uint64_t progress(const sgdr_scheduler *s, sgdr_progress what)
{
    uint64_t v = 0;
    assert_int_equal(sgdr_get_progress(s, what, &v), SGDR_OK);
    return v;
}

/* Batches b = first..last of a peak-mode cycle of n batches: set_lr gets each next lr. */
static void cycle_batches(sgdr_scheduler *s, double min_lr, double peak, uint64_t first,
                          uint64_t last, uint64_t n)
{
    uint64_t b;
    for (b = first; b <= last; b++) {
        if (b >= n) expect_set_lr(min_lr); /* b / n clamped to 1: exactly the floor */
        else expect_set_lr_near(cosine(min_lr, peak, b, n));
        batch(s);
    }
}

/* The configurations (golden's fields; warm-up and max_cycles 0 unless given). */
#define CFG(mode_, min_, max_, spe_, decay_, cycle_, mult_) \
    .mode = (mode_), .min_lr = (min_), .max_lr = (max_), .steps_per_epoch = (spe_), \
    .lr_decay = (decay_), .cycle_length = (cycle_), .mult_factor = (mult_)

/* ---- tests ---- */

/* on_train_begin hands the first batch's lr to set_lr, and nothing else. */
static void test_train_begin_sets_first_lr(void **state)
{
    static const struct {
        golden cfg;
        double first;
    } cases[] = {
        {{CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 4, 1, 2, 2)}, 0.9},
        {{CFG(SGDR_RESTART_KERAS_SEED, 0.1, 0.9, 4, 0.5, 2, 2)}, 0.9},
        {{CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 4, 1, 2, 2), .warmup_epochs = 2,
          .warmup_start_lr = 0.05}, 0.05},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sgdr_scheduler *s = make(&cases[i].cfg);
        expect_set_lr(cases[i].first);
        begin(s);
        assert_true(sgdr_lr(s) == cases[i].first);
        assert_int_equal(progress(s, SGDR_PROGRESS_RUNNING), 1);
        sgdr_destroy(s); /* calls no hook */
    }
}

/* Each on_batch_end sets the next batch's lr; an epoch end inside a cycle calls nothing. */
static void test_batch_sets_next_lr(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 4, 1, 2, 2)};
    sgdr_scheduler *s = start(&cfg);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 4, 8);
    epoch(s, 0);
    assert_int_equal(progress(s, SGDR_PROGRESS_STEP), 4);
    cycle_batches(s, 0.1, 0.9, 5, 8, 8);
    assert_true(sgdr_lr(s) == 0.1);
    sgdr_destroy(s);
}

/* Peak mode: the epoch that closes a cycle snapshots it, then sets the next peak. */
static void test_restart_peak_mode(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 0.5, 1, 2)};
    sgdr_scheduler *s = start(&cfg);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 2, 2); /* cycle 0: one epoch */
    restart(s, 0, 0, 0.45);
    cycle_batches(s, 0.1, 0.45, 1, 2, 4); /* cycle 1: two epochs */
    epoch(s, 1);
    cycle_batches(s, 0.1, 0.45, 3, 4, 4);
    restart(s, 2, 1, 0.225);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE), 2);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE_LENGTH), 4);
    assert_int_equal(progress(s, SGDR_PROGRESS_SNAPSHOTS), 2);
    finish(s, 1);
}

/* keras-seed mode: a restart snapshots but changes only the counters, so the first batch of
 * the next cycle trains at the carried lr (min_lr) and set_lr is not called at the restart. */
static void test_restart_keras_seed_keeps_lr(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_KERAS_SEED, 0.1, 0.9, 2, 0.5, 1, 2)};
    sgdr_scheduler *s = start(&cfg);
    double carried;
    (void)state;
    expect_set_lr_near(cosine(0.1, 0.9, 1, 2));
    batch(s);
    expect_set_lr_near(0.1);
    batch(s);
    carried = sgdr_lr(s);
    expect_snapshot(0);
    epoch(s, 0);
    assert_true(bits(sgdr_lr(s)) == bits(carried));
    expect_set_lr_near(cosine(0.1, 0.45, 1, 4));
    batch(s);
    expect_set_lr_near(cosine(0.1, 0.45, 2, 4));
    batch(s);
    epoch(s, 1);
    expect_set_lr_near(cosine(0.1, 0.45, 3, 4));
    batch(s);
    expect_set_lr_near(0.1);
    batch(s);
    expect_snapshot(1);
    epoch(s, 2);
    finish(s, 1);
}

/* A decayed peak below min_lr: keras-seed does not clamp it (the lr dips under min_lr);
 * peak mode clamps it, so the restart changes nothing and set_lr is not called. */
static void test_decayed_peak_below_floor(void **state)
{
    golden keras = {CFG(SGDR_RESTART_KERAS_SEED, 0.1, 0.9, 2, 0.05, 1, 1)};
    golden peak = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 0.05, 1, 1)};
    sgdr_scheduler *s = start(&keras);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 2, 2);
    expect_snapshot(0);
    epoch(s, 0);
    expect_set_lr_near(cosine(0.1, 0.045, 1, 2));
    batch(s);
    assert_true(sgdr_lr(s) < 0.1);
    sgdr_destroy(s);

    s = start(&peak);
    cycle_batches(s, 0.1, 0.9, 1, 2, 2);
    expect_snapshot(0);
    epoch(s, 0); /* next peak is max(0.1, 0.045) = the lr already set */
    cycle_batches(s, 0.1, 0.1, 1, 2, 2);
    sgdr_destroy(s);
}

/* Warm-up: linear from warmup_start_lr, no snapshot at its end, then cycle 0 at max_lr. */
static void test_warmup_then_cycle0(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.0, 1.0, 2, 1, 1, 1), .warmup_epochs = 2,
                  .warmup_start_lr = 0.2};
    sgdr_scheduler *s = start(&cfg);
    (void)state;
    assert_int_equal(progress(s, SGDR_PROGRESS_PHASE), SGDR_PHASE_WARMUP);
    expect_set_lr_near(0.4);
    batch(s);
    expect_set_lr_near(0.6);
    batch(s);
    epoch(s, 0);
    expect_set_lr_near(0.8);
    batch(s);
    expect_set_lr(1.0); /* t = W * steps_per_epoch: exactly max_lr */
    batch(s);
    epoch(s, 1); /* warm-up ends: cycle 0 starts at max_lr, already set */
    assert_int_equal(progress(s, SGDR_PROGRESS_PHASE), SGDR_PHASE_CYCLE);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE), 0);
    cycle_batches(s, 0.0, 1.0, 1, 2, 2);
    restart(s, 2, 0, 1.0);
    finish(s, 0);
}

/* After max_cycles cycles: min_lr on every batch, no more snapshots, restore of the last. */
static void test_max_cycles_then_hold(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 1, 1, 2), .max_cycles = 2};
    sgdr_scheduler *s = start(&cfg);
    uint64_t e;
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 2, 2);
    restart(s, 0, 0, 0.9);
    cycle_batches(s, 0.1, 0.9, 1, 2, 4);
    epoch(s, 1);
    cycle_batches(s, 0.1, 0.9, 3, 4, 4);
    expect_snapshot(1);
    epoch(s, 2); /* into the hold: min_lr, already set */
    assert_int_equal(progress(s, SGDR_PROGRESS_PHASE), SGDR_PHASE_HOLD);
    for (e = 3; e < 9; e++) {
        expect_set_lr(0.1); /* every batch: the floor */
        batch(s);
        expect_set_lr(0.1);
        batch(s);
        epoch(s, e);
    }
    assert_int_equal(progress(s, SGDR_PROGRESS_SNAPSHOTS), 2);
    finish(s, 1);
}

/* More batches than steps_per_epoch: peak mode stays at the floor until the epoch that
 * closes the cycle ends (keras-seed's unclamped cosine climbs back instead). */
static void test_more_batches_than_steps_per_epoch(void **state)
{
    golden peak = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 1, 2, 2)};
    golden keras = {CFG(SGDR_RESTART_KERAS_SEED, 0.1, 0.9, 2, 1, 2, 2)};
    sgdr_scheduler *s = start(&peak);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 3, 4); /* epoch 0: three batches */
    epoch(s, 0);
    cycle_batches(s, 0.1, 0.9, 4, 6, 4); /* epoch 1: three more, past N = 4 */
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE_POSITION), 6);
    restart(s, 1, 0, 0.9);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE_POSITION), 0);
    assert_int_equal(progress(s, SGDR_PROGRESS_STEP), 6);
    sgdr_destroy(s);

    s = start(&keras);
    expect_set_lr_near(cosine(0.1, 0.9, 1, 4));
    batch(s);
    expect_set_lr_near(cosine(0.1, 0.9, 2, 4));
    batch(s);
    expect_set_lr_near(cosine(0.1, 0.9, 3, 4));
    batch(s);
    epoch(s, 0);
    expect_set_lr_near(0.1);
    batch(s);
    expect_set_lr_near(cosine(0.1, 0.9, 5, 4));
    batch(s);
    assert_true(sgdr_lr(s) > 0.1 + 1e-3);
    sgdr_destroy(s);
}

/* Fewer batches than steps_per_epoch: the cycle still closes at its last epoch's end, and
 * the restart sets the peak from wherever the cosine had got to. */
static void test_fewer_batches_than_steps_per_epoch(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 4, 1, 1, 1)};
    sgdr_scheduler *s = start(&cfg);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 2, 4);
    restart(s, 0, 0, 0.9);
    cycle_batches(s, 0.1, 0.9, 1, 4, 4);
    restart(s, 1, 1, 0.9);
    assert_int_equal(progress(s, SGDR_PROGRESS_STEP), 6);
    finish(s, 1);
}

/* on_train_end restores the most recent snapshot, even when the run stopped mid-cycle. */
static void test_restore_most_recent_snapshot(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 1, 1, 1, 1)};
    sgdr_scheduler *s = start(&cfg);
    uint32_t k;
    (void)state;
    for (k = 0; k < 3; k++) {
        cycle_batches(s, 0.1, 0.9, 1, 1, 1);
        restart(s, k, k, 0.9);
    }
    expect_set_lr(0.1);
    batch(s); /* cycle 3 begun, not closed */
    assert_int_equal(progress(s, SGDR_PROGRESS_LAST_SNAPSHOT), 2);
    expect_restore(2);
    end(s);
    assert_int_equal(progress(s, SGDR_PROGRESS_RUNNING), 0);
    sgdr_destroy(s);
}

/* No cycle closed: nothing to restore. */
static void test_no_snapshot_no_restore(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 1, 3, 2)};
    sgdr_scheduler *s = start(&cfg);
    (void)state;
    cycle_batches(s, 0.1, 0.9, 1, 2, 6);
    epoch(s, 0);
    finish(s, -1);
}

/* restore_at_end = 0: snapshots are taken, nothing is restored. */
static void test_restore_at_end_off(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 1, 1, 1, 1)};
    sgdr_scheduler *s = make(&cfg);
    (void)state;
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_RESTORE_AT_END, 0), SGDR_OK);
    expect_set_lr(0.9);
    begin(s);
    expect_set_lr(0.1);
    batch(s);
    restart(s, 0, 0, 0.9);
    finish(s, -1);
}

/* Weight hooks are optional: without a snapshot hook nothing is snapshotted nor restored
 * (even with a restore hook); a snapshot hook alone snapshots but restores nothing. */
static void test_weight_hooks_optional(void **state)
{
    static const struct {
        sgdr_snapshot_fn snap;
        sgdr_restore_fn restore;
    } hooks[] = {{NULL, NULL}, {NULL, mock_restore}, {mock_snapshot, NULL}};
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 1, 1, 1, 1)};
    size_t i;
    uint32_t k;
    (void)state;
    for (i = 0; i < sizeof hooks / sizeof hooks[0]; i++) {
        sgdr_scheduler *s = make(&cfg);
        assert_int_equal(sgdr_set_weight_hooks(s, hooks[i].snap, hooks[i].restore, &hook_user),
                         SGDR_OK);
        expect_set_lr(0.9);
        begin(s);
        for (k = 0; k < 2; k++) {
            expect_set_lr(0.1);
            batch(s);
            if (hooks[i].snap != NULL) expect_snapshot(k);
            expect_set_lr(0.9);
            epoch(s, k);
        }
        assert_int_equal(progress(s, SGDR_PROGRESS_SNAPSHOTS), hooks[i].snap != NULL ? 2 : 0);
        finish(s, -1);
    }
}

/* With a get_lr hook, on_batch_end reads the lr the batch trained with (before set_lr for
 * the next batch) and history records that value, not the scheduler's own. */
static void test_get_lr_recorded_in_history(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 3, 1, 1, 1)};
    sgdr_scheduler *s = make(&cfg);
    double reported[3], recorded[3];
    size_t rows = 0;
    uint64_t b;
    (void)state;
    assert_int_equal(sgdr_set_lr_hooks(s, mock_get_lr, mock_set_lr, &hook_user), SGDR_OK);
    expect_set_lr(0.9);
    begin(s);
    for (b = 0; b < 3; b++) {
        reported[b] = sgdr_lr(s) * 0.5; /* an optimizer that halves what it is given */
        expect_function_call(mock_get_lr);
        will_return(mock_get_lr, bits(reported[b]));
        if (b == 2) expect_set_lr(0.1);
        else expect_set_lr_near(cosine(0.1, 0.9, b + 1, 3));
        batch(s);
    }
    assert_int_equal(sgdr_history_rows(s, &rows), SGDR_OK);
    assert_int_equal(rows, 3);
    assert_int_equal(sgdr_history_copy(s, 0, 0, recorded, 3), SGDR_OK);
    assert_memory_equal(recorded, reported, sizeof recorded);

    /* Without get_lr the history holds what the scheduler set. */
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, mock_set_lr, &hook_user), SGDR_OK);
    restart(s, 0, 0, 0.9);
    expect_set_lr_near(cosine(0.1, 0.9, 1, 3));
    batch(s);
    assert_int_equal(sgdr_history_copy(s, 0, 3, recorded, 1), SGDR_OK);
    assert_true(recorded[0] == 0.9);
    sgdr_destroy(s);
}

/* begin, end, then begin again: a new run with the new parameters, counters, snapshot
 * bookkeeping and history reset. */
static void test_begin_end_begin(void **state)
{
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 1, 1, 1, 1)};
    sgdr_scheduler *s = start(&cfg);
    size_t rows = 1;
    (void)state;
    expect_set_lr(0.1);
    batch(s);
    restart(s, 0, 0, 0.9);
    expect_restore(0);
    end(s);

    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.5), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 2), SGDR_OK);
    expect_set_lr(0.5);
    begin(s);
    assert_int_equal(progress(s, SGDR_PROGRESS_STEP), 0);
    assert_int_equal(progress(s, SGDR_PROGRESS_EPOCH), 0);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE), 0);
    assert_int_equal(progress(s, SGDR_PROGRESS_SNAPSHOTS), 0);
    assert_int_equal(sgdr_history_rows(s, &rows), SGDR_OK);
    assert_int_equal(rows, 0);
    expect_set_lr_near(cosine(0.1, 0.5, 1, 2));
    batch(s);
    epoch(s, 0);     /* epochs count from 0 again; cycle 0 now lasts two */
    finish(s, -1); /* no snapshot in this run: nothing restored */
}

/* The state of a run (hooks that expect nothing) after cycle 0's snapshot and one batch of
 * cycle 1: min 0.1, max 0.9, two batches per epoch, cycles of 1, 2, 4 epochs. */
static sgdr_scheduler *saved_run(unsigned char *blob, size_t cap, size_t *len)
{
    static host h; /* outlives the call: the scheduler keeps the hook */
    golden cfg = {CFG(SGDR_RESTART_PEAK, 0.1, 0.9, 2, 1, 1, 2)};
    sgdr_scheduler *s = golden_scheduler(&cfg);
    int i;
    assert_non_null(s);
    host_reset(&h);
    assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, NULL, &h), SGDR_OK);
    begin(s);
    for (i = 0; i < 2; i++) batch(s);
    epoch(s, 0);
    assert_int_equal(host_count(&h, EV_SNAPSHOT), 1);
    assert_int_equal(host_nth(&h, EV_SNAPSHOT, 0)->cycle, 0);
    batch(s);
    assert_int_equal(sgdr_save_state(s, blob, cap, len), SGDR_OK);
    return s;
}

/* load_state into a fresh scheduler calls no hook; on_train_begin then resumes: set_lr gets
 * the restored lr, the counters are kept, and the run continues bit for bit, snapshot and
 * restore included. */
static void test_load_state_then_resume(void **state)
{
    unsigned char blob[1024];
    size_t len = 0;
    double at[7];
    uint64_t step;
    sgdr_scheduler *ref = saved_run(blob, sizeof blob, &len);
    sgdr_scheduler *s;
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, mock_set_lr, &hook_user), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, mock_snapshot, mock_restore, &hook_user), SGDR_OK);
    assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);

    expect_set_lr(sgdr_lr(ref));
    begin(s);
    assert_int_equal(progress(s, SGDR_PROGRESS_STEP), 3);
    assert_int_equal(progress(s, SGDR_PROGRESS_EPOCH), 1);
    assert_int_equal(progress(s, SGDR_PROGRESS_BATCH_IN_EPOCH), 1);
    assert_int_equal(progress(s, SGDR_PROGRESS_CYCLE), 1);
    assert_int_equal(progress(s, SGDR_PROGRESS_SNAPSHOTS), 1);
    for (step = 4; step <= 6; step++) at[step] = lr_at(ref, step);
    expect_set_lr(at[4]);
    batch(s); /* step 3, the last of epoch 1 */
    epoch(s, 1);
    expect_set_lr(at[5]);
    batch(s);
    expect_set_lr(0.1); /* step 5 closes cycle 1 (steps 2..5): b = N, the floor */
    batch(s);
    restart(s, 2, 1, at[6]);
    finish(s, 1);
    sgdr_destroy(ref);
}

/* A resumed run that ends before the next cycle closes restores the snapshot taken before
 * the state was saved. */
static void test_resume_restores_snapshot_from_before_save(void **state)
{
    unsigned char blob[1024];
    size_t len = 0;
    sgdr_scheduler *ref = saved_run(blob, sizeof blob, &len);
    sgdr_scheduler *s;
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, mock_set_lr, &hook_user), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, mock_snapshot, mock_restore, &hook_user), SGDR_OK);
    assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);
    expect_set_lr(sgdr_lr(ref));
    begin(s);
    finish(s, 0);
    sgdr_destroy(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_begin_sets_first_lr),
        cmocka_unit_test(test_batch_sets_next_lr),
        cmocka_unit_test(test_restart_peak_mode),
        cmocka_unit_test(test_restart_keras_seed_keeps_lr),
        cmocka_unit_test(test_decayed_peak_below_floor),
        cmocka_unit_test(test_warmup_then_cycle0),
        cmocka_unit_test(test_max_cycles_then_hold),
        cmocka_unit_test(test_more_batches_than_steps_per_epoch),
        cmocka_unit_test(test_fewer_batches_than_steps_per_epoch),
        cmocka_unit_test(test_restore_most_recent_snapshot),
        cmocka_unit_test(test_no_snapshot_no_restore),
        cmocka_unit_test(test_restore_at_end_off),
        cmocka_unit_test(test_weight_hooks_optional),
        cmocka_unit_test(test_get_lr_recorded_in_history),
        cmocka_unit_test(test_begin_end_begin),
        cmocka_unit_test(test_load_state_then_resume),
        cmocka_unit_test(test_resume_restores_snapshot_from_before_save),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
