/* SPDX-License-Identifier: MIT */
/* fuzz_api.c -- libFuzzer target: random sequences of API calls.
 *
 * The input is read as a program: each operation is one byte (its kind) followed by the
 * bytes of its arguments (reading past the end gives zeros). Operations: set_param with odd
 * values (NaN, infinities, negative zero, huge, subnormal, just above 1, unknown ids), the
 * four callbacks in any order with any metrics and epoch indices, hooks switched on and off
 * and made to fail, save/load round trips, loads of mutated blobs, sgdr_lr_at at random
 * steps, and the read-only getters.
 *
 * Invariants checked after every operation (a failed check aborts):
 * - a failed call leaves the scheduler as it was: saved bytes, learning rate, progress;
 * - every learning rate handed to set_lr, returned by sgdr_lr_at, or reported by sgdr_lr
 *   during a run is finite and >= 0;
 * - the saved state always loads into a fresh scheduler and saves back to the same bytes;
 * - a twin loaded from a saved state at a random point and then given the same operations
 *   behaves identically: the same statuses, the same saved bytes after every operation,
 *   the same hook calls with the same values (the twin's history starts empty, so history
 *   reads are compared on the original only).
 * The harness models when on_train_begin resumes (after a load of a running state, before
 * the run moves) to keep the twin in step. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "handle.h" /* sgdr_crc32c */
#include "fuzz_common.h"
#include "sgdr.h"

