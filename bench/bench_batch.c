/* SPDX-License-Identifier: MIT */
/* bench_batch.c -- the cost of sgdr_on_batch_end against its floor.
 *
 * The floor is the least any scheduler must do per batch: evaluate the cosine of the next
 * batch and hand it to the host's set_lr hook through a function pointer. It runs the same
 * schedule (restarts included) as the library, so both hand the hook the same values, and
 * the benchmark checks that they did. Each repetition runs every variant once, in an order
 * that rotates from one repetition to the next, so machine noise falls on all of them alike;
 * the ratios are taken within a repetition. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "sgdr.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The schedule measured: restarts after 1, 2, 4, ... epochs of 1000 batches. */
#define MIN_LR 0.001
#define MAX_LR 0.1
#define STEPS_PER_EPOCH 1000u
#define CYCLE_LENGTH 1u
#define MULT_FACTOR 2.0

/* What the hook received: the values must agree between the floor and the library. */
typedef struct sink {
    double sum;
    uint64_t calls;
} sink;

static int sink_set_lr(void *user, double lr)
{
    sink *k = user;
    k->sum += lr;
    k->calls++;
    return 0;
}

/* An allocator that keeps what was freed and hands the same blocks to the next run, so that
 * a run finds its history memory already faulted in: what recording costs without the
 * kernel's first touch of fresh pages. */
#define POOL_BLOCKS 64

typedef struct pool {
    void *block[POOL_BLOCKS];
    size_t size[POOL_BLOCKS];
    size_t count;
} pool;

static void *pool_alloc(void *user, size_t size)
{
    pool *p = user;
    size_t i;
    size_t *h;
    for (i = 0; i < p->count; i++) {
        if (p->size[i] == size) {
            void *b = p->block[i];
            p->count--;
            p->block[i] = p->block[p->count];
            p->size[i] = p->size[p->count];
            return b;
        }
    }
    h = malloc(size + 16); /* the size, then the block at 16 bytes: aligned for any type */
    if (h == NULL) return NULL;
    *h = size;
    return (char *)h + 16;
}

static void pool_free(void *user, void *ptr)
{
    pool *p = user;
    size_t size = *(size_t *)((char *)ptr - 16);
    if (p->count == POOL_BLOCKS) {
        free((char *)ptr - 16);
        return;
    }
    p->block[p->count] = ptr;
    p->size[p->count] = size;
    p->count++;
}

static void pool_drain(pool *p)
{
    while (p->count > 0) free((char *)p->block[--p->count] - 16);
}

/* The floor: the cosine inline, through a hook pointer the compiler cannot see through. */
static double run_floor(size_t epochs, sink *k)
{
    sgdr_set_lr_fn volatile hook_slot = sink_set_lr;
    volatile double min_slot = MIN_LR, max_slot = MAX_LR;
    const sgdr_set_lr_fn hook = hook_slot;
    const double min = min_slot, max = max_slot;
    uint64_t cycle_length = CYCLE_LENGTH, epoch_in_cycle = 0, b = 0;
    double n = (double)STEPS_PER_EPOCH * (double)cycle_length, t0;
    size_t e, j;

    hook(k, max); /* on_train_begin's first lr, as the library gives it */
    t0 = bench_now_ns();
    for (e = 0; e < epochs; e++) {
        for (j = 0; j < STEPS_PER_EPOCH; j++) {
            b++;
            hook(k, min + 0.5 * (max - min) * (1.0 + cos(M_PI * (double)b / n)));
        }
        if (++epoch_in_cycle == cycle_length) { /* restart: longer cycle, back to the peak */
            epoch_in_cycle = 0;
            b = 0;
            cycle_length = (uint64_t)ceil((double)cycle_length * MULT_FACTOR);
            n = (double)STEPS_PER_EPOCH * (double)cycle_length;
            hook(k, max);
        }
    }
    return bench_now_ns() - t0;
}

/* The library: one run of `epochs` epochs with `n_metrics` metrics per batch. Returns the
 * time, or -1 if a call failed. */
