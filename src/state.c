/* state.c -- sgdr_save_state / sgdr_load_state: the checkpoint blob.
 *
 * The layout is documented byte by byte in docs/STATE_FORMAT.md. Every field is written
 * and read one at a time in little-endian order, never by copying a struct, so neither the
 * host's byte order nor its struct padding leaks into the format. A load decodes into a
 * scratch scheduler state, validates all of it, and only then replaces the live one. */
#include <math.h>
#include <string.h>

#include "crc32c.h"
#include "numfmt.h"
#include "scheduler.h"

#define MAGIC "SGDRSTAT"
#define FORMAT_MAJOR 1
#define FORMAT_MINOR 0
#define HEADER_SIZE 16   /* magic, major, minor, total length */
#define BODY_END_1_0 184 /* end of the fields of format 1.0 */
#define BLOB_SIZE_1_0 (BODY_END_1_0 + 4)

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
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits); /* IEEE-754 binary64 bits, then little-endian */
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

/* ---- the fields of format 1.0, in order ---- */

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
    memcpy(b, MAGIC, 8);
    put_u16(b + 8, FORMAT_MAJOR);
    put_u16(b + 10, FORMAT_MINOR);
    put_u32(b + 12, BLOB_SIZE_1_0);
    put_f64(b + 16, c->min_lr);
    put_f64(b + 24, c->max_lr);
    put_f64(b + 32, c->lr_decay);
    put_f64(b + 40, c->mult_factor);
    put_f64(b + 48, c->warmup_start_lr);
    put_u64(b + 56, c->steps_per_epoch);
    put_u64(b + 64, c->cycle_length);
    put_u64(b + 72, c->warmup_epochs);
    put_u64(b + 80, c->max_cycles);
    b[88] = (unsigned char)c->restart_mode;
    b[89] = (unsigned char)c->restore_at_end;
    b[90] = (unsigned char)c->history;
    b[91] = (unsigned char)c->set;
    b[92] = (unsigned char)f->running;
    b[93] = (unsigned char)f->at.phase;
    /* b[94], b[95]: reserved, zero */
    put_u64(b + 96, f->at.step);
    put_u64(b + 104, f->at.epoch);
    put_u64(b + 112, f->at.batch_in_epoch);
    put_u64(b + 120, f->at.cycle);
    put_u64(b + 128, f->at.cycle_length);
    put_u64(b + 136, f->at.cycle_end);
    put_u64(b + 144, f->at.pos);
    put_f64(b + 152, f->at.peak);
    put_f64(b + 160, f->lr);
    put_u64(b + 168, f->snapshots);
    put_u64(b + 176, f->last_snapshot);
    put_u32(b + BODY_END_1_0, sgdr_crc32c(b, BODY_END_1_0));
}

