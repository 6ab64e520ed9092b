/* SPDX-License-Identifier: MIT */
/* state.c -- sgdr_save_state / sgdr_load_state: the checkpoint blob.
 *
 * The layout is documented byte by byte in docs/STATE_FORMAT.md; the offsets below are the
 * table there. Every field is written and read one at a time in little-endian order, never
 * by copying a struct, so neither the host's byte order nor its struct padding leaks into
 * the format. A load checks the framing (length, magic, version, checksum), decodes into a
 * scratch copy, validates every field against the configuration it carries, and only then
 * replaces the live scheduler: a refused blob changes nothing. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "crc32c.h"
#include "numfmt.h"
#include "scheduler.h"

#define MAGIC "SGDRSTAT"
#define MAGIC_SIZE 8
#define FORMAT_MAJOR 1
#define FORMAT_MINOR 0
#define HEADER_SIZE 16
#define BODY_END_1_0 184 /* end of the fields of format 1.0, where 1.x appends */
#define BLOB_SIZE_1_0 (BODY_END_1_0 + 4)

/* Byte offsets of the fields of format 1.0 (docs/STATE_FORMAT.md). */
enum {
    OFF_MAGIC = 0,
    OFF_MAJOR = 8,
    OFF_MINOR = 10,
    OFF_TOTAL = 12,
    OFF_MIN_LR = 16,
    OFF_MAX_LR = 24,
    OFF_LR_DECAY = 32,
    OFF_MULT_FACTOR = 40,
    OFF_WARMUP_START_LR = 48,
    OFF_STEPS_PER_EPOCH = 56,
    OFF_CYCLE_LENGTH = 64,
    OFF_WARMUP_EPOCHS = 72,
    OFF_MAX_CYCLES = 80,
    OFF_RESTART_MODE = 88,
    OFF_RESTORE_AT_END = 89,
    OFF_HISTORY = 90,
    OFF_SET = 91,
    OFF_RUNNING = 92,
    OFF_PHASE = 93,
    OFF_RESERVED = 94, /* 2 bytes, zero */
    OFF_STEP = 96,
    OFF_EPOCH = 104,
    OFF_BATCH_IN_EPOCH = 112,
    OFF_CYCLE = 120,
    OFF_CYCLE_LEN_NOW = 128,
    OFF_CYCLE_END = 136,
    OFF_POS = 144,
    OFF_PEAK = 152,
    OFF_LR = 160,
    OFF_SNAPSHOTS = 168,
    OFF_LAST_SNAPSHOT = 176
};

/* The one NaN the format holds (unset min_lr / max_lr, lr before the first run): the
 * positive quiet NaN with an empty payload. Any other NaN bit pattern is refused, so that
 * an accepted 1.0 blob saves back to exactly the same bytes. */
#define CANONICAL_NAN_BITS 0x7FF8000000000000ull

/* The peak and learning rate in a blob were computed with the writer's libm (pow, cos),
 * which may differ from ours in the last bits; they are checked to within this fraction
 * of the schedule's scale (the tolerance of the golden vectors), and then used as stored. */
#define LIBM_TOLERANCE 1e-12

/* ---- little-endian field access ---- */

static void put_u16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    int i;
    for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *p, double v)
{
    uint64_t bits = CANONICAL_NAN_BITS;
    if (!isnan(v)) memcpy(&bits, &v, sizeof bits); /* IEEE-754 binary64 bits */
    put_u64(p, bits);
}

