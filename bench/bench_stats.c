/* SPDX-License-Identifier: MIT */
/* bench_stats.c -- the clock and the order statistics of the benchmark. */
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_summary bench_summarise(double *x, size_t n)
{
    bench_summary s;
    size_t p90 = (n * 9 + 9) / 10; /* ceil(0.9 n), 1-based */
    qsort(x, n, sizeof *x, compare_doubles);
    s.min = x[0];
    s.median = n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
    s.p90 = x[(p90 > 0 ? p90 : 1) - 1];
    return s;
}
