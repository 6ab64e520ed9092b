/* SPDX-License-Identifier: MIT */
/* fuzz_common.h -- what the fuzz targets share: a checking macro that aborts (libFuzzer
 * reports the abort with its input), a host whose hooks count calls and fail on demand,
 * and what a scheduler looks like from outside (saved bytes, learning rate, progress).
 * Header-only: each target is built from its own source plus the library's sources. */
#ifndef SGDR_FUZZ_COMMON_H
#define SGDR_FUZZ_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgdr.h"

#define FUZZ_STATE_CAP 256
#define FUZZ_PROGRESS 10 /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* Which hooks fail (bits), and what they were told. */
enum { FAIL_GET_LR = 1, FAIL_SET_LR = 2, FAIL_SNAPSHOT = 4, FAIL_RESTORE = 8 };

#define FUZZ_EVENTS 64

typedef struct fuzz_host {
    unsigned fail;
    double lr; /* what set_lr last accepted */
    unsigned long set_lr_calls, weight_calls;
    /* The hook calls of the current operation, to compare two schedulers' hosts. */
    struct {
        int kind;
        double value;
    } ev[FUZZ_EVENTS];
    size_t n;
} fuzz_host;

static inline void fuzz_host_log(fuzz_host *h, int kind, double value)
{
    if (h->n < FUZZ_EVENTS) {
        h->ev[h->n].kind = kind;
        h->ev[h->n].value = value;
    }
    h->n++;
}

static inline int fuzz_get_lr(void *u, double *lr)
{
    fuzz_host *h = u;
    fuzz_host_log(h, FAIL_GET_LR, 0);
    if (h->fail & FAIL_GET_LR) return 1;
    *lr = h->lr;
    return 0;
}

static inline int fuzz_set_lr(void *u, double lr)
{
    fuzz_host *h = u;
    CHECK(isfinite(lr) && lr >= 0); /* every learning rate handed to the host */
    h->set_lr_calls++;
    fuzz_host_log(h, FAIL_SET_LR, lr);
    if (h->fail & FAIL_SET_LR) return 1;
    h->lr = lr;
    return 0;
}

static inline int fuzz_snapshot(void *u, uint32_t cycle)
{
    fuzz_host *h = u;
    h->weight_calls++;
    fuzz_host_log(h, FAIL_SNAPSHOT, (double)cycle);
    return (h->fail & FAIL_SNAPSHOT) != 0;
}

static inline int fuzz_restore(void *u, uint32_t cycle)
{
    fuzz_host *h = u;
    h->weight_calls++;
    fuzz_host_log(h, FAIL_RESTORE, (double)cycle);
    return (h->fail & FAIL_RESTORE) != 0;
}

static inline void fuzz_host_attach(sgdr_scheduler *s, fuzz_host *h)
{
    CHECK(sgdr_set_lr_hooks(s, fuzz_get_lr, fuzz_set_lr, h) == SGDR_OK);
    CHECK(sgdr_set_weight_hooks(s, fuzz_snapshot, fuzz_restore, h) == SGDR_OK);
}

/* A scheduler with h's hooks (h reset). */
static inline sgdr_scheduler *fuzz_fresh_scheduler(fuzz_host *h)
{
    sgdr_scheduler *s = NULL;
    memset(h, 0, sizeof *h);
    h->lr = NAN;
    CHECK(sgdr_create(&s) == SGDR_OK);
    fuzz_host_attach(s, h);
    return s;
}

/* A scheduler with h's hooks in the middle of a run (cycle 1, a snapshot taken). */
static inline sgdr_scheduler *fuzz_running_scheduler(fuzz_host *h)
{
    sgdr_scheduler *s = fuzz_fresh_scheduler(h);
    uint64_t b;
    CHECK(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001) == SGDR_OK);
    CHECK(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1) == SGDR_OK);
    CHECK(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 2) == SGDR_OK);
    CHECK(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1) == SGDR_OK);
    CHECK(sgdr_on_train_begin(s) == SGDR_OK);
    for (b = 0; b < 2; b++) CHECK(sgdr_on_batch_end(s, b, NULL, 0) == SGDR_OK);
    CHECK(sgdr_on_epoch_end(s, 0, NULL, 0) == SGDR_OK);
    CHECK(sgdr_on_batch_end(s, 0, NULL, 0) == SGDR_OK);
    return s;
}

/* What a failed call must leave alone. */
typedef struct fuzz_view {
    unsigned char blob[FUZZ_STATE_CAP];
    size_t len;
    double lr;
    uint64_t progress[FUZZ_PROGRESS];
} fuzz_view;

static inline void fuzz_view_take(const sgdr_scheduler *s, fuzz_view *v)
{
    int i;
    memset(v, 0, sizeof *v);
    CHECK(sgdr_save_state(s, v->blob, sizeof v->blob, &v->len) == SGDR_OK);
    v->lr = sgdr_lr(s);
    for (i = 0; i < FUZZ_PROGRESS; i++)
        CHECK(sgdr_get_progress(s, (sgdr_progress)(i + 1), &v->progress[i]) == SGDR_OK);
}

static inline int fuzz_view_same(const fuzz_view *a, const fuzz_view *b)
{
    return a->len == b->len && memcmp(a->blob, b->blob, a->len) == 0 &&
           memcmp(&a->lr, &b->lr, sizeof a->lr) == 0 &&
           memcmp(a->progress, b->progress, sizeof a->progress) == 0;
}

/* The saved state loads into a fresh scheduler and saves back to the same bytes. */
static inline void fuzz_check_round_trip(const sgdr_scheduler *s)
{
    unsigned char a[FUZZ_STATE_CAP], b[FUZZ_STATE_CAP];
    size_t na = 0, nb = 0;
    sgdr_scheduler *t = NULL;
    CHECK(sgdr_save_state(s, a, sizeof a, &na) == SGDR_OK);
    CHECK(sgdr_create(&t) == SGDR_OK);
    if (sgdr_load_state(t, a, na) != SGDR_OK) {
        fprintf(stderr, "saved state refused: %s\n", sgdr_last_error(t));
        abort();
    }
    CHECK(sgdr_save_state(t, b, sizeof b, &nb) == SGDR_OK);
    CHECK(na == nb && memcmp(a, b, na) == 0);
    sgdr_destroy(t);
}

#endif
