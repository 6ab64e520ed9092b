/* SPDX-License-Identifier: MIT */
/* bench_worst.c -- the worst cases of the calls whose cost depends on the configuration:
 * bytes a scheduler allocates from sgdr_create_with_allocator (a counting allocator),
 * sgdr_set_param(MULT_FACTOR), sgdr_load_state of a blob one epoch in and of one at epoch
 * 2^40, and sgdr_lr_at at steps up to 2^40 and up to 2^64-1, for factors from 1 + 2^-52 to
 * 10, then the slowest sgdr_lr_at over a sweep of factors 1 + 2^-u. Each time is the best of
 * repeated calls (what the call costs when the shared machine lets it run); for sgdr_lr_at
 * the slowest of those over the steps. A factor the library refuses is printed as refused
 * with its message. Speed is never asserted here.
 *
 *   sgdr-bench-worst [--quick] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sgdr.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static size_t allocated;

static void *counting_alloc(void *user, size_t size)
{
    size_t *p = malloc(size + sizeof(size_t) * 2);
    (void)user;
    if (p == NULL) return NULL;
    p[0] = size;
    allocated += size;
    return p + 2;
}

static void counting_free(void *user, void *ptr)
{
    (void)user;
    free((size_t *)ptr - 2);
}

/* 1, 1.5, 2, 3 and 10 (the 1 us target), factors just above 1, and the slowest region:
 * about 1 + 2^-21, where cycles grow geometrically but slowly for millions of cycles. */
static const double factors[] = {1.0,     1.5,        2.0,      3.0,      10.0,
                                 1.0 + 0x1p-52, 1.0 + 1e-15, 1.0 + 1e-10, 1.0 + 0x1p-30,
                                 1.0 + 0x1p-25, 1.0 + 0x1p-22, 1.0 + 0x1p-21, 1.0 + 0x1p-20,
                                 1.0000001, 1.00001,   1.0001,  1.0003,  1.0005,     1.001,
                                 1.01,    1.1};

static int configure(sgdr_scheduler *s, double factor)
{
    return sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1) != SGDR_OK ||
           sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, factor) != SGDR_OK;
}

#define REPS 15

static double best(const double *t, size_t n)
{
    double b = t[0];
    size_t i;
    for (i = 1; i < n; i++)
        if (t[i] < b) b = t[i];
    return b;
}

/* The slowest over steps from 2^10 to 2^max_log (2^64-1 for 64) of the best time of
 * sgdr_lr_at there. */
