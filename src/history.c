/* SPDX-License-Identifier: MIT */
/* history.c -- the per-batch record of learning rates and metrics (see history.h), and the
 * public functions that read it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "handle.h"

/* n * size bytes (at least 1), or NULL on overflow or failure. */
static void *alloc_array(const sgdr_allocator *a, size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size) return NULL;
    return a->alloc(a->user, n * size == 0 ? 1 : n * size);
}

static void release(const sgdr_allocator *a, void *p)
{
    if (p != NULL) a->free(a->user, p);
}

static void drop_columns(sgdr_history *h, const sgdr_allocator *a, size_t keep)
{
    while (h->nallocated > keep) {
        sgdr_history_column *c = &h->columns[--h->nallocated];
        release(a, c->name);
        release(a, c->values);
    }
    if (h->ncolumns > keep) h->ncolumns = keep;
}

void sgdr_history_free(sgdr_history *h, const sgdr_allocator *a)
{
    drop_columns(h, a, 0);
    release(a, h->columns);
    memset(h, 0, sizeof *h);
}

void sgdr_history_clear(sgdr_history *h, const sgdr_allocator *a, uint64_t first_step)
{
    drop_columns(h, a, 0);
    h->rows = 0;
    h->capacity = 0; /* the next run's columns start small, not at the last run's size */
    h->first_step = first_step;
}

/* Double the room of every column (64 rows at first: amortised O(1) per row). Twice the
 * capacity fits in size_t (capacity doubles are in memory); its size in bytes may not, and
 * alloc_array then fails. A column is only replaced once its copy is made, so a failure
 * loses nothing; the capacity grows once every column has the room. */
static sgdr_status grow_rows(sgdr_history *h, const sgdr_allocator *a)
{
    size_t cap = h->capacity ? 2 * h->capacity : 64, i;
    for (i = 0; i < h->nallocated; i++) {
        double *next = alloc_array(a, cap, sizeof(double));
        if (next == NULL) return SGDR_ENOMEM;
        memcpy(next, h->columns[i].values, h->rows * sizeof(double));
        release(a, h->columns[i].values);
        h->columns[i].values = next;
    }
    h->capacity = cap;
    return SGDR_OK;
}

/* Add a column called `name` after the others, NaN in every existing row, not yet visible. */
static sgdr_status add_column(sgdr_history *h, const sgdr_allocator *a, const char *name)
{
    sgdr_history_column *c;
    size_t len = strlen(name), i;
    if (h->nallocated == h->column_cap) {
        size_t cap = h->column_cap ? h->column_cap * 2 : 8;
        sgdr_history_column *cols = alloc_array(a, cap, sizeof *cols);
        if (cols == NULL) return SGDR_ENOMEM;
        if (h->nallocated) memcpy(cols, h->columns, h->nallocated * sizeof *cols);
        release(a, h->columns);
        h->columns = cols;
        h->column_cap = cap;
    }
    c = &h->columns[h->nallocated];
    c->name = alloc_array(a, len + 1, 1);
    if (c->name == NULL) return SGDR_ENOMEM;
    c->values = alloc_array(a, h->capacity ? h->capacity : 1, sizeof(double));
    if (c->values == NULL) {
        release(a, c->name);
        return SGDR_ENOMEM;
    }
    memcpy(c->name, name, len + 1);
    for (i = 0; i < h->rows; i++) c->values[i] = NAN;
    h->nallocated++;
    return SGDR_OK;
}

/* The column called `name`, or SIZE_MAX when there is none. Column `hint` is tried first:
 * metrics given in the order of the columns are then found without a search. */
static size_t find_column(const sgdr_history *h, const char *name, size_t hint)
{
    size_t i;
    if (hint < h->nallocated && strcmp(h->columns[hint].name, name) == 0) return hint;
    for (i = 0; i < h->nallocated; i++)
        if (strcmp(h->columns[i].name, name) == 0) return i;
    return (size_t)-1;
}

sgdr_status sgdr_history_prepare(sgdr_history *h, const sgdr_allocator *a,
                                 const sgdr_metric *m, size_t n)
{
    size_t i;
    int ok = h->nallocated > 0 || add_column(h, a, "lr") == SGDR_OK;
    for (i = 0; ok && i < n; i++)
        ok = find_column(h, m[i].name, i + 1) < h->nallocated || add_column(h, a, m[i].name) == SGDR_OK;
    if (ok && h->rows == h->capacity) ok = grow_rows(h, a) == SGDR_OK;
    if (ok) return SGDR_OK;
    sgdr_history_abort(h, a);
    return SGDR_ENOMEM;
}

