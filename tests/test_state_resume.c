/* SPDX-License-Identifier: MIT */
/* test_state_resume.c -- checkpoint and resume.
 *
 * Exhaustive: for each configuration a reference run is cut after every callback, saved,
 * loaded into a fresh scheduler (hooks set, nothing else), and continued; every later
 * learning rate, every hook call (set_lr, snapshot, restore) and the saved state after every
 * callback are bit-identical to the run that never stopped. Both ways of continuing are
 * checked: the Keras path (sgdr_on_train_begin resumes and hands the restored lr to set_lr)
 * and the direct one (on_batch_end right after the load, the host reading sgdr_lr()).
 *
 * Then the Keras `initial_epoch` path as a host writes it, and what a host that forgot to
 * load gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "state_util.h"

/* ---- run plans ---- */

typedef struct plan {
    const char *name;
    param_value params[14];
    const char *batches; /* batches of each epoch, one digit per epoch */
} plan;

#define P(p, v) {SGDR_PARAM_##p, v}

static const plan plans[] = {
    {"peak spe=1, cycle 1, mult 2",
     {P(MIN_LR, 0.001), P(MAX_LR, 0.1), P(STEPS_PER_EPOCH, 1), P(CYCLE_LENGTH, 1)},
     "111111111111"},
    {"peak spe=3, mult 1.5, decay 0.8, short and long epochs",
     {P(MIN_LR, 1e-4), P(MAX_LR, 0.05), P(STEPS_PER_EPOCH, 3), P(CYCLE_LENGTH, 2),
      P(MULT_FACTOR, 1.5), P(LR_DECAY, 0.8)},
     "34325303334433"},
    {"peak warm-up 2 and max_cycles 3, extra warm-up batches",
     {P(MIN_LR, 0.0), P(MAX_LR, 0.2), P(STEPS_PER_EPOCH, 2), P(CYCLE_LENGTH, 1),
      P(WARMUP_EPOCHS, 2), P(WARMUP_START_LR, 0.002), P(MAX_CYCLES, 3), P(LR_DECAY, 0.5)},
     "232222122222"},
    {"peak mult 1, decay under min_lr, max_cycles 4, no history, no restore",
     {P(MIN_LR, 0.01), P(MAX_LR, 0.1), P(STEPS_PER_EPOCH, 1), P(CYCLE_LENGTH, 2),
      P(MULT_FACTOR, 1), P(LR_DECAY, 0.3), P(MAX_CYCLES, 4), P(HISTORY, 0),
      P(RESTORE_AT_END, 0)},
     "1111111111111"},
    {"keras-seed spe=4, mult 1.5, decay 0.5, uneven epochs",
     {P(MIN_LR, 0.001), P(MAX_LR, 0.1), P(STEPS_PER_EPOCH, 4), P(CYCLE_LENGTH, 2),
      P(MULT_FACTOR, 1.5), P(LR_DECAY, 0.5), P(RESTART_MODE, SGDR_RESTART_KERAS_SEED)},
     "445304444644"},
    {"keras-seed spe=1, mult 1, decay 1.3 (peaks grow)",
     {P(MIN_LR, 0.001), P(MAX_LR, 0.01), P(STEPS_PER_EPOCH, 1), P(CYCLE_LENGTH, 3),
      P(MULT_FACTOR, 1), P(LR_DECAY, 1.3), P(RESTART_MODE, SGDR_RESTART_KERAS_SEED)},
     "1111111111"},
    {"peak float mult 1.25, warm-up 1 from 0, empty epochs",
     {P(MIN_LR, 1e-5), P(MAX_LR, 0.3), P(STEPS_PER_EPOCH, 2), P(CYCLE_LENGTH, 3),
      P(MULT_FACTOR, 1.25), P(WARMUP_EPOCHS, 1)},
     "2202222222222202"},
};

/* One callback of a run. */
typedef enum op_kind { OP_BEGIN, OP_BATCH, OP_EPOCH, OP_END } op_kind;
typedef struct op {
    op_kind kind;
    uint64_t index; /* batch in epoch, or epoch */
} op;

#define MAX_OPS 256

static size_t plan_ops(const plan *pl, op *ops)
{
    size_t n = 0, e, b;
    ops[n++].kind = OP_BEGIN;
    for (e = 0; pl->batches[e] != '\0'; e++) {
        for (b = 0; b < (size_t)(pl->batches[e] - '0'); b++) {
            ops[n].kind = OP_BATCH;
            ops[n++].index = b;
        }
        ops[n].kind = OP_EPOCH;
        ops[n++].index = e;
    }
    ops[n++].kind = OP_END;
    assert_true(n <= MAX_OPS);
    return n;
}

