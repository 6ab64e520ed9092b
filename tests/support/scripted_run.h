/* SPDX-License-Identifier: MIT */
/* scripted_run.h -- one complete training run, driven call by call, shared by the reliability
 * tests (host-hook faults, allocation faults, threads, locale).
 *
 * A run follows a plan: a configuration, a number of epochs, the metrics each batch reports
 * (names that appear mid-run, come in varying order, and now and then arrive in a burst that
 * grows the history), and optionally a checkpoint part-way after which the run continues in
 * a fresh scheduler loaded from the saved state. Every API call goes through RUN_CALL, which
 * observes the scheduler before the call (observe.h) and, when the call fails, hands the
 * before/after views to the test's failure policy; the policy checks the failure and says
 * whether to retry the call. The hooks are the recording host's (host.h).
 *
 * The driver never asserts: cmocka is not thread-safe, and the thread test runs the driver on
 * many threads. A problem ends the run with a message in run_result.error, which the test
 * checks on its main thread. */
#ifndef SGDR_SCRIPTED_RUN_H
#define SGDR_SCRIPTED_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "observe.h"
#include "sgdr.h"

#define RUN_MAX_BATCHES 512
#define RUN_MAX_CYCLES 64
#define RUN_MAX_METRICS 96
#define RUN_STATE_CAP 512
#define RUN_PROGRESS 10 /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */

/* What to run. Integer parameters are given as doubles, as sgdr_set_param takes them. */
typedef struct run_plan {
    const char *name;
    double min_lr, max_lr, steps_per_epoch, lr_decay, cycle_length, mult_factor;
    double restart_mode, warmup_epochs, warmup_start_lr, max_cycles;
    unsigned epochs;
    unsigned resume_after; /* > 0: checkpoint after this many epochs, continue in a new scheduler */
    unsigned wide;         /* > 0: every batch reports this many metrics m0, m1, ... instead */
} run_plan;

/* What a scheduler looks like from outside: everything a failed call must leave alone. */
typedef observed run_view;

/* The hooks the run registers: the recording host (host.h); failed_hook is a host_hook. */
typedef host_hook run_hook;
enum {
    RUN_HOOK_GET_LR = HOST_GET_LR,
    RUN_HOOK_SET_LR = HOST_SET_LR,
    RUN_HOOK_SNAPSHOT = HOST_SNAPSHOT,
    RUN_HOOK_RESTORE = HOST_RESTORE
};

/* A failed call: return 0 to retry it, non-zero to end the run (after writing why). */
typedef int (*run_failure_fn)(void *ctx, const char *call, sgdr_status st, const char *message,
                              const run_view *before, const run_view *after, char *why,
                              size_t cap);

typedef struct run_env {
    sgdr_alloc_fn alloc; /* NULL: sgdr_create() */
    sgdr_free_fn free;
    void *alloc_user;
    run_failure_fn on_failure; /* NULL: every failure ends the run */
    void *ctx;
    size_t fail_hook_call; /* SIZE_MAX: no hook fails */
    const char *csv_path;  /* non-NULL: also write the history there and read it back */
} run_env;

typedef struct run_result {
    double lr[RUN_MAX_BATCHES]; /* the learning rate each batch trained with */
    size_t batches;
    long snapshot_epoch[RUN_MAX_CYCLES];
    long restored_cycle;
    uint64_t progress[RUN_PROGRESS]; /* the counters after on_train_end */
    size_t hook_calls;
    int failed_hook;
    size_t failures; /* failed calls (each retried) */
    char *csv;       /* sgdr_history_to_csv at the end (malloc'd) */
    size_t csv_len;
    char *file; /* the file sgdr_history_write_csv wrote, read back (malloc'd) */
    size_t file_len;
    char error[512];
} run_result;

/* Take the view of s (NULL: a scheduler that does not exist); what observe() does. */
void run_view_take(const sgdr_scheduler *s, run_view *v);

/* NULL when the views agree, else what differs; what observed_diff() does. */
const char *run_view_diff(const run_view *a, const run_view *b);

/* The metrics batch `step` reports (see scripted_run.c); returns how many. */
size_t run_metrics(const run_plan *p, uint64_t step, sgdr_metric *m,
                   char names[RUN_MAX_METRICS][16]);

/* Read a whole file into a malloc'd, NUL-terminated buffer; NULL when it cannot. */
char *run_read_file(const char *path, size_t *len);

/* Run the plan. Returns 1 when the run completed (r->error empty). */
int run_execute(const run_plan *p, const run_env *env, run_result *r);

void run_result_free(run_result *r);

/* NULL when two runs ended the same way (learning rates bit for bit, snapshots, restore,
 * counters, history CSV, written file), else what differs. */
const char *run_result_diff(const run_result *a, const run_result *b);

#endif
