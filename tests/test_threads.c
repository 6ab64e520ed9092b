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
 * show that no two threads touch the same memory. */
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

#define THREADS 16
#define ROUNDS 6

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_match_single_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