static void run_op(sgdr_scheduler *s, const op *o)
{
    static const sgdr_metric loss[] = {{"loss", 0.5}};
    switch (o->kind) {
    case OP_BEGIN: assert_int_equal(sgdr_on_train_begin(s), SGDR_OK); break;
    case OP_BATCH: assert_int_equal(sgdr_on_batch_end(s, o->index, loss, 1), SGDR_OK); break;
    case OP_EPOCH: assert_int_equal(sgdr_on_epoch_end(s, o->index, NULL, 0), SGDR_OK); break;
    case OP_END: assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK); break;
    }
}

/* A fresh scheduler with every hook of h (h reset): what a restarted process creates. */
static sgdr_scheduler *with_hooks(host *h)
{
    sgdr_scheduler *s;
    host_reset(h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    host_attach(s, h);
    return s;
}

/* The uninterrupted run, recorded after every callback. */
typedef struct reference {
    op ops[MAX_OPS];
    size_t n;
    unsigned char blob[MAX_OPS][STATE_CAP];
    size_t len[MAX_OPS];
    double lr_after[MAX_OPS];   /* sgdr_lr after op i */
    double trained[MAX_OPS];    /* the optimizer's lr when batch op i trained */
    size_t events_after[MAX_OPS];
    host h;
} reference;

static void record_reference(const plan *pl, reference *r)
{
    sgdr_scheduler *s;
    size_t i;
    memset(r, 0, sizeof *r);
    r->n = plan_ops(pl, r->ops);
    s = with_hooks(&r->h);
    apply_params(s, pl->params);
    for (i = 0; i < r->n; i++) {
        r->trained[i] = r->h.lr;
        run_op(s, &r->ops[i]);
        r->len[i] = save_blob(s, r->blob[i]);
        r->lr_after[i] = sgdr_lr(s);
        r->events_after[i] = r->h.n;
    }
    sgdr_destroy(s);
}

/* Whether the plan keeps restore_at_end on (the default). */
static int restores_at_end(const plan *pl)
{
    const param_value *p;
    for (p = pl->params; p->p != 0; p++)
        if (p->p == SGDR_PARAM_RESTORE_AT_END) return p->v != 0;
    return 1;
}

typedef enum resume_way { RESUME_KERAS, RESUME_DIRECT } resume_way;

/* Cut the reference after op `cut`, load into a fresh scheduler, continue to the end. */
static void resume_from(const reference *r, size_t cut, resume_way way)
{
    sgdr_scheduler *s;
    unsigned char blob[STATE_CAP];
    uint64_t running = 0;
    host h;
    size_t i, len, ev;

    s = with_hooks(&h);
    assert_int_equal(sgdr_load_state(s, r->blob[cut], r->len[cut]), SGDR_OK);
    assert_int_equal(h.n, 0); /* a load calls no hook */
    len = save_blob(s, blob);
    assert_int_equal(len, r->len[cut]);
    assert_memory_equal(blob, r->blob[cut], len);
    assert_true(same_bits(sgdr_lr(s), r->lr_after[cut]));
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_RUNNING, &running), SGDR_OK);

    if (running && way == RESUME_KERAS) {
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        assert_int_equal(h.n, 1);
        assert_int_equal(h.ev[0].kind, EV_SET_LR);
        assert_true(same_bits(h.ev[0].lr, r->lr_after[cut]));
        len = save_blob(s, blob); /* resuming changes nothing but the hook's lr */
        assert_memory_equal(blob, r->blob[cut], len);
        h.n = 0;
    } else if (running) {
        h.lr = sgdr_lr(s); /* the host sets its optimizer from sgdr_lr() itself */
    }

    ev = r->events_after[cut];
    for (i = cut + 1; i < r->n; i++) {
        if (r->ops[i].kind == OP_BATCH) assert_true(same_bits(h.lr, r->trained[i]));
        run_op(s, &r->ops[i]);
        len = save_blob(s, blob);
        assert_int_equal(len, r->len[i]);
        assert_memory_equal(blob, r->blob[i], len);
        assert_true(same_bits(sgdr_lr(s), r->lr_after[i]));
    }
    /* The same hook calls after the cut, in the same order. */
    assert_int_equal(h.n, r->h.n - ev);
    for (i = 0; i < h.n; i++) assert_true(same_event(&h.ev[i], &r->h.ev[ev + i]));
    sgdr_destroy(s);
}