static uint16_t get_u16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    int i;
    for (i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static double get_f64(const unsigned char *p)
{
    uint64_t bits = get_u64(p);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* ---- the fields of format 1.0 ---- */

/* Everything a blob carries: the configuration and the run. */
typedef struct state_fields {
    sgdr_config config;
    int running;
    sgdr_position at;
    double lr;
    uint64_t snapshots, last_snapshot;
} state_fields;

static void encode(const state_fields *f, unsigned char *b)
{
    const sgdr_config *c = &f->config;
    memset(b, 0, BLOB_SIZE_1_0);
    memcpy(b + OFF_MAGIC, MAGIC, MAGIC_SIZE);
    put_u16(b + OFF_MAJOR, FORMAT_MAJOR);
    put_u16(b + OFF_MINOR, FORMAT_MINOR);
    put_u32(b + OFF_TOTAL, BLOB_SIZE_1_0);
    put_f64(b + OFF_MIN_LR, c->min_lr);
    put_f64(b + OFF_MAX_LR, c->max_lr);
    put_f64(b + OFF_LR_DECAY, c->lr_decay);
    put_f64(b + OFF_MULT_FACTOR, c->mult_factor);
    put_f64(b + OFF_WARMUP_START_LR, c->warmup_start_lr);
    put_u64(b + OFF_STEPS_PER_EPOCH, c->steps_per_epoch);
    put_u64(b + OFF_CYCLE_LENGTH, c->cycle_length);
    put_u64(b + OFF_WARMUP_EPOCHS, c->warmup_epochs);
    put_u64(b + OFF_MAX_CYCLES, c->max_cycles);
    b[OFF_RESTART_MODE] = (unsigned char)c->restart_mode;
    b[OFF_RESTORE_AT_END] = (unsigned char)c->restore_at_end;
    b[OFF_HISTORY] = (unsigned char)c->history;
    b[OFF_SET] = (unsigned char)c->set;
    b[OFF_RUNNING] = (unsigned char)f->running;
    b[OFF_PHASE] = (unsigned char)f->at.phase;
    put_u64(b + OFF_STEP, f->at.step);
    put_u64(b + OFF_EPOCH, f->at.epoch);
    put_u64(b + OFF_BATCH_IN_EPOCH, f->at.batch_in_epoch);
    put_u64(b + OFF_CYCLE, f->at.cycle);
    put_u64(b + OFF_CYCLE_LEN_NOW, f->at.cycle_length);
    put_u64(b + OFF_CYCLE_END, f->at.cycle_end);
    put_u64(b + OFF_POS, f->at.pos);
    put_f64(b + OFF_PEAK, f->at.peak);
    put_f64(b + OFF_LR, f->lr);
    put_u64(b + OFF_SNAPSHOTS, f->snapshots);
    put_u64(b + OFF_LAST_SNAPSHOT, f->last_snapshot);
    put_u32(b + BODY_END_1_0, sgdr_crc32c(b, BODY_END_1_0));
}

static void decode(const unsigned char *b, state_fields *f)
{
    sgdr_config *c = &f->config;
    c->min_lr = get_f64(b + OFF_MIN_LR);
    c->max_lr = get_f64(b + OFF_MAX_LR);
    c->lr_decay = get_f64(b + OFF_LR_DECAY);
    c->mult_factor = get_f64(b + OFF_MULT_FACTOR);
    c->warmup_start_lr = get_f64(b + OFF_WARMUP_START_LR);
    c->steps_per_epoch = get_u64(b + OFF_STEPS_PER_EPOCH);
    c->cycle_length = get_u64(b + OFF_CYCLE_LENGTH);
    c->warmup_epochs = get_u64(b + OFF_WARMUP_EPOCHS);
    c->max_cycles = get_u64(b + OFF_MAX_CYCLES);
    c->restart_mode = b[OFF_RESTART_MODE];
    c->restore_at_end = b[OFF_RESTORE_AT_END];
    c->history = b[OFF_HISTORY];
    c->set = b[OFF_SET];
    f->running = b[OFF_RUNNING];
    f->at.phase = b[OFF_PHASE];
    f->at.step = get_u64(b + OFF_STEP);
    f->at.epoch = get_u64(b + OFF_EPOCH);
    f->at.batch_in_epoch = get_u64(b + OFF_BATCH_IN_EPOCH);
    f->at.cycle = get_u64(b + OFF_CYCLE);
    f->at.cycle_length = get_u64(b + OFF_CYCLE_LEN_NOW);
    f->at.cycle_end = get_u64(b + OFF_CYCLE_END);
    f->at.pos = get_u64(b + OFF_POS);
    f->at.peak = get_f64(b + OFF_PEAK);
    f->lr = get_f64(b + OFF_LR);
    f->snapshots = get_u64(b + OFF_SNAPSHOTS);
    f->last_snapshot = get_u64(b + OFF_LAST_SNAPSHOT);
}

sgdr_status sgdr_save_state(const sgdr_scheduler *s, void *buf, size_t cap, size_t *len)
{
    state_fields f;
    if (s == NULL) return SGDR_ENULL;
    if (len == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_save_state: len is NULL", NULL);
    *len = BLOB_SIZE_1_0;
    if (buf == NULL) return SGDR_OK;
    if (cap < BLOB_SIZE_1_0) {
        char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP];
        sgdr_u64fmt(a, cap);
        sgdr_u64fmt(b, BLOB_SIZE_1_0);
        return sgdr_fail(s, SGDR_EBUFSIZE, "sgdr_save_state: buffer of ", a,
                         " bytes is too small for the ", b, "-byte state", NULL);
    }
    f.config = s->config;
    f.running = s->running;
    f.at = s->at;
    f.lr = s->lr;
    f.snapshots = s->snapshots;
    f.last_snapshot = s->last_snapshot;
    encode(&f, buf);
    return SGDR_OK;
}

/* ---- messages ---- */

/* "0x" and 8 hex digits. */
static void hex32(char out[SGDR_NUMFMT_CAP], uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    int i;
    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 8; i++) out[2 + i] = digits[(v >> (28 - 4 * i)) & 15u];
    out[10] = '\0';
}

/* Up to 8 bytes as space-separated hex pairs ("7b 22 6d"). */
static void hex_bytes(char out[SGDR_NUMFMT_CAP], const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i, o = 0;
    for (i = 0; i < n && i < 8; i++) {
        if (i > 0) out[o++] = ' ';
        out[o++] = digits[p[i] >> 4];
        out[o++] = digits[p[i] & 15u];
    }
    out[o] = '\0';
}

/* "state blob inconsistent: <what> (<value>)" */
static sgdr_status corrupt(const sgdr_scheduler *s, const char *what, uint64_t value)
{
    char num[SGDR_NUMFMT_CAP];
    sgdr_u64fmt(num, value);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", what, " (", num, ")",
                     NULL);
}

