/* SPDX-License-Identifier: MIT */
/* observe.c -- the observer (see observe.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "observe.h"

/* FNV-1a over the values' bits, a value at a time (byte by byte, this hash took the largest
 * share of a fault-injection test's time). */
static uint64_t fnv1a(uint64_t h, const double *values, size_t n)
{
    while (n--) {
        uint64_t bits;
        memcpy(&bits, values++, sizeof bits);
        h = (h ^ bits) * 1099511628211u;
    }
    return h;
}

static void observe_history(const sgdr_scheduler *s, observed *o)
{
    size_t c, used = 0;
    if (sgdr_history_rows(s, &o->rows) != SGDR_OK ||
        sgdr_history_columns(s, &o->columns) != SGDR_OK) {
        o->problem = "history shape";
        return;
    }
    o->history_hash = 14695981039346656037u;
    for (c = 0; c < o->columns; c++) {
        const char *name = "";
        double chunk[256];
        size_t len, row;
        if (sgdr_history_column_name(s, c, &name) != SGDR_OK) {
            o->problem = "history column name";
            return;
        }
        len = strlen(name);
        if (used + len + 1 < sizeof o->names) {
            memcpy(o->names + used, name, len);
            o->names[used + len] = '\n';
            used += len + 1;
        }
        for (row = 0; row < o->rows; row += 256) {
            size_t n = o->rows - row < 256 ? o->rows - row : 256;
            if (sgdr_history_copy(s, c, row, chunk, n) != SGDR_OK) {
                o->problem = "history values";
                return;
            }
            o->history_hash = fnv1a(o->history_hash, chunk, n);
            if (c < OBSERVED_LAST && row + n == o->rows) o->last[c] = chunk[n - 1];
        }
    }
}

void observe(const sgdr_scheduler *s, observed *o)
{
    size_t i;
    memset(o, 0, sizeof *o);
    if (s == NULL) return;
    o->exists = 1;
    if (sgdr_save_state(s, o->blob, sizeof o->blob, &o->len) != SGDR_OK) o->problem = "saved state";
    o->lr = sgdr_lr(s);
    for (i = 0; i < OBSERVED_PROGRESS; i++)
        if (sgdr_get_progress(s, (sgdr_progress)(i + 1), &o->progress[i]) != SGDR_OK)
            o->problem = "progress counters";
    /* every parameter the library names, so that a new one is observed without a change here */
    for (i = 0; i < OBSERVED_MAX_PARAMS && sgdr_param_name((sgdr_param)(i + 1)) != NULL; i++) {
        if (sgdr_get_param(s, (sgdr_param)(i + 1), &o->params[i]) != SGDR_OK)
            o->problem = "parameters";
        o->n_params = i + 1;
    }
    observe_history(s, o);
}

const char *observed_diff(const observed *a, const observed *b)
{
    if (a->problem != NULL) return a->problem;
    if (b->problem != NULL) return b->problem;
    if (a->exists != b->exists) return "existence of the scheduler";
    if (a->len != b->len || memcmp(a->blob, b->blob, a->len) != 0) return "saved state bytes";
    if (memcmp(&a->lr, &b->lr, sizeof a->lr) != 0) return "sgdr_lr";
    if (memcmp(a->progress, b->progress, sizeof a->progress) != 0) return "progress counters";
    if (a->n_params != b->n_params ||
        memcmp(a->params, b->params, a->n_params * sizeof a->params[0]) != 0)
        return "parameters";
    if (a->rows != b->rows) return "history row count";
    if (a->columns != b->columns) return "history column count";
    if (strcmp(a->names, b->names) != 0) return "history column names";
    if (memcmp(a->last, b->last, sizeof a->last) != 0) return "last history row";
    if (a->history_hash != b->history_hash) return "history values";
    return NULL;
}

void assert_same_observed(const observed *a, const observed *b)
{
    const char *diff = observed_diff(a, b);
    if (diff != NULL) fail_msg("the scheduler's %s changed (or could not be observed)", diff);
}

void assert_unchanged(const sgdr_scheduler *s, const observed *before)
{
    observed *after = malloc(sizeof *after);
    assert_non_null(after);
    observe(s, after);
    assert_same_observed(before, after);
    free(after);
}
