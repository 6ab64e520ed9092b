/* SPDX-License-Identifier: MIT */
/* test_faults_hooks.c -- host hooks that fail.
 *
 * For multi-cycle runs (warm-up, snapshots, restarts, a checkpoint/resume into a fresh
 * scheduler, keras-seed mode, the hold after max_cycles), every hook call of the run fails
 * once, for every call index in turn. Each time: the callback returns the failed hook's own
 * status with a message naming that hook, the scheduler is exactly as before the call (saved
 * state bytes, sgdr_lr, history rows, columns and last row), the retried call succeeds, and
 * the whole run ends exactly as the run without faults did (every learning rate bit for bit,
 * the snapshot of every cycle, the restored cycle, the counters and the history CSV). */
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
    {"peak-warmup-resume", 0.001, 0.1, 4, 0.8, 1, 2, 0, 2, 0.01, 0, 17, 6, 0},
    {"keras-seed-resume", 0.0005, 0.05, 3, 0.5, 2, 1.5, 1, 0, 0, 0, 12, 5, 0},
    {"max-cycles-hold", 0.01, 0.2, 5, 1, 2, 1, 0, 1, 0.05, 3, 10, 0, 0},
};

/* What each hook's failure must look like. */
static const struct {
    sgdr_status status;
    const char *says;
} expected[] = {
    [RUN_HOOK_GET_LR] = {SGDR_EHOOK_GET_LR, "get_lr hook"},
    [RUN_HOOK_SET_LR] = {SGDR_EHOOK_SET_LR, "set_lr hook"},
    [RUN_HOOK_SNAPSHOT] = {SGDR_EHOOK_SNAPSHOT, "snapshot hook"},
    [RUN_HOOK_RESTORE] = {SGDR_EHOOK_RESTORE, "restore hook"},
};

typedef struct policy {
    size_t failures;
    sgdr_status status;
    char message[300];
    char call[200];
} policy;

/* A failed call: it must be a callback failing with a hook status and a message naming the
 * hook (which hook is checked after the run). The driver checks that nothing changed. */
static int on_failure(void *ctx, const char *call, sgdr_status st, const char *message,
                      const run_view *before, const run_view *after, char *why, size_t cap)
{
    policy *p = ctx;
    size_t k;
    (void)before;
    (void)after;
    p->failures++;
    p->status = st;
    snprintf(p->message, sizeof p->message, "%s", message ? message : "");
    snprintf(p->call, sizeof p->call, "%s", call);
    if (strncmp(call, "sgdr_on_", 8) != 0) {
        snprintf(why, cap, "%s failed (%s) but calls no hook", call, sgdr_strerror(st));
        return 1;
    }
    for (k = 0; k < sizeof expected / sizeof expected[0]; k++) {
        if (expected[k].status != st) continue;
        if (message == NULL || strstr(message, expected[k].says) == NULL) {
            snprintf(why, cap, "%s: message \"%s\" does not name the %s", call,
                     message ? message : "", expected[k].says);
            return 1;
        }
        return 0;
    }
    snprintf(why, cap, "%s failed with %s, not a hook status", call, sgdr_strerror(st));
    return 1;
}

static void every_hook_call_fails_once(void **state)
{
    const run_plan *plan = *state;
    run_env env;
    run_result *ref = malloc(sizeof *ref), *r = malloc(sizeof *r);
    size_t i, per_hook[4] = {0, 0, 0, 0};
    long snapped = 0;

    assert_non_null(ref);
    assert_non_null(r);
    memset(&env, 0, sizeof env);
    env.fail_hook_call = SIZE_MAX;
    if (!run_execute(plan, &env, ref)) fail_msg("%s: fault-free run: %s", plan->name, ref->error);
    assert_int_equal(ref->failures, 0);
    /* The run exercises what it claims to: cycles closed, a snapshot restored. */
    for (i = 0; i < RUN_MAX_CYCLES; i++) snapped += ref->snapshot_epoch[i] >= 0;
    assert_true(snapped >= 3);
    assert_true(ref->restored_cycle >= 0);
    assert_true(ref->hook_calls > 2 * ref->batches);

    env.on_failure = on_failure;
    for (i = 0; i < ref->hook_calls; i++) {
        policy p;
        const char *diff;
        memset(&p, 0, sizeof p);
        env.ctx = &p;
        env.fail_hook_call = i;
        if (!run_execute(plan, &env, r))
            fail_msg("%s: hook call %zu fails: %s", plan->name, i, r->error);
        if (p.failures != 1 || r->failed_hook < 0)
            fail_msg("%s: hook call %zu: %zu failures seen, failed hook %d", plan->name, i,
                     p.failures, r->failed_hook);
        if (p.status != expected[r->failed_hook].status)
            fail_msg("%s: hook call %zu: the %s failed but %s returned %s", plan->name, i,
                     expected[r->failed_hook].says, p.call, sgdr_strerror(p.status));
        diff = run_result_diff(ref, r);
        if (diff != NULL)
            fail_msg("%s: hook call %zu (%s, in %s) failed once: the run ended with other %s",
                     plan->name, i, expected[r->failed_hook].says, p.call, diff);
        per_hook[r->failed_hook]++;
        run_result_free(r);
    }
    /* Every kind of hook was made to fail somewhere in the run. */
    for (i = 0; i < 4; i++)
        if (per_hook[i] == 0) fail_msg("%s: the %s never failed", plan->name, expected[i].says);
    print_message("%s: %zu batches, %zu hook calls, each failed once (get_lr %zu, set_lr %zu, "
                  "snapshot %zu, restore %zu)\n", plan->name, ref->batches, ref->hook_calls,
                  per_hook[0], per_hook[1], per_hook[2], per_hook[3]);
    run_result_free(ref);
    free(ref);
    free(r);
}

int main(void)
{
    struct CMUnitTest tests[sizeof plans / sizeof plans[0]];
    size_t i;
    for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        struct CMUnitTest t = {plans[i].name, every_hook_call_fails_once, NULL, NULL,
                               (void *)&plans[i]};
        tests[i] = t;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
