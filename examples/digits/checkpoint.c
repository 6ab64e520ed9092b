/* SPDX-License-Identifier: MIT */
/* checkpoint.c -- the C digits trainers' checkpoint file (see checkpoint.h). */
#include "checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = {'S', 'G', 'D', 'R', 'D', 'P', 'C', '1'};

static void add_u64(strbuf *b, uint64_t v) { strbuf_addn(b, (const char *)&v, sizeof v); }

static void add_doubles(strbuf *b, const double *v, size_t n)
{
    strbuf_addn(b, (const char *)v, n * sizeof *v);
}

int checkpoint_build(strbuf *b, const mlp *m, const snapshot_set *snaps,
                     const sgdr_scheduler *s, uint64_t epochs, char *err, size_t cap)
{
    unsigned char *blob;
    size_t len = 0, i;
    sgdr_status st = sgdr_save_state(s, NULL, 0, &len);
    if (st != SGDR_OK || (blob = malloc(len)) == NULL ||
        (st = sgdr_save_state(s, blob, len, &len)) != SGDR_OK) {
        snprintf(err, cap, "sgdr_save_state: %s", st != SGDR_OK ? sgdr_last_error(s)
                                                                : "out of memory");
        return -1;
    }
    strbuf_addn(b, magic, sizeof magic);
    add_u64(b, epochs);
    add_u64(b, m->n_params);
    add_u64(b, snaps->count);
    add_u64(b, len);
    add_doubles(b, m->params, m->n_params);
    add_doubles(b, m->velocity, m->n_params);
    for (i = 0; i < snaps->count; i++) {
        add_u64(b, snaps->cycle[i]);
        add_doubles(b, snaps->weights[i], m->n_params);
    }
    strbuf_addn(b, (const char *)blob, len);
    free(blob);
    if (b->failed) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    return 0;
}

/* A cursor over the file's bytes: take() fails once the file is shorter than its header
 * says. */
typedef struct reader {
    const unsigned char *p, *end;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
    const unsigned char *at = r->p;
    if ((size_t)(r->end - r->p) < n) return NULL;
    r->p += n;
    return at;
}

static int take_u64(reader *r, uint64_t *v)
{
    const unsigned char *at = take(r, sizeof *v);
    if (at == NULL) return -1;
    memcpy(v, at, sizeof *v);
    return 0;
}

int checkpoint_load(const unsigned char *data, size_t len, const char *name, mlp *m,
                    snapshot_set *snaps, sgdr_scheduler *s, uint64_t *epochs, char *err,
                    size_t cap)
{
    reader r = {data, data + len};
    const size_t bytes = m->n_params * sizeof(double);
    const unsigned char *params, *velocity, *blob;
    uint64_t n_params, count, blob_len, i, progress = 0;
    sgdr_status st;

    if (len < sizeof magic || memcmp(data, magic, sizeof magic) != 0) {
        snprintf(err, cap, "%s: not a checkpoint of this trainer (no SGDRDPC1 at the start)",
                 name);
        return -1;
    }
    r.p += sizeof magic;
    if (take_u64(&r, epochs) || take_u64(&r, &n_params) || take_u64(&r, &count) ||
        take_u64(&r, &blob_len))
        goto truncated;
    if (n_params != m->n_params) {
        snprintf(err, cap, "%s: a model of %llu parameters, but --hidden %zu makes %zu", name,
                 (unsigned long long)n_params, m->hidden, m->n_params);
        return -1;
    }
    if ((params = take(&r, bytes)) == NULL || (velocity = take(&r, bytes)) == NULL)
        goto truncated;
    /* the snapshots are taken only once the blob has been checked: nothing changes before */
    {
        reader snaps_at = r;
        for (i = 0; i < count; i++)
            if (take(&r, sizeof(uint64_t) + bytes) == NULL) goto truncated;
        if ((blob = take(&r, blob_len)) == NULL) goto truncated;
        if (r.p != r.end) {
            snprintf(err, cap, "%s: %zu bytes after the end of the checkpoint", name,
                     (size_t)(r.end - r.p));
            return -1;
        }
        if ((st = sgdr_load_state(s, blob, blob_len)) != SGDR_OK) {
            snprintf(err, cap, "%s: the scheduler's state: %s", name, sgdr_last_error(s));
            return -1;
        }
        sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &progress);
        if (progress != *epochs) {
            snprintf(err, cap, "%s: saved after epoch %llu, but its scheduler has counted %llu",
                     name, (unsigned long long)*epochs, (unsigned long long)progress);
            return -1;
        }
        r = snaps_at;
    }
    /* snapshots_take copies the live weights: pass each stored one through them */
    for (i = 0; i < count; i++) {
        uint64_t cycle = 0;
        take_u64(&r, &cycle);
        memcpy(m->params, take(&r, bytes), bytes);
        if (snapshots_take(snaps, (uint32_t)cycle) != 0) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
    }
    memcpy(m->params, params, bytes);
    memcpy(m->velocity, velocity, bytes);
    return 0;

truncated:
    snprintf(err, cap, "%s: truncated (%zu bytes)", name, len);
    return -1;
}

int checkpoint_read(const char *path, unsigned char **data, size_t *len, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    long size = -1;
    *data = NULL;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && size < 1L << 30 &&
        (*data = malloc((size_t)size + 1)) != NULL &&
        fread(*data, 1, (size_t)size, f) == (size_t)size) {
        fclose(f);
        *len = (size_t)size;
        return 0;
    }
    if (f != NULL) fclose(f);
    free(*data);
    *data = NULL;
    snprintf(err, cap, "--resume %s: cannot read the file", path);
    return -1;
}
