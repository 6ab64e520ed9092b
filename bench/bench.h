/* SPDX-License-Identifier: MIT */
/* bench.h -- what the parts of the benchmark share: a clock, summaries over repetitions, and
 * the result of each section, which bench_sgdr.c prints as one table. */
#ifndef SGDR_BENCH_H
#define SGDR_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Most repetitions a section keeps (more are clamped to this). */
#define BENCH_REPS_MAX 1001

/* Monotonic time in nanoseconds. */
double bench_now_ns(void);

/* Order statistics over repetitions: the spread is what a shared, noisy machine adds. */
typedef struct bench_summary {
    double min, median, p90;
} bench_summary;

/* Summarise x[0..n) (n >= 1); x is sorted in place. */
bench_summary bench_summarise(double *x, size_t n);

/* ---- per-batch cost (bench_batch.c) ----------------------------------------------------- */

enum {
    BENCH_FLOOR = 0,      /* the cosine inline, handed to the hook through a pointer */
    BENCH_HISTORY_OFF,    /* sgdr_on_batch_end, history off, no metrics */
    BENCH_HISTORY_OFF_M3, /* history off, 3 metrics passed (validated, not kept) */
    BENCH_HISTORY_1,      /* history on, 1 metric */
    BENCH_HISTORY_3,      /* history on, 3 metrics */
    BENCH_HISTORY_3_WARM, /* the same, its memory recycled from the previous run */
    BENCH_BATCH_VARIANTS
};

typedef struct bench_batch_result {
    const char *name[BENCH_BATCH_VARIANTS];
    bench_summary ns[BENCH_BATCH_VARIANTS];    /* ns per batch */
    bench_summary ratio[BENCH_BATCH_VARIANTS]; /* per repetition: variant / floor */
    size_t batches;                            /* timed batches per variant per repetition */
} bench_batch_result;

/* Run `reps` interleaved repetitions of `batches` batches of each variant. Returns 0, or -1
 * with a message on stderr if the library failed or disagreed with the floor. */
int bench_batch(size_t reps, size_t batches, bench_batch_result *out);

/* ---- sgdr_lr_at (bench_lr_at.c) --------------------------------------------------------- */

#define BENCH_LR_AT_FACTORS 5
#define BENCH_LR_AT_STEPS 6

typedef struct bench_lr_at_result {
    double factor[BENCH_LR_AT_FACTORS];
    unsigned step_log2[BENCH_LR_AT_STEPS];
    bench_summary ns[BENCH_LR_AT_FACTORS][BENCH_LR_AT_STEPS]; /* ns per call */
} bench_lr_at_result;

/* Time sgdr_lr_at at growing steps for each mult_factor, `reps` interleaved repetitions of
 * at least `budget_ns` each. Returns 0 or -1 (message on stderr). */
int bench_lr_at(size_t reps, double budget_ns, bench_lr_at_result *out);

/* ---- heap allocations (bench_alloc.c) --------------------------------------------------- */

#define BENCH_ALLOC_RUNS 4

typedef struct bench_alloc_result {
    /* history off: allocations during `off_batches` batches after the first one */
    uint64_t off_batches, off_allocs;
    /* history on, 3 metrics (4 columns), runs of batches[i] batches from on_train_begin */
    uint64_t batches[BENCH_ALLOC_RUNS];
    uint64_t allocs[BENCH_ALLOC_RUNS];   /* allocations made by the batches */
    double bytes_allocated[BENCH_ALLOC_RUNS]; /* per batch per column, all allocations */
    double bytes_live[BENCH_ALLOC_RUNS];      /* per batch per column, held at the end */
} bench_alloc_result;

/* Count allocations through sgdr_create_with_allocator. `scale` divides the run lengths
 * (1 for the full run). Returns 0 or -1 (message on stderr). */
int bench_alloc(uint64_t scale, bench_alloc_result *out);

#endif
