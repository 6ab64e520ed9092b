/* SPDX-License-Identifier: MIT */
/* handle.c -- creating, configuring and inspecting a scheduler. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"

static void *default_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void default_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

sgdr_status sgdr_create_with_allocator(sgdr_scheduler **out, sgdr_alloc_fn alloc,
                                       sgdr_free_fn free_fn, void *user)
{
    sgdr_scheduler *s;
    if (out == NULL) return SGDR_ENULL;
    *out = NULL;
    if (alloc == NULL || free_fn == NULL) return SGDR_ENULL;
    s = alloc(user, sizeof *s);
    if (s == NULL) return SGDR_ENOMEM;
    memset(s, 0, sizeof *s);
    s->allocator.alloc = alloc;
    s->allocator.free = free_fn;
    s->allocator.user = user;
    sgdr_config_defaults(&s->st.config);
    s->st.lr = NAN;
    *out = s;
    return SGDR_OK;
}

sgdr_status sgdr_create(sgdr_scheduler **out)
{
    return sgdr_create_with_allocator(out, default_alloc, default_free, NULL);
}

void sgdr_destroy(sgdr_scheduler *s)
{
    sgdr_allocator a;
    if (s == NULL) return;
    a = s->allocator;
    sgdr_history_free(&s->history, &a);
    a.free(a.user, s);
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* steps_per_epoch from S to S2 during a run (a resume on another number of workers or
 * another batch size). Cycles are counted in epochs, so only the batch counts move: after b
 * batches of the epoch the run continues at batch b2 = b * S2 / S, which must be whole, and
 * at the position a run with S2 from the start has there, epochs * S2 + b2 into its phase.
 * The step count goes on counting the batches actually trained. */
static sgdr_status rescale_run(sgdr_scheduler *s, const sgdr_config *next)
{
    const uint64_t from = s->st.config.steps_per_epoch, to = next->steps_per_epoch;
    const uint64_t b = s->st.at.batch_in_epoch, q = from / gcd(from, to);
    sgdr_config by_epoch = *next;
    sgdr_position at = s->st.at, phase;
    char msg[SGDR_MSG_CAP];
    uint64_t b2;
    double lr;
    sgdr_status st;
    if (to == from) return SGDR_OK; /* nothing moves, not even a run whose epochs were uneven */
    if (b % q != 0)
        return sgdr_fail(s, SGDR_EORDER, "cannot change steps_per_epoch from %llu to %llu after "
                         "%llu batches of epoch %llu: %llu * %llu / %llu is not whole; the "
                         "nearest batch positions where the change is exact are %llu and %llu "
                         "(an epoch boundary always is)", (unsigned long long)from,
                         (unsigned long long)to, (unsigned long long)b,
                         (unsigned long long)at.epoch, (unsigned long long)b,
                         (unsigned long long)to, (unsigned long long)from,
                         (unsigned long long)(b - b % q), (unsigned long long)(b - b % q + q));
    if ((st = sgdr_config_check(next, msg, sizeof msg)) != SGDR_OK)
        return sgdr_fail(s, st, "cannot change steps_per_epoch to %llu during this run: %s",
                         (unsigned long long)to, msg);
    /* Epochs since the phase began: the position of step `epoch` when an epoch is a step. */
    by_epoch.steps_per_epoch = 1;
    sgdr_position_at(&by_epoch, at.epoch, &phase);
    b2 = b / q * (to / (from / q));
    if (b / q > UINT64_MAX / (to / (from / q)) || phase.pos > (UINT64_MAX - b2) / to)
        return sgdr_fail(s, SGDR_EORDER, "cannot change steps_per_epoch to %llu: %llu epochs "
                         "and %llu batches into the current phase, its batch count would pass "
                         "2^64-1", (unsigned long long)to, (unsigned long long)phase.pos,
                         (unsigned long long)b);
    at.batch_in_epoch = b2;
    at.pos = phase.pos * to + b2;
    lr = sgdr_phase_lr(next, &at, at.pos);
    if ((st = sgdr_call_set_lr(s, "sgdr_set_param", lr)) != SGDR_OK) return st;
    s->st.config = *next;
    s->st.at = at;
    s->st.lr = lr;
    return SGDR_OK;
}