/* "state blob inconsistent: <what> (<value>)" for a real field. */
static sgdr_status corrupt_real(const sgdr_scheduler *s, const char *what, double value)
{
    char num[SGDR_NUMFMT_CAP];
    sgdr_numfmt(num, value);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", what, " (", num, ")",
                     NULL);
}

/* "state blob inconsistent: <a> (<x>) <relation> <b> (<y>)" */
static sgdr_status corrupt_pair(const sgdr_scheduler *s, const char *a, uint64_t x,
                                const char *relation, const char *b, uint64_t y)
{
    char nx[SGDR_NUMFMT_CAP], ny[SGDR_NUMFMT_CAP];
    sgdr_u64fmt(nx, x);
    sgdr_u64fmt(ny, y);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", a, " (", nx, ") ",
                     relation, " ", b, " (", ny, ")", NULL);
}

/* "state blob inconsistent: <what> is <got> but <where> <index> gives <want>" */
static sgdr_status mismatch(const sgdr_scheduler *s, const char *what, uint64_t got,
                            uint64_t want, const char *where, uint64_t index)
{
    char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP], i[SGDR_NUMFMT_CAP];
    sgdr_u64fmt(a, got);
    sgdr_u64fmt(b, want);
    sgdr_u64fmt(i, index);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", what, " is ", a, " but ",
                     where, " ", i, " gives ", b, NULL);
}

