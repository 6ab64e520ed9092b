/* SPDX-License-Identifier: MIT */
/* ticks.h -- axis ticks at "nice" values (1, 2 or 5 times a power of ten). */
#ifndef SGDR_TOOLS_TICKS_H
#define SGDR_TOOLS_TICKS_H

#include <stddef.h>

typedef struct ticks {
    double first; /* first tick >= lo */
    double step;  /* distance between ticks */
    int count;    /* ticks in [lo, hi] */
} ticks;

/* Ticks covering [lo, hi] (lo < hi), about `want` of them. */
void ticks_nice(double lo, double hi, int want, ticks *t);

/* The value of tick i. Computed as first + i * step, then snapped to the step's precision,
 * so that 0.1 + 2 * 0.1 prints as 0.3. */
double ticks_value(const ticks *t, int i);

/* A short label for tick value v with ticks `step` apart: as many decimals as the step
 * needs ("0.02", "15"), or an exponent for very small or large values ("2e-05"). */
void ticks_label(double v, double step, char *out, size_t cap);

#endif
