/* SPDX-License-Identifier: MIT */
/* test_threads.c -- many schedulers on many threads at once.
 *
 * Sixteen threads, released together by a barrier, each run one of four configurations
 * (peak with warm-up and a checkpoint/resume, keras-seed, the hold after max_cycles, a wide
 * metrics set) several times over: every hook, history with metrics, save/load, CSV text and
 * a CSV file of its own, half of them through a custom allocator. Every run must end exactly
 * as the same plan did on the main thread alone: learning rates bit for bit, snapshots,
 * restore, counters, history CSV. The library has no global mutable state, so this holds
 * without locking; the ThreadSanitizer build (scripts/checks/45-tsan.sh) runs this test to
 * show that no two threads touch the same memory.
 *
 * Then the one exception to "one thread per scheduler" (sgdr.h, "Threads"): eight threads
 * make successful const calls on one scheduler at once (sgdr_lr_at at many steps, near and
 * far, every parameter and progress value, the saved state, every history reader) and must
 * get exactly what one thread got. Under TSan any write a successful const call made (a
 * cache, a lazy fill, a cleared message) would be a race between the readers; the message a
 * failure left before them must still be there after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scripted_run.h"
#include "testutil.h"

#define THREADS 16
/* rounds per thread; one when short (test_short(): valgrind runs the threads one at a time) */
#define ROUNDS (test_short() ? 1 : 6)

static const run_plan plans[] = {
    /* name               min_lr  max_lr spe decay cyc mult mode warm wstart maxc ep res wide */
    {"peak-warmup-resume", 0.001, 0.1, 4, 0.8, 1, 2, 0, 2, 0.01, 0, 17, 6, 0},
    {"keras-seed", 0.0005, 0.05, 7, 0.5, 2, 1.5, 1, 0, 0, 0, 14, 0, 0},
    {"max-cycles-hold", 0.01, 0.2, 5, 1, 2, 1, 0, 1, 0.05, 3, 10, 4, 0},
    {"wide", 0.02, 0.3, 9, 0.9, 3, 1.25, 0, 0, 0, 0, 12, 0, 20},
};
#define PLANS (sizeof plans / sizeof plans[0])

/* A thread's own allocator: counts its live blocks. */
static void *thread_alloc(void *user, size_t size)
{
    void *p = malloc(size);
    if (p != NULL) ++*(unsigned long *)user;
    return p;
}

static void thread_free(void *user, void *ptr)
{
    --*(unsigned long *)user;
    free(ptr);
}

typedef struct worker {
    pthread_t thread;
    pthread_barrier_t *start;
    const run_plan *plan;
    const run_result *expected;
    int use_allocator;
    unsigned long live;
    char csv[64];
    run_result result;
    char error[600]; /* the first mismatch, checked on the main thread */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    run_env env;
    int round;
    memset(&env, 0, sizeof env);
    env.fail_hook_call = SIZE_MAX;
    env.csv_path = w->csv;
    if (w->use_allocator) {
        env.alloc = thread_alloc;
        env.free = thread_free;
        env.alloc_user = &w->live;
    }
    pthread_barrier_wait(w->start);
    for (round = 0; round < ROUNDS && w->error[0] == '\0'; round++) {
        const char *diff;
        if (!run_execute(w->plan, &env, &w->result)) {
            snprintf(w->error, sizeof w->error, "round %d: %s", round, w->result.error);
        } else if ((diff = run_result_diff(w->expected, &w->result)) != NULL) {
            snprintf(w->error, sizeof w->error, "round %d: other %s than on one thread", round,
                     diff);
        } else if (w->live != 0) {
            snprintf(w->error, sizeof w->error, "round %d: %lu blocks live after destroy",
                     round, w->live);
        }
        run_result_free(&w->result);
    }
    return NULL;
}

static void threads_match_single_thread(void **state)
{
    static run_result expected[PLANS];
    static worker workers[THREADS];
    pthread_barrier_t start;
    run_env env;
    size_t i;
    char csv[64];
    (void)state;

    /* The single-threaded results first. */
    memset(&env, 0, sizeof env);
    env.fail_hook_call = SIZE_MAX;
    env.csv_path = csv;
    for (i = 0; i < PLANS; i++) {
        snprintf(csv, sizeof csv, "threads_single_%zu.csv", i);
        if (!run_execute(&plans[i], &env, &expected[i]))
            fail_msg("%s on the main thread: %s", plans[i].name, expected[i].error);
        remove(csv);
    }

    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
    for (i = 0; i < THREADS; i++) {
        worker *w = &workers[i];
        memset(w, 0, sizeof *w);
        w->start = &start;
        w->plan = &plans[i % PLANS];
        w->expected = &expected[i % PLANS];
        w->use_allocator = (i / PLANS) % 2;
        snprintf(w->csv, sizeof w->csv, "threads_%zu.csv", i);
        assert_int_equal(pthread_create(&w->thread, NULL, work, w), 0);
    }
    for (i = 0; i < THREADS; i++) assert_int_equal(pthread_join(workers[i].thread, NULL), 0);
    pthread_barrier_destroy(&start);

    for (i = 0; i < THREADS; i++) {
        remove(workers[i].csv);
        if (workers[i].error[0])
            fail_msg("thread %zu (%s%s): %s", i, workers[i].plan->name,
                     workers[i].use_allocator ? ", own allocator" : "", workers[i].error);
    }
    for (i = 0; i < PLANS; i++) run_result_free(&expected[i]);
}

#define READERS 8
#define READ_ROUNDS (test_short() ? 2 : 20)
#define READ_STEPS 64

