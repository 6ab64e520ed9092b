/* SPDX-License-Identifier: MIT */
/* scripted_run.c -- one complete training run, driven call by call (see scripted_run.h). */
#include "scripted_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- views ---- */

void run_view_take(const sgdr_scheduler *s, run_view *v)
{
    observe(s, v);
}

const char *run_view_diff(const run_view *a, const run_view *b)
{
    return observed_diff(a, b);
}

/* ---- metrics ---- */

/* The metrics batch `step` reports: "loss" always, "acc" from step 5, "grad_norm" on odd
 * steps, a burst of ten more names at steps 20 to 23 (column and slot tables grow), and the
 * order reversed on every third step (lookups miss their hint). Or, for a wide plan, m0..mN. */
size_t run_metrics(const run_plan *p, uint64_t step, sgdr_metric *m,
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
    host host;
    sgdr_scheduler *s;
    run_view before, after;
} run_state;

/* A call failed: ask the policy. 1 = retry, 0 = the run ends. */
static int run_failed(run_state *rs, const char *call, sgdr_status st, int tries)
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

/* One API call: retried while the policy allows; on a final failure, `goto out`. The view
 * before it is taken only where a failure is compared with it (a policy is set). */
#define RUN_CALL(rs, expr)                                                      \
    for (int tries_ = 0;; tries_++) {                                           \
        sgdr_status st_;                                                        \
        if ((rs)->env->on_failure != NULL) run_view_take((rs)->s, &(rs)->before); \
        st_ = (expr);                                                           \
        if (st_ == SGDR_OK) break;                                              \
        if (!run_failed((rs), #expr, st_, tries_)) goto out;                    \
    }

/* Create and configure a scheduler for the plan, with every hook registered. */
static int run_open(run_state *rs)
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
    RUN_CALL(rs, sgdr_set_lr_hooks(rs->s, host_get_lr, host_set_lr, &rs->host));
    RUN_CALL(rs, sgdr_set_weight_hooks(rs->s, host_snapshot, host_restore, &rs->host));
    return 1;
out:
    return 0;
}

/* Read a whole file into a malloc'd buffer. */
char *run_read_file(const char *path, size_t *len)
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

/* What the host was told, as the result reports it: per cycle the epoch whose end took its
 * snapshot (snapshots are idempotent per cycle, as the header asks), the cycle restored. */
static void run_host_summary(const host *h, run_result *r)
{
    size_t i;
    for (i = 0; i < RUN_MAX_CYCLES; i++) r->snapshot_epoch[i] = -1;
    r->restored_cycle = -1;
    for (i = 0; i < h->n; i++) {
        const host_event *e = &h->ev[i];
        if (e->kind == EV_SET_LR) continue;
        if (e->cycle >= RUN_MAX_CYCLES) {
            if (r->error[0] == '\0')
                snprintf(r->error, sizeof r->error, "a hook got cycle %u, beyond %d",
                         (unsigned)e->cycle, RUN_MAX_CYCLES);
            continue;
        }
        if (e->kind == EV_SNAPSHOT) r->snapshot_epoch[e->cycle] = (long)e->epoch;
        else r->restored_cycle = (long)e->cycle;
    }
    if (h->overflow && r->error[0] == '\0')
        snprintf(r->error, sizeof r->error, "more than %d hook events", HOST_MAX_EVENTS);
    r->hook_calls = h->calls;
    r->failed_hook = h->failures > 0 ? (int)h->failed_hook : -1;
}

/* Run the plan. Returns 1 when the run completed (r->error empty). */
int run_execute(const run_plan *p, const run_env *env, run_result *r)
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
    host_reset(&rs.host);
    rs.host.fail_nth = env->fail_hook_call == SIZE_MAX ? 0 : env->fail_hook_call + 1;

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
out:
    sgdr_destroy(rs.s);
    run_host_summary(&rs.host, r);
    return r->error[0] == '\0';
}

void run_result_free(run_result *r)
{
    free(r->csv);
    free(r->file);
    r->csv = r->file = NULL;
}

/* NULL when two runs ended the same way (learning rates bit for bit, snapshots, restore,
 * counters, history CSV, written file), else what differs. */
const char *run_result_diff(const run_result *a, const run_result *b)
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
