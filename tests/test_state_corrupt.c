/* SPDX-License-Identifier: MIT */
/* test_state_corrupt.c -- sgdr_load_state refuses what it must, with the right status and
 * a message with the numbers, and a refused load changes nothing.
 *
 * Blobs are saved from several states (fresh, configured, warm-up, mid-cycle, hold,
 * keras-seed right after a restart, after the end). Every single-bit flip and every
 * truncation of each is refused with the status the framing implies (magic, version,
 * length, checksum); the target scheduler's saved state, learning rate, progress and
 * parameters are the same before and after. Then: foreign data, wrong magic, other major
 * versions, a newer minor with appended fields (accepted), and fields made inconsistent
 * under a valid checksum (SGDR_ECORRUPT, one rule at a time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "state_util.h"

/* ---- source states ---- */

static const param_value warm_max_cycles[] = {
    {SGDR_PARAM_MIN_LR, 0.001}, {SGDR_PARAM_MAX_LR, 0.1}, {SGDR_PARAM_STEPS_PER_EPOCH, 3},
    {SGDR_PARAM_CYCLE_LENGTH, 1}, {SGDR_PARAM_WARMUP_EPOCHS, 2},
    {SGDR_PARAM_WARMUP_START_LR, 0.01}, {SGDR_PARAM_MAX_CYCLES, 3},
    {SGDR_PARAM_LR_DECAY, 0.5}, {0, 0}};
static const param_value float_mult[] = {
    {SGDR_PARAM_MIN_LR, 1e-4}, {SGDR_PARAM_MAX_LR, 0.05}, {SGDR_PARAM_STEPS_PER_EPOCH, 3},
    {SGDR_PARAM_CYCLE_LENGTH, 2}, {SGDR_PARAM_MULT_FACTOR, 1.5}, {SGDR_PARAM_LR_DECAY, 0.7},
    {0, 0}};
static const param_value keras[] = {
    {SGDR_PARAM_MIN_LR, 0.001}, {SGDR_PARAM_MAX_LR, 0.1}, {SGDR_PARAM_STEPS_PER_EPOCH, 2},
    {SGDR_PARAM_CYCLE_LENGTH, 1}, {SGDR_PARAM_LR_DECAY, 0.5},
    {SGDR_PARAM_RESTART_MODE, SGDR_RESTART_KERAS_SEED}, {0, 0}};

/* mult_factor 1.001 from 1 epoch: lengths 1, 2, 3, ...; the 128 cycles of the table of
 * cycle starts end at epoch 8256, later cycles are placed from the checkpoints past it. */
static const param_value slow_growth[] = {
    {SGDR_PARAM_MIN_LR, 0.001}, {SGDR_PARAM_MAX_LR, 0.1}, {SGDR_PARAM_STEPS_PER_EPOCH, 1},
    {SGDR_PARAM_CYCLE_LENGTH, 1}, {SGDR_PARAM_MULT_FACTOR, 1.001}, {SGDR_PARAM_LR_DECAY, 0.999},
    {0, 0}};

typedef enum source {
    SRC_FRESH, SRC_CONFIGURED, SRC_WARMUP, SRC_CYCLE, SRC_HOLD, SRC_KERAS_RESTART, SRC_ENDED,
    SRC_BEYOND_TABLE, SRC_COUNT
} source;

static const char *const source_name[] = {"fresh", "configured", "warm-up", "mid-cycle",
                                          "hold", "keras-seed restart", "ended",
                                          "beyond the cycle table"};

/* Run `epochs` full epochs, then `batches` more batches. */
static void advance(sgdr_scheduler *s, uint64_t epochs, uint64_t batches)
{
    uint64_t spe = 0, e, b, done = 0;
    double v = 0;
    assert_int_equal(sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &v), SGDR_OK);
    spe = (uint64_t)v;
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &done), SGDR_OK);
    for (e = 0; e < epochs; e++) {
        for (b = 0; b < spe; b++) assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
        assert_int_equal(sgdr_on_epoch_end(s, done + e, NULL, 0), SGDR_OK);
    }
    for (b = 0; b < batches; b++) assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
}