/* "state blob inconsistent: <what> is <got> but its position gives <want>" */
static sgdr_status corrupt_value(const sgdr_scheduler *s, const char *what, double got,
                                 double want)
{
    char a[SGDR_NUMFMT_CAP], b[SGDR_NUMFMT_CAP];
    sgdr_numfmt(a, got);
    sgdr_numfmt(b, want);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", what, " is ", a,
                     " but its position gives ", b, NULL);
}

/* ---- validation of the framing ---- */

/* Length, magic, version and checksum. On success *total is the blob's length. */
static sgdr_status check_frame(const sgdr_scheduler *s, const unsigned char *b, size_t len,
                               uint32_t *total)
{
    char x[SGDR_NUMFMT_CAP], y[SGDR_NUMFMT_CAP];
    uint16_t major, minor;
    uint32_t stored, computed;

    /* Foreign data is named as such even when it is shorter than the magic. */
    if (memcmp(b, MAGIC, len < MAGIC_SIZE ? len : MAGIC_SIZE) != 0) {
        hex_bytes(x, b, len < MAGIC_SIZE ? len : MAGIC_SIZE);
        return sgdr_fail(s, SGDR_EMAGIC, "not a libsgdr state blob: it starts with bytes ",
                         x, " instead of \"SGDRSTAT\"", NULL);
    }
    if (len < HEADER_SIZE) {
        sgdr_u64fmt(x, len);
        sgdr_u64fmt(y, BLOB_SIZE_1_0);
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: ", x, " of at least ", y,
                         " bytes (shorter than the 16-byte header)", NULL);
    }
    major = get_u16(b + OFF_MAJOR);
    minor = get_u16(b + OFF_MINOR);
    if (major != FORMAT_MAJOR) {
        sgdr_u64fmt(x, major);
        sgdr_u64fmt(y, minor);
        if (major > FORMAT_MAJOR)
            return sgdr_fail(s, SGDR_EVERSION, "state blob has format ", x, ".", y,
                             ", a newer major version than this library reads (1.x): load it "
                             "with a libsgdr that reads format ", x, NULL);
        return sgdr_fail(s, SGDR_EVERSION, "state blob has format ", x, ".", y,
                         ", which no libsgdr writes (this library reads 1.x)", NULL);
    }
    *total = get_u32(b + OFF_TOTAL);
    if (len < *total) {
        sgdr_u64fmt(x, len);
        sgdr_u64fmt(y, *total);
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: ", x, " of ", y, " bytes",
                         NULL);
    }
    if (len > *total) {
        sgdr_u64fmt(x, len);
        sgdr_u64fmt(y, *total);
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", x,
                         " bytes given but its header says ", y,
                         " (pass exactly the bytes sgdr_save_state wrote)", NULL);
    }
    /* A newer minor version appends fields before the checksum; 1.0 is exactly 188. */
    if (*total < BLOB_SIZE_1_0 || (minor == 0 && *total != BLOB_SIZE_1_0)) {
        sgdr_u64fmt(x, *total);
        sgdr_u64fmt(y, minor);
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: its header says ", x,
                         " bytes, but format 1.", y,
                         minor == 0 ? " is exactly 188" : " is at least 188", NULL);
    }
    stored = get_u32(b + *total - 4);
    computed = sgdr_crc32c(b, *total - 4);
    if (stored != computed) {
        hex32(x, stored);
        hex32(y, computed);
        return sgdr_fail(s, SGDR_ECHECKSUM, "state blob checksum mismatch: stored ", x,
                         ", computed ", y, ": the blob is corrupt", NULL);
    }
    return SGDR_OK;
}

/* ---- validation of the fields ---- */

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* NaN only in its canonical encoding. */
static int canonical(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return !isnan(v) || bits == CANONICAL_NAN_BITS;
}

