/* SPDX-License-Identifier: MIT */
/* bench_lr_at.c -- the cost of sgdr_lr_at at growing steps.
 *
 * One epoch of one batch and a first cycle of one epoch is the worst case for finding the
 * cycle of a step: every step is an epoch and cycles are as short as they can be. A
 * mult_factor just above 1 (1.001) makes ceil() lengthen cycles by one epoch at a time for
 * thousands of cycles, which is where a naive walk over cycles would be linear. */
#include <stdio.h>

#include "bench.h"
#include "sgdr.h"

static const double factors[BENCH_LR_AT_FACTORS] = {1.0, 1.5, 2.0, 3.0, 1.001};
static const unsigned step_log2[BENCH_LR_AT_STEPS] = {10, 20, 30, 40, 50, 62};

/* Calls at steps just below 2^e (64 different ones, so no single path is memorised) until
 * budget_ns have passed; ns per call, or -1 if a call failed. */
static double time_cell(const sgdr_scheduler *s, unsigned e, double budget_ns)
{
    const uint64_t top = (uint64_t)1 << e;
    uint64_t calls = 0, group = 1, i;
    double t0 = bench_now_ns(), elapsed, lr, bad = 0;
    do {
        for (i = 0; i < group; i++) {
            if (sgdr_lr_at(s, top - ((calls + i) & 63), &lr) != SGDR_OK) return -1;
            bad += !(lr >= 0.001 && lr <= 0.1);
        }
        calls += group;
        if (group < 4096) group *= 2;
        elapsed = bench_now_ns() - t0;
    } while (elapsed < budget_ns);
    return bad == 0 ? elapsed / (double)calls : -1;
}

int bench_lr_at(size_t reps, double budget_ns, bench_lr_at_result *out)
{
    enum { CELLS = BENCH_LR_AT_FACTORS * BENCH_LR_AT_STEPS };
    double ns[CELLS][BENCH_REPS_MAX];
    sgdr_scheduler *s[BENCH_LR_AT_FACTORS] = {NULL};
    size_t f, r, i;
    int rc = 0;

    if (reps > BENCH_REPS_MAX) reps = BENCH_REPS_MAX;
    for (f = 0; f < BENCH_LR_AT_FACTORS && rc == 0; f++) {
        out->factor[f] = factors[f];
        if (sgdr_create(&s[f]) != SGDR_OK ||
            sgdr_set_param(s[f], SGDR_PARAM_MIN_LR, 0.001) != SGDR_OK ||
            sgdr_set_param(s[f], SGDR_PARAM_MAX_LR, 0.1) != SGDR_OK ||
            sgdr_set_param(s[f], SGDR_PARAM_STEPS_PER_EPOCH, 1) != SGDR_OK ||
            sgdr_set_param(s[f], SGDR_PARAM_CYCLE_LENGTH, 1) != SGDR_OK ||
            sgdr_set_param(s[f], SGDR_PARAM_MULT_FACTOR, factors[f]) != SGDR_OK) {
            fprintf(stderr, "bench: configuring sgdr_lr_at failed: %s\n", sgdr_last_error(s[f]));
            rc = -1;
        }
    }
    for (i = 0; i < BENCH_LR_AT_STEPS; i++) out->step_log2[i] = step_log2[i];
    for (r = 0; r <= reps && rc == 0; r++) { /* repetition 0 warms up and is not kept */
        for (i = 0; i < CELLS && rc == 0; i++) {
            size_t cell = (i + r) % CELLS;
            double t = time_cell(s[cell / BENCH_LR_AT_STEPS],
                                 step_log2[cell % BENCH_LR_AT_STEPS], budget_ns);
            if (t < 0) {
                fprintf(stderr, "bench: sgdr_lr_at failed or left [min_lr, max_lr] "
                        "(mult_factor %g, step 2^%u)\n", factors[cell / BENCH_LR_AT_STEPS],
                        step_log2[cell % BENCH_LR_AT_STEPS]);
                rc = -1;
            } else if (r > 0) {
                ns[cell][r - 1] = t;
            }
        }
    }
    for (i = 0; i < CELLS && rc == 0; i++)
        out->ns[i / BENCH_LR_AT_STEPS][i % BENCH_LR_AT_STEPS] = bench_summarise(ns[i], reps);
    for (f = 0; f < BENCH_LR_AT_FACTORS; f++) sgdr_destroy(s[f]);
    return rc;
}