/* Save the state `which` into blob; returns the length. */
static size_t make_source(source which, unsigned char *blob)
{
    sgdr_scheduler *s;
    host h;
    uint64_t v = 0;
    size_t len;
    host_reset(&h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    host_attach(s, &h);
    switch (which) {
    case SRC_FRESH: break;
    case SRC_CONFIGURED: apply_params(s, warm_max_cycles); break;
    case SRC_WARMUP:
        apply_params(s, warm_max_cycles);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        advance(s, 1, 2);
        break;
    case SRC_CYCLE:
    case SRC_ENDED:
        apply_params(s, float_mult);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        advance(s, 6, 2); /* cycles of 2, 3, 5 epochs: in cycle 2 */
        if (which == SRC_ENDED) assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
        break;
    case SRC_HOLD:
        apply_params(s, warm_max_cycles);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        advance(s, 2 + 1 + 2 + 4 + 1, 1);
        assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_PHASE, &v), SGDR_OK);
        assert_int_equal(v, SGDR_PHASE_HOLD);
        break;
    case SRC_KERAS_RESTART:
        apply_params(s, keras);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        advance(s, 3, 0); /* cycles of 1 and 2 epochs closed: cycle 2 at position 0 */
        assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
        assert_int_equal(v, 2);
        break;
    case SRC_BEYOND_TABLE:
        apply_params(s, slow_growth);
        /* No hooks: 8000 batches, and no snapshots, so that cycles can be moved back. */
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, NULL, NULL), SGDR_OK);
        assert_int_equal(sgdr_set_weight_hooks(s, NULL, NULL, NULL), SGDR_OK);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        advance(s, 8256 + 129 + 40, 0); /* 40 epochs into cycle 129 (130 epochs long) */
        assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
        assert_int_equal(v, 129);
        break;
    default: fail();
    }
    len = save_blob(s, blob);
    sgdr_destroy(s);
    assert_int_equal(len, STATE_SIZE_1_0);
    return len;
}