/* |got - want| within LIBM_TOLERANCE of the scale max(max_lr, |want|). */
static int close_to(const sgdr_config *c, double got, double want)
{
    double scale = fabs(want) > c->max_lr ? fabs(want) : c->max_lr;
    return isfinite(got) && fabs(got - want) <= LIBM_TOLERANCE * scale;
}

/* The byte-sized fields: flags 0 or 1, known enum values, reserved bytes zero. */
static sgdr_status check_bytes(const sgdr_scheduler *s, const unsigned char *b)
{
    static const struct {
        int offset, max;
        const char *name;
    } field[] = {{OFF_RESTART_MODE, 1, "restart_mode byte"},
                 {OFF_RESTORE_AT_END, 1, "restore_at_end byte"},
                 {OFF_HISTORY, 1, "history byte"},
                 {OFF_SET, 7, "set-parameter mask"},
                 {OFF_RUNNING, 1, "running byte"},
                 {OFF_PHASE, SGDR_PHASE_HOLD, "phase byte"},
                 {OFF_RESERVED, 0, "reserved byte 94"},
                 {OFF_RESERVED + 1, 0, "reserved byte 95"}};
    size_t i;
    for (i = 0; i < sizeof field / sizeof field[0]; i++)
        if (b[field[i].offset] > field[i].max)
            return corrupt(s, field[i].name, b[field[i].offset]);
    return SGDR_OK;
}

/* The configuration: every set parameter by the rules of sgdr_set_param; the required ones
 * that are unset read as NaN (steps_per_epoch as 0); a running blob passes the whole
 * sgdr_config_check, as on_train_begin required when that run began. */
static sgdr_status check_config(const sgdr_scheduler *s, const sgdr_config *c, int running)
{
    static const unsigned bit[] = {SGDR_SET_MIN_LR, SGDR_SET_MAX_LR, SGDR_SET_STEPS};
    char msg[SGDR_MSG_CAP];
    sgdr_config probe;
    int i;
    if (!canonical(c->min_lr) || !canonical(c->max_lr))
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ",
                         canonical(c->min_lr) ? "max_lr" : "min_lr",
                         " holds a NaN other than 0x7ff8000000000000", NULL);
    sgdr_config_defaults(&probe);
    for (i = SGDR_PARAM_MIN_LR; i <= SGDR_PARAM_HISTORY; i++) {
        double v = 0;
        sgdr_config_get(c, (sgdr_param)i, &v);
        if (i <= SGDR_PARAM_STEPS_PER_EPOCH && !(c->set & bit[i - 1])) {
            char num[SGDR_NUMFMT_CAP];
            if (i == SGDR_PARAM_STEPS_PER_EPOCH) {
                if (c->steps_per_epoch == 0) continue;
                sgdr_u64fmt(num, c->steps_per_epoch);
            } else {
                if (isnan(v)) continue;
                sgdr_numfmt(num, v);
            }
            return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ",
                             sgdr_param_name((sgdr_param)i), " is marked unset but holds ",
                             num, NULL);
        }
        if (sgdr_config_set(&probe, (sgdr_param)i, v, msg, sizeof msg) != SGDR_OK)
            return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", msg, NULL);
    }
    if (running && sgdr_config_check(c, msg, sizeof msg) != SGDR_OK)
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: a running state with an "
                         "invalid configuration: ", msg, NULL);
    return SGDR_OK;
}

/* What holds for the counters of any scheduler, running or not, whatever its
 * configuration has become since: they only ever count up together. */
