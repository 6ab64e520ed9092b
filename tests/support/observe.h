/* SPDX-License-Identifier: MIT */
/* observe.h -- the observer: everything a caller can see of a scheduler, taken at one moment,
 * to check that a refused call changed nothing.
 *
 * It holds the saved state bytes (every parameter and counter as the library saves them),
 * sgdr_lr, every progress counter, every parameter (as many as sgdr_param_name knows), and
 * the history: its shape, column names, last row, and a hash of every value. Taking it calls
 * only getters that succeed, so it does not touch sgdr_last_error.
 *
 * observe() and observed_diff() never assert (the scripted run uses them on many threads);
 * assert_same_observed() is the cmocka form. */
#ifndef SGDR_TEST_OBSERVE_H
#define SGDR_TEST_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"

#define OBSERVED_STATE_CAP 1024
#define OBSERVED_PROGRESS 10 /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */
#define OBSERVED_MAX_PARAMS 32
#define OBSERVED_NAMES 2048
#define OBSERVED_LAST 128

typedef struct observed {
    int exists;                 /* 0: the scheduler was NULL (nothing else is set) */
    const char *problem;        /* a getter that failed while observing, or NULL */
    unsigned char blob[OBSERVED_STATE_CAP];
    size_t len;
    double lr;
    uint64_t progress[OBSERVED_PROGRESS];
    double params[OBSERVED_MAX_PARAMS];
    size_t n_params;
    size_t rows, columns;
    char names[OBSERVED_NAMES]; /* column names, each followed by '\n' */
    double last[OBSERVED_LAST]; /* the last history row (first OBSERVED_LAST columns) */
    uint64_t history_hash;      /* FNV-1a of the bits of every history value, column-major */
} observed;

/* Take what s looks like now (s may be NULL). */
void observe(const sgdr_scheduler *s, observed *o);

/* NULL when a and b agree, else what differs (or what could not be observed). */
const char *observed_diff(const observed *a, const observed *b);

/* cmocka: a and b agree. */
void assert_same_observed(const observed *a, const observed *b);

/* cmocka: s looks as it did when `before` was taken. */
void assert_unchanged(const sgdr_scheduler *s, const observed *before);

#endif
