/* SPDX-License-Identifier: MIT */
/* bench_sgdr.c -- the libsgdr benchmark: per-batch cost against its floor, sgdr_lr_at at
 * growing steps, and heap allocations per batch. Prints one table and a PASS or MISS line
 * per target. Speed is never asserted: the exit status is non-zero only when the library
 * failed or computed something other than the floor.
 *
 *   sgdr-bench [--reps N] [--batches N] [--budget-us N] [--quick]
 *
 * --quick is a smoke run (one repetition, tiny sizes): it checks that every row prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sgdr.h"

#ifndef SGDR_BENCH_BUILD_TYPE
#define SGDR_BENCH_BUILD_TYPE "unknown"
#endif

/* The targets of the benchmark. */
#define TARGET_HISTORY_OFF 1.25 /* on_batch_end / floor, history off */
#define TARGET_HISTORY_3 2.0    /* on_batch_end / floor, history on, 3 metrics */
#define TARGET_LR_AT_NS 1000.0  /* sgdr_lr_at, mult_factor 1, 1.5, 2, 3 */
/* sgdr_lr_at for 1.001 must not be linear in the step: between neighbouring steps its time
 * may grow at most like step^0.75 (linear is 1, a square root 0.5, a bounded cost 0). */
#define TARGET_GROWTH 0.75
#define TARGET_BYTES 32.0       /* bytes allocated per batch per column, history on */

typedef struct options {
    size_t reps, batches;
    double budget_ns;
    uint64_t alloc_scale;
} options;

static int parse_size(const char *flag, const char *text, size_t *out)
{
    char *end;
    unsigned long v = strtoul(text != NULL ? text : "", &end, 10);
    if (text == NULL || *text == '\0' || *end != '\0' || v == 0) {
        fprintf(stderr, "sgdr-bench: %s needs a positive integer, got '%s'\n", flag,
                text != NULL ? text : "");
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    int i;
    size_t budget_us = 200;
    o->reps = 101;
    o->batches = 100000;
    o->alloc_scale = 1;
    for (i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--quick") == 0) {
            o->reps = 1;
            o->batches = 2000;
            budget_us = 1;
            o->alloc_scale = 100;
            continue;
        }
        if (strcmp(argv[i], "--reps") == 0) {
            if (parse_size(argv[i], value, &o->reps) != 0) return -1;
        } else if (strcmp(argv[i], "--batches") == 0) {
            if (parse_size(argv[i], value, &o->batches) != 0) return -1;
        } else if (strcmp(argv[i], "--budget-us") == 0) {
            if (parse_size(argv[i], value, &budget_us) != 0) return -1;
        } else {
            fprintf(stderr, "usage: sgdr-bench [--reps N] [--batches N] [--budget-us N] "
                            "[--quick]\n");
            return -1;
        }
        i++;
    }
    if (o->reps > BENCH_REPS_MAX) o->reps = BENCH_REPS_MAX;
    o->budget_ns = (double)budget_us * 1000.0;
    return 0;
}

static void verdict(int pass, const char *what, const char *measured)
{
    printf("%s  %s: %s\n", pass ? "PASS" : "MISS", what, measured);
}

static void report_batch(const bench_batch_result *b)
{
    char text[160];
    int v;
    printf("\nPer batch: %zu batches per run (1000 per epoch, restarts after 1, 2, 4... epochs)\n",
           b->batches);
    printf("  %-44s %8s %8s %8s   %s\n", "", "ns min", "median", "p90",
           "x floor: median [min, p90]");
    for (v = 0; v < BENCH_BATCH_VARIANTS; v++) {
        printf("  %-44s %8.2f %8.2f %8.2f   %5.2f [%.2f, %.2f]\n", b->name[v], b->ns[v].min,
               b->ns[v].median, b->ns[v].p90, b->ratio[v].median, b->ratio[v].min,
               b->ratio[v].p90);
    }
    printf("\n");
    snprintf(text, sizeof text, "%.2fx the floor (median; target <= %.2fx)",
             b->ratio[BENCH_HISTORY_OFF].median, TARGET_HISTORY_OFF);
    verdict(b->ratio[BENCH_HISTORY_OFF].median <= TARGET_HISTORY_OFF,
            "on_batch_end, history off", text);
    snprintf(text, sizeof text, "%.2fx the floor (median; target <= %.2fx)",
             b->ratio[BENCH_HISTORY_3].median, TARGET_HISTORY_3);
    verdict(b->ratio[BENCH_HISTORY_3].median <= TARGET_HISTORY_3,
            "on_batch_end, history on, 3 metrics", text);
}