static sgdr_status check_counters(const sgdr_scheduler *s, const state_fields *f)
{
    const sgdr_position *p = &f->at;
    if (isnan(f->lr)) {
        /* Never started: the counters are those of sgdr_create. */
        if (!canonical(f->lr))
            return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: the learning rate "
                             "holds a NaN other than 0x7ff8000000000000", NULL);
        const uint64_t counter[] = {p->step, p->epoch, p->batch_in_epoch, p->cycle,
                                    p->cycle_length, p->cycle_end, p->pos,
                                    (uint64_t)p->phase, f->snapshots, f->last_snapshot};
        static const char *const name[] = {
            "a state that never started has step", "a state that never started has epoch",
            "a state that never started has batch in epoch",
            "a state that never started has cycle",
            "a state that never started has cycle length",
            "a state that never started has cycle end",
            "a state that never started has position in cycle",
            "a state that never started has phase", "a state that never started has snapshots",
            "a state that never started has last snapshot"};
        size_t i;
        if (f->running) return corrupt(s, "a running state without a learning rate", 1);
        for (i = 0; i < sizeof counter / sizeof counter[0]; i++)
            if (counter[i] != 0) return corrupt(s, name[i], counter[i]);
        if (!same_bits(p->peak, 0.0))
            return corrupt_real(s, "a state that never started has peak", p->peak);
        return SGDR_OK;
    }
    if (!(isfinite(f->lr) && f->lr >= 0))
        return corrupt_real(s, "learning rate is not finite and >= 0", f->lr);
    if (!(isfinite(p->peak) && p->peak >= 0))
        return corrupt_real(s, "peak is not finite and >= 0", p->peak);
    if (p->pos > p->step) return corrupt_pair(s, "position in cycle", p->pos, "exceeds", "step", p->step);
    if (p->batch_in_epoch > p->pos)
        return corrupt_pair(s, "batch in epoch", p->batch_in_epoch, "exceeds",
                            "position in cycle", p->pos);
    if (f->snapshots > p->cycle)
        return corrupt_pair(s, "snapshots", f->snapshots, "exceed", "closed cycles", p->cycle);
    if (f->snapshots == 0 && f->last_snapshot != 0)
        return corrupt(s, "last snapshot cycle with no snapshot taken", f->last_snapshot);
    if (f->snapshots > 0 && (f->last_snapshot >= p->cycle || f->last_snapshot < f->snapshots - 1))
        return corrupt_pair(s, "last snapshot cycle", f->last_snapshot, "does not fit",
                            "snapshots", f->snapshots);
    return SGDR_OK;
}

/* Whether sgdr_position_at finds the cycle of `epoch` in bounded time: in warm-up, for
 * mult_factor 1 (closed form), within the table of cycle starts, and within the checkpoints
 * past it (at most cp_stride steps from one), or after them when their walk ended because
 * lengths saturate (fewer than cp_stride cycles remain). Only for a factor so close to 1
 * that the walk stopped at SGDR_CHECKPOINT_WALK cycles does an epoch past the last
 * checkpoint mean stepping cycle by cycle, up to billions of them at a forged epoch near
 * 2^64; a load must not take that long, so there the cycle is checked by bounds. */
static int cheap_to_place(const sgdr_config *c, const sgdr_cycle_table *t, uint64_t epoch)
{
    const size_t last = t->count - 1;
    size_t j;
    uint64_t e;
    if (epoch < c->warmup_epochs || c->mult_factor == 1.0) return 1;
    if (t->length[last] == SGDR_CYCLE_FOREVER) return 1;
    if (c->max_cycles != 0 && c->max_cycles <= last) return 1;
    e = epoch - c->warmup_epochs;
    if (e < sgdr_add_sat(t->start[last], t->length[last]) || t->cp_count == 0) return 1;
    j = t->cp_count - 1;
    if (e < sgdr_add_sat(t->cp_start[j], t->cp_length[j])) return 1;
    return t->cp_cycle[j] - last < SGDR_CHECKPOINT_WALK;
}

/* The cycle bookkeeping of an epoch that is cheap to place: exactly what the configuration
 * gives for that epoch count. Restarts happen only at epoch ends, so the epoch alone decides the
 * cycle, however many batches each epoch had. */
