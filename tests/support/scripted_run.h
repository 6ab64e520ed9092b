/* SPDX-License-Identifier: MIT */
/* scripted_run.h -- one complete training run, driven call by call, shared by the reliability
 * tests (host-hook faults, allocation faults, threads, locale).
 *
 * Header-only (static inline functions) because the test build links a single support file,
 * testutil.c, into every test program.
 *
 * A run follows a plan: a configuration, a number of epochs, the metrics each batch reports
 * (names that appear mid-run, come in varying order, and now and then arrive in a burst that
 * grows the history), and optionally a checkpoint part-way after which the run continues in
 * a fresh scheduler loaded from the saved state. Every API call goes through RUN_CALL, which
 * records what the scheduler looks like before the call (state bytes, learning rate, history
 * shape and last row) and, when the call fails, hands the before/after views to the test's
 * failure policy; the policy checks the failure and says whether to retry the call.
 *
 * The driver never asserts: cmocka is not thread-safe, and the thread test runs the driver on
 * many threads. A problem ends the run with a message in run_result.error, which the test
 * checks on its main thread. */
#ifndef SGDR_SCRIPTED_RUN_H
#define SGDR_SCRIPTED_RUN_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgdr.h"

#define RUN_MAX_BATCHES 512
#define RUN_MAX_CYCLES 64
#define RUN_MAX_METRICS 96
#define RUN_STATE_CAP 512
#define RUN_VIEW_NAMES 2048
#define RUN_VIEW_LAST 128
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
typedef struct run_view {
    int exists;
    unsigned char state[RUN_STATE_CAP];
    size_t state_len;
    double lr;
    size_t rows, columns;
    char names[RUN_VIEW_NAMES]; /* column names, each followed by '\n' */
    double last[RUN_VIEW_LAST]; /* the last history row (first RUN_VIEW_LAST columns) */
} run_view;

/* The host's side of a run: what its hooks were told. */
typedef enum run_hook { RUN_HOOK_GET_LR, RUN_HOOK_SET_LR, RUN_HOOK_SNAPSHOT, RUN_HOOK_RESTORE } run_hook;

typedef struct run_host {
    double lr;      /* the optimizer's learning rate: the last value set_lr accepted */
    uint64_t epoch; /* the epoch in progress (a snapshot records the epoch that took it) */
    long snapshot_epoch[RUN_MAX_CYCLES]; /* per cycle, the epoch whose end snapped it; -1 */
    long restored_cycle;                 /* -1: nothing restored */
    size_t calls;                        /* hook calls so far, failed ones included */
    size_t fail_call;                    /* this call index fails once (SIZE_MAX: none) */
    int failed_hook;                     /* the run_hook that failed, -1 before */
    int out_of_range;                    /* a snapshot/restore cycle beyond RUN_MAX_CYCLES */
} run_host;

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

/* ---- views ---- */

static inline void run_view_take(const sgdr_scheduler *s, run_view *v)
{
    size_t c, used = 0;
    memset(v, 0, sizeof *v);
    if (s == NULL) return;
    v->exists = 1;
    if (sgdr_save_state(s, v->state, sizeof v->state, &v->state_len) != SGDR_OK) v->state_len = 0;
    v->lr = sgdr_lr(s);
    sgdr_history_rows(s, &v->rows);
    sgdr_history_columns(s, &v->columns);
    for (c = 0; c < v->columns; c++) {
        const char *name = "";
        size_t len;
        sgdr_history_column_name(s, c, &name);
        len = strlen(name);
        if (used + len + 1 < sizeof v->names) {
            memcpy(v->names + used, name, len);
            v->names[used + len] = '\n';
            used += len + 1;
        }
        if (c < RUN_VIEW_LAST && v->rows > 0) sgdr_history_copy(s, c, v->rows - 1, &v->last[c], 1);
    }
}

/* NULL when the views agree, else what differs. */
static inline const char *run_view_diff(const run_view *a, const run_view *b)
{
    if (a->exists != b->exists) return "existence of the scheduler";
    if (a->state_len != b->state_len || memcmp(a->state, b->state, a->state_len) != 0)
        return "saved state bytes";
    if (memcmp(&a->lr, &b->lr, sizeof a->lr) != 0) return "sgdr_lr";
    if (a->rows != b->rows) return "history row count";
    if (a->columns != b->columns) return "history column count";
    if (strcmp(a->names, b->names) != 0) return "history column names";
    if (memcmp(a->last, b->last, sizeof a->last) != 0) return "last history row";
    return NULL;
}

