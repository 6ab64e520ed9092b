/* SPDX-License-Identifier: MIT */
/* history.c -- the per-batch record of learning rates and metrics (see history.h). */
#include "history.h"

#include <math.h>
#include <string.h>

#include "numfmt.h"

void sgdr_history_init(sgdr_history *h)
{
    memset(h, 0, sizeof *h);
}

static void drop_columns(sgdr_history *h, const sgdr_allocator *a, size_t keep)
{
    while (h->ncolumns > keep) {
        sgdr_history_column *c = &h->columns[--h->ncolumns];
        sgdr_release(a, c->name);
        sgdr_release(a, c->values);
    }
}

void sgdr_history_free(sgdr_history *h, const sgdr_allocator *a)
{
    drop_columns(h, a, 0);
    sgdr_release(a, h->columns);
    sgdr_release(a, h->slot);
    sgdr_history_init(h);
}

void sgdr_history_clear(sgdr_history *h, const sgdr_allocator *a, uint64_t first_step)
{
    drop_columns(h, a, 0);
    h->rows = 0;
    h->capacity = 0; /* the next run's columns start small, not at the last run's size */
    h->first_step = first_step;
}

/* Grow every column to hold at least `rows` rows (doubling: amortised O(1) per row). */
static sgdr_status grow_rows(sgdr_history *h, const sgdr_allocator *a, size_t rows)
{
    size_t cap = h->capacity ? h->capacity : 64, i, done;
    double *fresh[64];
    double **next = fresh;
    sgdr_status st = SGDR_OK;
    while (cap < rows) {
        if (cap > ((size_t)-1 / sizeof(double)) / 2) return SGDR_ENOMEM;
        cap *= 2;
    }
    if (cap == h->capacity) return SGDR_OK;
    if (h->ncolumns > 64) {
        next = sgdr_alloc_array(a, h->ncolumns, sizeof *next);
        if (next == NULL) return SGDR_ENOMEM;
    }
    /* All new buffers first, then swap: a failure leaves the old ones untouched. */
    for (done = 0; done < h->ncolumns; done++) {
        next[done] = sgdr_alloc_array(a, cap, sizeof(double));
        if (next[done] == NULL) {
            st = SGDR_ENOMEM;
            break;
        }
    }
    if (st == SGDR_OK) {
        for (i = 0; i < h->ncolumns; i++) {
            memcpy(next[i], h->columns[i].values, h->rows * sizeof(double));
            sgdr_release(a, h->columns[i].values);
            h->columns[i].values = next[i];
        }
        h->capacity = cap;
    } else {
        for (i = 0; i < done; i++) sgdr_release(a, next[i]);
    }
    if (next != fresh) sgdr_release(a, next);
    return st;
}

/* Append a column called `name`, NaN in every existing row. */
static sgdr_status add_column(sgdr_history *h, const sgdr_allocator *a, const char *name)
{
    sgdr_history_column *c;
    size_t len = strlen(name), i;
    if (h->ncolumns == h->column_cap) {
        size_t cap = h->column_cap ? h->column_cap * 2 : 8;
        sgdr_history_column *cols = sgdr_alloc_array(a, cap, sizeof *cols);
        if (cols == NULL) return SGDR_ENOMEM;
        if (h->ncolumns) memcpy(cols, h->columns, h->ncolumns * sizeof *cols);
        sgdr_release(a, h->columns);
        h->columns = cols;
        h->column_cap = cap;
    }
    c = &h->columns[h->ncolumns];
    c->name = sgdr_alloc_array(a, len + 1, 1);
    if (c->name == NULL) return SGDR_ENOMEM;
    c->values = sgdr_alloc_array(a, h->capacity ? h->capacity : 1, sizeof(double));
    if (c->values == NULL) {
        sgdr_release(a, c->name);
        return SGDR_ENOMEM;
    }
    memcpy(c->name, name, len + 1);
    for (i = 0; i < h->rows; i++) c->values[i] = NAN;
    h->ncolumns++;
    return SGDR_OK;
}

/* The column called `name`, trying `hint` first (metrics usually come in the same order
 * every batch), or ncolumns when there is none. */
