/* SPDX-License-Identifier: MIT */
/* state.c -- sgdr_save_state / sgdr_load_state: the checkpoint blob (docs/STATE_FORMAT.md).
 *
 * Fields are written one at a time in little-endian order, never by copying a struct, so
 * neither the host's byte order nor its padding leaks into the format. A blob is accepted
 * only if it is what this library would have saved (within the libm tolerance the format
 * allows for the peak and the learning rate): the checks below name the first field that
 * is wrong, and the round trip at the end catches whatever they do not. */
#include <math.h>
#include <string.h>

#include "handle.h"

#define MAGIC "SGDRSTAT"

/* The layout (docs/STATE_FORMAT.md): every offset of the blob is written here and nowhere
 * else. The header, the parameters (param_at), the byte-sized run fields, the run's 8-byte
 * fields from OFF_RUN (run_field's order), then what later minors append; the CRC-32C
 * follows the body. */
enum {
    OFF_MAJOR = 8, OFF_MINOR = 10, OFF_TOTAL = 12, HEADER_SIZE = 16,
    OFF_SET = 91, OFF_RUNNING = 92, OFF_PHASE = 93, OFF_FLAGS = 94, OFF_RESERVED = 95,
    OFF_RUN = 96,
    BODY_END_1_0 = 184, /* end of the fields of format 1.0, where 1.x appends */
    BODY_END_1_1 = 192  /* 1.1 appends cycle_warmup_steps */
};
#define SIZE_1_0 (BODY_END_1_0 + 4)
#define SIZE_1_1 (BODY_END_1_1 + 4)
#define FLAGS_WARMUP 1u /* byte 94 of a 1.1 blob: cycle_warmup_steps is not 0 */

/* Where each parameter lies, by id: 8 bytes for a real or an integer, one byte for an enum
 * or a boolean. */
static const unsigned param_at[] = {
    [SGDR_PARAM_MIN_LR] = 16,        [SGDR_PARAM_MAX_LR] = 24,
    [SGDR_PARAM_LR_DECAY] = 32,      [SGDR_PARAM_MULT_FACTOR] = 40,
    [SGDR_PARAM_WARMUP_START_LR] = 48, [SGDR_PARAM_STEPS_PER_EPOCH] = 56,
    [SGDR_PARAM_CYCLE_LENGTH] = 64,  [SGDR_PARAM_WARMUP_EPOCHS] = 72,
    [SGDR_PARAM_MAX_CYCLES] = 80,    [SGDR_PARAM_RESTART_MODE] = 88,
    [SGDR_PARAM_RESTORE_AT_END] = 89, [SGDR_PARAM_HISTORY] = 90,
    [SGDR_PARAM_CYCLE_WARMUP_STEPS] = BODY_END_1_0,
};
SGDR_STATIC_ASSERT(sizeof param_at / sizeof param_at[0] == SGDR_PARAM_LAST + 1,
                   state_offset_per_parameter);

/* The one NaN the format holds (unset min_lr / max_lr, lr before the first run): the
 * positive quiet NaN with an empty payload. */
#define CANONICAL_NAN_BITS 0x7FF8000000000000ull

/* The peak and learning rate in a blob were computed with the writer's libm (pow, cos),
 * which may differ from ours in the last bits; they are checked to within this fraction
 * of the schedule's scale (the tolerance of the golden vectors), and then used as stored. */
#define LIBM_TOLERANCE 1e-12

/* The 8-byte fields of the run, in blob order from OFF_RUN. */
#define RUN(name, member, real) {name, offsetof(sgdr_state, member), real}
static const struct {
    const char *name;
    size_t member;
    int real;
} run_field[] = {RUN("step", at.step, 0), RUN("epoch", at.epoch, 0),
                 RUN("batch in epoch", at.batch_in_epoch, 0), RUN("cycle", at.cycle, 0),
                 RUN("cycle length", at.cycle_length, 0), RUN("cycle end", at.cycle_end, 0),
                 RUN("position in cycle", at.pos, 0), RUN("peak", at.peak, 1),
                 RUN("learning rate", lr, 1), RUN("snapshots", snapshots, 0),
                 RUN("last snapshot", last_snapshot, 0)};
