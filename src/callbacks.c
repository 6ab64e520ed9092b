/* SPDX-License-Identifier: MIT */
/* callbacks.c -- the four callbacks the host calls from its training loop. Each calls the
 * host's hooks before it changes anything: a failing hook leaves the scheduler exactly as it
 * was, so the host can retry the call. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"

/* Names in order, then positions: equal names end up next to each other, earliest first. */
static int by_name(const void *a, const void *b)
{
    const sgdr_metric *x = *(const sgdr_metric *const *)a, *y = *(const sgdr_metric *const *)b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : (x > y) - (x < y);
}

/* The first metric whose name an earlier metric of the call has, or n, for many metrics:
 * pointers sorted by name in scratch memory, O(n log n). SIZE_MAX when that memory cannot
 * be had (the call then fails with SGDR_ENOMEM, as any allocation of a call does). */
static SGDR_NOINLINE size_t first_repeat(const sgdr_scheduler *s, const sgdr_metric *m, size_t n)
{
    const sgdr_metric **order = NULL;
    size_t i, first = n;
    if (n <= SIZE_MAX / sizeof *order)
        order = (const sgdr_metric **)s->allocator.alloc(s->allocator.user, n * sizeof *order);
    if (order == NULL) return SIZE_MAX;
    for (i = 0; i < n; i++) order[i] = &m[i];
    qsort(order, n, sizeof *order, by_name);
    /* In a group of equal names the second by position is the first repeat of that name. */
    for (i = 1; i < n; i++)
        if ((size_t)(order[i] - m) < first && strcmp(order[i - 1]->name, order[i]->name) == 0)
            first = (size_t)(order[i] - m);
    s->allocator.free(s->allocator.user, (void *)order);
    return first;
}

/* Whether a name is "lr". */
static int is_lr(const char *a)
{
    return a[0] == 'l' && a[1] == 'r' && a[2] == '\0';
}

/* The first metric a callback must refuse, or n when there is none: any, when m is NULL;
 * else the first NULL or empty name; else the first name that is "lr" (reserved for the
 * learning-rate column in on_batch_end, when `lr_reserved`) or that an earlier metric of the
 * same call has (SIZE_MAX: no memory to tell). A handful of metrics, the usual case, are
 * compared pairwise: no allocation on the per-batch path. */
static size_t bad_metric(const sgdr_scheduler *s, const sgdr_metric *m, size_t n,
                         int lr_reserved)
{
    size_t i, j;
    if (m == NULL) return 0;
    for (i = 0; i < n; i++)
        if (m[i].name == NULL || m[i].name[0] == '\0') return i;
    if (n > 16) {
        size_t repeat = first_repeat(s, m, n);
        for (i = 0; lr_reserved && repeat != SIZE_MAX && i < repeat; i++)
            if (is_lr(m[i].name)) return i;
        return repeat;
    }
    for (i = 0; i < n; i++) {
        const char *a = m[i].name;
        if (lr_reserved && is_lr(a)) return i;
        /* first bytes before strcmp: this runs for every batch that gives metrics */
        for (j = 0; j < i; j++)
            if (a[0] == m[j].name[0] && strcmp(a, m[j].name) == 0) return i;
    }
    return n;
}

/* The message for what bad_metric() found. */
static sgdr_status check_metrics(const sgdr_scheduler *s, const char *who, const sgdr_metric *m,
                                 size_t n, int lr_reserved)
{
    size_t i = bad_metric(s, m, n, lr_reserved);
    if (i == n) return SGDR_OK;
    if (m == NULL)
        return sgdr_fail(s, SGDR_ENULL, "%s: metrics is NULL but n is %llu", who,
                         (unsigned long long)n);
    if (i == SIZE_MAX)
        return sgdr_fail(s, SGDR_ENOMEM, "%s: out of memory while checking the names of %llu "
                         "metrics", who, (unsigned long long)n);
    if (m[i].name == NULL || m[i].name[0] == '\0')
        return sgdr_fail(s, SGDR_EMETRIC, "%s: metric %llu has %s", who, (unsigned long long)i,
                         m[i].name == NULL ? "a NULL name" : "an empty name");
    return sgdr_fail(s, SGDR_EMETRIC, "%s: metric '%s' %s", who, m[i].name,
                     lr_reserved && strcmp(m[i].name, "lr") == 0
                         ? "is reserved for the learning rate column"
                         : "is given more than once in one call");
}

/* A hook that calls back into its own scheduler (to change a parameter, load a state or run
 * a callback) would change it under the call that is running the hook. */
static sgdr_status in_hook_refused(const sgdr_scheduler *s, const char *who)
{
    return sgdr_fail(s, SGDR_EORDER, "%s called from inside one of the same scheduler's hooks",
                     who);
}