static size_t find_column(const sgdr_history *h, const char *name, size_t hint)
{
    size_t i;
    if (hint < h->ncolumns && strcmp(h->columns[hint].name, name) == 0) return hint;
    for (i = 0; i < h->ncolumns; i++)
        if (strcmp(h->columns[i].name, name) == 0) return i;
    return h->ncolumns;
}

sgdr_status sgdr_history_prepare(sgdr_history *h, const sgdr_allocator *a,
                                 const sgdr_metric *m, size_t n, char *msg, size_t cap)
{
    size_t i;
    sgdr_status st;
    h->prepared_columns = h->ncolumns;
    if (h->ncolumns == 0 && (st = add_column(h, a, "lr")) != SGDR_OK) goto nomem;
    if (n > h->slot_cap) {
        size_t want = n < 8 ? 8 : n;
        size_t *slot = sgdr_alloc_array(a, want, sizeof *slot);
        if (slot == NULL) {
            st = SGDR_ENOMEM;
            goto nomem;
        }
        sgdr_release(a, h->slot);
        h->slot = slot;
        h->slot_cap = want;
    }
    for (i = 0; i < n; i++) {
        size_t col = find_column(h, m[i].name, i + 1);
        if (col == h->ncolumns && (st = add_column(h, a, m[i].name)) != SGDR_OK) goto nomem;
        h->slot[i] = col;
    }
    if (h->rows == h->capacity && (st = grow_rows(h, a, h->rows + 1)) != SGDR_OK) goto nomem;
    return SGDR_OK;
nomem:
    sgdr_msgf(msg, cap, "out of memory while growing the history", NULL);
    sgdr_history_abort(h, a);
    return st;
}

void sgdr_history_commit(sgdr_history *h, double lr, const sgdr_metric *m, size_t n)
{
    size_t i, row = h->rows;
    for (i = 0; i < h->ncolumns; i++) h->columns[i].values[row] = NAN;
    h->columns[0].values[row] = lr;
    for (i = 0; i < n; i++) h->columns[h->slot[i]].values[row] = m[i].value;
    h->rows = row + 1;
}

void sgdr_history_abort(sgdr_history *h, const sgdr_allocator *a)
{
    drop_columns(h, a, h->prepared_columns);
}

/* Append text to buf when it fits; always count it. */
static void put(char *buf, size_t cap, size_t *len, const char *text, size_t n)
{
    if (buf != NULL && *len + n <= cap) memcpy(buf + *len, text, n);
    *len += n;
}

/* A column name as a CSV field: quoted (RFC 4180) when it holds a comma, quote or newline. */
static void put_name(char *buf, size_t cap, size_t *len, const char *name)
{
    size_t n = strlen(name);
    if (strpbrk(name, ",\"\r\n") == NULL) {
        put(buf, cap, len, name, n);
        return;
    }
    put(buf, cap, len, "\"", 1);
    for (; *name != '\0'; name++) {
        if (*name == '"') put(buf, cap, len, "\"", 1);
        put(buf, cap, len, name, 1);
    }
    put(buf, cap, len, "\"", 1);
}

size_t sgdr_history_csv(const sgdr_history *h, char *buf, size_t cap)
{
    size_t len = 0, r, c;
    char num[SGDR_NUMFMT_CAP];
    put(buf, cap, &len, "step", 4);
    for (c = 0; c < h->ncolumns; c++) {
        put(buf, cap, &len, ",", 1);
        put_name(buf, cap, &len, h->columns[c].name);
    }
    if (h->ncolumns == 0) put(buf, cap, &len, ",lr", 3);
    put(buf, cap, &len, "\n", 1);
    for (r = 0; r < h->rows; r++) {
        put(buf, cap, &len, num, sgdr_u64fmt(num, h->first_step + r));
        for (c = 0; c < h->ncolumns; c++) {
            put(buf, cap, &len, ",", 1);
            put(buf, cap, &len, num, sgdr_numfmt(num, h->columns[c].values[r]));
        }
        put(buf, cap, &len, "\n", 1);
    }
    return len;
}
