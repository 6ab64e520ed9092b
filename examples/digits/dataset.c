/* SPDX-License-Identifier: MIT */
/* dataset.c -- read and split the digits (see dataset.h). */
#include "dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#ifdef DIGITS_HAVE_ZLIB
#include <zlib.h>
/* zlib reads gzip and plain files alike */
typedef gzFile source;
static source source_open(const char *path) { return gzopen(path, "rb"); }
static char *source_gets(source f, char *buf, int cap) { return gzgets(f, buf, cap); }
static void source_close(source f) { gzclose(f); }
static int source_is_gzip_we_cannot_read(const char *buf) { (void)buf; return 0; }
#define OPEN_HINT ""
#else
typedef FILE *source;
static source source_open(const char *path) { return fopen(path, "rb"); }
static char *source_gets(source f, char *buf, int cap) { return fgets(buf, cap, f); }
static void source_close(source f) { fclose(f); }
static int source_is_gzip_we_cannot_read(const char *buf)
{
    return (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
}
#define OPEN_HINT " (built without zlib: gunzip -k data/digits.csv.gz makes the plain copy)"
#endif

/* Parse one line into 64 scaled pixels and a label. Returns 0 or -1 with a message. */
static int parse_line(char *line, double *x, int *y, char *err, size_t cap)
{
    char *p = line, *end;
    int i;
    for (i = 0; i <= DIGITS_PIXELS; i++) {
        long v = strtol(p, &end, 10);
        int max = i < DIGITS_PIXELS ? 16 : DIGITS_CLASSES - 1;
        if (end == p || v < 0 || v > max) {
            snprintf(err, cap, "field %d is not an integer from 0 to %d", i + 1, max);
            return -1;
        }
        if (i < DIGITS_PIXELS) x[i] = (double)v / 16.0;
        else *y = (int)v;
        p = end;
        if (i < DIGITS_PIXELS && *p++ != ',') {
            snprintf(err, cap, "%d fields, expected %d", i + 1, DIGITS_PIXELS + 1);
            return -1;
        }
    }
    if (*p != '\n' && *p != '\r' && *p != '\0') {
        snprintf(err, cap, "more than %d fields", DIGITS_PIXELS + 1);
        return -1;
    }
    return 0;
}

static int grow(dataset *d, size_t *cap)
{
    size_t n = *cap ? *cap * 2 : 2048;
    double *x = realloc(d->x, n * DIGITS_PIXELS * sizeof *x);
    int *y;
    if (x == NULL) return -1;
    d->x = x;
    if ((y = realloc(d->y, n * sizeof *y)) == NULL) return -1;
    d->y = y;
    *cap = n;
    return 0;
}

int dataset_load(const char *path, dataset *d, char *err, size_t cap)
{
    char line[1024], why[160];
    size_t rows_cap = 0, lineno = 0;
    source f;
    errno = 0;
    f = source_open(path);
    d->n = 0;
    d->x = NULL;
    d->y = NULL;
    if (f == NULL) {
        snprintf(err, cap, "cannot open %s: %s%s", path, errno ? strerror(errno) : "unknown error",
                 OPEN_HINT);
        return -1;
    }
    while (source_gets(f, line, sizeof line) != NULL) {
        lineno++;
        if (lineno == 1 && source_is_gzip_we_cannot_read(line)) {
            snprintf(err, cap,
                     "%s is gzip-compressed and this build has no zlib: decompress it "
                     "(gunzip -k) and pass the .csv with --data",
                     path);
            goto fail;
        }
        if (strchr(line, '\n') == NULL && strlen(line) == sizeof line - 1) {
            snprintf(err, cap, "%s:%zu: line too long", path, lineno);
            goto fail;
        }
        if (line[0] == '\n' || line[0] == '\0') continue;
        if (d->n == rows_cap && grow(d, &rows_cap) != 0) {
            snprintf(err, cap, "out of memory reading %s", path);
            goto fail;
        }
        if (parse_line(line, d->x + d->n * DIGITS_PIXELS, d->y + d->n, why, sizeof why) != 0) {
            snprintf(err, cap, "%s:%zu: %s", path, lineno, why);
            goto fail;
        }
        d->n++;
    }
    source_close(f);
    if (d->n < 10) {
        snprintf(err, cap, "%s: %zu images, too few to train on", path, d->n);
        dataset_free(d);
        return -1;
    }
    return 0;
fail:
    source_close(f);
    dataset_free(d);
    return -1;
}

/* Copy rows idx[0..n) of `all` into a new dataset. */
static int take(const dataset *all, const size_t *idx, size_t n, dataset *out)
{
    size_t i;
    out->n = n;
    out->x = malloc(n * DIGITS_PIXELS * sizeof *out->x);
    out->y = malloc(n * sizeof *out->y);
    if (out->x == NULL || out->y == NULL) {
        dataset_free(out);
        return -1;
    }
    for (i = 0; i < n; i++) {
        memcpy(out->x + i * DIGITS_PIXELS, all->x + idx[i] * DIGITS_PIXELS,
               DIGITS_PIXELS * sizeof *out->x);
        out->y[i] = all->y[idx[i]];
    }
    return 0;
}

int dataset_split(const dataset *all, uint64_t seed, double test_fraction, dataset *train,
                  dataset *test)
{
    size_t *idx = malloc(all->n * sizeof *idx), i, n_test;
    rng r;
    int rc = -1;
    train->x = test->x = NULL;
    train->y = test->y = NULL;
    if (idx == NULL) return -1;
    for (i = 0; i < all->n; i++) idx[i] = i;
    rng_seed(&r, seed);
    rng_shuffle(&r, idx, all->n);
    n_test = (size_t)((double)all->n * test_fraction + 0.5);
    if (take(all, idx, n_test, test) == 0 &&
        take(all, idx + n_test, all->n - n_test, train) == 0)
        rc = 0;
    else dataset_free(test);
    free(idx);
    return rc;
}

void dataset_free(dataset *d)
{
    free(d->x);
    free(d->y);
    d->x = NULL;
    d->y = NULL;
    d->n = 0;
}