void sgdr_history_commit(sgdr_history *h, double lr, const sgdr_metric *m, size_t n)
{
    size_t i, row = h->rows;
    h->ncolumns = h->nallocated;
    for (i = 0; i < h->ncolumns; i++) h->columns[i].values[row] = NAN;
    h->columns[0].values[row] = lr;
    for (i = 0; i < n; i++) /* prepare made every column: find_column finds it */
        h->columns[find_column(h, m[i].name, i + 1)].values[row] = m[i].value;
    h->rows = row + 1;
}

void sgdr_history_abort(sgdr_history *h, const sgdr_allocator *a)
{
    drop_columns(h, a, h->ncolumns);
}

/* ---- the CSV text ---- */

/* Append text to buf when it fits; always count it. The count saturates at SIZE_MAX, which
 * no text of the address space reaches, so a history too large to print is told apart. */
static void put(char *buf, size_t cap, size_t *len, const char *text, size_t n)
{
    if (*len > (size_t)-1 - n) {
        *len = (size_t)-1;
        return;
    }
    if (buf != NULL && *len <= cap && n <= cap - *len) memcpy(buf + *len, text, n);
    *len += n;
}

/* A column name as a CSV field: quoted (RFC 4180) when it holds a comma, quote or newline. */
static void put_name(char *buf, size_t cap, size_t *len, const char *name)
{
    if (strpbrk(name, ",\"\r\n") == NULL) {
        put(buf, cap, len, name, strlen(name));
        return;
    }
    put(buf, cap, len, "\"", 1);
    for (; *name != '\0'; name++) {
        if (*name == '"') put(buf, cap, len, "\"", 1);
        put(buf, cap, len, name, 1);
    }
    put(buf, cap, len, "\"", 1);
}

/* The CSV text into buf (when not NULL and it fits); returns its length, or SIZE_MAX when
 * that does not fit in a size_t. */
static size_t history_csv(const sgdr_history *h, char *buf, size_t cap)
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
    for (r = 0; r < h->rows && len != (size_t)-1; r++) {
        put(buf, cap, &len, num, sgdr_u64fmt(num, h->first_step + r));
        for (c = 0; c < h->ncolumns; c++) {
            put(buf, cap, &len, ",", 1);
            put(buf, cap, &len, num, sgdr_numfmt(num, h->columns[c].values[r]));
        }
        put(buf, cap, &len, "\n", 1);
    }
    return len;
}

/* ---- the public functions ---- */