/* ---- reading the input ---- */

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t take8(reader *r)
{
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static uint64_t take64(reader *r)
{
    uint64_t v = 0;
    int i;
    for (i = 0; i < 8; i++) v = (v << 8) | take8(r);
    return v;
}

/* A parameter value: one of the values that break naive code, or 8 raw bytes. */
static double odd_value(reader *r)
{
    static const double odd[] = {
        0.0, -0.0, 1.0, 2.0, 3.0, 0.5, 1.5, 10.0, 100.0, 0.1, 1e-5, 1e-3, 7.0, 2.5,
        1.0000000000000002, 0.9999999999999999, 1.001, 1e-300, 1e300, DBL_MAX, DBL_MIN,
        4.9406564584124654e-324, -1.0, 4294967295.0, 4294967296.0, 9007199254740993.0,
        NAN, -NAN, INFINITY, -INFINITY, 1e-9, 0.3};
    uint8_t pick = take8(r);
    uint64_t bits;
    double v;
    if (pick < 2 * sizeof odd / sizeof odd[0]) return odd[pick % (sizeof odd / sizeof odd[0])];
    if (pick < 240) return (double)(pick - 64); /* small integers, negative ones too */
    bits = take64(r);
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* ---- the schedulers ---- */

typedef struct side {
    sgdr_scheduler *s;
    fuzz_host h;
    int resumable; /* the harness's model: on_train_begin would resume */
} side;

typedef struct world {
    side a, twin;
    int has_twin;
    uint8_t hook_mask; /* the hooks registered: get_lr, set_lr, snapshot, restore */
} world;

static uint64_t progress(const sgdr_scheduler *s, sgdr_progress what)
{
    uint64_t v = 0;
    CHECK(sgdr_get_progress(s, what, &v) == SGDR_OK);
    return v;
}

/* What holds for any scheduler at any time. */
static void check_invariants(const sgdr_scheduler *s)
{
    uint64_t running = progress(s, SGDR_PROGRESS_RUNNING);
    double lr = sgdr_lr(s);
    CHECK(running <= 1);
    CHECK(progress(s, SGDR_PROGRESS_PHASE) <= SGDR_PHASE_HOLD);
    /* Not the step: after steps_per_epoch grows mid-epoch the batch in the epoch counts in
     * the new epoch's batches, the step in batches trained. */
    CHECK(progress(s, SGDR_PROGRESS_BATCH_IN_EPOCH) <= progress(s, SGDR_PROGRESS_CYCLE_POSITION));
    if (running) CHECK(isfinite(lr) && lr >= 0);
    else CHECK(isnan(lr) || (isfinite(lr) && lr >= 0));
    CHECK(sgdr_last_error(s) != NULL);
}

/* A mutating call on one side: a failure must change nothing. */
typedef sgdr_status (*call_fn)(side *x, const void *args);

static sgdr_status guarded(side *x, call_fn call, const void *args)
{
    fuzz_view before, after;
    sgdr_status st;
    fuzz_view_take(x->s, &before);
    st = call(x, args);
    if (st != SGDR_OK) {
        fuzz_view_take(x->s, &after);
        CHECK(fuzz_view_same(&before, &after));
        CHECK(sgdr_last_error(x->s)[0] != '\0');
    }
    check_invariants(x->s);
    return st;
}

/* Run a call on the scheduler and its twin: the same status, the same hook calls. */
static sgdr_status both(world *w, call_fn call, const void *args)
{
    sgdr_status st, st2;
    size_t i;
    w->a.h.n = 0;
    st = guarded(&w->a, call, args);
    if (!w->has_twin) return st;
    w->twin.h.n = 0;
    st2 = guarded(&w->twin, call, args);
    CHECK(st == st2);
    CHECK(w->a.h.n == w->twin.h.n);
    for (i = 0; i < w->a.h.n && i < FUZZ_EVENTS; i++) {
        CHECK(w->a.h.ev[i].kind == w->twin.h.ev[i].kind);
        CHECK(memcmp(&w->a.h.ev[i].value, &w->twin.h.ev[i].value, sizeof(double)) == 0);
    }
    return st;
}

/* ---- operations ---- */

typedef struct param_args {
    int p;
    double v;
} param_args;

static sgdr_status do_set_param(side *x, const void *args)
{
    const param_args *a = args;
    sgdr_status st = sgdr_set_param(x->s, (sgdr_param)a->p, a->v);
    /* steps_per_epoch during a run also checks the configuration and calls set_lr */
    CHECK(st == SGDR_OK || st == SGDR_EBADPARAM || st == SGDR_EVALUE || st == SGDR_EORDER ||
          (a->p == SGDR_PARAM_STEPS_PER_EPOCH &&
           (st == SGDR_ECONFIG || st == SGDR_EHOOK_SET_LR)));
    return st;
}

static sgdr_status do_begin(side *x, const void *args)
{
    sgdr_status st = sgdr_on_train_begin(x->s);
    (void)args;
    if (st == SGDR_OK) x->resumable = 0;
    return st;
}

typedef struct batch_args {
    uint64_t batch;
    int metrics;
} batch_args;

static sgdr_status do_batch(side *x, const void *args)
{
    static const sgdr_metric one[] = {{"loss", 0.25}};
    static const sgdr_metric two[] = {{"acc", 0.5}, {"loss", NAN}};
    static const sgdr_metric twice[] = {{"loss", 1.0}, {"loss", 2.0}};
    static const sgdr_metric unnamed[] = {{"x", 1.0}, {NULL, 1.0}};
    static const sgdr_metric empty[] = {{"", 1.0}};
    const batch_args *a = args;
    sgdr_status st;
    switch (a->metrics % 7) {
    case 0: st = sgdr_on_batch_end(x->s, a->batch, NULL, 0); break;
    case 1: st = sgdr_on_batch_end(x->s, a->batch, one, 1); break;
    case 2: st = sgdr_on_batch_end(x->s, a->batch, two, 2); break;
    case 3: st = sgdr_on_batch_end(x->s, a->batch, twice, 2); break;
    case 4: st = sgdr_on_batch_end(x->s, a->batch, unnamed, 2); break;
    case 5: st = sgdr_on_batch_end(x->s, a->batch, empty, 1); break;
    default: st = sgdr_on_batch_end(x->s, a->batch, NULL, 3); break;
    }
    if (st == SGDR_OK) x->resumable = 0;
    return st;
}

static sgdr_status do_epoch(side *x, const void *args)
{
    const int8_t *delta = args; /* 0 most of the time: the right epoch */
    uint64_t epoch = progress(x->s, SGDR_PROGRESS_EPOCH) + (uint64_t)(int64_t)*delta;
    sgdr_status st = sgdr_on_epoch_end(x->s, epoch, NULL, 0);
    if (*delta != 0 && progress(x->s, SGDR_PROGRESS_RUNNING)) CHECK(st == SGDR_EEPOCH);
    if (st == SGDR_OK) x->resumable = 0;
    return st;
}

static sgdr_status do_end(side *x, const void *args)
{
    sgdr_status st = sgdr_on_train_end(x->s, NULL, 0);
    (void)args;
    if (st == SGDR_OK) x->resumable = 0;
    return st;
}

typedef struct hook_args {
    uint8_t mask;
} hook_args;

static sgdr_status do_hooks(side *x, const void *args)
{
    const hook_args *a = args;
    sgdr_set_lr_hooks(x->s, (a->mask & 1) ? fuzz_get_lr : NULL, (a->mask & 2) ? fuzz_set_lr : NULL,
                      &x->h);
    sgdr_set_weight_hooks(x->s, (a->mask & 4) ? fuzz_snapshot : NULL,
                          (a->mask & 8) ? fuzz_restore : NULL, &x->h);
    return SGDR_OK;
}

typedef struct load_args {
    const unsigned char *blob;
    size_t len;
} load_args;

static sgdr_status do_load(side *x, const void *args)
{
    const load_args *a = args;
    sgdr_status st = sgdr_load_state(x->s, a->blob, a->len);
    if (st == SGDR_OK) x->resumable = (int)progress(x->s, SGDR_PROGRESS_RUNNING);
    return st;
}

/* Load a mutated copy of the scheduler's own state: flips, a cut, a fixed checksum. */
static void op_load_mutated(world *w, reader *r)
{
    unsigned char blob[FUZZ_STATE_CAP];
    load_args a;
    size_t len = 0;
    int flips = take8(r) % 4, i;
    uint8_t how = take8(r);
    CHECK(sgdr_save_state(w->a.s, blob, sizeof blob, &len) == SGDR_OK);
    for (i = 0; i < flips; i++) {
        size_t at = take8(r) % len;
        blob[at] ^= take8(r);
    }
    if (how & 1) len = take8(r) % (len + 1);
    if ((how & 2) && len >= 20) {
        uint32_t crc = sgdr_crc32c(blob, len - 4);
        for (i = 0; i < 4; i++) blob[len - 4 + i] = (unsigned char)(crc >> (8 * i));
    }
    a.blob = blob;
    a.len = len;
    both(w, do_load, &a);
}

/* Load the scheduler's own state back into it (and the twin): always accepted. */
static void op_reload(world *w)
{
    unsigned char blob[FUZZ_STATE_CAP];
    load_args a;
    size_t len = 0;
    CHECK(sgdr_save_state(w->a.s, blob, sizeof blob, &len) == SGDR_OK);
    a.blob = blob;
    a.len = len;
    CHECK(both(w, do_load, &a) == SGDR_OK);
}

/* Make the twin: a fresh scheduler with the original's hooks, loaded from its saved state,
 * and resumed the way the host would if the original is past its own resume point. */
static void op_twin(world *w)
{
    unsigned char blob[FUZZ_STATE_CAP];
    size_t len = 0;
    hook_args hooks;
    if (w->has_twin) sgdr_destroy(w->twin.s);
    w->twin.s = fuzz_fresh_scheduler(&w->twin.h);
    w->has_twin = 1;
    hooks.mask = w->hook_mask;
    do_hooks(&w->twin, &hooks);
    CHECK(sgdr_save_state(w->a.s, blob, sizeof blob, &len) == SGDR_OK);
    CHECK(sgdr_load_state(w->twin.s, blob, len) == SGDR_OK);
    w->twin.resumable = (int)progress(w->twin.s, SGDR_PROGRESS_RUNNING);
    if (w->twin.resumable && !w->a.resumable) {
        double lr = sgdr_lr(w->a.s);
        CHECK(sgdr_on_train_begin(w->twin.s) == SGDR_OK);
        if (w->hook_mask & 2) CHECK(memcmp(&w->twin.h.lr, &lr, sizeof lr) == 0);
        w->twin.resumable = 0;
    }
    w->twin.h.fail = w->a.h.fail; /* failures from now on, as the original's */
    fuzz_check_round_trip(w->twin.s);
}

/* sgdr_lr_at at a random step. For mult_factor within a few 1e-5 of 1 its checkpoints
 * stop short of 2^64 epochs and it steps cycle by cycle past the last one: about a minute
 * at step 2^64 for 1 + 2^-52. Below 1.001 the step is kept under 2^44 (well under 0.1 s)
 * so that one input cannot stall the run; that cost is known, not a finding. */
static void op_lr_at(world *w, reader *r)
{
    unsigned bits = take8(r) % 65;
    uint64_t step = take64(r);
    double mult = 0, lr = NAN, lr2 = NAN;
    sgdr_status st;
    CHECK(sgdr_get_param(w->a.s, SGDR_PARAM_MULT_FACTOR, &mult) == SGDR_OK);
    if (mult > 1 && mult < 1.001 && bits > 44) bits = 44;
    if (bits < 64) step &= ((uint64_t)1 << bits) - 1;
    st = sgdr_lr_at(w->a.s, step, &lr);
    if (st == SGDR_OK) CHECK(isfinite(lr) && lr >= 0);
    else CHECK(st == SGDR_ECONFIG || st == SGDR_EVALUE);
    if (w->has_twin) {
        CHECK(sgdr_lr_at(w->twin.s, step, &lr2) == st);
        if (st == SGDR_OK) CHECK(memcmp(&lr, &lr2, sizeof lr) == 0);
    }
}

/* Save into a buffer too small: refused, nothing written, the size reported. */
static void op_save_small(world *w, reader *r)
{
    unsigned char buf[FUZZ_STATE_CAP];
    size_t cap = take8(r) % 200, len = 0, need = 0, i;
    sgdr_status st;
    CHECK(sgdr_save_state(w->a.s, NULL, 0, &need) == SGDR_OK);
    memset(buf, 0x5A, sizeof buf);
    st = sgdr_save_state(w->a.s, buf, cap, &len);
    CHECK(len == need);
    if (cap < need) {
        CHECK(st == SGDR_EBUFSIZE);
        for (i = 0; i < sizeof buf; i++) CHECK(buf[i] == 0x5A);
    } else {
        CHECK(st == SGDR_OK);
    }
}

/* The read-only calls, with any ids and ranges. */
static void op_getters(world *w, reader *r)
{
    const sgdr_scheduler *s = w->a.s;
    char csv[64];
    const char *name = NULL;
    size_t rows = 0, cols = 0, len = 0, need = 0, col = 0;
    double v = 0, out[4];
    uint64_t p = 0;
    int id = (int)take8(r) - 8;
    sgdr_param found;
    fuzz_view before, after;
    fuzz_view_take(s, &before);
    (void)sgdr_get_param(s, (sgdr_param)id, &v);
    (void)sgdr_get_progress(s, (sgdr_progress)id, &p);
    name = sgdr_param_name((sgdr_param)id);
    if (name != NULL) {
        CHECK(sgdr_param_from_name(name, &found) == SGDR_OK && (int)found == id);
    }
    CHECK(sgdr_strerror((sgdr_status)id) != NULL);
    CHECK(sgdr_history_rows(s, &rows) == SGDR_OK);
    CHECK(sgdr_history_columns(s, &cols) == SGDR_OK);
    CHECK(cols >= 1);
    CHECK(sgdr_history_column_name(s, 0, &name) == SGDR_OK && strcmp(name, "lr") == 0);
    CHECK(sgdr_history_column_name(s, cols, &name) == SGDR_EINDEX);
    CHECK(sgdr_history_find(s, "lr", &col) == SGDR_OK && col == 0);
    {
        size_t first = take8(r), count = take8(r) % 5, c = take8(r) % (cols + 1);
        sgdr_status st = sgdr_history_copy(s, c, first, out, count);
        CHECK(st == SGDR_OK || st == SGDR_EINDEX);
        if (c < cols && first <= rows && count <= rows - first) CHECK(st == SGDR_OK);
    }
    CHECK(sgdr_history_to_csv(s, NULL, 0, &need) == SGDR_OK);
    /* No terminating NUL is written or counted: a CSV of exactly the capacity fits. */
    if (sgdr_history_to_csv(s, csv, sizeof csv, &len) == SGDR_OK) CHECK(len == need && len <= sizeof csv);
    else CHECK(len == need && need > sizeof csv);
    fuzz_view_take(s, &after);
    CHECK(fuzz_view_same(&before, &after));
}

/* A configuration that runs, to reach the callbacks quickly. */
static void op_configure(world *w, reader *r)
{
    param_args a;
    uint8_t k = take8(r);
    a.p = SGDR_PARAM_MIN_LR, a.v = (k & 1) ? 0.0 : 1e-4;
    both(w, do_set_param, &a);
    a.p = SGDR_PARAM_MAX_LR, a.v = 0.1;
    both(w, do_set_param, &a);
    a.p = SGDR_PARAM_STEPS_PER_EPOCH, a.v = 1 + (k >> 1) % 4;
    both(w, do_set_param, &a);
    a.p = SGDR_PARAM_CYCLE_LENGTH, a.v = 1 + (k >> 3) % 3;
    both(w, do_set_param, &a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    world w;
    memset(&w, 0, sizeof w);
    w.a.s = fuzz_fresh_scheduler(&w.a.h);
    w.hook_mask = 15;
    while (r.n > 0) {
        uint8_t op = take8(&r);
        switch (op % 15) {
        case 0: {
            param_args a;
            a.p = (int)(take8(&r) % 15); /* 0, 13 and 14 are not parameters */
            a.v = odd_value(&r);
            both(&w, do_set_param, &a);
            break;
        }
        case 1: both(&w, do_begin, NULL); break;
        case 2:
        case 3: {
            batch_args a;
            a.batch = take8(&r);
            a.metrics = op % 2 ? 0 : take8(&r);
            both(&w, do_batch, &a);
            break;
        }
        case 4: {
            uint8_t b = take8(&r);
            int8_t delta = (int8_t)(b < 200 ? 0 : (int)b - 228);
            both(&w, do_epoch, &delta);
            break;
        }
        case 5: both(&w, do_end, NULL); break;
        case 6: op_twin(&w); break;
        case 7: op_lr_at(&w, &r); break;
        case 8: {
            hook_args a;
            a.mask = take8(&r) & 15u;
            w.hook_mask = a.mask;
            both(&w, do_hooks, &a);
            break;
        }
        case 9: op_load_mutated(&w, &r); break;
        case 10: op_getters(&w, &r); break;
        case 11: {
            unsigned fail = take8(&r) & 15u;
            w.a.h.fail = fail;
            w.twin.h.fail = fail;
            break;
        }
        case 12: op_reload(&w); break;
        case 13: op_save_small(&w, &r); break;
        default: op_configure(&w, &r); break;
        }
        if (w.has_twin) {
            fuzz_view va, vb;
            fuzz_view_take(w.a.s, &va);
            fuzz_view_take(w.twin.s, &vb);
            CHECK(fuzz_view_same(&va, &vb));
        }
    }
    fuzz_check_round_trip(w.a.s);
    sgdr_destroy(w.a.s);
    if (w.has_twin) sgdr_destroy(w.twin.s);
    return 0;
}