/* ---- the host's hooks ---- */

static inline int run_hook_fails(run_host *h, run_hook kind)
{
    if (h->calls++ != h->fail_call) return 0;
    h->failed_hook = (int)kind;
    return 1;
}

static inline int run_get_lr(void *user, double *lr)
{
    run_host *h = user;
    if (run_hook_fails(h, RUN_HOOK_GET_LR)) return -1;
    *lr = h->lr;
    return 0;
}

static inline int run_set_lr(void *user, double lr)
{
    run_host *h = user;
    if (run_hook_fails(h, RUN_HOOK_SET_LR)) return -1;
    h->lr = lr;
    return 0;
}

static inline int run_snapshot(void *user, uint32_t cycle)
{
    run_host *h = user;
    if (run_hook_fails(h, RUN_HOOK_SNAPSHOT)) return 7;
    if (cycle >= RUN_MAX_CYCLES) {
        h->out_of_range = 1;
        return 0;
    }
    h->snapshot_epoch[cycle] = (long)h->epoch; /* idempotent per cycle, as the header asks */
    return 0;
}

static inline int run_restore(void *user, uint32_t cycle)
{
    run_host *h = user;
    if (run_hook_fails(h, RUN_HOOK_RESTORE)) return 1;
    if (cycle >= RUN_MAX_CYCLES) h->out_of_range = 1;
    h->restored_cycle = (long)cycle;
    return 0;
}

/* ---- metrics ---- */

/* The metrics batch `step` reports: "loss" always, "acc" from step 5, "grad_norm" on odd
 * steps, a burst of ten more names at steps 20 to 23 (column and slot tables grow), and the
 * order reversed on every third step (lookups miss their hint). Or, for a wide plan, m0..mN. */
static inline size_t run_metrics(const run_plan *p, uint64_t step, sgdr_metric *m,
                                 char names[RUN_MAX_METRICS][16])
{
    static const char *const burst[] = {"b0", "b1", "b2", "b3", "b4",
                                        "b5", "b6", "b7", "b8", "b9"};
    size_t n = 0, i;
    double t = (double)step;
    if (p->wide > 0) {
        for (i = 0; i < p->wide && i < RUN_MAX_METRICS; i++) {
            snprintf(names[i], 16, "m%u", (unsigned)i);
            m[n].name = names[i];
            m[n++].value = t * 0.5 + (double)i / 3.0;
        }
        return n;
    }
    m[n].name = "loss";
    m[n++].value = 1.0 / (t + 1.0);
    if (step >= 5) {
        m[n].name = "acc";
        m[n++].value = 1.0 - 0.5 / (t + 1.0);
    }
    if (step % 2 == 1) {
        m[n].name = "grad_norm";
        m[n++].value = t * 1e-300 + 123456.789;
    }
    if (step >= 20 && step < 24) {
        for (i = 0; i < 10; i++) {
            m[n].name = burst[i];
            m[n++].value = -t / (double)(i + 1);
        }
    }
    if (step % 3 == 0) {
        for (i = 0; i < n / 2; i++) {
            sgdr_metric tmp = m[i];
            m[i] = m[n - 1 - i];
            m[n - 1 - i] = tmp;
        }
    }
    return n;
}

/* ---- the run ---- */

typedef struct run_state {
    const run_plan *plan;
    const run_env *env;
    run_result *r;
    run_host host;
    sgdr_scheduler *s;
    run_view before, after;
} run_state;