static void exhaustive_resume(void **state)
{
    const plan *pl = *state;
    reference *r = malloc(sizeof *r);
    size_t cut, snaps = 0, restores = 0;
    assert_non_null(r);
    record_reference(pl, r);
    /* The plan must exercise what it claims: restarts with snapshots, and a restore. */
    for (cut = 0; cut < r->h.n; cut++) {
        snaps += r->h.ev[cut].kind == EV_SNAPSHOT;
        restores += r->h.ev[cut].kind == EV_RESTORE;
    }
    assert_true(snaps >= 2);
    assert_int_equal(restores, restores_at_end(pl) ? 1 : 0);
    for (cut = 0; cut < r->n; cut++) {
        resume_from(r, cut, RESUME_KERAS);
        resume_from(r, cut, RESUME_DIRECT);
    }
    free(r);
}

/* ---- the Keras initial_epoch path ---- */

static const param_value keras_params[] = {
    P(MIN_LR, 1e-4), P(MAX_LR, 0.1), P(STEPS_PER_EPOCH, 5), P(CYCLE_LENGTH, 2),
    P(MULT_FACTOR, 2), P(LR_DECAY, 0.9), {0, 0}};

/* A host loop over epochs [from, to) with steps_per_epoch batches; trained[step] records
 * the learning rate each batch trained with. */
static void train_epochs(sgdr_scheduler *s, host *h, uint64_t from, uint64_t to, double *trained)
{
    uint64_t e, b, step = from * 5;
    for (e = from; e < to; e++) {
        for (b = 0; b < 5; b++) {
            trained[step++] = h->lr;
            assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
        }
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
    }
}

/* A scheduler configured with keras_params, hooks of h, its run begun. */
static sgdr_scheduler *keras_started(host *h)
{
    sgdr_scheduler *s = with_hooks(h);
    apply_params(s, keras_params);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    return s;
}

/* Process 1 trains epochs 0..k-1 and checkpoints; process 2 is started with
 * initial_epoch = k: it creates a scheduler, sets its hooks, loads, calls on_train_begin
 * and continues with epoch k. Same learning rates and hook calls as one process. */
static void keras_initial_epoch(void **state)
{
    enum { K = 3, EPOCHS = 9 };
    double once[EPOCHS * 5], split[EPOCHS * 5];
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *s;
    host h, h1, h2;
    uint64_t epoch = 0;
    size_t len, i;
    (void)state;

    s = keras_started(&h);
    train_epochs(s, &h, 0, EPOCHS, once);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    sgdr_destroy(s);

    /* Process 1: epochs 0..K-1, checkpoint at the end of epoch K-1 (as ModelCheckpoint). */
    s = keras_started(&h1);
    train_epochs(s, &h1, 0, K, split);
    len = save_blob(s, blob);
    sgdr_destroy(s); /* the process dies */

    /* Process 2: no parameters set, they come from the blob. */
    s = with_hooks(&h2);
    assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch), SGDR_OK);
    assert_int_equal(epoch, K); /* the guard a host should make against initial_epoch */
    assert_true(same_bits(h2.lr, h1.lr)); /* set_lr got the restored learning rate */
    train_epochs(s, &h2, K, EPOCHS, split);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    sgdr_destroy(s);

    for (i = 0; i < EPOCHS * 5; i++) assert_true(same_bits(once[i], split[i]));
    /* Hook calls: process 1's then process 2's (minus the resume's set_lr) are the run's. */
    assert_int_equal(h1.n + h2.n - 1, h.n);
    for (i = 0; i < h1.n; i++) assert_true(same_event(&h1.ev[i], &h.ev[i]));
    for (i = 1; i < h2.n; i++) assert_true(same_event(&h2.ev[i], &h.ev[h1.n + i - 1]));
}

/* A host restarted at initial_epoch = 3 that forgot to load: the scheduler starts a new run
 * at epoch 0, and the first on_epoch_end(3) fails with SGDR_EEPOCH naming both epochs. */