/* Everything the const calls report about one scheduler. */
typedef struct reading {
    double lr, lr_at[READ_STEPS], param[SGDR_PARAM_CYCLE_WARMUP_STEPS + 1], copy[3][40];
    uint64_t progress[SGDR_PROGRESS_RUNNING + 1];
    unsigned char state[256];
    size_t state_len, rows, columns, found;
    const char *names[3], *error;
    char csv[2048];
    size_t csv_len;
    int failed; /* a call that should have succeeded did not */
} reading;

/* Steps near the start (warm-up and the first cycles) and far ones, up to 2^64 - 1. */
static uint64_t read_step(size_t i)
{
    if (i < 40) return i * 3;
    if (i == READ_STEPS - 1) return UINT64_MAX;
    return (uint64_t)1 << (i - 40 + 20);
}

static void take_reading(const sgdr_scheduler *s, reading *r)
{
    size_t i, c;
    memset(r, 0, sizeof *r);
    r->lr = sgdr_lr(s);
    for (i = 0; i < READ_STEPS; i++)
        r->failed |= sgdr_lr_at(s, read_step(i), &r->lr_at[i]) != SGDR_OK;
    for (i = 1; i <= SGDR_PARAM_CYCLE_WARMUP_STEPS; i++)
        r->failed |= sgdr_get_param(s, (sgdr_param)i, &r->param[i]) != SGDR_OK;
    for (i = 1; i <= SGDR_PROGRESS_RUNNING; i++)
        r->failed |= sgdr_get_progress(s, (sgdr_progress)i, &r->progress[i]) != SGDR_OK;
    r->failed |= sgdr_save_state(s, r->state, sizeof r->state, &r->state_len) != SGDR_OK;
    r->failed |= sgdr_history_rows(s, &r->rows) != SGDR_OK || r->rows > 40;
    r->failed |= sgdr_history_columns(s, &r->columns) != SGDR_OK || r->columns > 3;
    for (c = 0; c < r->columns && c < 3; c++) {
        r->failed |= sgdr_history_column_name(s, c, &r->names[c]) != SGDR_OK;
        r->failed |= sgdr_history_copy(s, c, 0, r->copy[c], r->rows) != SGDR_OK;
    }
    r->failed |= sgdr_history_find(s, "loss", &r->found) != SGDR_OK;
    r->failed |= sgdr_history_to_csv(s, r->csv, sizeof r->csv, &r->csv_len) != SGDR_OK;
    r->error = sgdr_last_error(s);
}

typedef struct reader {
    pthread_t thread;
    pthread_barrier_t *start;
    const sgdr_scheduler *s;
    const reading *expected;
    int mismatches;
} reader;

static void *read_work(void *arg)
{
    reader *r = arg;
    reading *got = malloc(sizeof *got);
    int round;
    if (got == NULL) {
        r->mismatches = -1;
        return NULL;
    }
    pthread_barrier_wait(r->start);
    for (round = 0; round < READ_ROUNDS; round++) {
        take_reading(r->s, got);
        r->mismatches += got->failed || memcmp(got, r->expected, sizeof *got) != 0;
    }
    free(got);
    return NULL;
}

/* A scheduler in the middle of a run, with history and two metrics: mult_factor 1.5 (the
 * integer walk) or 1 + 2^-40 (the one-epoch ramp, solved in closed form). */
static sgdr_scheduler *reading_scheduler(double mult)
{
    static const sgdr_metric metrics[] = {{"loss", 0.5}, {"acc", 0.25}};
    sgdr_scheduler *s = NULL;
    uint64_t e, b;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 5), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 2), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, mult), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.9), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_EPOCHS, 1), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (e = 0; e < 7; e++) {
        for (b = 0; b < 5; b++) assert_int_equal(sgdr_on_batch_end(s, b, metrics, 2), SGDR_OK);
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
    }
    return s;
}

static void const_calls_share_one_scheduler(void **state)
{
    static const double mults[] = {1.5, 1.0 + 0x1p-40};
    static reading expected;
    static reader readers[READERS];
    pthread_barrier_t start;
    size_t m, i;
    double v;
    (void)state;
    for (m = 0; m < sizeof mults / sizeof mults[0]; m++) {
        sgdr_scheduler *s = reading_scheduler(mults[m]);
        char before[256];
        /* A failure leaves a message; the successful calls that follow must not touch it. */
        assert_int_equal(sgdr_get_param(s, (sgdr_param)99, &v), SGDR_EBADPARAM);
        snprintf(before, sizeof before, "%s", sgdr_last_error(s));
        take_reading(s, &expected);
        assert_false(expected.failed);
        assert_int_equal(expected.rows, 35);
        assert_int_equal(expected.columns, 3);
        assert_int_equal(pthread_barrier_init(&start, NULL, READERS), 0);
        for (i = 0; i < READERS; i++) {
            readers[i].start = &start;
            readers[i].s = s;
            readers[i].expected = &expected;
            readers[i].mismatches = 0;
            assert_int_equal(pthread_create(&readers[i].thread, NULL, read_work, &readers[i]), 0);
        }
        for (i = 0; i < READERS; i++) assert_int_equal(pthread_join(readers[i].thread, NULL), 0);
        pthread_barrier_destroy(&start);
        for (i = 0; i < READERS; i++)
            if (readers[i].mismatches != 0)
                fail_msg("mult_factor %.17g: reader %zu saw %d readings differ from one thread's",
                         mults[m], i, readers[i].mismatches);
        assert_string_equal(sgdr_last_error(s), before);
        sgdr_destroy(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_match_single_thread),
        cmocka_unit_test(const_calls_share_one_scheduler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