static void report_lr_at(const bench_lr_at_result *l)
{
    char text[200];
    size_t f, i;
    double worst = 0, growth = 0;
    printf("\nsgdr_lr_at, ns per call: median (p90); 1 batch per epoch, first cycle 1 epoch\n");
    printf("  %-12s", "mult_factor");
    for (i = 0; i < BENCH_LR_AT_STEPS; i++) {
        char head[16];
        snprintf(head, sizeof head, "step 2^%u", l->step_log2[i]);
        printf("  %16s", head);
    }
    printf("\n");
    for (f = 0; f < BENCH_LR_AT_FACTORS; f++) {
        printf("  %-12g", l->factor[f]);
        for (i = 0; i < BENCH_LR_AT_STEPS; i++) {
            char cell[40];
            snprintf(cell, sizeof cell, "%.0f (%.0f)", l->ns[f][i].median, l->ns[f][i].p90);
            printf("  %16s", cell);
        }
        printf("\n");
    }
    /* Growth exponent between neighbouring steps: 1 is linear, 0 constant. Below 100 ns
     * the differences are noise, so those pairs count as constant. */
    printf("  growth exponent for 1.001, log(t2/t1) / log(step2/step1):");
    for (i = 1; i < BENCH_LR_AT_STEPS; i++) {
        double t1 = l->ns[BENCH_LR_AT_FACTORS - 1][i - 1].median;
        double t2 = l->ns[BENCH_LR_AT_FACTORS - 1][i].median;
        double g = t2 < 100.0 ? 0.0
                              : log(t2 / t1) / (log(2.0) * (l->step_log2[i] - l->step_log2[i - 1]));
        if (g > growth) growth = g;
        printf(" %.2f", g);
    }
    printf("\n\n");
    for (f = 0; f + 1 < BENCH_LR_AT_FACTORS; f++)
        for (i = 0; i < BENCH_LR_AT_STEPS; i++)
            if (l->ns[f][i].median > worst) worst = l->ns[f][i].median;
    snprintf(text, sizeof text, "slowest median %.0f ns (target < %.0f ns)", worst,
             TARGET_LR_AT_NS);
    verdict(worst < TARGET_LR_AT_NS, "sgdr_lr_at, mult_factor 1, 1.5, 2, 3, steps to 2^62",
            text);
    snprintf(text, sizeof text,
             "largest growth exponent %.2f, %.0f ns at 2^62 (target: below linear, <= %.2f)",
             growth, l->ns[BENCH_LR_AT_FACTORS - 1][BENCH_LR_AT_STEPS - 1].median,
             TARGET_GROWTH);
    verdict(growth <= TARGET_GROWTH, "sgdr_lr_at, mult_factor 1.001", text);
}

static void report_alloc(const bench_alloc_result *a)
{
    char text[200];
    size_t i;
    int bounded = 1, falling = 1;
    printf("\nHeap allocations (counting allocator via sgdr_create_with_allocator)\n");
    printf("  history off: %llu allocations in %llu batches after the first epoch\n",
           (unsigned long long)a->off_allocs, (unsigned long long)a->off_batches);
    printf("  history on, 3 metrics (4 columns), a run of N batches from on_train_begin:\n");
    printf("  %10s %12s %16s %22s %22s\n", "N", "allocations", "allocs per batch",
           "bytes alloc'd/batch/col", "bytes held/batch/col");
    for (i = 0; i < BENCH_ALLOC_RUNS; i++) {
        printf("  %10llu %12llu %16.6f %22.2f %22.2f\n", (unsigned long long)a->batches[i],
               (unsigned long long)a->allocs[i],
               (double)a->allocs[i] / (double)a->batches[i], a->bytes_allocated[i],
               a->bytes_live[i]);
        if (a->bytes_allocated[i] > TARGET_BYTES) bounded = 0;
        if (i > 0 && (double)a->allocs[i] / (double)a->batches[i] >
                         (double)a->allocs[i - 1] / (double)a->batches[i - 1])
            falling = 0;
    }
    printf("\n");
    snprintf(text, sizeof text, "%llu allocations in %llu batches (target 0)",
             (unsigned long long)a->off_allocs, (unsigned long long)a->off_batches);
    verdict(a->off_allocs == 0, "heap allocations per batch, history off", text);
    snprintf(text, sizeof text,
             "allocations per batch %s with N, bytes allocated per batch per column %s %.0f",
             falling ? "fall" : "do not fall", bounded ? "stay <=" : "exceed", TARGET_BYTES);
    verdict(bounded && falling, "heap allocations per batch, history on (amortised O(1))",
            text);
}

int main(int argc, char **argv)
{
    options o;
    bench_batch_result batch;
    bench_lr_at_result lr_at;
    bench_alloc_result alloc;

    if (parse_options(argc, argv, &o) != 0) return 2;
    printf("libsgdr %s benchmark: library build type %s, %zu repetitions, variants "
           "interleaved\n", sgdr_version_string(), SGDR_BENCH_BUILD_TYPE, o.reps);
    if (strcmp(SGDR_BENCH_BUILD_TYPE, "Release") != 0 &&
        strcmp(SGDR_BENCH_BUILD_TYPE, "RelWithDebInfo") != 0)
        printf("note: the library is not an optimised build; use the release preset for "
               "numbers worth reading\n");
    fflush(stdout);
    if (bench_batch(o.reps, o.batches, &batch) != 0) return 1;
    report_batch(&batch);
    fflush(stdout);
    if (bench_lr_at(o.reps, o.budget_ns, &lr_at) != 0) return 1;
    report_lr_at(&lr_at);
    fflush(stdout);
    if (bench_alloc(o.alloc_scale, &alloc) != 0) return 1;
    report_alloc(&alloc);
    return 0;
}
