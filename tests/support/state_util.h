/* SPDX-License-Identifier: MIT */
/* state_util.h -- what the checkpoint tests (resume, corruption, golden blobs, fuzz findings)
 * share: the byte layout of state format 1.0, saving a blob, an independent CRC-32C to forge
 * blobs whose checksum is valid, little-endian fields, and configurations as lists. The
 * recording host (host.h) and the observer (observe.h) come with it. */
#ifndef SGDR_STATE_UTIL_H
#define SGDR_STATE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "observe.h"
#include "sgdr.h"

#define STATE_CAP 512        /* room for any blob the tests make */
#define STATE_SIZE_1_0 188   /* docs/STATE_FORMAT.md */
#define STATE_BODY_END_1_0 184
#define STATE_PROGRESS 10    /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */

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

/* ---- blobs ---- */

/* Save s into buf (STATE_CAP bytes); returns the length (asserts, with cmocka, success). */
size_t save_blob(const sgdr_scheduler *s, unsigned char *buf);

/* CRC-32C written independently of the library's (table-driven, table built here), so the
 * tests check the documented parameters rather than the library against itself. */
uint32_t test_crc32c(const unsigned char *p, size_t n);

/* Little-endian fields of `bytes` bytes, and doubles as their 8-byte bit patterns. */
void put_le(unsigned char *p, uint64_t v, int bytes);
uint64_t get_le(const unsigned char *p, int bytes);
void put_le_f64(unsigned char *p, double v);
double get_le_f64(const unsigned char *p);

/* Rewrite the checksum (the last 4 bytes) of a blob of len bytes. */
void fix_crc(unsigned char *b, size_t len);

/* ---- configurations ---- */

typedef struct param_value {
    sgdr_param p;
    double v;
} param_value;

/* Set every parameter of a list ending with p == 0 (asserts, with cmocka, each is accepted). */
void apply_params(sgdr_scheduler *s, const param_value *list);

#endif