#define RUN_FIELDS (sizeof run_field / sizeof run_field[0])
#define RUN_AT(i) (OFF_RUN + 8 * (i))
SGDR_STATIC_ASSERT(RUN_AT(RUN_FIELDS) == BODY_END_1_0, run_fields_end_the_1_0_body);

#define CORRUPT(s, ...) sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: " __VA_ARGS__)

uint32_t sgdr_crc32c(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    int bit;
    while (len-- > 0) {
        crc ^= *p++;
        for (bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    while (bytes-- > 0) v = (v << 8) | p[bytes];
    return v;
}

/* A field as the 64 bits the blob stores: a real as its IEEE-754 binary64 bits (every NaN
 * as the canonical one), a count as itself. */
static uint64_t bits_of(const void *field, int real)
{
    uint64_t bits;
    double v;
    if (!real) return *(const uint64_t *)field;
    memcpy(&v, field, sizeof v);
    if (isnan(v)) return CANONICAL_NAN_BITS;
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

/* The fields from offset 16 to body_end (184 for 1.0, 192 for 1.1). */
static void encode_body(const sgdr_state *f, unsigned char *b, size_t body_end)
{
    size_t i;
    memset(b + HEADER_SIZE, 0, body_end - HEADER_SIZE);
    for (i = 1; i <= SGDR_PARAM_LAST; i++) {
        const sgdr_param_info *r = sgdr_param_row((int)i);
        const char *field = (const char *)&f->config + r->field;
        if (param_at[i] + 8u > body_end) continue;
        if (r->kind == SGDR_KIND_ENUM || r->kind == SGDR_KIND_BOOLEAN)
            b[param_at[i]] = (unsigned char)*(const int *)(const void *)field;
        else
            put_le(b + param_at[i], bits_of(field, r->kind == SGDR_KIND_REAL), 8);
    }
    b[OFF_SET] = (unsigned char)f->config.set;
    b[OFF_RUNNING] = (unsigned char)f->running;
    b[OFF_PHASE] = (unsigned char)f->at.phase;
    b[OFF_FLAGS] = body_end > BODY_END_1_0 && f->config.cycle_warmup_steps ? FLAGS_WARMUP : 0;
    for (i = 0; i < RUN_FIELDS; i++)
        put_le(b + RUN_AT(i), bits_of((const char *)f + run_field[i].member, run_field[i].real),
               8);
}

static void set_bits(void *field, uint64_t bits)
{
    memcpy(field, &bits, sizeof bits); /* a double and a uint64_t are both 8 bytes */
}

static void decode(const unsigned char *b, size_t body_end, sgdr_state *f)
{
    size_t i;
    memset(f, 0, sizeof *f);
    for (i = 1; i <= SGDR_PARAM_LAST; i++) {
        const sgdr_param_info *r = sgdr_param_row((int)i);
        char *field = (char *)&f->config + r->field;
        if (param_at[i] + 8u > body_end) continue; /* absent in this minor: 0 */
        if (r->kind == SGDR_KIND_ENUM || r->kind == SGDR_KIND_BOOLEAN)
            *(int *)(void *)field = b[param_at[i]];
        else set_bits(field, get_le(b + param_at[i], 8));
    }
    f->config.set = b[OFF_SET];
    f->running = b[OFF_RUNNING];
    f->at.phase = b[OFF_PHASE];
    for (i = 0; i < RUN_FIELDS; i++)
        set_bits((char *)f + run_field[i].member, get_le(b + RUN_AT(i), 8));
}

sgdr_status sgdr_save_state(const sgdr_scheduler *s, void *buf, size_t cap, size_t *len)
{
    unsigned char *b = buf;
    /* The smallest format that holds the state: 1.0 unless cycle warm-up is on, so that
     * every 1.0 reader loads what needs nothing newer. */
    size_t end, size;
    if (s == NULL) return SGDR_ENULL;
    if (len == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_save_state: len is NULL");
    end = s->st.config.cycle_warmup_steps != 0 ? BODY_END_1_1 : BODY_END_1_0;
    size = end + 4;
    *len = size;
    if (buf == NULL) return SGDR_OK;
    if (cap < size)
        return sgdr_fail(s, SGDR_EBUFSIZE, "sgdr_save_state: buffer of %llu bytes is too small "
                         "for the %llu-byte state", (unsigned long long)cap,
                         (unsigned long long)size);
    memcpy(b, MAGIC, 8);
    put_le(b + OFF_MAJOR, 1, 2);
    put_le(b + OFF_MINOR, end == BODY_END_1_0 ? 0 : 1, 2);
    put_le(b + OFF_TOTAL, size, 4);
    encode_body(&s->st, b, end);
    put_le(b + end, sgdr_crc32c(b, end), 4);
    return SGDR_OK;
}

/* ---- the framing ---- */

static sgdr_status bad_size(const sgdr_scheduler *s, uint32_t total, unsigned minor,
                            size_t least)
{
    return CORRUPT(s, "its header says %llu bytes, but format 1.%llu is %s %llu",
                   (unsigned long long)total, (unsigned long long)minor,
                   minor == 0 ? "exactly" : "at least", (unsigned long long)least);
}

/* Length, magic, version and checksum. On success *minor is the blob's minor version. */
static sgdr_status check_frame(const sgdr_scheduler *s, const unsigned char *b, size_t len,
                               unsigned *minor)
{
    unsigned major;
    uint32_t total, stored, computed;

    /* Foreign data is named as such even when it is shorter than the magic. */
    if (memcmp(b, MAGIC, len < 8 ? len : 8) != 0) {
        char hex[8 * 3 + 1];
        size_t i, n = len < 8 ? len : 8; /* at least 1: zero bytes always match */
        for (i = 0; i < n; i++) sgdr_format(hex + 3 * i, 4, SGDR_OK, "%02x ", (unsigned)b[i]);
        hex[3 * n - 1] = '\0';
        return sgdr_fail(s, SGDR_EMAGIC, "not a libsgdr state blob: it starts with bytes %s "
                         "instead of \"SGDRSTAT\"", hex);
    }
    if (len < HEADER_SIZE)
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: %llu of at least %llu bytes "
                         "(shorter than the %llu-byte header)", (unsigned long long)len,
                         (unsigned long long)SIZE_1_0, (unsigned long long)HEADER_SIZE);
    major = (unsigned)get_le(b + OFF_MAJOR, 2);
    *minor = (unsigned)get_le(b + OFF_MINOR, 2);
    if (major > 1)
        return sgdr_fail(s, SGDR_EVERSION, "state blob has format %llu.%llu, a newer major "
                         "version than this library reads (1.x): load it with a libsgdr that "
                         "reads format %llu", (unsigned long long)major,
                         (unsigned long long)*minor, (unsigned long long)major);
    if (major < 1)
        return sgdr_fail(s, SGDR_EVERSION, "state blob has format %llu.%llu, which no libsgdr "
                         "writes (this library reads 1.x)", (unsigned long long)major,
                         (unsigned long long)*minor);
    total = (uint32_t)get_le(b + OFF_TOTAL, 4);
    if (len < total)
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: %llu of %llu bytes",
                         (unsigned long long)len, (unsigned long long)total);
    if (len > total)
        return CORRUPT(s, "%llu bytes given but its header says %llu (pass exactly the bytes "
                       "sgdr_save_state wrote)", (unsigned long long)len,
                       (unsigned long long)total);
    /* A newer minor appends fields before the checksum; 1.0 is exactly 188 bytes. */
    if (total < SIZE_1_0 || (*minor == 0 && total != SIZE_1_0))
        return bad_size(s, total, *minor, SIZE_1_0);
    stored = (uint32_t)get_le(b + total - 4, 4);
    computed = sgdr_crc32c(b, total - 4);
    if (stored != computed)
        return sgdr_fail(s, SGDR_ECHECKSUM, "state blob checksum mismatch: stored 0x%08x, "
                         "computed 0x%08x: the blob is corrupt", (unsigned)stored,
                         (unsigned)computed);
    /* 1.1 and later hold cycle_warmup_steps. */
    if (*minor > 0 && total < SIZE_1_1) return bad_size(s, total, *minor, SIZE_1_1);
    return SGDR_OK;
}

/* ---- the fields ---- */

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

/* The byte-sized fields: flags 0 or 1, known enum values, reserved bytes zero (byte 94 of
 * a 1.1 blob holds FLAGS_WARMUP). */
static sgdr_status check_bytes(const sgdr_scheduler *s, const unsigned char *b, unsigned minor)
{
    const struct { /* not static: param_at[...] is not a constant expression in C */
        int offset, max;
        const char *name;
    } field[] = {{param_at[SGDR_PARAM_RESTART_MODE], 1, "restart_mode byte"},
                 {param_at[SGDR_PARAM_RESTORE_AT_END], 1, "restore_at_end byte"},
                 {param_at[SGDR_PARAM_HISTORY], 1, "history byte"},
                 {OFF_SET, 7, "set-parameter mask"},
                 {OFF_RUNNING, 1, "running byte"}, {OFF_PHASE, SGDR_PHASE_HOLD, "phase byte"},
                 {OFF_FLAGS, 0, "reserved byte 94"}, {OFF_RESERVED, 0, "reserved byte 95"}};
    size_t i;
    for (i = 0; i < sizeof field / sizeof field[0]; i++) {
        int max = field[i].offset == OFF_FLAGS && minor > 0 ? (int)FLAGS_WARMUP : field[i].max;
        if (b[field[i].offset] > max)
            return CORRUPT(s, "%s (%llu)", field[i].name, (unsigned long long)b[field[i].offset]);
    }
    return SGDR_OK;
}

/* The configuration: every set parameter by the rules of sgdr_set_param; the required ones
 * that are unset hold no value; a running blob passes the whole sgdr_config_check, as
 * on_train_begin required when that run began. */
static sgdr_status check_config(const sgdr_scheduler *s, const sgdr_config *c, int running)
{
    char msg[SGDR_MSG_CAP];
    sgdr_config probe, held = *c;
    int i;
    held.set = ~0u; /* sgdr_config_get(&held) reads what a field holds, set or not */
    if (!canonical(c->min_lr) || !canonical(c->max_lr))
        return CORRUPT(s, "%s holds a NaN other than 0x7ff8000000000000",
                       canonical(c->min_lr) ? "max_lr" : "min_lr");
    sgdr_config_defaults(&probe);
    for (i = 1; i <= SGDR_PARAM_LAST; i++) {
        const sgdr_param_info *r = sgdr_param_row(i);
        double v = sgdr_config_get(&held, r);
        if (r->required && !(c->set & (1u << (i - 1)))) {
            if (r->kind == SGDR_KIND_REAL ? isnan(v) : v == 0) continue;
            return CORRUPT(s, "%s is marked unset but holds %g", r->name, v);
        }
        if (sgdr_config_set(&probe, (sgdr_param)i, v, msg, sizeof msg))
            return CORRUPT(s, "%s", msg);
    }
    if (running && sgdr_config_check(c, msg, sizeof msg) != SGDR_OK)
        return CORRUPT(s, "a running state with an invalid configuration: %s", msg);
    return SGDR_OK;
}

/* What holds for the counters of any scheduler, running or not, whatever its configuration
 * has become since: they only ever count up together, from those of sgdr_create. */
static sgdr_status check_counters(const sgdr_scheduler *s, const sgdr_state *f)
{
    const sgdr_position *p = &f->at;
    size_t i;
    if (isnan(f->lr)) { /* never started */
        if (!canonical(f->lr))
            return CORRUPT(s, "the learning rate holds a NaN other than 0x7ff8000000000000");
        if (f->running) return CORRUPT(s, "a running state without a learning rate (1)");
        if (p->phase != 0) return CORRUPT(s, "a state that never started has phase (1)");
        for (i = 0; i < RUN_FIELDS; i++) {
            const char *field = (const char *)f + run_field[i].member;
            if (run_field[i].member == offsetof(sgdr_state, lr) || bits_of(field, 0) == 0)
                continue;
            if (run_field[i].real)
                return CORRUPT(s, "a state that never started has %s (%g)", run_field[i].name,
                               *(const double *)(const void *)field);
            return CORRUPT(s, "a state that never started has %s (%llu)", run_field[i].name,
                           (unsigned long long)bits_of(field, 0));
        }
        return SGDR_OK;
    }
    if (!(isfinite(f->lr) && f->lr >= 0))
        return CORRUPT(s, "learning rate is not finite and >= 0 (%g)", f->lr);
    if (!(isfinite(p->peak) && p->peak >= 0))
        return CORRUPT(s, "peak is not finite and >= 0 (%g)", p->peak);
    if (p->batch_in_epoch > p->pos)
        return CORRUPT(s, "batch in epoch (%llu) exceeds position in cycle (%llu)",
                       (unsigned long long)p->batch_in_epoch, (unsigned long long)p->pos);
    if (f->snapshots > p->cycle)
        return CORRUPT(s, "snapshots (%llu) exceed closed cycles (%llu)",
                       (unsigned long long)f->snapshots, (unsigned long long)p->cycle);
    if (f->snapshots == 0 && f->last_snapshot != 0)
        return CORRUPT(s, "last snapshot cycle with no snapshot taken (%llu)",
                       (unsigned long long)f->last_snapshot);
    if (f->snapshots > 0 && (f->last_snapshot >= p->cycle || f->last_snapshot < f->snapshots - 1))
        return CORRUPT(s, "last snapshot cycle (%llu) does not fit snapshots (%llu)",
                       (unsigned long long)f->last_snapshot, (unsigned long long)f->snapshots);
    if (p->epoch == UINT64_MAX)
        return CORRUPT(s, "epoch count past its limit (%llu)", (unsigned long long)p->epoch);
    return SGDR_OK;
}

/* |got - want| within LIBM_TOLERANCE of the scale max(max_lr, |want|). */
static int close_to(const sgdr_config *c, double got, double want)
{
    double scale = fabs(want) > c->max_lr ? fabs(want) : c->max_lr;
    return isfinite(got) && fabs(got - want) <= LIBM_TOLERANCE * scale;
}

/* A running state: its phase, cycle, cycle length and end, peak and learning rate are what
 * the configuration and the epoch count give (restarts happen only at epoch ends, so the
 * epoch alone decides the cycle, however many batches each epoch had). *want is the state
 * as this library would have saved it; where the format allows the writer's libm its last
 * bits (the peak of a cycle after the first, the learning rate), a close value is kept. */
static sgdr_status check_run(const sgdr_scheduler *s, const sgdr_state *f, sgdr_state *want)
{
    const sgdr_config *c = &f->config;
    const sgdr_position *p = &f->at, *w = &want->at;
    sgdr_config by_epoch = *c;
    static const char *const name[] = {"phase", "cycle", "cycle length", "cycle end"};
    uint64_t got[4], exp[4], phase_epochs;
    size_t i;
    by_epoch.steps_per_epoch = 1; /* a step is then an epoch count */
    sgdr_position_at(&by_epoch, p->epoch, &want->at);
    phase_epochs = w->pos;
    want->at.step = p->step; /* the epoch is p->epoch already */
    want->at.batch_in_epoch = p->batch_in_epoch;
    want->at.pos = p->pos;
    got[0] = (uint64_t)p->phase, got[1] = p->cycle, got[2] = p->cycle_length, got[3] = p->cycle_end;
    exp[0] = (uint64_t)w->phase, exp[1] = w->cycle, exp[2] = w->cycle_length, exp[3] = w->cycle_end;
    for (i = 0; i < 4; i++)
        if (got[i] != exp[i])
            return CORRUPT(s, "%s is %llu but %s %llu gives %llu", name[i],
                           (unsigned long long)got[i], i < 2 ? "epoch" : "cycle",
                           (unsigned long long)(i < 2 ? p->epoch : p->cycle),
                           (unsigned long long)exp[i]);
    if (w->phase == SGDR_PHASE_CYCLE && w->cycle > 0 && close_to(c, p->peak, w->peak))
        want->at.peak = p->peak;
    if (!same_bits(p->peak, w->peak))
        return CORRUPT(s, "peak is %g but its position gives %g", p->peak, w->peak);
    /* In the first epoch of a phase every batch of the phase is one of this epoch. (The
     * position is not compared with the step: a change of steps_per_epoch during the run
     * moves it to where a run with the new value would be, and the step keeps counting.) */
    if (phase_epochs == 0 && p->pos != p->batch_in_epoch)
        return CORRUPT(s, "position in cycle (%llu) differs from batch in epoch (%llu) in the "
                       "first epoch of its phase", (unsigned long long)p->pos,
                       (unsigned long long)p->batch_in_epoch);
    if (c->restart_mode == SGDR_RESTART_KERAS_SEED && p->pos == 0 && p->cycle > 0) {
        /* keras-seed carries the last value of an earlier cycle into a restart: it lies
         * between min_lr and the peaks of the cycles before (max_lr ... P[k-1]). */
        double prev = sgdr_cycle_peak(c, p->cycle - 1);
        double lo = prev < c->min_lr ? prev : c->min_lr, hi = prev > c->max_lr ? prev : c->max_lr;
        if (!(f->lr >= lo - LIBM_TOLERANCE * hi && f->lr <= hi + LIBM_TOLERANCE * hi))
            return CORRUPT(s, "learning rate at a keras-seed restart is outside the range of "
                           "the cycles before (%g)", f->lr);
        return SGDR_OK;
    }
    want->lr = sgdr_phase_lr(c, w, w->pos);
    if (close_to(c, f->lr, want->lr)) want->lr = f->lr;
    if (!same_bits(f->lr, want->lr))
        return CORRUPT(s, "learning rate is %g but its position gives %g", f->lr, want->lr);
    return SGDR_OK;
}

sgdr_status sgdr_load_state(sgdr_scheduler *s, const void *buf, size_t len)
{
    const unsigned char *b = buf;
    unsigned char again[BODY_END_1_1];
    sgdr_state f, want;
    unsigned minor = 0;
    size_t body_end, i;
    sgdr_status st;

    if (s == NULL) return SGDR_ENULL;
    if (s->in_hook)
        return sgdr_fail(s, SGDR_EORDER, "sgdr_load_state called from inside one of the same "
                         "scheduler's hooks");
    if (b == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_load_state: buf is NULL");
    if ((st = check_frame(s, b, len, &minor)) != SGDR_OK) return st;
    /* Fields a newer minor appended after those this library knows are skipped. */
    body_end = minor == 0 ? BODY_END_1_0 : BODY_END_1_1;
    if ((st = check_bytes(s, b, minor)) != SGDR_OK) return st;
    decode(b, body_end, &f);
    if ((st = check_config(s, &f.config, f.running)) != SGDR_OK) return st;
    if (minor > 0 && (b[OFF_FLAGS] != 0) != (f.config.cycle_warmup_steps != 0))
        return CORRUPT(s, "flags byte 94 (%llu) does not match cycle_warmup_steps (%llu)",
                       (unsigned long long)b[OFF_FLAGS],
                       (unsigned long long)f.config.cycle_warmup_steps);
    if ((st = check_counters(s, &f)) != SGDR_OK) return st;
    want = f;
    if (f.running && (st = check_run(s, &f, &want)) != SGDR_OK) return st;
    /* The round trip: what is accepted saves back to the same bytes. */
    encode_body(&want, again, body_end);
    for (i = HEADER_SIZE; i < body_end; i++)
        if (again[i] != b[i])
            return CORRUPT(s, "the byte at this offset does not save back (%llu)",
                           (unsigned long long)i);

    /* Everything checked: replace. */
    s->st = f;
    s->resumable = f.running;
    sgdr_history_clear(&s->history, &s->allocator, f.at.step);
    return SGDR_OK;
}
