/* SPDX-License-Identifier: MIT */
/* bench_alloc.c -- heap allocations per batch, counted through the custom allocator API.
 *
 * History off must allocate nothing once a run has started. History on appends one double
 * per column per batch into buffers that double when full, so allocations per batch fall
 * towards zero and bytes per batch stay bounded whatever the length of the run. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "sgdr.h"

#define STEPS_PER_EPOCH 1000u

/* The allocator keeps each block's size in front of it, to know the bytes held. */
typedef struct counter {
    uint64_t allocs;
    double bytes, live;
} counter;

typedef union block_header {
    size_t size;
    long double ld; /* with the members below: the block after the header is aligned */
    long long ll;
    void *p;
} block_header;

static void *counting_alloc(void *user, size_t size)
{
    counter *c = user;
    block_header *h = malloc(sizeof *h + size);
    if (h == NULL) return NULL;
    h->size = size;
    c->allocs++;
    c->bytes += (double)size;
    c->live += (double)size;
    return h + 1;
}

static void counting_free(void *user, void *ptr)
{
    counter *c = user;
    block_header *h = (block_header *)ptr - 1;
    c->live -= (double)h->size;
    free(h);
}

/* A running scheduler (1000 batches per epoch) whose memory `c` counts; NULL on failure. */
static sgdr_scheduler *start(counter *c, int history)
{
    sgdr_scheduler *s = NULL;
    if (sgdr_create_with_allocator(&s, counting_alloc, counting_free, c) != SGDR_OK) return NULL;
    if (sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, STEPS_PER_EPOCH) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1) != SGDR_OK ||
        sgdr_set_param(s, SGDR_PARAM_HISTORY, history) != SGDR_OK ||
        sgdr_on_train_begin(s) != SGDR_OK) {
        fprintf(stderr, "bench: starting a counted scheduler failed: %s\n",
                sgdr_last_error(s));
        sgdr_destroy(s);
        return NULL;
    }
    return s;
}

/* `batches` more batches (a whole number of epochs from the start of one) with 3 metrics. */
static int train(sgdr_scheduler *s, uint64_t first_epoch, uint64_t batches)
{
    sgdr_metric m[3] = {{"loss", 0.5}, {"accuracy", 0.25}, {"grad_norm", 2.0}};
    uint64_t e, j;
    for (e = first_epoch; e < first_epoch + batches / STEPS_PER_EPOCH; e++) {
        for (j = 0; j < STEPS_PER_EPOCH; j++) {
            if (sgdr_on_batch_end(s, j, m, 3) != SGDR_OK) goto fail;
        }
        if (sgdr_on_epoch_end(s, e, NULL, 0) != SGDR_OK) goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "bench: a counted callback failed: %s\n", sgdr_last_error(s));
    return -1;
}

int bench_alloc(uint64_t scale, bench_alloc_result *out)
{
    static const uint64_t runs[BENCH_ALLOC_RUNS] = {1000, 10000, 100000, 1000000};
    counter c = {0, 0, 0};
    sgdr_scheduler *s;
    size_t i;

    /* History off: the first epoch settles everything, then nothing may be allocated. */
    if ((s = start(&c, 0)) == NULL || train(s, 0, STEPS_PER_EPOCH) != 0) goto fail;
    out->off_batches = runs[BENCH_ALLOC_RUNS - 1] / scale / STEPS_PER_EPOCH * STEPS_PER_EPOCH;
    c.allocs = 0;
    if (train(s, 1, out->off_batches) != 0) goto fail;
    out->off_allocs = c.allocs;
    sgdr_destroy(s);

    /* History on, 3 metrics: 4 columns (lr and the metrics). */
    for (i = 0; i < BENCH_ALLOC_RUNS; i++) {
        uint64_t n = runs[i] / scale / STEPS_PER_EPOCH * STEPS_PER_EPOCH;
        double bytes0, live0;
        if (n < (uint64_t)STEPS_PER_EPOCH << i) n = (uint64_t)STEPS_PER_EPOCH << i;
        c.allocs = 0;
        c.bytes = c.live = 0;
        if ((s = start(&c, 1)) == NULL) goto fail;
        c.allocs = 0;
        bytes0 = c.bytes;
        live0 = c.live;
        if (train(s, 0, n) != 0) goto fail;
        out->batches[i] = n;
        out->allocs[i] = c.allocs;
        out->bytes_allocated[i] = (c.bytes - bytes0) / (double)n / 4.0;
        out->bytes_live[i] = (c.live - live0) / (double)n / 4.0;
        sgdr_destroy(s);
    }
    return 0;
fail:
    sgdr_destroy(s);
    return -1;
}
