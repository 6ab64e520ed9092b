/* SPDX-License-Identifier: MIT */
/* test_faults_alloc.c -- allocations that fail.
 *
 * A counting allocator, given to sgdr_create_with_allocator, fails the k-th allocation of a
 * whole scripted run, for every k in turn: creating the scheduler, configuring it, a run that
 * records history with several metrics (names appearing mid-run, bursts that grow the column
 * and slot tables, more rows than the first history block, more than 64 columns), a
 * checkpoint saved and loaded into a fresh scheduler, and the history exported as CSV text
 * and written to a file. Each failure must return SGDR_ENOMEM with a message and leave the
 * scheduler exactly as it was (state bytes, lr, history rows, columns and last row); the same
 * call must succeed on retry, the run must end identical to the fault-free run, and after
 * sgdr_destroy no block may be live (nothing leaked: buffers the scheduler keeps for reuse
 * after a failure are its own until then). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scripted_run.h"

static const run_plan plans[] = {
    /* name               min_lr  max_lr spe decay cyc mult mode warm wstart maxc ep res wide */
    {"metrics-resume", 0.001, 0.1, 8, 0.8, 1, 2, 0, 2, 0.01, 0, 17, 6, 0},
    {"keras-seed", 0.0005, 0.05, 10, 0.5, 2, 1.5, 1, 0, 0, 0, 14, 0, 0},
    {"wide-70-metrics", 0.01, 0.2, 3, 1, 1, 1, 0, 1, 0.05, 2, 4, 0, 70},
};

/* Fails attempt number fail_at (1-based; 0 = never), once. */
typedef struct counting_alloc {
    unsigned long attempts;
    unsigned long fail_at;
    unsigned long failed;
    unsigned long live;       /* blocks handed out and not yet freed */
    unsigned long bad_frees;  /* free(NULL) or more frees than allocations */
} counting_alloc;

static void *counting_malloc(void *user, size_t size)
{
    counting_alloc *a = user;
    void *p;
    if (++a->attempts == a->fail_at) {
        a->failed++;
        return NULL;
    }
    p = malloc(size);
    if (p != NULL) a->live++;
    return p;
}

static void counting_free(void *user, void *ptr)
{
    counting_alloc *a = user;
    if (ptr == NULL || a->live == 0) {
        a->bad_frees++;
        return;
    }
    a->live--;
    free(ptr);
}

/* A failed call must be the injected allocation failure, reported as SGDR_ENOMEM with a
 * message; the driver then checks that nothing changed (live blocks included) and retries. */
static int on_failure(void *ctx, const char *call, sgdr_status st, const char *message,
                      const run_view *before, const run_view *after, char *why, size_t cap)
{
    counting_alloc *a = ctx;
    (void)before;
    (void)after;
    if (st != SGDR_ENOMEM) {
        snprintf(why, cap, "%s failed with %s (%s), not SGDR_ENOMEM", call, sgdr_strerror(st),
                 message ? message : "");
        return 1;
    }
    if (a->failed != 1) {
        snprintf(why, cap, "%s returned SGDR_ENOMEM but the allocator failed %lu times", call,
                 a->failed);
        return 1;
    }
    /* Without a scheduler (sgdr_create_with_allocator) there is nowhere to put a message. */
    if (message != NULL && message[0] == '\0') {
        snprintf(why, cap, "%s returned SGDR_ENOMEM with an empty message", call);
        return 1;
    }
    return 0;
}

static void run_with_allocator(const run_plan *plan, counting_alloc *a, const char *csv,
                               run_result *r, int inject)
{
    run_env env;
    memset(&env, 0, sizeof env);
    env.alloc = counting_malloc;
    env.free = counting_free;
    env.alloc_user = a;
    env.on_failure = inject ? on_failure : NULL;
    env.ctx = a;
    env.fail_hook_call = SIZE_MAX;
    env.csv_path = csv;
    run_execute(plan, &env, r);
}

static void every_allocation_fails_once(void **state)
{
    const run_plan *plan = *state;
    char csv[256];
    counting_alloc a;
    run_result *ref = malloc(sizeof *ref), *r = malloc(sizeof *r);
    unsigned long k, total;

    assert_non_null(ref);
    assert_non_null(r);
    snprintf(csv, sizeof csv, "faults_alloc_%s.csv", plan->name);

    memset(&a, 0, sizeof a);
    run_with_allocator(plan, &a, csv, ref, 0);
    if (ref->error[0]) fail_msg("%s: fault-free run: %s", plan->name, ref->error);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bad_frees, 0);
    assert_true(ref->file_len > 0 && ref->file_len == ref->csv_len);
    total = a.attempts;
    assert_true(total > 20);

    /* k = total + 1 never fails: the injection itself changes nothing. */
    for (k = 1; k <= total + 1; k++) {
        const char *diff;
        memset(&a, 0, sizeof a);
        a.fail_at = k;
        run_with_allocator(plan, &a, csv, r, 1);
        if (r->error[0]) fail_msg("%s: allocation %lu fails: %s", plan->name, k, r->error);
        if (r->failures != (k <= total ? 1u : 0u))
            fail_msg("%s: allocation %lu fails: %zu failed calls", plan->name, k, r->failures);
        if (a.live != 0)
            fail_msg("%s: allocation %lu fails: %lu blocks live after sgdr_destroy", plan->name,
                     k, a.live);
        assert_int_equal(a.bad_frees, 0);
        diff = run_result_diff(ref, r);
        if (diff != NULL)
            fail_msg("%s: allocation %lu failed once: the run ended with other %s", plan->name,
                     k, diff);
        run_result_free(r);
    }
    print_message("%s: %zu batches, %lu allocations, each failed once\n", plan->name,
                  ref->batches, total);
    remove(csv);
    run_result_free(ref);
    free(ref);
    free(r);
}

/* The allocator pair is required, and a failed create leaves *out NULL. */
static void create_with_allocator_contract(void **state)
{
    counting_alloc a;
    sgdr_scheduler *s = (sgdr_scheduler *)&a; /* any non-NULL value: must be overwritten */
    (void)state;
    memset(&a, 0, sizeof a);
    a.fail_at = 1;
    assert_int_equal(sgdr_create_with_allocator(&s, counting_malloc, counting_free, &a),
                     SGDR_ENOMEM);
    assert_null(s);
    assert_int_equal(a.live, 0);
    assert_int_equal(sgdr_create_with_allocator(&s, counting_malloc, counting_free, &a), SGDR_OK);
    assert_non_null(s);
    assert_int_equal(a.live, 1);
    sgdr_destroy(s);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bad_frees, 0);
}

int main(void)
{
    struct CMUnitTest tests[sizeof plans / sizeof plans[0] + 1];
    size_t i;
    for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        struct CMUnitTest t = {plans[i].name, every_allocation_fails_once, NULL, NULL,
                               (void *)&plans[i]};
        tests[i] = t;
    }
    {
        struct CMUnitTest t = cmocka_unit_test(create_with_allocator_contract);
        tests[i] = t;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