/* The common entry checks of the callbacks that need a run in progress. */
static sgdr_status enter_run(const sgdr_scheduler *s, const char *who, const sgdr_metric *m,
                             size_t n, int lr_reserved)
{
    sgdr_status st;
    if (s == NULL) return SGDR_ENULL;
    if (s->in_hook) return in_hook_refused(s, who);
    if ((st = check_metrics(s, who, m, n, lr_reserved)) != SGDR_OK) return st;
    if (!s->st.running)
        return sgdr_fail(s, SGDR_EORDER,
                         "%s called with no run in progress: call sgdr_on_train_begin first",
                         who);
    return SGDR_OK;
}

/* Hand lr to the host's set_lr hook, if any. */
static SGDR_INLINE sgdr_status call_set_lr(sgdr_scheduler *s, const char *who, double lr)
{
    int rc;
    if (s->set_lr == NULL) return SGDR_OK;
    s->in_hook = 1;
    rc = s->set_lr(s->lr_user, lr);
    s->in_hook = 0;
    if (rc == 0) return SGDR_OK;
    return sgdr_fail(s, SGDR_EHOOK_SET_LR, "%s: the set_lr hook failed for lr %g (step %llu)",
                     who, lr, (unsigned long long)s->st.at.step);
}

sgdr_status sgdr_call_set_lr(sgdr_scheduler *s, const char *who, double lr)
{
    return call_set_lr(s, who, lr);
}

/* Cycle indices beyond 32 bits (only reachable with enormous runs) saturate. */
static uint32_t hook_cycle(uint64_t cycle)
{
    return cycle > UINT32_MAX ? UINT32_MAX : (uint32_t)cycle;
}

sgdr_status sgdr_on_train_begin(sgdr_scheduler *s)
{
    sgdr_position start;
    double lr;
    sgdr_status st;
    if (s == NULL) return SGDR_ENULL;
    if (s->in_hook) return in_hook_refused(s, "sgdr_on_train_begin");
    if (s->st.running) {
        if (!s->resumable)
            return sgdr_fail(s, SGDR_EORDER, "sgdr_on_train_begin called during a run: call "
                             "sgdr_on_train_end first");
        /* Resuming a loaded run: keep the counters, give the host the restored lr. */
        if ((st = call_set_lr(s, "sgdr_on_train_begin", s->st.lr)) != SGDR_OK) return st;
        s->resumable = 0;
        return SGDR_OK;
    }
    if ((st = sgdr_config_check(&s->st.config, s->message, sizeof s->message)) != SGDR_OK)
        return st;
    sgdr_position_at(&s->st.config, 0, &start);
    lr = sgdr_phase_lr(&s->st.config, &start, 0);
    if ((st = call_set_lr(s, "sgdr_on_train_begin", lr)) != SGDR_OK) return st;
    s->st.at = start;
    s->st.lr = lr;
    s->st.running = 1;
    s->st.snapshots = 0;
    s->st.last_snapshot = 0;
    sgdr_history_clear(&s->history, &s->allocator, 0);
    return SGDR_OK;
}

/* The counters cannot go past their limits (the step 2^64 - 1; the epoch 2^64 - 2, since a
 * cycle end of 2^64 - 1 means never): the call that would pass one is refused. */
static sgdr_status at_limit(const sgdr_scheduler *s, const char *who, const char *counter,
                            uint64_t limit)
{
    return sgdr_fail(s, SGDR_EORDER, "%s: the %s count is at its limit (%llu): the run cannot "
                     "go on", who, counter, (unsigned long long)limit);
}

/* Set the next batch's learning rate and advance the position by one batch, in place. On
 * failure nothing has changed. */
static SGDR_INLINE sgdr_status advance_batch(sgdr_scheduler *s, const char *who)
{
    double lr;
    sgdr_status st;
    if (s->st.at.step == UINT64_MAX) return at_limit(s, who, "step", UINT64_MAX);
    lr = sgdr_phase_lr(&s->st.config, &s->st.at, s->st.at.pos + 1);
    if ((st = call_set_lr(s, who, lr)) != SGDR_OK) return st;
    s->st.at.step++;
    s->st.at.batch_in_epoch++;
    s->st.at.pos++;
    s->st.lr = lr;
    s->resumable = 0;
    return SGDR_OK;
}

/* on_batch_end with history (get_lr's only user), or failing the entry checks that the plain
 * path tests. Out of line, so that the plain path is a few tests and the cosine. */