static void decode(const unsigned char *b, state_fields *f)
{
    sgdr_config *c = &f->config;
    c->min_lr = get_f64(b + 16);
    c->max_lr = get_f64(b + 24);
    c->lr_decay = get_f64(b + 32);
    c->mult_factor = get_f64(b + 40);
    c->warmup_start_lr = get_f64(b + 48);
    c->steps_per_epoch = get_u64(b + 56);
    c->cycle_length = get_u64(b + 64);
    c->warmup_epochs = get_u64(b + 72);
    c->max_cycles = get_u64(b + 80);
    c->restart_mode = b[88];
    c->restore_at_end = b[89];
    c->history = b[90];
    c->set = b[91];
    f->running = b[92];
    f->at.phase = b[93];
    f->at.step = get_u64(b + 96);
    f->at.epoch = get_u64(b + 104);
    f->at.batch_in_epoch = get_u64(b + 112);
    f->at.cycle = get_u64(b + 120);
    f->at.cycle_length = get_u64(b + 128);
    f->at.cycle_end = get_u64(b + 136);
    f->at.pos = get_u64(b + 144);
    f->at.peak = get_f64(b + 152);
    f->lr = get_f64(b + 160);
    f->snapshots = get_u64(b + 168);
    f->last_snapshot = get_u64(b + 176);
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

/* ---- validation of decoded fields ---- */

static sgdr_status corrupt(const sgdr_scheduler *s, const char *what, uint64_t value)
{
    char num[SGDR_NUMFMT_CAP];
    sgdr_u64fmt(num, value);
    return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", what, " (", num, ")",
                     NULL);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The configuration: every set parameter by the rules of sgdr_set_param, the required ones
 * that are unset read NaN (steps_per_epoch 0); a running blob passes sgdr_config_check. */
static sgdr_status check_config(const sgdr_scheduler *s, const sgdr_config *c, int running)
{
    static const unsigned bit[] = {SGDR_SET_MIN_LR, SGDR_SET_MAX_LR, SGDR_SET_STEPS};
    char msg[SGDR_MSG_CAP];
    sgdr_config probe;
    int i;
    if (c->set > 7u) return corrupt(s, "unknown bits in the set-parameter mask", c->set);
    sgdr_config_defaults(&probe);
    for (i = SGDR_PARAM_MIN_LR; i <= SGDR_PARAM_HISTORY; i++) {
        double v = 0;
        sgdr_config_get(c, (sgdr_param)i, &v);
        if (i <= SGDR_PARAM_STEPS_PER_EPOCH && !(c->set & bit[i - 1])) {
            if (i == SGDR_PARAM_STEPS_PER_EPOCH ? c->steps_per_epoch != 0 : !isnan(v))
                return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ",
                                 sgdr_param_name((sgdr_param)i),
                                 " is marked unset but holds a value", NULL);
            continue;
        }
        if (sgdr_config_set(&probe, (sgdr_param)i, v, msg, sizeof msg) != SGDR_OK)
            return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", msg, NULL);
    }
    if (running && sgdr_config_check(c, msg, sizeof msg) != SGDR_OK)
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", msg, NULL);
    return SGDR_OK;
}

/* The run's counters: within the cycle they claim, and the lr that position trains at. */
static sgdr_status check_run(const sgdr_scheduler *s, const state_fields *f,
                             const sgdr_cycle_table *t)
{
    const sgdr_config *c = &f->config;
    const sgdr_position *p = &f->at;
    if (f->running > 1) return corrupt(s, "running flag", (uint64_t)f->running);
    if (!(isnan(f->lr) && !f->running) && !(isfinite(f->lr) && f->lr >= 0))
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: learning rate is not "
                         "finite and >= 0", NULL);
    /* Between runs the counters only report the last run (the configuration may have
     * changed since), and on_train_begin resets them: nothing more to hold them to. */
    if (!f->running) return SGDR_OK;
    if (p->batch_in_epoch > p->step) return corrupt(s, "batch in epoch beyond step", p->batch_in_epoch);
    if (p->pos > p->step) return corrupt(s, "position in cycle beyond step", p->pos);
    if (p->epoch >= p->cycle_end) return corrupt(s, "epoch past the end of its cycle", p->epoch);
    switch (p->phase) {
    case SGDR_PHASE_WARMUP:
        if (c->warmup_epochs == 0 || p->cycle != 0 || p->cycle_length != c->warmup_epochs ||
            p->cycle_end != c->warmup_epochs || !same_bits(p->peak, c->max_lr))
            return corrupt(s, "warm-up counters", p->cycle_end);
        break;
    case SGDR_PHASE_CYCLE: {
        uint64_t start;
        if (c->max_cycles != 0 && p->cycle >= c->max_cycles)
            return corrupt(s, "cycle at or past max_cycles", p->cycle);
        if (p->cycle < t->count ? p->cycle_length != t->length[p->cycle]
                                : p->cycle_length < t->length[t->count - 1])
            return corrupt(s, "cycle length for its cycle", p->cycle_length);
        if (p->cycle_end < p->cycle_length || p->cycle_end - p->cycle_length < c->warmup_epochs)
            return corrupt(s, "cycle end", p->cycle_end);
        start = p->cycle_end - p->cycle_length - c->warmup_epochs;
        if (p->cycle < t->count && start != t->start[p->cycle] &&
            p->cycle_length != SGDR_CYCLE_FOREVER)
            return corrupt(s, "cycle start for its cycle", start);
        if (!same_bits(p->peak, sgdr_cycle_peak(c, p->cycle)))
            return corrupt(s, "peak for its cycle", p->cycle);
        break;
    }
    case SGDR_PHASE_HOLD:
        if (c->max_cycles == 0 || p->cycle != c->max_cycles ||
            p->cycle_length != SGDR_CYCLE_FOREVER || p->cycle_end != UINT64_MAX ||
            !same_bits(p->peak, c->min_lr))
            return corrupt(s, "hold counters", p->cycle);
        break;
    default:
        return corrupt(s, "phase", (uint64_t)p->phase);
    }
    if (f->snapshots > p->cycle) return corrupt(s, "more snapshots than closed cycles", f->snapshots);
    if (f->snapshots == 0 ? f->last_snapshot != 0 : f->last_snapshot >= p->cycle)
        return corrupt(s, "last snapshot cycle", f->last_snapshot);
    /* Peak mode always trains at the position's own value; so does keras-seed, except that
     * the first batch of a later cycle carries the previous cycle's last value. */
    if ((c->restart_mode == SGDR_RESTART_PEAK || p->pos != 0 || p->cycle == 0) &&
        !same_bits(f->lr, sgdr_position_lr(c, p)))
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: learning rate does not "
                         "match the position", NULL);
    return SGDR_OK;
}