/* The scheduler loads are tried on: mid-run with another configuration, history, hooks. */
static sgdr_scheduler *make_target(host *h)
{
    static const param_value other[] = {{SGDR_PARAM_MIN_LR, 0.0}, {SGDR_PARAM_MAX_LR, 1.0},
                                        {SGDR_PARAM_STEPS_PER_EPOCH, 7}, {0, 0}};
    static const sgdr_metric loss[] = {{"loss", 2.5}};
    sgdr_scheduler *s;
    uint64_t b;
    host_reset(h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    host_attach(s, h);
    apply_params(s, other);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (b = 0; b < 10; b++) assert_int_equal(sgdr_on_batch_end(s, b, loss, 1), SGDR_OK);
    return s;
}

/* Load blob into target; it must fail with `want` and change nothing (no hook called,
 * history kept). Returns the message. */
static const char *refused(sgdr_scheduler *target, const host *h, const unsigned char *blob,
                           size_t len, sgdr_status want)
{
    observed before, after;
    size_t events = h->n, rows_before = 0, rows_after = 0;
    sgdr_status st;
    observe(target, &before);
    assert_int_equal(sgdr_history_rows(target, &rows_before), SGDR_OK);
    st = sgdr_load_state(target, blob, len);
    if (st != want)
        fail_msg("load of %zu bytes: status %d (%s), expected %d; message: %s", len, (int)st,
                 sgdr_strerror(st), (int)want, sgdr_last_error(target));
    observe(target, &after);
    assert_same_observed(&before, &after);
    assert_int_equal(sgdr_history_rows(target, &rows_after), SGDR_OK);
    assert_int_equal(rows_before, rows_after);
    assert_int_equal(h->n, events);
    assert_true(sgdr_last_error(target)[0] != '\0');
    return sgdr_last_error(target);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL) fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* ---- every bit flip, every truncation ---- */

/* The status a flip of bit `bit` of byte `at` of an intact 1.0 blob must give. */
static sgdr_status flip_status(const unsigned char *blob, size_t at, int bit)
{
    uint32_t total;
    if (at < AT_MAJOR) return SGDR_EMAGIC;
    if (at < AT_MINOR) return SGDR_EVERSION;
    if (at < AT_TOTAL) return SGDR_ECHECKSUM; /* a newer minor of the same length */
    if (at < AT_MIN_LR) {
        total = (uint32_t)get_le(blob + AT_TOTAL, 4) ^ (1u << (8 * (at - AT_TOTAL) + bit));
        return total > STATE_SIZE_1_0 ? SGDR_ETRUNCATED : SGDR_ECORRUPT;
    }
    return SGDR_ECHECKSUM;
}

static void every_bit_flip(void **state)
{
    unsigned char blob[STATE_CAP], bad[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len, at;
    int src, bit;
    (void)state;
    target = make_target(&h);
    for (src = 0; src < SRC_COUNT; src++) {
        len = make_source((source)src, blob);
        for (at = 0; at < len; at++) {
            for (bit = 0; bit < 8; bit++) {
                const char *msg;
                sgdr_status want = flip_status(blob, at, bit);
                memcpy(bad, blob, len);
                bad[at] ^= (unsigned char)(1u << bit);
                msg = refused(target, &h, bad, len, want);
                if (want == SGDR_ECHECKSUM) {
                    assert_contains(msg, "checksum mismatch: stored 0x");
                    assert_contains(msg, ", computed 0x");
                }
            }
        }
    }
    sgdr_destroy(target);
}

static void every_truncation(void **state)
{
    unsigned char blob[STATE_CAP];
    char want[96];
    sgdr_scheduler *target;
    host h;
    size_t len, cut;
    int src;
    (void)state;
    target = make_target(&h);
    for (src = 0; src < SRC_COUNT; src++) {
        len = make_source((source)src, blob);
        for (cut = 0; cut < len; cut++) {
            const char *msg = refused(target, &h, blob, cut, SGDR_ETRUNCATED);
            if (cut < 16)
                snprintf(want, sizeof want,
                         "state blob truncated: %zu of at least 188 bytes (shorter than the "
                         "16-byte header)", cut);
            else
                snprintf(want, sizeof want, "state blob truncated: %zu of 188 bytes", cut);
            assert_string_equal(msg, want);
        }
    }
    sgdr_destroy(target);
}

/* Trailing bytes after a whole blob are not ignored: the length is part of the format. */
static void trailing_bytes(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    (void)state;
    target = make_target(&h);
    len = make_source(SRC_CYCLE, blob);
    blob[len] = 0;
    assert_string_equal(refused(target, &h, blob, len + 1, SGDR_ECORRUPT),
                        "state blob inconsistent: 189 bytes given but its header says 188 "
                        "(pass exactly the bytes sgdr_save_state wrote)");
    sgdr_destroy(target);
}

/* ---- foreign data, magic, versions ---- */

static void foreign_data(void **state)
{
    static const char json[] = "{\"min_lr\": 0.001, \"max_lr\": 0.1, \"steps_per_epoch\": 100}";
    static const unsigned char png[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char zeros[STATE_SIZE_1_0] = {0};
    sgdr_scheduler *target;
    host h;
    (void)state;
    target = make_target(&h);
    assert_string_equal(refused(target, &h, (const unsigned char *)json, sizeof json - 1,
                                SGDR_EMAGIC),
                        "not a libsgdr state blob: it starts with bytes 7b 22 6d 69 6e 5f 6c "
                        "72 instead of \"SGDRSTAT\"");
    assert_contains(refused(target, &h, png, sizeof png, SGDR_EMAGIC), "89 50 4e 47");
    assert_contains(refused(target, &h, zeros, sizeof zeros, SGDR_EMAGIC), "00 00 00");
    /* Shorter than the magic, and not a prefix of it: foreign, not truncated. */
    assert_string_equal(refused(target, &h, (const unsigned char *)"SGX", 3, SGDR_EMAGIC),
                        "not a libsgdr state blob: it starts with bytes 53 47 58 instead of "
                        "\"SGDRSTAT\"");
    /* A prefix of the magic is a truncated blob. */
    refused(target, &h, (const unsigned char *)"SGDR", 4, SGDR_ETRUNCATED);
    assert_int_equal(sgdr_load_state(target, NULL, 188), SGDR_ENULL);
    assert_int_equal(sgdr_load_state(NULL, zeros, sizeof zeros), SGDR_ENULL);
    sgdr_destroy(target);
}

static void wrong_magic_valid_checksum(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    (void)state;
    target = make_target(&h);
    len = make_source(SRC_CYCLE, blob);
    blob[7] = 'U';
    fix_crc(blob, len);
    assert_contains(refused(target, &h, blob, len, SGDR_EMAGIC), "53 47 44 52 53 54 41 55");
    sgdr_destroy(target);
}

/* A newer major version is refused by the version check itself (the checksum is valid),
 * even when its length differs or it is cut short; format 0.x was never written. */
static void other_major_versions(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    const char *msg;
    (void)state;
    target = make_target(&h);
    len = make_source(SRC_CYCLE, blob);
    put_le(blob + AT_MAJOR, 2, 2);
    fix_crc(blob, len);
    msg = refused(target, &h, blob, len, SGDR_EVERSION);
    assert_string_equal(msg, "state blob has format 2.0, a newer major version than this "
                             "library reads (1.x): load it with a libsgdr that reads format 2");
    put_le(blob + AT_MINOR, 3, 2);
    put_le(blob + AT_TOTAL, 300, 4);
    assert_contains(refused(target, &h, blob, 40, SGDR_EVERSION), "format 2.3, a newer major");
    put_le(blob + AT_MAJOR, 65535, 2);
    assert_contains(refused(target, &h, blob, len, SGDR_EVERSION), "format 65535.3");
    put_le(blob + AT_MAJOR, 0, 2);
    put_le(blob + AT_MINOR, 9, 2);
    put_le(blob + AT_TOTAL, 188, 4);
    fix_crc(blob, len);
    assert_string_equal(refused(target, &h, blob, len, SGDR_EVERSION),
                        "state blob has format 0.9, which no libsgdr writes (this library "
                        "reads 1.x)");
    sgdr_destroy(target);
}

/* Format 1.x, x > 0: fields appended after the 1.0 ones and before the checksum. A 1.0
 * reader takes the 1.0 fields and skips the rest. */
static void newer_minor_appended_fields(void **state)
{
    unsigned char blob[STATE_CAP], future[STATE_CAP], again[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len, flen, i;
    int src;
    (void)state;
    for (src = 0; src < SRC_COUNT; src++) {
        len = make_source((source)src, blob);
        /* 1.1's cycle_warmup_steps (0), then 24 bytes of a later minor */
        flen = STATE_BODY_END_1_0 + 8 + 24 + 4;
        memcpy(future, blob, STATE_BODY_END_1_0);
        memset(future + STATE_BODY_END_1_0, 0, 8);
        for (i = STATE_BODY_END_1_0 + 8; i < flen - 4; i++) future[i] = (unsigned char)(0xA5 ^ i);
        put_le(future + AT_MINOR, 4, 2);
        put_le(future + AT_TOTAL, flen, 4);
        fix_crc(future, flen);
        target = make_target(&h);
        assert_int_equal(sgdr_load_state(target, future, flen), SGDR_OK);
        assert_int_equal(save_blob(target, again), len); /* saved as 1.0 again */
        assert_memory_equal(again, blob, len);
        sgdr_destroy(target);

        /* A 1.1 blob with cycle_warmup_steps 0 is read, and saved back as 1.0. */
        memcpy(future, blob, STATE_BODY_END_1_0);
        memset(future + STATE_BODY_END_1_0, 0, 8);
        put_le(future + AT_MINOR, 1, 2);
        put_le(future + AT_TOTAL, STATE_BODY_END_1_0 + 8 + 4, 4);
        fix_crc(future, STATE_BODY_END_1_0 + 8 + 4);
        target = make_target(&h);
        assert_int_equal(sgdr_load_state(target, future, STATE_BODY_END_1_0 + 8 + 4), SGDR_OK);
        assert_int_equal(save_blob(target, again), len);
        assert_memory_equal(again, blob, len);
        sgdr_destroy(target);
    }
    /* Its truncation is reported against its own length. */
    target = make_target(&h);
    assert_string_equal(refused(target, &h, future, 100, SGDR_ETRUNCATED),
                        "state blob truncated: 100 of 196 bytes");
    put_le(future + AT_TOTAL, flen, 4);
    assert_string_equal(refused(target, &h, future, 150, SGDR_ETRUNCATED),
                        "state blob truncated: 150 of 220 bytes");
    sgdr_destroy(target);
}

/* Lengths the header may not claim, under a valid checksum. */
static void impossible_lengths(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    (void)state;
    target = make_target(&h);
    len = make_source(SRC_CYCLE, blob);
    memset(blob + len, 0, 8);
    put_le(blob + AT_TOTAL, len + 8, 4); /* 1.0 with extra bytes */
    fix_crc(blob, len + 8);
    assert_string_equal(refused(target, &h, blob, len + 8, SGDR_ECORRUPT),
                        "state blob inconsistent: its header says 196 bytes, but format 1.0 "
                        "is exactly 188");
    put_le(blob + AT_MINOR, 2, 2);
    put_le(blob + AT_TOTAL, 100, 4); /* 1.2 shorter than 1.0 */
    fix_crc(blob, 100);
    assert_string_equal(refused(target, &h, blob, 100, SGDR_ECORRUPT),
                        "state blob inconsistent: its header says 100 bytes, but format 1.2 "
                        "is at least 188");
    put_le(blob + AT_TOTAL, 0, 4);
    assert_contains(refused(target, &h, blob, 16, SGDR_ECORRUPT), "16 bytes given but its "
                                                                   "header says 0");
    sgdr_destroy(target);
}

/* ---- fields inconsistent under a valid checksum ---- */

typedef enum width { W_U8 = 1, W_U64 = 8, W_F64 = 64, W_BITS = 65 } width;

typedef struct mutation {
    const char *what;
    source src;
    int at;
    width w;
    double value;    /* the new value (W_F64), the integer (W_U8, W_U64), the f64 bits
                        (W_BITS, as an index into nan_bits) */
    int relative;    /* 1: add value to the field (integers) or scale it (W_F64) */
    const char *msg; /* part of the expected message */
    int at2;         /* a second field changed the same way, or -1 */
    double value2;
} mutation;

#define NANV (0.0 / 0.0)

/* NaN encodings other than the canonical 0x7ff8000000000000 (W_BITS values index this). */
static const uint64_t nan_bits[] = {0x7FF8000000000001ull, 0xFFF8000000000000ull};

static const mutation mutations[] = {
    {"restart_mode byte 2", SRC_CYCLE, AT_RESTART_MODE, W_U8, 2, 0, "restart_mode byte (2)", -1, 0},
    {"restore_at_end byte 2", SRC_CYCLE, AT_RESTORE_AT_END, W_U8, 2, 0, "restore_at_end byte (2)", -1, 0},
    {"history byte 5", SRC_CYCLE, AT_HISTORY, W_U8, 5, 0, "history byte (5)", -1, 0},
    {"unknown set bit", SRC_CYCLE, AT_SET, W_U8, 15, 0, "set-parameter mask (15)", -1, 0},
    {"running byte 2", SRC_CYCLE, AT_RUNNING, W_U8, 2, 0, "running byte (2)", -1, 0},
    {"phase 3", SRC_CYCLE, AT_PHASE, W_U8, 3, 0, "phase byte (3)", -1, 0},
    {"reserved byte 94", SRC_FRESH, AT_RESERVED, W_U8, 1, 0, "reserved byte 94 (1)", -1, 0},
    {"reserved byte 95", SRC_ENDED, AT_RESERVED + 1, W_U8, 128, 0, "reserved byte 95 (128)", -1, 0},
    {"negative min_lr", SRC_CONFIGURED, AT_MIN_LR, W_F64, -1, 0, "min_lr (-1) must be", -1, 0},
    {"NaN max_lr marked set", SRC_CYCLE, AT_MAX_LR, W_F64, NANV, 0, "max_lr (nan)", -1, 0},
    {"infinite lr_decay", SRC_ENDED, AT_LR_DECAY, W_F64, 1.0 / 0.0, 0, "lr_decay (inf)", -1, 0},
    {"mult_factor under 1", SRC_CYCLE, AT_MULT_FACTOR, W_F64, 0.5, 0, "mult_factor (0.5)", -1, 0},
    {"zero steps_per_epoch marked set", SRC_CYCLE, AT_STEPS_PER_EPOCH, W_U64, 0, 0,
     "steps_per_epoch (0)", -1, 0},
    {"steps_per_epoch over 2^32-1", SRC_CONFIGURED, AT_STEPS_PER_EPOCH, W_U64, 4294967296.0, 0,
     "steps_per_epoch (4294967296)", -1, 0},
    {"zero cycle_length", SRC_ENDED, AT_CYCLE_LENGTH, W_U64, 0, 0, "cycle_length (0)", -1, 0},
    {"unset steps_per_epoch holding a value", SRC_FRESH, AT_STEPS_PER_EPOCH, W_U64, 5, 0,
     "steps_per_epoch is marked unset but holds 5", -1, 0},
    {"unset min_lr holding a value", SRC_FRESH, AT_MIN_LR, W_F64, 0.5, 0,
     "min_lr is marked unset but holds 0.5", -1, 0},
    {"NaN with a payload for unset max_lr", SRC_FRESH, AT_MAX_LR, W_BITS, 0, 0,
     "max_lr holds a NaN other than 0x7ff8000000000000", -1, 0},
    {"negative NaN for unset min_lr", SRC_FRESH, AT_MIN_LR, W_BITS, 1, 0,
     "min_lr holds a NaN other than 0x7ff8000000000000", -1, 0},
    {"max_lr at min_lr while running", SRC_CYCLE, AT_MAX_LR, W_F64, 1e-4, 0,
     "invalid configuration: max_lr (0.0001) must be greater than min_lr (0.0001)", -1, 0},
    {"warm-up in keras-seed while running", SRC_KERAS_RESTART, AT_WARMUP_EPOCHS, W_U64, 1, 0,
     "warmup_epochs (1) must be 0 in keras-seed mode", -1, 0},
    {"never started but counting", SRC_FRESH, AT_STEP, W_U64, 1, 0,
     "a state that never started has step (1)", -1, 0},
    {"never started but in a cycle", SRC_FRESH, AT_CYCLE_END, W_U64, 10, 0,
     "a state that never started has cycle end (10)", -1, 0},
    {"never started but with a peak", SRC_FRESH, AT_PEAK, W_F64, 0.1, 0,
     "a state that never started has peak (0.10000000000000001)", -1, 0},
    {"never started but running", SRC_CONFIGURED, AT_RUNNING, W_U8, 1, 0,
     "a running state without a learning rate", -1, 0},
    {"non-canonical NaN learning rate", SRC_FRESH, AT_LR, W_BITS, 1, 0,
     "the learning rate holds a NaN other than", -1, 0},
    {"negative learning rate", SRC_ENDED, AT_LR, W_F64, -0.5, 0,
     "learning rate is not finite and >= 0 (-0.5)", -1, 0},
    {"infinite learning rate", SRC_CYCLE, AT_LR, W_F64, 1.0 / 0.0, 0,
     "learning rate is not finite and >= 0 (inf)", -1, 0},
    {"infinite peak", SRC_ENDED, AT_PEAK, W_F64, 1.0 / 0.0, 0, "peak is not finite and >= 0 (inf)", -1, 0},
    {"position beyond the cycle", SRC_CYCLE, AT_POS, W_U64, 100, 1,
     "learning rate is 0.018399999999999996 but its position gives 0.0001", -1, 0},
    {"batch in epoch beyond position", SRC_CYCLE, AT_BATCH_IN_EPOCH, W_U64, 5, 1,
     "batch in epoch (7) exceeds position in cycle (5)", -1, 0},
    {"more snapshots than cycles", SRC_ENDED, AT_SNAPSHOTS, W_U64, 1, 1,
     "snapshots (3) exceed closed cycles (2)", -1, 0},
    {"last snapshot in the current cycle", SRC_CYCLE, AT_LAST_SNAPSHOT, W_U64, 1, 1,
     "last snapshot cycle (2) does not fit snapshots (2)", -1, 0},
    {"last snapshot with no snapshot taken", SRC_CYCLE, AT_SNAPSHOTS, W_U64, 0, 0,
     "last snapshot cycle with no snapshot taken (1)", -1, 0},
    {"cycle one too far", SRC_CYCLE, AT_CYCLE, W_U64, 1, 1, "cycle is 3 but epoch 6 gives 2", -1, 0},
    {"cycle length one too long", SRC_CYCLE, AT_CYCLE_LEN_NOW, W_U64, 1, 1,
     "cycle length is 6 but cycle 2 gives 5", -1, 0},
    {"cycle end one too late", SRC_CYCLE, AT_CYCLE_END, W_U64, 1, 1,
     "cycle end is 11 but cycle 2 gives 10", -1, 0},
    {"epoch in the next cycle", SRC_CYCLE, AT_EPOCH, W_U64, 4, 1, "cycle is 2 but epoch 10 gives 3", -1, 0},
    {"epoch in the previous cycle", SRC_CYCLE, AT_EPOCH, W_U64, 2, 0, "cycle is 2 but epoch 2 gives 1", -1, 0},
    {"hold without max_cycles", SRC_CYCLE, AT_PHASE, W_U8, SGDR_PHASE_HOLD, 0,
     "phase is 2 but epoch 6 gives 1", -1, 0},
    {"warm-up phase past the warm-up", SRC_HOLD, AT_PHASE, W_U8, SGDR_PHASE_WARMUP, 0,
     "phase is 0 but epoch 10 gives 2", -1, 0},
    {"peak off by 1e-9", SRC_CYCLE, AT_PEAK, W_F64, 1 + 1e-9, 1, "peak is 0.024", -1, 0},
    {"hold peak off by one ulp", SRC_HOLD, AT_PEAK, W_F64, 1 + DBL_EPSILON, 1, "peak is", -1, 0},
    {"learning rate off by 1e-9", SRC_CYCLE, AT_LR, W_F64, 1 + 1e-9, 1,
     "state blob inconsistent: learning rate is", -1, 0},
    {"warm-up position one batch back", SRC_WARMUP, AT_POS, W_U64, -1, 1,
     "but its position gives", AT_BATCH_IN_EPOCH, -1},
    {"first epoch of a cycle: position not the batch", SRC_KERAS_RESTART, AT_POS, W_U64, 1, 1,
     "position in cycle (1) differs from batch in epoch (0) in the first epoch", -1, 0},
    {"past the table: a cycle of the table", SRC_BEYOND_TABLE, AT_CYCLE, W_U64, 127, 0,
     "cycle is 127 but epoch 8425 gives 129", -1, 0},
    {"past the table: cycle at max_cycles", SRC_BEYOND_TABLE, AT_MAX_CYCLES, W_U64, 129, 0,
     "phase is 1 but epoch 8425 gives 2", -1, 0},
    {"past the table: cycle too short", SRC_BEYOND_TABLE, AT_CYCLE_LEN_NOW, W_U64, 128, 0,
     "cycle length is 128 but cycle 129 gives 130", -1, 0},
    {"past the table: cycle ends too early", SRC_BEYOND_TABLE, AT_CYCLE_END, W_U64, -200, 1,
     "cycle end is 8315 but cycle 129 gives 8515", -1, 0},
    {"past the table: epoch after the cycle", SRC_BEYOND_TABLE, AT_EPOCH, W_U64, 90, 1,
     "cycle is 129 but epoch 8515 gives 130", -1, 0},
    {"past the table: hold without max_cycles", SRC_BEYOND_TABLE, AT_PHASE, W_U8, SGDR_PHASE_HOLD,
     0, "phase is 2 but epoch 8425 gives 1", -1, 0},
    {"past the table: peak off by 1e-9", SRC_BEYOND_TABLE, AT_PEAK, W_F64, 1 + 1e-9, 1,
     "peak is", -1, 0},
    {"keras-seed restart lr above max_lr", SRC_KERAS_RESTART, AT_LR, W_F64, 0.2, 0,
     "learning rate at a keras-seed restart is outside the range of the cycles before (0.20000000000000001)", -1, 0},
    {"keras-seed restart lr under min_lr", SRC_KERAS_RESTART, AT_LR, W_F64, 0.0005, 0,
     "outside the range of the cycles before (0.00050000000000000001)", -1, 0},
};

static void set_field(unsigned char *blob, int at, width w, double value, int relative)
{
    switch (w) {
    case W_U8:
        put_le(blob + at, relative ? get_le(blob + at, 1) + (uint64_t)(int64_t)value
                                   : (uint64_t)value, 1);
        break;
    case W_BITS: put_le(blob + at, nan_bits[(size_t)value], 8); break;
    case W_U64:
        put_le(blob + at, relative ? get_le(blob + at, 8) + (uint64_t)(int64_t)value
                                   : (uint64_t)value, 8);
        break;
    case W_F64:
        put_le_f64(blob + at, relative ? get_le_f64(blob + at) * value : value);
        break;
    }
}

static void inconsistent_fields(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t i, len;
    (void)state;
    target = make_target(&h);
    for (i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        const mutation *m = &mutations[i];
        const char *msg;
        len = make_source(m->src, blob);
        fix_crc(blob, len); /* the intact blob loads: the mutation is what is refused */
        assert_int_equal(sgdr_load_state(target, blob, len), SGDR_OK);
        sgdr_destroy(target);
        target = make_target(&h);
        set_field(blob, m->at, m->w, m->value, m->relative);
        if (m->at2 >= 0) set_field(blob, m->at2, m->w, m->value2, m->relative);
        fix_crc(blob, len);
        msg = refused(target, &h, blob, len, SGDR_ECORRUPT);
        if (strstr(msg, m->msg) == NULL)
            fail_msg("%s (%s): message \"%s\" does not contain \"%s\"", m->what,
                     source_name[m->src], msg, m->msg);
        assert_contains(msg, "state blob inconsistent: ");
    }
    sgdr_destroy(target);
}

/* Every source blob loads into the target as it is, and saves back byte for byte. */
static void intact_blobs_load(void **state)
{
    unsigned char blob[STATE_CAP], again[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    int src;
    (void)state;
    for (src = 0; src < SRC_COUNT; src++) {
        target = make_target(&h);
        len = make_source((source)src, blob);
        assert_int_equal(get_le(blob + AT_CRC_1_0, 4), test_crc32c(blob, AT_CRC_1_0));
        assert_int_equal(sgdr_load_state(target, blob, len), SGDR_OK);
        assert_int_equal(save_blob(target, again), len);
        assert_memory_equal(again, blob, len);
        sgdr_destroy(target);
    }
}

/* The peak and the learning rate come from the writer's libm (pow, cos): a last-bit
 * difference is accepted, and the stored values are used as they are. */
static void libm_differences_accepted(void **state)
{
    unsigned char blob[STATE_CAP], again[STATE_CAP];
    sgdr_scheduler *target;
    host h;
    size_t len;
    double lr;
    (void)state;
    len = make_source(SRC_CYCLE, blob);
    lr = nextafter(get_le_f64(blob + AT_LR), 1.0);
    put_le_f64(blob + AT_LR, lr);
    put_le_f64(blob + AT_PEAK, nextafter(get_le_f64(blob + AT_PEAK), 0.0));
    fix_crc(blob, len);
    target = make_target(&h);
    assert_int_equal(sgdr_load_state(target, blob, len), SGDR_OK);
    assert_true(same_bits(sgdr_lr(target), lr));
    assert_int_equal(save_blob(target, again), len);
    assert_memory_equal(again, blob, len);
    sgdr_destroy(target);
}

/* mult_factor 1 + 2^-52 from 1 epoch: cycle k lasts k + 1 epochs and starts at epoch
 * k (k + 1) / 2 for every 64-bit epoch. A blob at cycle 600000 (epoch 1.8e11), made by
 * moving a real blob's counters there, loads (its cycle is found in closed form), resumes
 * bit-exactly, and every cycle field is checked exactly. */
static void far_past_a_cut_checkpoint_walk(void **state)
{
    const uint64_t k = 600000, start = k * (k + 1) / 2, into = 2;
    unsigned char blob[STATE_CAP], bad[STATE_CAP];
    sgdr_scheduler *s, *target;
    double peak = 0, lr = 0, next = 0;
    host h;
    size_t len, i;
    struct {
        int at;
        uint64_t value;
        const char *msg;
    } const wrong[] = {
        {AT_CYCLE, 500, "cycle is 500 but epoch 180000300002 gives 600000"},
        {AT_CYCLE_LEN_NOW, 1000, "cycle length is 1000 but cycle 600000 gives 600001"},
        {AT_CYCLE_END, 1000, "cycle end is 1000 but cycle 600000 gives 180000900001"},
        {AT_EPOCH, start + k + 1, "cycle is 600000 but epoch 180000900001 gives 600001"},
        {AT_PHASE, SGDR_PHASE_HOLD, "phase is 2 but epoch 180000300002 gives 1"},
        {AT_MAX_CYCLES, k, "phase is 1 but epoch 180000300002 gives 2"},
    };
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, nextafter(1.0, 2.0)), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.999999), SGDR_OK);
    assert_int_equal(sgdr_lr_at(s, start, &peak), SGDR_OK);
    assert_int_equal(sgdr_lr_at(s, start + into, &lr), SGDR_OK);
    assert_int_equal(sgdr_lr_at(s, start + into + 1, &next), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
    len = save_blob(s, blob);
    put_le(blob + AT_STEP, start + into, 8);
    put_le(blob + AT_EPOCH, start + into, 8);
    put_le(blob + AT_BATCH_IN_EPOCH, 0, 8);
    put_le(blob + AT_CYCLE, k, 8);
    put_le(blob + AT_CYCLE_LEN_NOW, k + 1, 8);
    put_le(blob + AT_CYCLE_END, start + k + 1, 8);
    put_le(blob + AT_POS, into, 8);
    put_le_f64(blob + AT_PEAK, peak);
    put_le_f64(blob + AT_LR, lr);
    fix_crc(blob, len);

    target = make_target(&h);
    if (sgdr_load_state(target, blob, len) != SGDR_OK)
        fail_msg("far blob refused: %s", sgdr_last_error(target));
    assert_int_equal(sgdr_on_train_begin(target), SGDR_OK);
    assert_true(same_bits(h.lr, lr));
    assert_int_equal(sgdr_on_batch_end(target, 0, NULL, 0), SGDR_OK);
    assert_true(same_bits(sgdr_lr(target), next));
    sgdr_destroy(target);

    target = make_target(&h);
    for (i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        memcpy(bad, blob, len);
        put_le(bad + wrong[i].at, wrong[i].value, wrong[i].at == AT_PHASE ? 1 : 8);
        fix_crc(bad, len);
        assert_contains(refused(target, &h, bad, len, SGDR_ECORRUPT), wrong[i].msg);
    }
    memcpy(bad, blob, len);
    put_le_f64(bad + AT_PEAK, peak * (1 + 1e-9));
    fix_crc(bad, len);
    assert_contains(refused(target, &h, bad, len, SGDR_ECORRUPT), "peak is");
    sgdr_destroy(target);
    sgdr_destroy(s);
}

/* The documented CRC-32C parameters, by their check value. */
static void crc_check_value(void **state)
{
    (void)state;
    assert_int_equal(test_crc32c((const unsigned char *)"123456789", 9), 0xE3069283u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_value),
        cmocka_unit_test(intact_blobs_load),
        cmocka_unit_test(every_bit_flip),
        cmocka_unit_test(every_truncation),
        cmocka_unit_test(trailing_bytes),
        cmocka_unit_test(foreign_data),
        cmocka_unit_test(wrong_magic_valid_checksum),
        cmocka_unit_test(other_major_versions),
        cmocka_unit_test(newer_minor_appended_fields),
        cmocka_unit_test(impossible_lengths),
        cmocka_unit_test(inconsistent_fields),
        cmocka_unit_test(libm_differences_accepted),
        cmocka_unit_test(far_past_a_cut_checkpoint_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