static sgdr_status check_cycle_exact(const sgdr_scheduler *s, const sgdr_config *c,
                                     const sgdr_cycle_table *t, const sgdr_position *p)
{
    sgdr_config by_epoch = *c;
    sgdr_position want;
    /* With one step per epoch, sgdr_position_at's step is the epoch count. */
    by_epoch.steps_per_epoch = 1;
    sgdr_position_at(&by_epoch, t, p->epoch, &want);
    if ((uint64_t)p->phase != (uint64_t)want.phase)
        return mismatch(s, "phase", (uint64_t)p->phase, (uint64_t)want.phase, "epoch", p->epoch);
    if (p->cycle != want.cycle) return mismatch(s, "cycle", p->cycle, want.cycle, "epoch", p->epoch);
    if (p->cycle_length != want.cycle_length)
        return mismatch(s, "cycle length", p->cycle_length, want.cycle_length, "cycle", p->cycle);
    if (p->cycle_end != want.cycle_end)
        return mismatch(s, "cycle end", p->cycle_end, want.cycle_end, "cycle", p->cycle);
    /* Warm-up, cycle 0 and the hold have exact peaks; later cycles come from pow(). */
    if ((p->phase != SGDR_PHASE_CYCLE || p->cycle == 0) ? !same_bits(p->peak, want.peak)
                                                        : !close_to(c, p->peak, want.peak))
        return corrupt_value(s, "peak", p->peak, want.peak);
    return SGDR_OK;
}

/* The cycle bookkeeping of an epoch past the last checkpoint of a walk that was cut
 * (mult_factor within a few 1e-5 of 1): a cycle after that checkpoint's, no shorter than
 * growth by at least one epoch per cycle allows, starting after it ends, holding the epoch,
 * before max_cycles, with its peak. */
static sgdr_status check_cycle_beyond(const sgdr_scheduler *s, const sgdr_config *c,
                                      const sgdr_cycle_table *t, const sgdr_position *p)
{
    const size_t j = t->cp_count - 1;
    const uint64_t k0 = t->cp_cycle[j], end0 = sgdr_add_sat(t->cp_start[j], t->cp_length[j]);
    if (p->phase == SGDR_PHASE_WARMUP)
        return corrupt_pair(s, "phase", (uint64_t)p->phase, "is warm-up past", "epoch",
                            c->warmup_epochs);
    if (p->phase == SGDR_PHASE_HOLD) {
        if (c->max_cycles == 0 || p->cycle != c->max_cycles)
            return corrupt_pair(s, "cycle of the hold", p->cycle, "is not", "max_cycles",
                                c->max_cycles);
        if (p->cycle_length != SGDR_CYCLE_FOREVER || p->cycle_end != UINT64_MAX)
            return corrupt(s, "the hold does not last forever", p->cycle_end);
        if (!same_bits(p->peak, c->min_lr)) return corrupt_value(s, "peak", p->peak, c->min_lr);
        return SGDR_OK;
    }
    if (p->cycle <= k0)
        return corrupt_pair(s, "cycle", p->cycle, "is too small for", "epoch", p->epoch);
    if (c->max_cycles != 0 && p->cycle >= c->max_cycles)
        return corrupt_pair(s, "cycle", p->cycle, "is not before", "max_cycles", c->max_cycles);
    if (p->cycle_length < sgdr_add_sat(t->cp_length[j], p->cycle - k0))
        return corrupt_pair(s, "cycle length", p->cycle_length, "is too short for", "cycle",
                            p->cycle);
    if (p->cycle_end < p->cycle_length ||
        p->cycle_end - p->cycle_length < sgdr_add_sat(c->warmup_epochs, end0))
        return corrupt_pair(s, "cycle end", p->cycle_end, "is too early for", "cycle", p->cycle);
    if (p->epoch < p->cycle_end - p->cycle_length || p->epoch >= p->cycle_end)
        return corrupt_pair(s, "epoch", p->epoch, "is outside the cycle ending at", "epoch",
                            p->cycle_end);
    if (!close_to(c, p->peak, sgdr_cycle_peak(c, p->cycle)))
        return corrupt_value(s, "peak", p->peak, sgdr_cycle_peak(c, p->cycle));
    return SGDR_OK;
}