static double worst_lr_at(const sgdr_scheduler *s, int max_log, size_t reps)
{
    static const int logs[] = {10, 20, 30, 40, 50, 60, 62, 63, 64};
    double worst = 0, lr, t[REPS];
    size_t i, j;
    for (i = 0; i < sizeof logs / sizeof logs[0] && logs[i] <= max_log; i++) {
        uint64_t top = logs[i] < 64 ? (uint64_t)1 << logs[i] : UINT64_MAX;
        for (j = 0; j < reps; j++) {
            double t0 = now_ns();
            if (sgdr_lr_at(s, top - j * 977, &lr) != SGDR_OK) return -1;
            t[j] = now_ns() - t0;
        }
        if (best(t, reps) > worst) worst = best(t, reps);
    }
    return worst;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* CRC-32C (docs/STATE_FORMAT.md) of the blob's bytes before its last 4, stored there. */
static void seal(unsigned char *b, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i + 4 < len; i++) {
        crc ^= b[i];
        for (k = 0; k < 8; k++) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    put_le(b + len - 4, ~crc, 4);
}

/* Move the blob of a run one epoch in (lr_decay 1, so every peak and the learning rate at a
 * cycle's first batch are max_lr) to the first batch of epoch `epoch`, taking the cycle
 * fields from what the loader says they must be. 0, or -1 if the loader still refuses. */
static int move_blob(sgdr_scheduler *s, unsigned char *blob, size_t len, uint64_t epoch)
{
    static const struct { const char *field; size_t at; } fields[] = {
        {"cycle length is ", 128}, {"cycle end is ", 136}, {"cycle is ", 120}};
    int tries;
    put_le(blob + 96, epoch, 8);  /* step: one batch per epoch */
    put_le(blob + 104, epoch, 8); /* epoch */
    put_le(blob + 112, 0, 8);     /* batch in epoch */
    put_le(blob + 144, 0, 8);     /* position in the cycle */
    for (tries = 0; tries < 4; tries++) {
        const char *msg, *gives;
        size_t f;
        seal(blob, len);
        if (sgdr_load_state(s, blob, len) == SGDR_OK) return 0;
        msg = sgdr_last_error(s);
        gives = strstr(msg, " gives ");
        for (f = 0; f < 3 && strstr(msg, fields[f].field) == NULL; f++) continue;
        if (gives == NULL || f == 3) break;
        put_le(blob + fields[f].at, strtoull(gives + 7, NULL, 10), 8);
    }
    fprintf(stderr, "bench: cannot move the blob to epoch %llu: %s\n",
            (unsigned long long)epoch, sgdr_last_error(s));
    return -1;
}

/* Loading the state of a run one epoch in (near[0]) and of the same run at epoch 2^40
 * (far[0]): what a load costs beyond the framing is placing the blob's epoch in its
 * configuration's cycles, the same search as sgdr_lr_at. */
static int worst_load(sgdr_scheduler *s, size_t reps, double *near, double *far)
{
    unsigned char blob[512];
    size_t len = 0, j, pass;
    double t[REPS];
    if (sgdr_on_train_begin(s) != SGDR_OK || sgdr_on_batch_end(s, 0, NULL, 0) != SGDR_OK ||
        sgdr_on_epoch_end(s, 0, NULL, 0) != SGDR_OK ||
        sgdr_save_state(s, blob, sizeof blob, &len) != SGDR_OK)
        return -1;
    for (pass = 0; pass < 2; pass++) {
        if (pass == 1 && move_blob(s, blob, len, (uint64_t)1 << 40) != 0) return -1;
        for (j = 0; j < reps; j++) {
            double t0 = now_ns();
            if (sgdr_load_state(s, blob, len) != SGDR_OK) return -1;
            t[j] = now_ns() - t0;
        }
        *(pass == 0 ? near : far) = best(t, reps);
    }
    sgdr_on_train_end(s, NULL, 0);
    return 0;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    size_t reps = quick ? 1 : REPS;
    setvbuf(stdout, NULL, _IOLBF, 0);
    sgdr_scheduler *s;
    size_t i;
    allocated = 0;
    if (sgdr_create_with_allocator(&s, counting_alloc, counting_free, NULL) != SGDR_OK)
        return 1;
    printf("library %s\n", sgdr_version_string());
    printf("bytes allocated by sgdr_create: %zu\n", allocated);
    sgdr_destroy(s);
    printf("%-22s %12s %12s %14s %14s %14s\n", "mult_factor", "set_param us", "load_state us",
           "load at 2^40 us", "lr_at 2^40 us", "lr_at 2^64 us");
    for (i = 0; i < sizeof factors / sizeof factors[0]; i++) {
        double t[REPS], set_us, near_us, far_us, lr40_us, lr64_us;
        size_t j;
        if (sgdr_create(&s) != SGDR_OK) return 1;
        if (configure(s, factors[i])) {
            printf("%-22.17g refused: %s\n", factors[i], sgdr_last_error(s));
            sgdr_destroy(s);
            continue;
        }
        for (j = 0; j < REPS; j++) { /* set_param(mult_factor) alone: what used to build */
            double t0 = now_ns();
            sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, factors[i]);
            t[j] = now_ns() - t0;
        }
        set_us = best(t, REPS) / 1e3;
        lr40_us = worst_lr_at(s, 40, reps) / 1e3;
        lr64_us = worst_lr_at(s, 64, reps) / 1e3;
        if (worst_load(s, reps, &near_us, &far_us) != 0) return 1;
        printf("%-22.17g %12.3f %12.3f %14.3f %14.3f %14.3f\n", factors[i], set_us,
               near_us / 1e3, far_us / 1e3, lr40_us, lr64_us);
        sgdr_destroy(s);
    }
    /* Every factor: 1 + 2^-u for u from 2 to 52 in steps of 1/4 (1/2 with --quick). */
    {
        double worst40 = 0, worst64 = 0, at40 = 0, at64 = 0, u;
        for (u = 2; u <= 52; u += quick ? 0.5 : 0.25) {
            double f = 1.0 + exp2(-u), w40, w64;
            if (sgdr_create(&s) != SGDR_OK) return 1;
            if (configure(s, f)) {
                printf("%-22.17g refused: %s\n", f, sgdr_last_error(s));
                return 1;
            }
            w40 = worst_lr_at(s, 40, reps < 3 ? reps : 3);
            w64 = worst_lr_at(s, 64, reps < 3 ? reps : 3);
            if (w40 > worst40) worst40 = w40, at40 = f;
            if (w64 > worst64) worst64 = w64, at64 = f;
            sgdr_destroy(s);
        }
        printf("sweep 1 + 2^-u, u = 2 .. 52: lr_at worst to 2^40 %.3f us (%.17g), to 2^64-1 "
               "%.3f us (%.17g)\n", worst40 / 1e3, at40, worst64 / 1e3, at64);
    }
    return 0;
}
