/* SPDX-License-Identifier: MIT */
/* history_api.c -- the public functions that read a scheduler's history. */
#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "scheduler.h"

sgdr_status sgdr_history_rows(const sgdr_scheduler *s, size_t *rows)
{
    if (s == NULL) return SGDR_ENULL;
    if (rows == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_history_rows: rows is NULL", NULL);
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
        return sgdr_fail(s, SGDR_ENULL, "sgdr_history_columns: columns is NULL", NULL);
    *columns = column_count(s);
    return SGDR_OK;
}

static sgdr_status bad_column(const sgdr_scheduler *s, const char *who, size_t column)
{
    char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP];
    sgdr_u64fmt(a, column);
    sgdr_u64fmt(b, column_count(s));
    return sgdr_fail(s, SGDR_EINDEX, who, ": column ", a, " does not exist (there are ", b,
                     ")", NULL);
}

sgdr_status sgdr_history_column_name(const sgdr_scheduler *s, size_t column, const char **name)
{
    static const char who[] = "sgdr_history_column_name";
    if (s == NULL) return SGDR_ENULL;
    if (name == NULL) return sgdr_fail(s, SGDR_ENULL, who, ": name is NULL", NULL);
    if (column >= column_count(s)) return bad_column(s, who, column);
    *name = s->history.ncolumns ? s->history.columns[column].name : "lr";
    return SGDR_OK;
}

sgdr_status sgdr_history_find(const sgdr_scheduler *s, const char *name, size_t *column)
{
    size_t i;
    if (s == NULL) return SGDR_ENULL;
    if (name == NULL || column == NULL)
        return sgdr_fail(s, SGDR_ENULL, "sgdr_history_find: ",
                         name == NULL ? "name" : "column", " is NULL", NULL);
    if (strcmp(name, "lr") == 0) {
        *column = 0;
        return SGDR_OK;
    }
    for (i = 1; i < s->history.ncolumns; i++) {
        if (strcmp(s->history.columns[i].name, name) == 0) {
            *column = i;
            return SGDR_OK;
        }
    }
    return sgdr_fail(s, SGDR_EINDEX, "sgdr_history_find: no column named '", name, "'", NULL);
}

sgdr_status sgdr_history_copy(const sgdr_scheduler *s, size_t column, size_t first,
                              double *out, size_t count)
{
    static const char who[] = "sgdr_history_copy";
    const sgdr_history *h;
    if (s == NULL) return SGDR_ENULL;
    h = &s->history;
    if (out == NULL && count > 0) return sgdr_fail(s, SGDR_ENULL, who, ": out is NULL", NULL);
    if (column >= column_count(s)) return bad_column(s, who, column);
    if (first > h->rows || count > h->rows - first) {
        char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP], c[SGDR_NUMFMT_CAP];
        sgdr_u64fmt(a, first);
        sgdr_u64fmt(b, count);
        sgdr_u64fmt(c, h->rows);
        return sgdr_fail(s, SGDR_EINDEX, who, ": rows ", a, " + ", b,
                         " go past the end of the history (", c, " rows)", NULL);
    }
    if (count > 0) memcpy(out, h->columns[column].values + first, count * sizeof *out);
    return SGDR_OK;
}

sgdr_status sgdr_history_to_csv(const sgdr_scheduler *s, char *buf, size_t cap, size_t *len)
{
    size_t need;
    if (s == NULL) return SGDR_ENULL;
    if (len == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_history_to_csv: len is NULL", NULL);
    need = sgdr_history_csv(&s->history, NULL, 0);
    *len = need;
    if (buf == NULL) return SGDR_OK;
    if (cap < need) {
        char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP];
        sgdr_u64fmt(a, cap);
        sgdr_u64fmt(b, need);
        return sgdr_fail(s, SGDR_EBUFSIZE, "sgdr_history_to_csv: buffer of ", a,
                         " bytes is too small for ", b, NULL);
    }
    sgdr_history_csv(&s->history, buf, cap);
    return SGDR_OK;
}

sgdr_status sgdr_history_write_csv(const sgdr_scheduler *s, const char *path)
{
    static const char who[] = "sgdr_history_write_csv";
    const sgdr_allocator *a;
    size_t need;
    char *text;
    FILE *f;
    int ok;
    if (s == NULL) return SGDR_ENULL;
    if (path == NULL) return sgdr_fail(s, SGDR_ENULL, who, ": path is NULL", NULL);
    a = &s->allocator;
    need = sgdr_history_csv(&s->history, NULL, 0);
    text = sgdr_alloc_array(a, need, 1);
    if (text == NULL)
        return sgdr_fail(s, SGDR_ENOMEM, who, ": out of memory for the CSV text", NULL);
    sgdr_history_csv(&s->history, text, need);
    f = fopen(path, "wb");
    if (f == NULL) {
        sgdr_release(a, text);
        return sgdr_fail(s, SGDR_EIO, who, ": cannot open '", path, "' for writing", NULL);
    }
    ok = fwrite(text, 1, need, f) == need;
    ok = (fclose(f) == 0) && ok;
    sgdr_release(a, text);
    if (!ok) return sgdr_fail(s, SGDR_EIO, who, ": cannot write '", path, "'", NULL);
    return SGDR_OK;
}