static void keras_forgot_to_load(void **state)
{
    sgdr_scheduler *s;
    observed before, after;
    host h;
    uint64_t b;
    const char *msg;
    (void)state;

    s = keras_started(&h);
    for (b = 0; b < 5; b++) assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
    observe(s, &before);
    assert_int_equal(sgdr_on_epoch_end(s, 3, NULL, 0), SGDR_EEPOCH);
    observe(s, &after);
    assert_same_observed(&before, &after);
    msg = sgdr_last_error(s);
    assert_non_null(strstr(msg, "epoch 3"));
    assert_non_null(strstr(msg, "expects epoch 0"));
    assert_non_null(strstr(msg, "load its saved state"));
    sgdr_destroy(s);
}

/* Right after a load, on_batch_end without on_train_begin continues the run: the first
 * resumed batch trains at sgdr_lr() (no set_lr call for it), and once the run has moved on
 * on_train_begin is refused as a call during a run. */
static void batch_right_after_load(void **state)
{
    enum { K = 2 };
    double once[6 * 5], split[6 * 5];
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *s;
    host h, h2;
    size_t len, i;
    (void)state;

    s = keras_started(&h);
    train_epochs(s, &h, 0, K, once);
    len = save_blob(s, blob);
    train_epochs(s, &h, K, 6, once);
    sgdr_destroy(s);

    s = with_hooks(&h2);
    assert_int_equal(sgdr_load_state(s, blob, len), SGDR_OK);
    assert_int_equal(h2.n, 0);
    h2.lr = sgdr_lr(s);
    train_epochs(s, &h2, K, 6, split);
    for (i = K * 5; i < 6 * 5; i++) assert_true(same_bits(once[i], split[i]));
    assert_int_equal(sgdr_on_train_begin(s), SGDR_EORDER);
    assert_non_null(strstr(sgdr_last_error(s), "during a run"));
    sgdr_destroy(s);
}

/* on_train_begin resumes once; a second call is a call during a run. */
static void resume_only_once(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *a, *b;
    observed before, after;
    host h;
    size_t len;
    (void)state;

    assert_int_equal(sgdr_create(&a), SGDR_OK);
    apply_params(a, keras_params);
    assert_int_equal(sgdr_on_train_begin(a), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(a, 0, NULL, 0), SGDR_OK);
    len = save_blob(a, blob);
    b = with_hooks(&h);
    assert_int_equal(sgdr_load_state(b, blob, len), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(b), SGDR_OK);
    observe(b, &before);
    assert_int_equal(sgdr_on_train_begin(b), SGDR_EORDER);
    observe(b, &after);
    assert_same_observed(&before, &after);
    assert_int_equal(h.n, 1);
    sgdr_destroy(a);
    sgdr_destroy(b);
}

/* A blob saved between runs (before the first, or after on_train_end) does not resume:
 * on_train_begin starts a new run from step 0 with the blob's configuration. */