/* A running state: the cycle bookkeeping fits the configuration and the epoch count, and
 * the learning rate is what the position trains at. */
static sgdr_status check_run(const sgdr_scheduler *s, const state_fields *f,
                             const sgdr_cycle_table *t)
{
    const sgdr_config *c = &f->config;
    const sgdr_position *p = &f->at;
    double lr;
    sgdr_status st;

    st = cheap_to_place(c, t, p->epoch) ? check_cycle_exact(s, c, t, p)
                                        : check_cycle_beyond(s, c, t, p);
    if (st != SGDR_OK) return st;
    /* Until the first restart every batch of the run is in the current phase. */
    if ((p->phase == SGDR_PHASE_WARMUP || (p->cycle == 0 && c->warmup_epochs == 0)) &&
        p->pos != p->step)
        return corrupt_pair(s, "position in cycle", p->pos, "differs from", "step", p->step);

    if (c->restart_mode == SGDR_RESTART_KERAS_SEED && p->pos == 0 && p->cycle > 0) {
        /* keras-seed carries the last value of an earlier cycle into a restart: it lies
         * between min_lr and the peaks of the cycles before (max_lr ... P[k-1]). */
        double prev = sgdr_cycle_peak(c, p->cycle - 1);
        double lo = prev < c->min_lr ? prev : c->min_lr;
        double hi = prev > c->max_lr ? prev : c->max_lr;
        double slack = LIBM_TOLERANCE * hi;
        if (!(f->lr >= lo - slack && f->lr <= hi + slack))
            return corrupt_real(s, "learning rate at a keras-seed restart is outside the "
                                "range of the cycles before", f->lr);
        return SGDR_OK;
    }
    lr = sgdr_position_lr(c, p);
    if (!close_to(c, f->lr, lr)) return corrupt_value(s, "learning rate", f->lr, lr);
    return SGDR_OK;
}

sgdr_status sgdr_load_state(sgdr_scheduler *s, const void *buf, size_t len)
{
    const unsigned char *b = buf;
    state_fields f;
    sgdr_cycle_table table;
    uint32_t total = 0;
    sgdr_status st;

    if (s == NULL) return SGDR_ENULL;
    if (s->in_hook)
        return sgdr_fail(s, SGDR_EORDER, "sgdr_load_state called from inside one of the same "
                         "scheduler's hooks", NULL);
    if (b == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_load_state: buf is NULL", NULL);
    if ((st = check_frame(s, b, len, &total)) != SGDR_OK) return st;
    if ((st = check_bytes(s, b)) != SGDR_OK) return st;
    /* Fields a newer minor appended (between offset 184 and the checksum) are skipped. */
    memset(&f, 0, sizeof f);
    decode(b, &f);
    if ((st = check_config(s, &f.config, f.running)) != SGDR_OK) return st;
    if ((st = check_counters(s, &f)) != SGDR_OK) return st;
    sgdr_cycle_table_build(&f.config, &table);
    if (f.running && (st = check_run(s, &f, &table)) != SGDR_OK) return st;

    /* Everything checked: replace. */
    s->config = f.config;
    s->config_ok = sgdr_config_valid(&f.config);
    s->table = table;
    s->running = f.running;
    s->resumable = f.running;
    s->at = f.at;
    s->lr = f.lr;
    s->snapshots = f.snapshots;
    s->last_snapshot = f.last_snapshot;
    sgdr_history_clear(&s->history, &s->allocator, f.at.step);
    return SGDR_OK;
}