sgdr_status sgdr_load_state(sgdr_scheduler *s, const void *buf, size_t len)
{
    const unsigned char *b = buf;
    char a[SGDR_NUMFMT_CAP], n[SGDR_NUMFMT_CAP];
    state_fields f;
    sgdr_cycle_table table;
    uint32_t total;
    uint16_t major, minor;
    sgdr_status st;

    if (s == NULL) return SGDR_ENULL;
    if (b == NULL) return sgdr_fail(s, SGDR_ENULL, "sgdr_load_state: buf is NULL", NULL);
    if (len < HEADER_SIZE) {
        sgdr_u64fmt(a, len);
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: ", a,
                         " bytes, shorter than the 16-byte header", NULL);
    }
    if (memcmp(b, MAGIC, 8) != 0)
        return sgdr_fail(s, SGDR_EMAGIC, "not a libsgdr state blob: the first 8 bytes are not "
                         "\"SGDRSTAT\"", NULL);
    major = get_u16(b + 8);
    minor = get_u16(b + 10);
    total = get_u32(b + 12);
    if (major != FORMAT_MAJOR) {
        sgdr_u64fmt(a, major);
        sgdr_u64fmt(n, minor);
        return sgdr_fail(s, SGDR_EVERSION, "state format ", a, ".", n,
                         " is not readable by this library, which reads format 1.x",
                         major > FORMAT_MAJOR ? ": upgrade libsgdr" : "", NULL);
    }
    if (len < total) {
        sgdr_u64fmt(a, len);
        sgdr_u64fmt(n, total);
        return sgdr_fail(s, SGDR_ETRUNCATED, "state blob truncated: ", a, " of ", n, " bytes",
                         NULL);
    }
    if (len > total) {
        sgdr_u64fmt(a, len);
        sgdr_u64fmt(n, total);
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: ", a,
                         " bytes given but the header says ", n, NULL);
    }
    /* A newer minor version appends fields before the checksum; 1.0 must be exact. */
    if (total < BLOB_SIZE_1_0 || (minor == 0 && total != BLOB_SIZE_1_0)) {
        sgdr_u64fmt(a, total);
        return sgdr_fail(s, SGDR_ECORRUPT, "state blob inconsistent: length ", a,
                         " does not fit format 1.", minor == 0 ? "0" : "x", NULL);
    }
    if (get_u32(b + total - 4) != sgdr_crc32c(b, total - 4))
        return sgdr_fail(s, SGDR_ECHECKSUM, "state blob checksum mismatch: the blob is "
                         "corrupt", NULL);
    if (b[94] != 0 || b[95] != 0) return corrupt(s, "reserved bytes are not zero", b[94]);

    memset(&f, 0, sizeof f);
    decode(b, &f);
    if (f.config.restart_mode > 1 || f.config.restore_at_end > 1 || f.config.history > 1)
        return corrupt(s, "flag byte out of range", (uint64_t)f.config.restart_mode);
    if ((st = check_config(s, &f.config, f.running)) != SGDR_OK) return st;
    sgdr_cycle_table_build(&f.config, &table);
    if ((st = check_run(s, &f, &table)) != SGDR_OK) return st;

    /* Everything checked: replace. */
    s->config = f.config;
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