static void between_runs_starts_fresh(void **state)
{
    unsigned char blob[STATE_CAP];
    sgdr_scheduler *a, *b;
    host h;
    uint64_t step = 1, running = 1;
    size_t len;
    double max_lr = 0;
    (void)state;

    assert_int_equal(sgdr_create(&a), SGDR_OK);
    apply_params(a, keras_params);
    assert_int_equal(sgdr_on_train_begin(a), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(a, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(a, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_train_end(a, NULL, 0), SGDR_OK);
    len = save_blob(a, blob);

    b = with_hooks(&h);
    assert_int_equal(sgdr_load_state(b, blob, len), SGDR_OK);
    assert_int_equal(sgdr_get_progress(b, SGDR_PROGRESS_RUNNING, &running), SGDR_OK);
    assert_int_equal(running, 0);
    assert_int_equal(sgdr_get_progress(b, SGDR_PROGRESS_STEP, &step), SGDR_OK);
    assert_int_equal(step, 1); /* the finished run's count, until a new run begins */
    assert_int_equal(sgdr_on_train_begin(b), SGDR_OK);
    assert_int_equal(sgdr_get_progress(b, SGDR_PROGRESS_STEP, &step), SGDR_OK);
    assert_int_equal(step, 0);
    assert_int_equal(sgdr_get_param(b, SGDR_PARAM_MAX_LR, &max_lr), SGDR_OK);
    assert_true(max_lr == 0.1);
    assert_true(same_bits(h.lr, 0.1));
    sgdr_destroy(a);
    sgdr_destroy(b);
}

/* A load replaces a run in progress wholesale, configuration included, and clears the
 * history (its rows would belong to another run). */
static void load_replaces_a_running_scheduler(void **state)
{
    static const param_value other[] = {P(MIN_LR, 0.0), P(MAX_LR, 1.0), P(STEPS_PER_EPOCH, 7),
                                        {0, 0}};
    unsigned char blob[STATE_CAP], again[STATE_CAP];
    sgdr_scheduler *a, *b;
    size_t len, rows = 99;
    uint64_t b_i;
    (void)state;

    assert_int_equal(sgdr_create(&a), SGDR_OK);
    apply_params(a, keras_params);
    assert_int_equal(sgdr_on_train_begin(a), SGDR_OK);
    for (b_i = 0; b_i < 3; b_i++) assert_int_equal(sgdr_on_batch_end(a, b_i, NULL, 0), SGDR_OK);
    len = save_blob(a, blob);

    assert_int_equal(sgdr_create(&b), SGDR_OK);
    apply_params(b, other);
    assert_int_equal(sgdr_on_train_begin(b), SGDR_OK);
    for (b_i = 0; b_i < 9; b_i++) assert_int_equal(sgdr_on_batch_end(b, b_i, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_load_state(b, blob, len), SGDR_OK);
    assert_int_equal(save_blob(b, again), len);
    assert_memory_equal(again, blob, len);
    assert_int_equal(sgdr_history_rows(b, &rows), SGDR_OK);
    assert_int_equal(rows, 0);
    assert_int_equal(sgdr_on_batch_end(b, 3, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(a, 3, NULL, 0), SGDR_OK);
    assert_true(same_bits(sgdr_lr(a), sgdr_lr(b)));
    sgdr_destroy(a);
    sgdr_destroy(b);
}

/* Past the 128 cycles of the table of cycle starts (mult_factor 1.001 from 1 epoch: lengths
 * 1, 2, 3, ..., the table ends at epoch 8256), where the loader checks a cycle without
 * stepping to it: cut at the table's end and beyond, continue, same bits. */
static void resume_beyond_cycle_table(void **state)
{
    static const param_value slow[] = {P(MIN_LR, 0.001), P(MAX_LR, 0.1), P(STEPS_PER_EPOCH, 1),
                                       P(CYCLE_LENGTH, 1), P(MULT_FACTOR, 1.001),
                                       P(LR_DECAY, 0.999), {0, 0}};
    static const uint64_t cut_epochs[] = {8255, 8256, 8257, 8300, 8385, 8386, 8500, 8646};
    enum { EPOCHS = 8700 };
    unsigned char(*blob)[STATE_SIZE_1_0] = malloc((size_t)EPOCHS * sizeof *blob);
    unsigned char now[STATE_CAP];
    sgdr_scheduler *s;
    uint64_t e, v = 0;
    size_t i;
    (void)state;
    assert_non_null(blob);

    /* The reference: the state at the end of every epoch (epoch e ends with one batch). */
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    apply_params(s, slow);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (e = 0; e < EPOCHS; e++) {
        assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
        assert_int_equal(save_blob(s, blob[e]), STATE_SIZE_1_0);
    }
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
    assert_int_equal(v, 131);
    sgdr_destroy(s);

    for (i = 0; i < sizeof cut_epochs / sizeof cut_epochs[0]; i++) {
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        assert_int_equal(sgdr_load_state(s, blob[cut_epochs[i]], STATE_SIZE_1_0), SGDR_OK);
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        for (e = cut_epochs[i] + 1; e < EPOCHS; e++) {
            assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
            assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
            assert_int_equal(save_blob(s, now), STATE_SIZE_1_0);
            assert_memory_equal(now, blob[e], STATE_SIZE_1_0);
        }
        sgdr_destroy(s);
    }
    free(blob);
}

int main(void)
{
    struct CMUnitTest tests[sizeof plans / sizeof plans[0] + 7];
    size_t i, n = 0;
    for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
        struct CMUnitTest t = {plans[i].name, exhaustive_resume, NULL, NULL, (void *)&plans[i]};
        tests[n++] = t;
    }
    {
        const struct CMUnitTest more[] = {
            cmocka_unit_test(keras_initial_epoch),
            cmocka_unit_test(keras_forgot_to_load),
            cmocka_unit_test(batch_right_after_load),
            cmocka_unit_test(resume_only_once),
            cmocka_unit_test(between_runs_starts_fresh),
            cmocka_unit_test(load_replaces_a_running_scheduler),
            cmocka_unit_test(resume_beyond_cycle_table),
        };
        for (i = 0; i < sizeof more / sizeof more[0]; i++) tests[n++] = more[i];
    }
    return _cmocka_run_group_tests("state_resume", tests, n, NULL, NULL);
}