static SGDR_NOINLINE sgdr_status batch_end_recorded(sgdr_scheduler *s, const sgdr_metric *m,
                                                    size_t n)
{
    static const char who[] = "sgdr_on_batch_end";
    double trained;
    int in_order;
    sgdr_status st;
    /* Metrics that match the columns in order are valid; anything else is checked in full
     * before any hook runs. */
    in_order = s->st.config.history && s->st.running && !s->in_hook &&
               sgdr_history_in_order(&s->history, m, n);
    if (!in_order && (st = enter_run(s, who, m, n, 1)) != SGDR_OK) return st;
    if (s->st.at.step == UINT64_MAX) return at_limit(s, who, "step", UINT64_MAX);
    trained = s->st.lr;
    if (s->get_lr != NULL) {
        int rc;
        s->in_hook = 1;
        rc = s->get_lr(s->lr_user, &trained);
        s->in_hook = 0;
        if (rc != 0)
            return sgdr_fail(s, SGDR_EHOOK_GET_LR, "%s: the get_lr hook failed (step %llu)", who,
                             (unsigned long long)s->st.at.step);
    }
    if (in_order) {
        /* The same metrics as the batch before and room for the row: nothing to prepare,
         * so the row is written once the lr is set. */
        if ((st = advance_batch(s, who)) == SGDR_OK)
            sgdr_history_append(&s->history, trained, m, n);
        return st;
    }
    if (sgdr_history_prepare(&s->history, &s->allocator, m, n) != SGDR_OK)
        return sgdr_fail(s, SGDR_ENOMEM, "out of memory while growing the history");
    if ((st = advance_batch(s, who)) != SGDR_OK) {
        sgdr_history_abort(&s->history, &s->allocator);
        return st;
    }
    sgdr_history_commit(&s->history, trained, m, n);
    return SGDR_OK;
}

/* Called once per batch for the whole of training, so the common case without history or
 * get_lr hook goes straight to advance_batch() after a few tests, and everything else
 * (including the messages of failed entry checks) is out of line. */
sgdr_status sgdr_on_batch_end(sgdr_scheduler *s, uint64_t batch, const sgdr_metric *m, size_t n)
{
    (void)batch; /* the host's own index; the scheduler counts batches itself */
    if (s != NULL && s->st.running && !s->st.config.history && !s->in_hook &&
        (n == 0 || bad_metric(s, m, n, 1) == n))
        return advance_batch(s, "sgdr_on_batch_end");
    if (s == NULL) return SGDR_ENULL;
    return batch_end_recorded(s, m, n);
}

sgdr_status sgdr_on_epoch_end(sgdr_scheduler *s, uint64_t epoch, const sgdr_metric *m, size_t n)
{
    static const char who[] = "sgdr_on_epoch_end";
    sgdr_position next;
    double lr;
    int snapped = 0;
    sgdr_status st;
    if ((st = enter_run(s, who, m, n, 0)) != SGDR_OK) return st;
    if (epoch != s->st.at.epoch)
        return sgdr_fail(s, SGDR_EEPOCH, "%s: the host says epoch %llu but the scheduler "
                         "expects epoch %llu (epochs are counted from 0; to resume a run, load "
                         "its saved state first)", who, (unsigned long long)epoch,
                         (unsigned long long)s->st.at.epoch);
    /* UINT64_MAX is the end of a phase that never ends: the epoch count stops short of it. */
    if (s->st.at.epoch == UINT64_MAX - 1) return at_limit(s, who, "epoch", UINT64_MAX - 1);
    next = s->st.at;
    next.epoch++;
    next.batch_in_epoch = 0;
    lr = s->st.lr;
    if (next.epoch == s->st.at.cycle_end) {
        if (s->st.at.phase == SGDR_PHASE_CYCLE && s->snapshot != NULL) {
            int rc;
            s->in_hook = 1;
            rc = s->snapshot(s->weight_user, hook_cycle(s->st.at.cycle));
            s->in_hook = 0;
            if (rc != 0)
                return sgdr_fail(s, SGDR_EHOOK_SNAPSHOT, "%s: the snapshot hook failed for "
                                 "cycle %llu", who, (unsigned long long)s->st.at.cycle);
            snapped = 1;
        }
        sgdr_position_restart(&s->st.config, &next);
        /* keras-seed changes only counters at a restart: the next batch keeps the lr set
         * after the last batch. Peak mode starts the new phase at its own value, and hands
         * it to set_lr only if it changed (not at the end of warm-up, into the hold, or at a
         * peak clamped to the floor the previous cycle ended on). */
        if (s->st.config.restart_mode == SGDR_RESTART_PEAK) {
            lr = sgdr_phase_lr(&s->st.config, &next, 0);
            if (lr != s->st.lr && (st = call_set_lr(s, who, lr)) != SGDR_OK) return st;
        }
    }
    if (snapped) {
        s->st.snapshots++;
        s->st.last_snapshot = s->st.at.cycle;
    }
    s->st.at = next;
    s->st.lr = lr;
    s->resumable = 0;
    return SGDR_OK;
}

sgdr_status sgdr_on_train_end(sgdr_scheduler *s, const sgdr_metric *m, size_t n)
{
    static const char who[] = "sgdr_on_train_end";
    sgdr_status st;
    if ((st = enter_run(s, who, m, n, 0)) != SGDR_OK) return st;
    if (s->st.config.restore_at_end && s->st.snapshots > 0 && s->restore != NULL) {
        int rc;
        s->in_hook = 1;
        rc = s->restore(s->weight_user, hook_cycle(s->st.last_snapshot));
        s->in_hook = 0;
        if (rc != 0)
            return sgdr_fail(s, SGDR_EHOOK_RESTORE, "%s: the restore hook failed for cycle %llu",
                             who, (unsigned long long)s->st.last_snapshot);
    }
    s->st.running = 0;
    s->resumable = 0;
    return SGDR_OK;
}