/* A call failed: ask the policy. 1 = retry, 0 = the run ends. */
static inline int run_failed(run_state *rs, const char *call, sgdr_status st, int tries)
{
    char message[300];
    const char *why;
    snprintf(message, sizeof message, "%s", rs->s ? sgdr_last_error(rs->s) : "");
    run_view_take(rs->s, &rs->after);
    rs->r->failures++;
    if (rs->env->on_failure == NULL) {
        snprintf(rs->r->error, sizeof rs->r->error, "%s failed: %s (%s)", call,
                 sgdr_strerror(st), message);
        return 0;
    }
    if (tries >= 2) {
        snprintf(rs->r->error, sizeof rs->r->error, "%s failed again on retry: %s (%s)", call,
                 sgdr_strerror(st), message);
        return 0;
    }
    if (rs->env->on_failure(rs->env->ctx, call, st, rs->s ? message : NULL, &rs->before,
                            &rs->after, rs->r->error, sizeof rs->r->error) != 0) {
        if (rs->r->error[0] == '\0')
            snprintf(rs->r->error, sizeof rs->r->error, "%s failed: %s", call, message);
        return 0;
    }
    why = run_view_diff(&rs->before, &rs->after);
    if (why != NULL) {
        snprintf(rs->r->error, sizeof rs->r->error, "%s failed (%s) and changed the %s", call,
                 sgdr_strerror(st), why);
        return 0;
    }
    return 1;
}

/* One API call: retried while the policy allows; on a final failure, `goto out`. */
#define RUN_CALL(rs, expr)                                                      \
    for (int tries_ = 0;; tries_++) {                                           \
        sgdr_status st_;                                                        \
        run_view_take((rs)->s, &(rs)->before);                              \
        st_ = (expr);                                                           \
        if (st_ == SGDR_OK) break;                                              \
        if (!run_failed((rs), #expr, st_, tries_)) goto out;                    \
    }

/* Create and configure a scheduler for the plan, with every hook registered. */
static inline int run_open(run_state *rs)
{
    const run_plan *p = rs->plan;
    const run_env *env = rs->env;
    const struct {
        sgdr_param id;
        double value;
    } params[] = {
        {SGDR_PARAM_MIN_LR, p->min_lr},
        {SGDR_PARAM_MAX_LR, p->max_lr},
        {SGDR_PARAM_STEPS_PER_EPOCH, p->steps_per_epoch},
        {SGDR_PARAM_LR_DECAY, p->lr_decay},
        {SGDR_PARAM_CYCLE_LENGTH, p->cycle_length},
        {SGDR_PARAM_MULT_FACTOR, p->mult_factor},
        {SGDR_PARAM_RESTART_MODE, p->restart_mode},
        {SGDR_PARAM_WARMUP_EPOCHS, p->warmup_epochs},
        {SGDR_PARAM_WARMUP_START_LR, p->warmup_start_lr},
        {SGDR_PARAM_MAX_CYCLES, p->max_cycles},
    };
    size_t i;
    if (env->alloc != NULL) {
        RUN_CALL(rs, sgdr_create_with_allocator(&rs->s, env->alloc, env->free, env->alloc_user));
    } else {
        RUN_CALL(rs, sgdr_create(&rs->s));
    }
    for (i = 0; i < sizeof params / sizeof params[0]; i++)
        RUN_CALL(rs, sgdr_set_param(rs->s, params[i].id, params[i].value));
    RUN_CALL(rs, sgdr_set_lr_hooks(rs->s, run_get_lr, run_set_lr, &rs->host));
    RUN_CALL(rs, sgdr_set_weight_hooks(rs->s, run_snapshot, run_restore, &rs->host));
    return 1;
out:
    return 0;
}

/* Read a whole file into a malloc'd buffer. */
static inline char *run_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size;
    *len = 0;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)size + 1)) != NULL) {
        *len = fread(text, 1, (size_t)size, f);
        text[*len] = '\0';
    }
    fclose(f);
    return text;
}