sgdr_status sgdr_history_rows(const sgdr_scheduler *s, size_t *rows)
{
    if (s == NULL) return SGDR_ENULL;
    if (rows == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_history_rows: rows is NULL");
    *rows = s->history.rows;
    return SGDR_OK;
}

/* Column 0 ("lr") exists even before the first row. */
static size_t column_count(const sgdr_scheduler *s)
{
    return s->history.ncolumns ? s->history.ncolumns : 1;
}

sgdr_status sgdr_history_columns(const sgdr_scheduler *s, size_t *columns)
{
    if (s == NULL) return SGDR_ENULL;
    if (columns == NULL)
        return sgdr_fail(s, SGDR_ENULL, "sgdr_history_columns: columns is NULL");
    *columns = column_count(s);
    return SGDR_OK;
}

static sgdr_status bad_column(const sgdr_scheduler *s, const char *who, size_t column)
{
    return sgdr_fail(s, SGDR_EINDEX, "%s: column %llu does not exist (there are %llu)", who,
                     (unsigned long long)column, (unsigned long long)column_count(s));
}

sgdr_status sgdr_history_column_name(const sgdr_scheduler *s, size_t column, const char **name)
{
    static const char who[] = "sgdr_history_column_name";
    if (s == NULL) return SGDR_ENULL;
    if (name == NULL) return sgdr_fail(s, SGDR_ENULL, "%s: name is NULL", who);
    if (column >= column_count(s)) return bad_column(s, who, column);
    *name = s->history.ncolumns ? s->history.columns[column].name : "lr";
    return SGDR_OK;
}

sgdr_status sgdr_history_find(const sgdr_scheduler *s, const char *name, size_t *column)
{
    size_t i;
    if (s == NULL) return SGDR_ENULL;
    if (name == NULL || column == NULL)
        return sgdr_fail(s, SGDR_ENULL, "sgdr_history_find: %s is NULL",
                         name == NULL ? "name" : "column");
    /* "lr" is column 0 even before the first row; a column the running call has not
     * committed is not there yet. */
    i = strcmp(name, "lr") == 0 ? 0 : find_column(&s->history, name, 0);
    if (i >= column_count(s))
        return sgdr_fail(s, SGDR_EINDEX, "sgdr_history_find: no column named '%s'", name);
    *column = i;
    return SGDR_OK;
}

sgdr_status sgdr_history_copy(const sgdr_scheduler *s, size_t column, size_t first,
                              double *out, size_t count)
{
    static const char who[] = "sgdr_history_copy";
    const sgdr_history *h;
    if (s == NULL) return SGDR_ENULL;
    h = &s->history;
    if (out == NULL && count > 0) return sgdr_fail(s, SGDR_ENULL, "%s: out is NULL", who);
    if (column >= column_count(s)) return bad_column(s, who, column);
    if (first > h->rows || count > h->rows - first)
        return sgdr_fail(s, SGDR_EINDEX,
                         "%s: rows %llu + %llu go past the end of the history (%llu rows)", who,
                         (unsigned long long)first, (unsigned long long)count,
                         (unsigned long long)h->rows);
    if (count > 0) memcpy(out, h->columns[column].values + first, count * sizeof *out);
    return SGDR_OK;
}

static sgdr_status too_large(const sgdr_scheduler *s, const char *who)
{
    return sgdr_fail(s, SGDR_ENOMEM, "%s: the CSV text of %llu rows is larger than memory "
                     "can hold", who, (unsigned long long)s->history.rows);
}

sgdr_status sgdr_history_to_csv(const sgdr_scheduler *s, char *buf, size_t cap, size_t *len)
{
    size_t need;
    if (s == NULL) return SGDR_ENULL;
    if (len == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_history_to_csv: len is NULL");
    need = history_csv(&s->history, NULL, 0);
    if (need == (size_t)-1) return too_large(s, "sgdr_history_to_csv");
    *len = need;
    if (buf == NULL) return SGDR_OK;
    if (cap < need)
        return sgdr_fail(s, SGDR_EBUFSIZE,
                         "sgdr_history_to_csv: buffer of %llu bytes is too small for %llu",
                         (unsigned long long)cap, (unsigned long long)need);
    history_csv(&s->history, buf, cap);
    return SGDR_OK;
}

/* The text of errno value e, without the thread-unsafe strerror. */
static const char *errno_text(int e, char *buf, size_t cap)
{
    if (strerror_r(e, buf, cap) != 0)
        sgdr_format(buf, cap, SGDR_OK, "error %llu", (unsigned long long)e);
    return buf;
}

sgdr_status sgdr_history_write_csv(const sgdr_scheduler *s, const char *path)
{
    static const char who[] = "sgdr_history_write_csv";
    const sgdr_allocator *a;
    size_t need;
    char *text, why[128];
    FILE *f;
    int ok, err;
    if (s == NULL) return SGDR_ENULL;
    if (path == NULL) return sgdr_fail(s, SGDR_ENULL, "%s: path is NULL", who);
    a = &s->allocator;
    need = history_csv(&s->history, NULL, 0);
    if (need == (size_t)-1) return too_large(s, who);
    text = alloc_array(a, need, 1);
    if (text == NULL) return sgdr_fail(s, SGDR_ENOMEM, "%s: out of memory for the CSV text", who);
    history_csv(&s->history, text, need);
    errno = 0;
    f = fopen(path, "wb");
    if (f == NULL) {
        err = errno;
        release(a, text);
        return sgdr_fail(s, SGDR_EIO, "%s: cannot open '%s' for writing: %s", who, path,
                         errno_text(err, why, sizeof why));
    }
    ok = fwrite(text, 1, need, f) == need;
    err = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        err = errno;
    }
    release(a, text);
    if (!ok)
        return sgdr_fail(s, SGDR_EIO, "%s: cannot write '%s': %s", who, path,
                         errno_text(err, why, sizeof why));
    return SGDR_OK;
}
