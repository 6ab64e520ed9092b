/* SPDX-License-Identifier: MIT */
/* bench_worst.c -- the worst cases of the calls whose cost depends on the configuration:
 * bytes a scheduler allocates from sgdr_create_with_allocator (a counting allocator),
 * sgdr_set_param(MULT_FACTOR), sgdr_load_state of a blob at a far epoch, and sgdr_lr_at at
 * steps up to 2^64-1, for factors from 1 + 2^-52 to 10. Each time is the median of
 * repeated calls (so that a preemption on a shared machine does not decide it); for
 * sgdr_lr_at the slowest of those medians over steps from 2^10 to 2^64-1. A factor the
 * library refuses is printed as refused with its message. Speed is never asserted here.
 *
 *   sgdr-bench-worst [--quick] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgdr.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t allocated;

static void *counting_alloc(void *user, size_t size)
{
    size_t *p = malloc(size + sizeof(size_t) * 2);
    (void)user;
    if (p == NULL) return NULL;
    p[0] = size;
    allocated += size;
    return p + 2;
}

static void counting_free(void *user, void *ptr)
{
    (void)user;
    free((size_t *)ptr - 2);
}

static const double factors[] = {1.0,     1.5,        2.0,      3.0,      10.0,
                                 1.0 + 0x1p-52, 1.0 + 1e-15, 1.0 + 1e-10, 1.0000001, 1.00001,
                                 1.0001,  1.0005,     1.001,    1.01,    1.1};

static int configure(sgdr_scheduler *s, double factor)
{
    return sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, factor) != SGDR_OK;
}

#define REPS 15

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, size_t n)
{
    qsort(t, n, sizeof *t, by_value);
    return t[n / 2];
}

/* The slowest over steps from 2^10 to 2^64-1 of the median time of sgdr_lr_at there. */
static double worst_lr_at(const sgdr_scheduler *s, int quick)
{
    static const int logs[] = {10, 20, 30, 40, 50, 60, 62, 63};
    double worst = 0, lr, t[REPS];
    size_t i, j, reps = quick ? 1 : REPS;
    for (i = 0; i <= sizeof logs / sizeof logs[0]; i++) {
        uint64_t top = i < sizeof logs / sizeof logs[0] ? (uint64_t)1 << logs[i] : UINT64_MAX;
        for (j = 0; j < reps; j++) {
            double t0 = now_ns();
            if (sgdr_lr_at(s, top - j * 977, &lr) != SGDR_OK) return -1;
            t[j] = now_ns() - t0;
        }
        if (median(t, reps) > worst) worst = median(t, reps);
    }
    return worst;
}

/* Loading the state of a run one epoch in. What a load costs beyond the framing is placing
 * the blob's epoch in its configuration's cycles, the same search as sgdr_lr_at, whose worst
 * case over far epochs the last column shows. */
static double worst_load(sgdr_scheduler *s, int quick)
{
    unsigned char blob[512];
    size_t len = 0, j, reps = quick ? 1 : REPS;
    double t[REPS];
    if (sgdr_on_train_begin(s) != SGDR_OK || sgdr_on_batch_end(s, 0, NULL, 0) != SGDR_OK ||
        sgdr_on_epoch_end(s, 0, NULL, 0) != SGDR_OK ||
        sgdr_save_state(s, blob, sizeof blob, &len) != SGDR_OK)
        return -1;
    for (j = 0; j < reps; j++) {
        double t0 = now_ns();
        if (sgdr_load_state(s, blob, len) != SGDR_OK) return -1;
        t[j] = now_ns() - t0;
    }
    sgdr_on_train_end(s, NULL, 0);
    return median(t, reps);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    sgdr_scheduler *s;
    size_t i;
    allocated = 0;
    if (sgdr_create_with_allocator(&s, counting_alloc, counting_free, NULL) != SGDR_OK)
        return 1;
    printf("library %s\n", sgdr_version_string());
    printf("bytes allocated by sgdr_create: %zu\n", allocated);
    sgdr_destroy(s);
    printf("%-22s %14s %14s %14s\n", "mult_factor", "set_param us", "load_state us",
           "lr_at worst us");
    for (i = 0; i < sizeof factors / sizeof factors[0]; i++) {
        double t[REPS], set_us, load_us, lr_us;
        size_t j;
        if (sgdr_create(&s) != SGDR_OK) return 1;
        if (configure(s, factors[i])) {
            printf("%-22.17g refused: %s\n", factors[i], sgdr_last_error(s));
            sgdr_destroy(s);
            continue;
        }
        for (j = 0; j < REPS; j++) { /* set_param(mult_factor) alone: what used to build */
            double t0 = now_ns();
            sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, factors[i]);
            t[j] = now_ns() - t0;
        }
        set_us = median(t, REPS) / 1e3;
        lr_us = worst_lr_at(s, quick) / 1e3;
        load_us = worst_load(s, quick) / 1e3;
        printf("%-22.17g %14.3f %14.3f %14.3f\n", factors[i], set_us, load_us, lr_us);
        sgdr_destroy(s);
    }
    return 0;
}