sgdr_status sgdr_set_param(sgdr_scheduler *s, sgdr_param p, double value)
{
    sgdr_config next;
    sgdr_status st;
    if (s == NULL) return SGDR_ENULL;
    /* The value is judged first, so a bad value is named as such even mid-run. */
    next = s->st.config;
    st = sgdr_config_set(&next, p, value, s->message, sizeof s->message);
    if (st != SGDR_OK) return st;
    if (s->st.running && !s->in_hook && p == SGDR_PARAM_STEPS_PER_EPOCH)
        return rescale_run(s, &next);
    if (s->st.running || s->in_hook)
        return sgdr_fail(s, SGDR_EORDER, "cannot change %s %s", sgdr_param_name(p),
                         s->in_hook ? "from inside a hook"
                                    : "during a run: call sgdr_on_train_end first");
    s->st.config = next;
    return SGDR_OK;
}

sgdr_status sgdr_get_param(const sgdr_scheduler *s, sgdr_param p, double *value)
{
    const sgdr_param_info *r = sgdr_param_row((int)p);
    if (s == NULL) return SGDR_ENULL;
    if (value == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_get_param: value is NULL");
    if (r == NULL)
        return sgdr_fail(s, SGDR_EBADPARAM, "unknown parameter id %g (valid ids are 1 to %llu)",
                         (double)(int)p, (unsigned long long)SGDR_PARAM_LAST);
    *value = sgdr_config_get(&s->st.config, r);
    return SGDR_OK;
}

sgdr_status sgdr_set_lr_hooks(sgdr_scheduler *s, sgdr_get_lr_fn get, sgdr_set_lr_fn set,
                              void *user)
{
    if (s == NULL) return SGDR_ENULL;
    s->get_lr = get;
    s->set_lr = set;
    s->lr_user = user;
    return SGDR_OK;
}

sgdr_status sgdr_set_weight_hooks(sgdr_scheduler *s, sgdr_snapshot_fn snap,
                                  sgdr_restore_fn restore, void *user)
{
    if (s == NULL) return SGDR_ENULL;
    s->snapshot = snap;
    s->restore = restore;
    s->weight_user = user;
    return SGDR_OK;
}

double sgdr_lr(const sgdr_scheduler *s)
{
    return s == NULL ? NAN : s->st.lr;
}

sgdr_status sgdr_lr_at(const sgdr_scheduler *s, uint64_t step, double *lr)
{
    sgdr_position p;
    char msg[SGDR_MSG_CAP];
    sgdr_status st;
    if (s == NULL) return SGDR_ENULL;
    if (lr == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_lr_at: lr is NULL");
    /* The message goes to a local buffer first: a const call writes nothing unless it fails. */
    if ((st = sgdr_config_check(&s->st.config, msg, sizeof msg)) != SGDR_OK)
        return sgdr_fail(s, st, "%s", msg);
    sgdr_position_at(&s->st.config, step, &p);
    *lr = sgdr_phase_lr(&s->st.config, &p, p.pos);
    return SGDR_OK;
}

sgdr_status sgdr_get_progress(const sgdr_scheduler *s, sgdr_progress what, uint64_t *value)
{
    if (s == NULL) return SGDR_ENULL;
    if (value == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_get_progress: value is NULL");
    switch (what) {
    case SGDR_PROGRESS_STEP: *value = s->st.at.step; return SGDR_OK;
    case SGDR_PROGRESS_EPOCH: *value = s->st.at.epoch; return SGDR_OK;
    case SGDR_PROGRESS_BATCH_IN_EPOCH: *value = s->st.at.batch_in_epoch; return SGDR_OK;
    case SGDR_PROGRESS_CYCLE: *value = s->st.at.cycle; return SGDR_OK;
    case SGDR_PROGRESS_CYCLE_POSITION: *value = s->st.at.pos; return SGDR_OK;
    case SGDR_PROGRESS_CYCLE_LENGTH: *value = s->st.at.cycle_length; return SGDR_OK;
    case SGDR_PROGRESS_PHASE: *value = (uint64_t)s->st.at.phase; return SGDR_OK;
    case SGDR_PROGRESS_SNAPSHOTS: *value = s->st.snapshots; return SGDR_OK;
    case SGDR_PROGRESS_LAST_SNAPSHOT: *value = s->st.last_snapshot; return SGDR_OK;
    case SGDR_PROGRESS_RUNNING: *value = (uint64_t)s->st.running; return SGDR_OK;
    }
    return sgdr_fail(s, SGDR_EBADPARAM, "unknown progress id %g (valid ids are 1 to 10)",
                     (double)(int)what);
}