/* Run the plan. Returns 1 when the run completed (r->error empty). */
static inline int run_execute(const run_plan *p, const run_env *env, run_result *r)
{
    run_state rs;
    sgdr_metric m[RUN_MAX_METRICS];
    char names[RUN_MAX_METRICS][16];
    unsigned char blob[RUN_STATE_CAP];
    size_t blob_len = 0, n, len = 0;
    const uint64_t spe = (uint64_t)p->steps_per_epoch;
    uint64_t step = 0, b;
    unsigned e;
    int i;

    memset(r, 0, sizeof *r);
    memset(&rs, 0, sizeof rs);
    rs.plan = p;
    rs.env = env;
    rs.r = r;
    rs.host.lr = NAN;
    rs.host.restored_cycle = -1;
    rs.host.fail_call = env->fail_hook_call;
    rs.host.failed_hook = -1;
    for (i = 0; i < RUN_MAX_CYCLES; i++) rs.host.snapshot_epoch[i] = -1;

    if (!run_open(&rs)) goto out;
    RUN_CALL(&rs, sgdr_on_train_begin(rs.s));
    for (e = 0; e < p->epochs; e++) {
        const sgdr_metric val = {"val_loss", 1.0 / (e + 2.0)};
        if (p->resume_after != 0 && e == p->resume_after) {
            /* Checkpoint, throw the scheduler away, and continue in a fresh one. */
            RUN_CALL(&rs, sgdr_save_state(rs.s, blob, sizeof blob, &blob_len));
            sgdr_destroy(rs.s);
            rs.s = NULL;
            if (!run_open(&rs)) goto out;
            RUN_CALL(&rs, sgdr_load_state(rs.s, blob, blob_len));
            RUN_CALL(&rs, sgdr_on_train_begin(rs.s));
        }
        rs.host.epoch = e;
        for (b = 0; b < spe; b++, step++) {
            if (step >= RUN_MAX_BATCHES) {
                snprintf(r->error, sizeof r->error, "plan %s has too many batches", p->name);
                goto out;
            }
            n = run_metrics(p, step, m, names);
            r->lr[step] = rs.host.lr;
            RUN_CALL(&rs, sgdr_on_batch_end(rs.s, b, m, n));
        }
        RUN_CALL(&rs, sgdr_on_epoch_end(rs.s, e, &val, 1));
    }
    RUN_CALL(&rs, sgdr_on_train_end(rs.s, NULL, 0));
    r->batches = (size_t)step;
    for (i = 0; i < RUN_PROGRESS; i++)
        RUN_CALL(&rs, sgdr_get_progress(rs.s, (sgdr_progress)(i + 1), &r->progress[i]));
    RUN_CALL(&rs, sgdr_history_to_csv(rs.s, NULL, 0, &len));
    if ((r->csv = malloc(len + 1)) == NULL) {
        snprintf(r->error, sizeof r->error, "test out of memory");
        goto out;
    }
    RUN_CALL(&rs, sgdr_history_to_csv(rs.s, r->csv, len, &r->csv_len));
    r->csv[r->csv_len] = '\0';
    if (env->csv_path != NULL) {
        RUN_CALL(&rs, sgdr_history_write_csv(rs.s, env->csv_path));
        r->file = run_read_file(env->csv_path, &r->file_len);
        if (r->file == NULL) {
            snprintf(r->error, sizeof r->error, "cannot read back %s", env->csv_path);
            goto out;
        }
    }
    if (rs.host.out_of_range)
        snprintf(r->error, sizeof r->error, "a hook got a cycle beyond %d", RUN_MAX_CYCLES);
out:
    sgdr_destroy(rs.s);
    memcpy(r->snapshot_epoch, rs.host.snapshot_epoch, sizeof r->snapshot_epoch);
    r->restored_cycle = rs.host.restored_cycle;
    r->hook_calls = rs.host.calls;
    r->failed_hook = rs.host.failed_hook;
    return r->error[0] == '\0';
}

static inline void run_result_free(run_result *r)
{
    free(r->csv);
    free(r->file);
    r->csv = r->file = NULL;
}

/* NULL when two runs ended the same way (learning rates bit for bit, snapshots, restore,
 * counters, history CSV, written file), else what differs. */
static inline const char *run_result_diff(const run_result *a, const run_result *b)
{
    if (a->batches != b->batches) return "number of batches";
    if (memcmp(a->lr, b->lr, a->batches * sizeof a->lr[0]) != 0) return "learning rates";
    if (memcmp(a->snapshot_epoch, b->snapshot_epoch, sizeof a->snapshot_epoch) != 0)
        return "snapshots";
    if (a->restored_cycle != b->restored_cycle) return "restored cycle";
    if (memcmp(a->progress, b->progress, sizeof a->progress) != 0) return "progress counters";
    if (a->csv_len != b->csv_len || (a->csv_len && memcmp(a->csv, b->csv, a->csv_len) != 0))
        return "history CSV";
    if (a->file_len != b->file_len || (a->file_len && memcmp(a->file, b->file, a->file_len) != 0))
        return "written CSV file";
    return NULL;
}

#endif