static double run_library(size_t epochs, int history, size_t n_metrics, pool *memory, sink *k)
{
    sgdr_metric m[3] = {{"loss", 0.0}, {"accuracy", 0.0}, {"grad_norm", 0.0}};
    sgdr_scheduler *s = NULL;
    sgdr_status st = SGDR_OK;
    double t0, elapsed;
    size_t e, j;

    if ((memory != NULL ? sgdr_create_with_allocator(&s, pool_alloc, pool_free, memory)
                        : sgdr_create(&s)) != SGDR_OK)
        return -1;
    if (sgdr_set_param(s, SGDR_PARAM_MIN_LR, MIN_LR) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_MAX_LR, MAX_LR) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, STEPS_PER_EPOCH) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, CYCLE_LENGTH) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, MULT_FACTOR) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_HISTORY, history) != SGDR_OK ||
        sgdr_set_lr_hooks(s, NULL, sink_set_lr, k) != SGDR_OK ||
        sgdr_on_train_begin(s) != SGDR_OK) {
        fprintf(stderr, "bench: setting up a scheduler failed: %s\n", sgdr_last_error(s));
        sgdr_destroy(s);
        return -1;
    }
    t0 = bench_now_ns();
    for (e = 0; e < epochs && st == SGDR_OK; e++) {
        m[0].value = 1.0 / (double)(e + 1); /* the host's metrics change between epochs */
        m[1].value = 1.0 - m[0].value;
        m[2].value = (double)e;
        for (j = 0; j < STEPS_PER_EPOCH && st == SGDR_OK; j++)
            st = sgdr_on_batch_end(s, j, m, n_metrics);
        if (st == SGDR_OK) st = sgdr_on_epoch_end(s, e, NULL, 0);
    }
    elapsed = bench_now_ns() - t0;
    if (st != SGDR_OK) {
        fprintf(stderr, "bench: a callback failed: %s\n", sgdr_last_error(s));
        elapsed = -1;
    }
    sgdr_destroy(s);
    return elapsed;
}

static double run_variant(int v, size_t epochs, pool *memory, sink *k)
{
    switch (v) {
    case BENCH_FLOOR: return run_floor(epochs, k);
    case BENCH_HISTORY_OFF: return run_library(epochs, 0, 0, NULL, k);
    case BENCH_HISTORY_OFF_M3: return run_library(epochs, 0, 3, NULL, k);
    case BENCH_HISTORY_1: return run_library(epochs, 1, 1, NULL, k);
    case BENCH_HISTORY_3: return run_library(epochs, 1, 3, NULL, k);
    default: return run_library(epochs, 1, 3, memory, k);
    }
}

int bench_batch(size_t reps, size_t batches, bench_batch_result *out)
{
    static const char *const names[BENCH_BATCH_VARIANTS] = {
        "floor: inline cosine + hook", "on_batch_end, history off",
        "on_batch_end, history off, 3 metrics given", "on_batch_end, history on, 1 metric",
        "on_batch_end, history on, 3 metrics", "  the same, history memory reused"};
    double ns[BENCH_BATCH_VARIANTS][BENCH_REPS_MAX], ratio[BENCH_BATCH_VARIANTS][BENCH_REPS_MAX];
    size_t epochs = (batches + STEPS_PER_EPOCH - 1) / STEPS_PER_EPOCH, r, i;
    pool memory;
    int v, rc = 0;

    if (reps > BENCH_REPS_MAX) reps = BENCH_REPS_MAX;
    out->batches = epochs * STEPS_PER_EPOCH;
    memory.count = 0;
    for (r = 0; r <= reps && rc == 0; r++) { /* repetition 0 warms up and is not kept */
        double t[BENCH_BATCH_VARIANTS];
        sink k[BENCH_BATCH_VARIANTS];
        for (i = 0; i < BENCH_BATCH_VARIANTS && rc == 0; i++) {
            v = (int)((i + r) % BENCH_BATCH_VARIANTS);
            k[v].sum = 0;
            k[v].calls = 0;
            if ((t[v] = run_variant(v, epochs, &memory, &k[v])) < 0) rc = -1;
        }
        for (v = 1; v < BENCH_BATCH_VARIANTS && rc == 0; v++) {
            if (k[v].calls != k[0].calls ||
                fabs(k[v].sum - k[0].sum) > 1e-12 * fabs(k[0].sum)) {
                fprintf(stderr,
                        "bench: '%s' handed the hook %llu values summing to %.17g, the floor "
                        "%llu summing to %.17g: they do not run the same schedule\n",
                        names[v], (unsigned long long)k[v].calls, k[v].sum,
                        (unsigned long long)k[0].calls, k[0].sum);
                rc = -1;
            }
        }
        if (r == 0 || rc != 0) continue;
        for (v = 0; v < BENCH_BATCH_VARIANTS; v++) {
            ns[v][r - 1] = t[v] / (double)out->batches;
            ratio[v][r - 1] = t[v] / t[BENCH_FLOOR];
        }
    }
    pool_drain(&memory);
    if (rc != 0) return rc;
    for (v = 0; v < BENCH_BATCH_VARIANTS; v++) {
        out->name[v] = names[v];
        out->ns[v] = bench_summarise(ns[v], reps);
        out->ratio[v] = bench_summarise(ratio[v], reps);
    }
    return 0;
}
