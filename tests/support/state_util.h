/* SPDX-License-Identifier: MIT */
/* state_util.h -- helpers of the checkpoint tests (resume, corruption, golden blobs, fuzz
 * findings): a recording host, what a scheduler looks like from outside, and an independent
 * CRC-32C to forge blobs whose checksum is valid.
 *
 * Header-only (static functions) because the test build links a single support file,
 * testutil.c, into every test program. Uses cmocka's assertions: include <cmocka.h> first. */
#ifndef SGDR_STATE_UTIL_H
#define SGDR_STATE_UTIL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sgdr.h"

#define STATE_CAP 512        /* room for any blob the tests make */
#define STATE_SIZE_1_0 188   /* docs/STATE_FORMAT.md */
#define STATE_BODY_END_1_0 184
#define STATE_PROGRESS 10    /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */
#define HOST_MAX_EVENTS 4096

/* Byte offsets of the fields of format 1.0 (docs/STATE_FORMAT.md). */
enum {
    AT_MAGIC = 0, AT_MAJOR = 8, AT_MINOR = 10, AT_TOTAL = 12,
    AT_MIN_LR = 16, AT_MAX_LR = 24, AT_LR_DECAY = 32, AT_MULT_FACTOR = 40,
    AT_WARMUP_START_LR = 48, AT_STEPS_PER_EPOCH = 56, AT_CYCLE_LENGTH = 64,
    AT_WARMUP_EPOCHS = 72, AT_MAX_CYCLES = 80, AT_RESTART_MODE = 88, AT_RESTORE_AT_END = 89,
    AT_HISTORY = 90, AT_SET = 91, AT_RUNNING = 92, AT_PHASE = 93, AT_RESERVED = 94,
    AT_STEP = 96, AT_EPOCH = 104, AT_BATCH_IN_EPOCH = 112, AT_CYCLE = 120,
    AT_CYCLE_LEN_NOW = 128, AT_CYCLE_END = 136, AT_POS = 144, AT_PEAK = 152, AT_LR = 160,
    AT_SNAPSHOTS = 168, AT_LAST_SNAPSHOT = 176, AT_CRC_1_0 = 184
};

/* ---- a host that records every hook call ---- */

typedef enum host_event_kind { EV_SET_LR, EV_SNAPSHOT, EV_RESTORE } host_event_kind;

typedef struct host_event {
    host_event_kind kind;
    double lr;      /* EV_SET_LR */
    uint32_t cycle; /* EV_SNAPSHOT, EV_RESTORE */
} host_event;

typedef struct host {
    double lr; /* the optimizer's learning rate: what set_lr last received */
    host_event ev[HOST_MAX_EVENTS];
    size_t n;
} host;

static inline void host_log(host *h, host_event_kind kind, double lr, uint32_t cycle)
{
    assert_true(h->n < HOST_MAX_EVENTS);
    h->ev[h->n].kind = kind;
    h->ev[h->n].lr = lr;
    h->ev[h->n].cycle = cycle;
    h->n++;
}

static inline int host_get_lr(void *u, double *lr)
{
    *lr = ((host *)u)->lr;
    return 0;
}

static inline int host_set_lr(void *u, double lr)
{
    ((host *)u)->lr = lr;
    host_log(u, EV_SET_LR, lr, 0);
    return 0;
}

static inline int host_snapshot(void *u, uint32_t cycle)
{
    host_log(u, EV_SNAPSHOT, 0, cycle);
    return 0;
}

static inline int host_restore(void *u, uint32_t cycle)
{
    host_log(u, EV_RESTORE, 0, cycle);
    return 0;
}

static inline void host_reset(host *h)
{
    memset(h, 0, sizeof *h);
    h->lr = NAN;
}

/* Register every hook of h on s. */
static inline void host_attach(sgdr_scheduler *s, host *h)
{
    assert_int_equal(sgdr_set_lr_hooks(s, host_get_lr, host_set_lr, h), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, host_restore, h), SGDR_OK);
}

static inline int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static inline int same_event(const host_event *a, const host_event *b)
{
    return a->kind == b->kind && same_bits(a->lr, b->lr) && a->cycle == b->cycle;
}

/* ---- blobs ---- */

/* Save s into buf (STATE_CAP bytes); returns the length. */
static inline size_t save_blob(const sgdr_scheduler *s, unsigned char *buf)
{
    size_t len = 0;
    assert_int_equal(sgdr_save_state(s, buf, STATE_CAP, &len), SGDR_OK);
    assert_true(len > 0 && len <= STATE_CAP);
    return len;
}

/* CRC-32C written independently of the library's (table-driven, table built here), so the
 * tests check the documented parameters rather than the library against itself. */
static inline uint32_t test_crc32c(const unsigned char *p, size_t n)
{
    uint32_t table[256], crc = 0xFFFFFFFFu;
    uint32_t i, k;
    for (i = 0; i < 256; i++) {
        uint32_t v = i;
        for (k = 0; k < 8; k++) v = (v & 1u) ? (v >> 1) ^ 0x82F63B78u : v >> 1;
        table[i] = v;
    }
    while (n--) crc = table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

static inline void put_le(unsigned char *p, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    int i;
    for (i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static inline void put_le_f64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(p, bits, 8);
}

static inline double get_le_f64(const unsigned char *p)
{
    uint64_t bits = get_le(p, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Rewrite the checksum (the last 4 bytes) of a blob of len bytes. */
static inline void fix_crc(unsigned char *b, size_t len)
{
    put_le(b + len - 4, test_crc32c(b, len - 4), 4);
}

/* ---- what a scheduler looks like from outside ---- */

typedef struct observed {
    unsigned char blob[STATE_CAP];
    size_t len;
    double lr;
    uint64_t progress[STATE_PROGRESS];
    double params[12];
} observed;

static inline void observe(const sgdr_scheduler *s, observed *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->len = save_blob(s, o->blob);
    o->lr = sgdr_lr(s);
    for (i = 0; i < STATE_PROGRESS; i++)
        assert_int_equal(sgdr_get_progress(s, (sgdr_progress)(i + 1), &o->progress[i]), SGDR_OK);
    for (i = 0; i < 12; i++)
        assert_int_equal(sgdr_get_param(s, (sgdr_param)(i + 1), &o->params[i]), SGDR_OK);
}

static inline void assert_same_observed(const observed *a, const observed *b)
{
    int i;
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->blob, b->blob, a->len);
    assert_true(same_bits(a->lr, b->lr));
    for (i = 0; i < STATE_PROGRESS; i++) assert_true(a->progress[i] == b->progress[i]);
    for (i = 0; i < 12; i++) assert_true(same_bits(a->params[i], b->params[i]));
}

/* ---- configurations ---- */

typedef struct param_value {
    sgdr_param p;
    double v;
} param_value;

/* Set every parameter of a list ending with p == 0. */
static inline void apply_params(sgdr_scheduler *s, const param_value *list)
{
    for (; list->p != 0; list++) assert_int_equal(sgdr_set_param(s, list->p, list->v), SGDR_OK);
}

#endif
