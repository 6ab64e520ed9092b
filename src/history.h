/* SPDX-License-Identifier: MIT */
/* history.h -- the per-batch record of learning rates and metrics (the Keras
 * callback's `history`, docs/SPEC.md §4.7).
 *
 * Column 0 is "lr"; one more column per metric name, in order of first appearance. Rows are
 * appended in two phases so that a callback that fails later leaves no trace:
 * sgdr_history_prepare() finds or creates the columns and makes room (the only step that
 * allocates), then sgdr_history_commit() writes the row and makes new columns visible, or
 * sgdr_history_abort() drops them. Until the commit nothing a reader can see has changed:
 * a hook called in between sees the history as it was before the call. */
#ifndef SGDR_HISTORY_H
#define SGDR_HISTORY_H

#include <string.h>

#include "sgdr.h" /* and with it stddef.h and stdint.h */

/* The allocator a scheduler was created with: every allocation goes through it. */
typedef struct sgdr_allocator {
    sgdr_alloc_fn alloc;
    sgdr_free_fn free;
    void *user;
} sgdr_allocator;

typedef struct sgdr_history_column {
    char *name;
    double *values; /* capacity entries */
} sgdr_history_column;

typedef struct sgdr_history {
    sgdr_history_column *columns; /* ncolumns visible, then those a prepare added */
    size_t ncolumns, nallocated, column_cap;
    size_t rows, capacity;
    uint64_t first_step; /* step of row 0 */
} sgdr_history;

/* Free everything; the history is then empty, as a zeroed one. */
void sgdr_history_free(sgdr_history *h, const sgdr_allocator *a);

/* Drop every row and column; the next row is step `first_step`. */
void sgdr_history_clear(sgdr_history *h, const sgdr_allocator *a, uint64_t first_step);

/* Get room for one more row with metrics m[0..n), whose names the caller has validated
 * (non-empty, distinct, none "lr"). SGDR_ENOMEM on failure, with nothing changed. */
sgdr_status sgdr_history_prepare(sgdr_history *h, const sgdr_allocator *a,
                                 const sgdr_metric *m, size_t n);

/* Write the prepared row. */
void sgdr_history_commit(sgdr_history *h, double lr, const sgdr_metric *m, size_t n);

/* Undo the prepare: drop the columns it created. */
void sgdr_history_abort(sgdr_history *h, const sgdr_allocator *a);

/* The common batch, which needs no prepare: metrics m[0..n) are columns 1..n in that order
 * (the same metrics as the batch before, which also means that no name is given twice and
 * none is "lr") and one more row fits. */
static inline int sgdr_history_in_order(const sgdr_history *h, const sgdr_metric *m, size_t n)
{
    size_t i;
    if (h->ncolumns != n + 1 || h->rows == h->capacity || (n > 0 && m == NULL)) return 0;
    for (i = 0; i < n; i++)
        if (m[i].name == NULL || strcmp(h->columns[i + 1].name, m[i].name) != 0) return 0;
    return 1;
}

/* Write a row whose metrics sgdr_history_in_order() accepted: every column gets a value. */
static inline void sgdr_history_append(sgdr_history *h, double lr, const sgdr_metric *m,
                                       size_t n)
{
    size_t i, row = h->rows;
    h->columns[0].values[row] = lr;
    for (i = 0; i < n; i++) h->columns[i + 1].values[row] = m[i].value;
    h->rows = row + 1;
}

#endif
