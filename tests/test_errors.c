/* test_errors.c -- every error status sgdr.h documents, each provoked: the status, a message
 * that names the parameter or value, and nothing changed (the saved state bytes, sgdr_lr,
 * every progress counter and parameter, and the history as CSV are the same before and
 * after). Also sgdr_strerror, sgdr_last_error and calls out of order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* ---- "nothing changed" ---- */

#define STATE_CAP 1024
#define CSV_CAP 8192
#define N_PROGRESS 10 /* SGDR_PROGRESS_STEP .. SGDR_PROGRESS_RUNNING */
#define N_PARAMS 12   /* SGDR_PARAM_MIN_LR .. SGDR_PARAM_HISTORY */

/* Everything a caller can observe of a scheduler. */
typedef struct observed {
    unsigned char state[STATE_CAP];
    size_t state_len;
    double lr;
    uint64_t progress[N_PROGRESS];
    double params[N_PARAMS];
    char csv[CSV_CAP];
    size_t csv_len;
} observed;

static void observe(const sgdr_scheduler *s, observed *o)
{
    int i;
    memset(o, 0, sizeof *o);
    assert_int_equal(sgdr_save_state(s, o->state, sizeof o->state, &o->state_len), SGDR_OK);
    o->lr = sgdr_lr(s);
    for (i = 0; i < N_PROGRESS; i++)
        assert_int_equal(sgdr_get_progress(s, (sgdr_progress)(i + 1), &o->progress[i]), SGDR_OK);
    for (i = 0; i < N_PARAMS; i++)
        assert_int_equal(sgdr_get_param(s, (sgdr_param)(i + 1), &o->params[i]), SGDR_OK);
    assert_int_equal(sgdr_history_to_csv(s, o->csv, sizeof o->csv, &o->csv_len), SGDR_OK);
}

static void assert_unchanged(const sgdr_scheduler *s, const observed *before)
{
    observed *after = malloc(sizeof *after);
    assert_non_null(after);
    observe(s, after);
    assert_int_equal(after->state_len, before->state_len);
    assert_memory_equal(after->state, before->state, before->state_len);
    assert_memory_equal(&after->lr, &before->lr, sizeof before->lr);
    assert_memory_equal(after->progress, before->progress, sizeof before->progress);
    assert_memory_equal(after->params, before->params, sizeof before->params);
    assert_int_equal(after->csv_len, before->csv_len);
    assert_memory_equal(after->csv, before->csv, before->csv_len);
    free(after);
}

/* buf[0..n) all hold `byte`: nothing was written there. */
static void assert_untouched(const void *buf, size_t n, unsigned char byte)
{
    const unsigned char *p = buf;
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != byte) fail_msg("byte %zu was written (0x%02x)", i, p[i]);
}

static void assert_message(const sgdr_scheduler *s, const char *expected, int exact)
{
    const char *msg = sgdr_last_error(s);
    assert_non_null(msg);
    if (exact ? strcmp(msg, expected) != 0 : strstr(msg, expected) == NULL)
        fail_msg("message \"%s\" %s \"%s\"", msg, exact ? "is not" : "does not contain",
                 expected);
}

/* `call` on s fails with `status`, its message contains `text`, and s is as it was. */
#define EXPECT_REFUSED(s, call, status, text)                                                \
    do {                                                                                     \
        observed *before_ = malloc(sizeof *before_);                                         \
        assert_non_null(before_);                                                            \
        observe((s), before_);                                                               \
        assert_int_equal((call), (status));                                                  \
        assert_message((s), (text), 0);                                                      \
        assert_unchanged((s), before_);                                                      \
        free(before_);                                                                       \
    } while (0)

/* ---- schedulers to provoke errors on ---- */

static const golden base = {.min_lr = 0.1, .max_lr = 0.5, .steps_per_epoch = 2, .lr_decay = 1,
                            .cycle_length = 1, .mult_factor = 2};

static const sgdr_metric loss = {"loss", 0.25};

/* A host whose hooks succeed until told to fail. */
typedef struct host {
    int fail_get, fail_set, fail_snapshot, fail_restore;
    unsigned calls;
} host;

static int host_get_lr(void *u, double *lr)
{
    host *h = u;
    h->calls++;
    *lr = 0.125;
    return h->fail_get;
}

static int host_set_lr(void *u, double lr)
{
    host *h = u;
    (void)lr;
    h->calls++;
    return h->fail_set;
}

static int host_snapshot(void *u, uint32_t cycle)
{
    host *h = u;
    (void)cycle;
    h->calls++;
    return h->fail_snapshot;
}

static int host_restore(void *u, uint32_t cycle)
{
    host *h = u;
    (void)cycle;
    h->calls++;
    return h->fail_restore;
}

/* A configured scheduler with h's hooks (h may be NULL: no hooks), not yet begun. */
static sgdr_scheduler *configured(host *h)
{
    sgdr_scheduler *s = golden_scheduler(&base);
    assert_non_null(s);
    if (h != NULL) {
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, h), SGDR_OK);
        assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, host_restore, h), SGDR_OK);
    }
    return s;
}

/* The same, begun, with three batches (history rows with a metric) and one cycle (one
 * epoch) closed: step 3, mid-epoch 1 of cycle 1. */
static sgdr_scheduler *running(host *h)
{
    sgdr_scheduler *s = configured(h);
    int i;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (i = 0; i < 2; i++) assert_int_equal(sgdr_on_batch_end(s, 0, &loss, 1), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, &loss, 1), SGDR_OK);
    return s;
}

/* ---- SGDR_EVALUE, SGDR_EBADPARAM: sgdr_set_param ---- */

static void test_set_param_refuses_bad_values(void **state)
{
    static const struct {
        int param; /* int so that unknown ids can be listed */
        double value;
        sgdr_status status;
        const char *names; /* the message must contain this */
    } cases[] = {
        {SGDR_PARAM_MIN_LR, -1, SGDR_EVALUE, "min_lr (-1) must be finite and at least 0"},
        {SGDR_PARAM_MIN_LR, NAN, SGDR_EVALUE, "min_lr (nan)"},
        {SGDR_PARAM_MIN_LR, INFINITY, SGDR_EVALUE, "min_lr (inf)"},
        {SGDR_PARAM_MAX_LR, 0, SGDR_EVALUE, "max_lr (0) must be finite and greater than 0"},
        {SGDR_PARAM_MAX_LR, -INFINITY, SGDR_EVALUE, "max_lr (-inf)"},
        {SGDR_PARAM_STEPS_PER_EPOCH, 0, SGDR_EVALUE,
         "steps_per_epoch (0) must be an integer from 1 to 4294967295"},
        {SGDR_PARAM_STEPS_PER_EPOCH, 2.5, SGDR_EVALUE, "steps_per_epoch (2.5)"},
        {SGDR_PARAM_STEPS_PER_EPOCH, 4294967296.0, SGDR_EVALUE, "steps_per_epoch (4294967296)"},
        {SGDR_PARAM_STEPS_PER_EPOCH, NAN, SGDR_EVALUE, "steps_per_epoch (nan)"},
        {SGDR_PARAM_LR_DECAY, 0, SGDR_EVALUE, "lr_decay (0) must be finite and greater than 0"},
        {SGDR_PARAM_LR_DECAY, -0.5, SGDR_EVALUE, "lr_decay (-0.5)"},
        {SGDR_PARAM_LR_DECAY, INFINITY, SGDR_EVALUE, "lr_decay (inf)"},
        {SGDR_PARAM_CYCLE_LENGTH, 0, SGDR_EVALUE, "cycle_length (0)"},
        {SGDR_PARAM_CYCLE_LENGTH, 1.5, SGDR_EVALUE, "cycle_length (1.5)"},
        {SGDR_PARAM_MULT_FACTOR, 0.5, SGDR_EVALUE, "mult_factor (0.5) must be finite and at least 1"},
        {SGDR_PARAM_MULT_FACTOR, INFINITY, SGDR_EVALUE, "mult_factor (inf)"},
        {SGDR_PARAM_MULT_FACTOR, NAN, SGDR_EVALUE, "mult_factor (nan)"},
        {SGDR_PARAM_RESTART_MODE, 2, SGDR_EVALUE, "restart_mode (2)"},
        {SGDR_PARAM_RESTART_MODE, -1, SGDR_EVALUE, "restart_mode (-1)"},
        {SGDR_PARAM_RESTART_MODE, 0.5, SGDR_EVALUE, "restart_mode (0.5)"},
        {SGDR_PARAM_WARMUP_EPOCHS, -1, SGDR_EVALUE, "warmup_epochs (-1)"},
        {SGDR_PARAM_WARMUP_EPOCHS, 0.5, SGDR_EVALUE, "warmup_epochs (0.5)"},
        {SGDR_PARAM_WARMUP_START_LR, -0.5, SGDR_EVALUE, "warmup_start_lr (-0.5)"},
        {SGDR_PARAM_WARMUP_START_LR, NAN, SGDR_EVALUE, "warmup_start_lr (nan)"},
        {SGDR_PARAM_MAX_CYCLES, -1, SGDR_EVALUE, "max_cycles (-1)"},
        {SGDR_PARAM_MAX_CYCLES, 1.5, SGDR_EVALUE, "max_cycles (1.5)"},
        {SGDR_PARAM_RESTORE_AT_END, 2, SGDR_EVALUE, "restore_at_end (2) must be 0 or 1"},
        {SGDR_PARAM_RESTORE_AT_END, 0.5, SGDR_EVALUE, "restore_at_end (0.5)"},
        {SGDR_PARAM_HISTORY, -1, SGDR_EVALUE, "history (-1) must be 0 or 1"},
        {0, 1, SGDR_EBADPARAM, "unknown parameter id 0"},
        {14, 1, SGDR_EBADPARAM, "unknown parameter id 14"},
        {-1, 1, SGDR_EBADPARAM, "unknown parameter id -1"},
    };
    sgdr_scheduler *idle = configured(NULL), *busy = running(NULL);
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sgdr_param p = (sgdr_param)cases[i].param;
        /* before a run, and during one (the value is judged first) */
        EXPECT_REFUSED(idle, sgdr_set_param(idle, p, cases[i].value), cases[i].status,
                       cases[i].names);
        EXPECT_REFUSED(busy, sgdr_set_param(busy, p, cases[i].value), cases[i].status,
                       cases[i].names);
    }
    sgdr_destroy(idle);
    sgdr_destroy(busy);
}

/* Other unknown enum values: parameter and progress ids, parameter names. */
static void test_unknown_ids(void **state)
{
    sgdr_scheduler *s = running(NULL);
    double v = 0;
    uint64_t u = 0;
    sgdr_param p = SGDR_PARAM_MIN_LR;
    (void)state;
    EXPECT_REFUSED(s, sgdr_get_param(s, (sgdr_param)14, &v), SGDR_EBADPARAM,
                   "unknown parameter id 14");
    EXPECT_REFUSED(s, sgdr_get_progress(s, (sgdr_progress)0, &u), SGDR_EBADPARAM,
                   "unknown progress id 0");
    EXPECT_REFUSED(s, sgdr_get_progress(s, (sgdr_progress)11, &u), SGDR_EBADPARAM,
                   "unknown progress id 11");
    assert_int_equal(sgdr_param_from_name("learning_rate", &p), SGDR_EBADPARAM);
    assert_int_equal(p, SGDR_PARAM_MIN_LR);
    assert_null(sgdr_param_name((sgdr_param)14));
    sgdr_destroy(s);
}

/* ---- SGDR_ECONFIG: rules between parameters, at on_train_begin and sgdr_lr_at ---- */

static int forbidden_set_lr(void *u, double lr)
{
    (void)u;
    fail_msg("set_lr(%g) called by a refused call", lr);
    return 1;
}

static void test_configuration_rules(void **state)
{
    static const struct {
        golden cfg;
        const char *message; /* exactly */
    } cases[] = {
        {{.min_lr = 0.01, .max_lr = 0.001, .steps_per_epoch = 2, .lr_decay = 1,
          .cycle_length = 1, .mult_factor = 2},
         "max_lr (0.001) must be greater than min_lr (0.01)"},
        {{.min_lr = 0.5, .max_lr = 0.5, .steps_per_epoch = 2, .lr_decay = 1, .cycle_length = 1,
          .mult_factor = 2},
         "max_lr (0.5) must be greater than min_lr (0.5)"},
        {{.min_lr = 0, .max_lr = 0.25, .steps_per_epoch = 2, .lr_decay = 1, .cycle_length = 1,
          .mult_factor = 2, .warmup_epochs = 1, .warmup_start_lr = 0.5},
         "warmup_start_lr (0.5) must not exceed max_lr (0.25)"},
        {{.mode = SGDR_RESTART_KERAS_SEED, .min_lr = 0, .max_lr = 0.25, .steps_per_epoch = 2,
          .lr_decay = 1, .cycle_length = 1, .mult_factor = 2, .warmup_epochs = 2},
         "warmup_epochs (2) must be 0 in keras-seed mode (warm-up is a peak-mode feature)"},
        {{.mode = SGDR_RESTART_KERAS_SEED, .min_lr = 0, .max_lr = 0.25, .steps_per_epoch = 2,
          .lr_decay = 1, .cycle_length = 1, .mult_factor = 2, .max_cycles = 3},
         "max_cycles (3) must be 0 in keras-seed mode (a cycle limit is a peak-mode feature)"},
    };
    size_t i;
    double lr = 42;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sgdr_scheduler *s = golden_scheduler(&cases[i].cfg);
        assert_non_null(s);
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, forbidden_set_lr, NULL), SGDR_OK);
        EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_ECONFIG, cases[i].message);
        assert_message(s, cases[i].message, 1);
        EXPECT_REFUSED(s, sgdr_lr_at(s, 0, &lr), SGDR_ECONFIG, cases[i].message);
        assert_message(s, cases[i].message, 1);
        assert_true(lr == 42);
        sgdr_destroy(s);
    }
}

/* min_lr, max_lr and steps_per_epoch have no default: each one missing is named. */
static void test_required_parameters(void **state)
{
    static const sgdr_param required[] = {SGDR_PARAM_MIN_LR, SGDR_PARAM_MAX_LR,
                                          SGDR_PARAM_STEPS_PER_EPOCH};
    static const double value[] = {0.1, 0.5, 2};
    size_t missing, i;
    double lr = 42;
    (void)state;
    for (missing = 0; missing < 3; missing++) {
        sgdr_scheduler *s;
        char text[64];
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        for (i = 0; i < 3; i++)
            if (i != missing) assert_int_equal(sgdr_set_param(s, required[i], value[i]), SGDR_OK);
        snprintf(text, sizeof text, "%s is required and has not been set",
                 sgdr_param_name(required[missing]));
        EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_ECONFIG, text);
        EXPECT_REFUSED(s, sgdr_lr_at(s, 7, &lr), SGDR_ECONFIG, text);
        sgdr_destroy(s);
    }
}

/* ---- SGDR_ENULL ---- */

static void test_null_scheduler(void **state)
{
    double v = 0;
    uint64_t u = 0;
    size_t n = 0;
    const char *name = NULL;
    unsigned char buf[16];
    char text[16];
    (void)state;
    assert_int_equal(sgdr_create(NULL), SGDR_ENULL);
    assert_int_equal(sgdr_set_param(NULL, SGDR_PARAM_MIN_LR, 0.1), SGDR_ENULL);
    assert_int_equal(sgdr_get_param(NULL, SGDR_PARAM_MIN_LR, &v), SGDR_ENULL);
    assert_int_equal(sgdr_set_lr_hooks(NULL, NULL, NULL, NULL), SGDR_ENULL);
    assert_int_equal(sgdr_set_weight_hooks(NULL, NULL, NULL, NULL), SGDR_ENULL);
    assert_int_equal(sgdr_on_train_begin(NULL), SGDR_ENULL);
    assert_int_equal(sgdr_on_batch_end(NULL, 0, NULL, 0), SGDR_ENULL);
    assert_int_equal(sgdr_on_epoch_end(NULL, 0, NULL, 0), SGDR_ENULL);
    assert_int_equal(sgdr_on_train_end(NULL, NULL, 0), SGDR_ENULL);
    assert_true(isnan(sgdr_lr(NULL)));
    assert_int_equal(sgdr_lr_at(NULL, 0, &v), SGDR_ENULL);
    assert_int_equal(sgdr_get_progress(NULL, SGDR_PROGRESS_STEP, &u), SGDR_ENULL);
    assert_int_equal(sgdr_history_rows(NULL, &n), SGDR_ENULL);
    assert_int_equal(sgdr_history_columns(NULL, &n), SGDR_ENULL);
    assert_int_equal(sgdr_history_column_name(NULL, 0, &name), SGDR_ENULL);
    assert_int_equal(sgdr_history_find(NULL, "lr", &n), SGDR_ENULL);
    assert_int_equal(sgdr_history_copy(NULL, 0, 0, &v, 0), SGDR_ENULL);
    assert_int_equal(sgdr_history_to_csv(NULL, text, sizeof text, &n), SGDR_ENULL);
    assert_int_equal(sgdr_history_write_csv(NULL, "/tmp/never-written.csv"), SGDR_ENULL);
    assert_int_equal(sgdr_save_state(NULL, buf, sizeof buf, &n), SGDR_ENULL);
    assert_int_equal(sgdr_load_state(NULL, buf, sizeof buf), SGDR_ENULL);
    sgdr_destroy(NULL);
}

static void free_fn(void *u, void *p)
{
    (void)u;
    free(p);
}

static void *alloc_fn(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}

static void test_null_arguments(void **state)
{
    sgdr_scheduler *s = running(NULL);
    sgdr_scheduler *out = (sgdr_scheduler *)&s; /* non-NULL: a refused create must clear it */
    sgdr_param p;
    size_t n = 0;
    (void)state;
    assert_int_equal(sgdr_create_with_allocator(NULL, alloc_fn, free_fn, NULL), SGDR_ENULL);
    assert_int_equal(sgdr_create_with_allocator(&out, NULL, free_fn, NULL), SGDR_ENULL);
    assert_null(out);
    out = (sgdr_scheduler *)&s;
    assert_int_equal(sgdr_create_with_allocator(&out, alloc_fn, NULL, NULL), SGDR_ENULL);
    assert_null(out);
    assert_int_equal(sgdr_param_from_name(NULL, &p), SGDR_ENULL);
    assert_int_equal(sgdr_param_from_name("min_lr", NULL), SGDR_ENULL);

    EXPECT_REFUSED(s, sgdr_get_param(s, SGDR_PARAM_MIN_LR, NULL), SGDR_ENULL, "value is NULL");
    EXPECT_REFUSED(s, sgdr_lr_at(s, 0, NULL), SGDR_ENULL, "lr is NULL");
    EXPECT_REFUSED(s, sgdr_get_progress(s, SGDR_PROGRESS_STEP, NULL), SGDR_ENULL,
                   "value is NULL");
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, NULL, 2), SGDR_ENULL,
                   "sgdr_on_batch_end: metrics is NULL but n is 2");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 1, NULL, 1), SGDR_ENULL,
                   "sgdr_on_epoch_end: metrics is NULL but n is 1");
    EXPECT_REFUSED(s, sgdr_on_train_end(s, NULL, 3), SGDR_ENULL,
                   "sgdr_on_train_end: metrics is NULL but n is 3");
    EXPECT_REFUSED(s, sgdr_history_rows(s, NULL), SGDR_ENULL, "rows is NULL");
    EXPECT_REFUSED(s, sgdr_history_columns(s, NULL), SGDR_ENULL, "columns is NULL");
    EXPECT_REFUSED(s, sgdr_history_column_name(s, 0, NULL), SGDR_ENULL, "name is NULL");
    EXPECT_REFUSED(s, sgdr_history_find(s, NULL, &n), SGDR_ENULL, "name is NULL");
    EXPECT_REFUSED(s, sgdr_history_find(s, "lr", NULL), SGDR_ENULL, "column is NULL");
    EXPECT_REFUSED(s, sgdr_history_copy(s, 0, 0, NULL, 1), SGDR_ENULL, "out is NULL");
    EXPECT_REFUSED(s, sgdr_history_to_csv(s, NULL, 0, NULL), SGDR_ENULL, "len is NULL");
    EXPECT_REFUSED(s, sgdr_history_write_csv(s, NULL), SGDR_ENULL, "path is NULL");
    EXPECT_REFUSED(s, sgdr_save_state(s, NULL, 0, NULL), SGDR_ENULL, "len is NULL");
    EXPECT_REFUSED(s, sgdr_load_state(s, NULL, 188), SGDR_ENULL, "buf is NULL");
    sgdr_destroy(s);
}

/* ---- SGDR_ENOMEM (one case; allocation faults everywhere are another test's job) ---- */

static void *no_memory(void *u, size_t n)
{
    (void)u;
    (void)n;
    return NULL;
}

static void test_out_of_memory(void **state)
{
    sgdr_scheduler *s = (sgdr_scheduler *)&state; /* non-NULL: must be cleared */
    (void)state;
    assert_int_equal(sgdr_create_with_allocator(&s, no_memory, free_fn, NULL), SGDR_ENOMEM);
    assert_null(s);
}

/* ---- SGDR_EORDER, SGDR_EEPOCH: calls out of order ---- */

static void test_calls_out_of_order(void **state)
{
    sgdr_scheduler *s = configured(NULL);
    (void)state;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, NULL, 0), SGDR_EORDER,
                   "sgdr_on_batch_end called with no run in progress");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EORDER,
                   "sgdr_on_epoch_end called with no run in progress");
    EXPECT_REFUSED(s, sgdr_on_train_end(s, NULL, 0), SGDR_EORDER,
                   "sgdr_on_train_end called with no run in progress");
    sgdr_destroy(s);

    s = running(NULL);
    EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_EORDER,
                   "sgdr_on_train_begin called during a run");
    EXPECT_REFUSED(s, sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.25), SGDR_EORDER,
                   "cannot change max_lr during a run");
    EXPECT_REFUSED(s, sgdr_set_param(s, SGDR_PARAM_HISTORY, 0), SGDR_EORDER,
                   "cannot change history during a run");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 2, NULL, 0), SGDR_EEPOCH,
                   "the host says epoch 2 but the scheduler expects epoch 1");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EEPOCH,
                   "the host says epoch 0 but the scheduler expects epoch 1");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, UINT64_MAX, NULL, 0), SGDR_EEPOCH,
                   "says epoch 18446744073709551615");
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 1, NULL, 0), SGDR_EORDER,
                   "sgdr_on_epoch_end called with no run in progress");
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, NULL, 0), SGDR_EORDER, "no run in progress");
    EXPECT_REFUSED(s, sgdr_on_train_end(s, NULL, 0), SGDR_EORDER, "no run in progress");
    sgdr_destroy(s);
}

/* ---- SGDR_EMETRIC ---- */

static void test_bad_metric_names(void **state)
{
    static const sgdr_metric null_name[] = {{"loss", 1}, {NULL, 2}};
    static const sgdr_metric empty_name[] = {{"", 1}};
    static const sgdr_metric twice[] = {{"loss", 1}, {"acc", 2}, {"loss", 3}};
    static const sgdr_metric reserved[] = {{"lr", 1}};
    sgdr_scheduler *s = running(NULL);
    (void)state;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, null_name, 2), SGDR_EMETRIC,
                   "sgdr_on_batch_end: metric 1 has a NULL name");
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, empty_name, 1), SGDR_EMETRIC,
                   "sgdr_on_batch_end: metric 0 has an empty name");
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, twice, 3), SGDR_EMETRIC,
                   "metric 'loss' is given more than once");
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, reserved, 1), SGDR_EMETRIC,
                   "metric 'lr' is reserved");
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 1, null_name, 2), SGDR_EMETRIC,
                   "sgdr_on_epoch_end: metric 1 has a NULL name");
    EXPECT_REFUSED(s, sgdr_on_train_end(s, empty_name, 1), SGDR_EMETRIC,
                   "sgdr_on_train_end: metric 0 has an empty name");
    sgdr_destroy(s);
}

/* ---- SGDR_EHOOK_*: a failing hook, then the retry ---- */

/* The lr of the next batch as sgdr_lr_at gives it: after a retried call the run must be
 * where an uninterrupted one would be. */
static void assert_on_schedule(const sgdr_scheduler *s)
{
    uint64_t step = 0;
    double at = NAN;
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step), SGDR_OK);
    assert_int_equal(sgdr_lr_at(s, step, &at), SGDR_OK);
    assert_true(sgdr_lr(s) == at);
}

static void test_failing_hooks(void **state)
{
    host h = {0};
    sgdr_scheduler *s = configured(&h);
    uint64_t snapshots = 0;
    (void)state;
    /* set_lr in on_train_begin: not running afterwards */
    h.fail_set = 1;
    EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_EHOOK_SET_LR,
                   "sgdr_on_train_begin: the set_lr hook failed for lr 0.5 (step 0)");
    h.fail_set = 0;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);

    /* get_lr and set_lr in on_batch_end: no history row, no step */
    assert_int_equal(sgdr_set_lr_hooks(s, host_get_lr, host_set_lr, &h), SGDR_OK);
    h.fail_get = 1;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, &loss, 1), SGDR_EHOOK_GET_LR,
                   "sgdr_on_batch_end: the get_lr hook failed (step 0)");
    h.fail_get = 0;
    h.fail_set = 1;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, &loss, 1), SGDR_EHOOK_SET_LR,
                   "sgdr_on_batch_end: the set_lr hook failed for lr");
    h.fail_set = 0;
    assert_int_equal(sgdr_on_batch_end(s, 0, &loss, 1), SGDR_OK);
    assert_on_schedule(s);
    assert_int_equal(sgdr_on_batch_end(s, 1, &loss, 1), SGDR_OK);

    /* the snapshot at the end of cycle 0, then set_lr of cycle 1's peak */
    h.fail_snapshot = 1;
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EHOOK_SNAPSHOT,
                   "sgdr_on_epoch_end: the snapshot hook failed for cycle 0");
    h.fail_snapshot = 0;
    h.fail_set = 1;
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EHOOK_SET_LR,
                   "sgdr_on_epoch_end: the set_lr hook failed for lr 0.5");
    h.fail_set = 0;
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);
    assert_on_schedule(s);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &snapshots), SGDR_OK);
    assert_int_equal(snapshots, 1);

    /* restore at the end: the run is still going and the call can be retried */
    h.fail_restore = 1;
    EXPECT_REFUSED(s, sgdr_on_train_end(s, NULL, 0), SGDR_EHOOK_RESTORE,
                   "sgdr_on_train_end: the restore hook failed for cycle 0");
    h.fail_restore = 0;
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    sgdr_destroy(s);
}

/* ---- SGDR_EBUFSIZE ---- */

static void test_buffers_too_small(void **state)
{
    sgdr_scheduler *s = running(NULL);
    unsigned char blob[STATE_CAP];
    char text[CSV_CAP];
    char size[64];
    size_t need = 0, len = 0;
    (void)state;
    assert_int_equal(sgdr_save_state(s, NULL, 0, &need), SGDR_OK);
    assert_true(need > 0 && need < sizeof blob);
    memset(blob, 0x5a, sizeof blob);
    snprintf(size, sizeof size, "buffer of %zu bytes is too small for the %zu-byte state",
             need - 1, need);
    EXPECT_REFUSED(s, sgdr_save_state(s, blob, need - 1, &len), SGDR_EBUFSIZE, size);
    assert_int_equal(len, need);
    assert_untouched(blob, sizeof blob, 0x5a);

    assert_int_equal(sgdr_history_to_csv(s, NULL, 0, &need), SGDR_OK);
    memset(text, 0x5a, sizeof text);
    snprintf(size, sizeof size, "buffer of 10 bytes is too small for %zu", need);
    EXPECT_REFUSED(s, sgdr_history_to_csv(s, text, 10, &len), SGDR_EBUFSIZE, size);
    assert_int_equal(len, need);
    assert_untouched(text, sizeof text, 0x5a);
    sgdr_destroy(s);
}

/* ---- state blob statuses (one case each; corruption in depth is another test's job) ---- */

static void test_bad_state_blobs(void **state)
{
    sgdr_scheduler *s = running(NULL);
    unsigned char good[STATE_CAP], bad[STATE_CAP + 1];
    size_t len = 0;
    char text[96];
    (void)state;
    assert_int_equal(sgdr_save_state(s, good, sizeof good, &len), SGDR_OK);

    EXPECT_REFUSED(s, sgdr_load_state(s, good, 10), SGDR_ETRUNCATED, "state blob truncated: 10 ");
    snprintf(text, sizeof text, "state blob truncated: %zu of %zu bytes", len - 1, len);
    EXPECT_REFUSED(s, sgdr_load_state(s, good, len - 1), SGDR_ETRUNCATED, text);

    memcpy(bad, good, len);
    bad[0] ^= 0x20;
    EXPECT_REFUSED(s, sgdr_load_state(s, bad, len), SGDR_EMAGIC, "not a libsgdr state blob");

    memcpy(bad, good, len);
    bad[8] = 2; /* format major version 2 (little-endian u16 at offset 8) */
    EXPECT_REFUSED(s, sgdr_load_state(s, bad, len), SGDR_EVERSION, "format 2.0");

    memcpy(bad, good, len);
    bad[20] ^= 1; /* a bit of min_lr */
    EXPECT_REFUSED(s, sgdr_load_state(s, bad, len), SGDR_ECHECKSUM, "checksum mismatch");

    memcpy(bad, good, len);
    bad[len] = 0;
    snprintf(text, sizeof text, "%zu bytes given but", len + 1);
    EXPECT_REFUSED(s, sgdr_load_state(s, bad, len + 1), SGDR_ECORRUPT, text);
    sgdr_destroy(s);
}

/* ---- SGDR_EIO, SGDR_EINDEX ---- */

static void test_unwritable_path(void **state)
{
    sgdr_scheduler *s = running(NULL);
    (void)state;
    EXPECT_REFUSED(s, sgdr_history_write_csv(s, "/nonexistent-sgdr-dir/history.csv"), SGDR_EIO,
                   "'/nonexistent-sgdr-dir/history.csv'");
    sgdr_destroy(s);
}

static void test_index_out_of_range(void **state)
{
    sgdr_scheduler *s = running(NULL);
    const char *name = NULL;
    size_t column = 0;
    double out[8];
    (void)state;
    EXPECT_REFUSED(s, sgdr_history_column_name(s, 2, &name), SGDR_EINDEX,
                   "column 2 does not exist (there are 2)");
    assert_null(name);
    EXPECT_REFUSED(s, sgdr_history_find(s, "accuracy", &column), SGDR_EINDEX,
                   "no column named 'accuracy'");
    EXPECT_REFUSED(s, sgdr_history_copy(s, 0, 2, out, 2), SGDR_EINDEX,
                   "rows 2 + 2 go past the end of the history (3 rows)");
    sgdr_destroy(s);
}

/* ---- sgdr_strerror, sgdr_last_error ---- */

static void test_strerror(void **state)
{
    const char *text[SGDR_EINDEX + 1];
    int i, j;
    (void)state;
    for (i = SGDR_OK; i <= SGDR_EINDEX; i++) {
        text[i] = sgdr_strerror((sgdr_status)i);
        assert_non_null(text[i]);
        assert_true(strlen(text[i]) > 0);
        assert_string_not_equal(text[i], "unknown status");
        for (j = 0; j < i; j++) assert_string_not_equal(text[i], text[j]);
    }
    assert_string_equal(sgdr_strerror(SGDR_ENOMEM), "out of memory");
    assert_string_equal(sgdr_strerror((sgdr_status)(SGDR_EINDEX + 1)), "unknown status");
    assert_string_equal(sgdr_strerror((sgdr_status)-1), "unknown status");
    assert_string_equal(sgdr_strerror((sgdr_status)1000), "unknown status");
}

static void test_last_error(void **state)
{
    sgdr_scheduler *s = configured(NULL);
    const char *msg = sgdr_last_error(NULL);
    (void)state;
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    assert_string_equal(sgdr_last_error(s), "");
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, -2), SGDR_EVALUE);
    assert_message(s, "lr_decay (-2)", 0);
    /* a successful call keeps the last failure's message */
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.5), SGDR_OK);
    assert_message(s, "lr_decay (-2)", 0);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_param_refuses_bad_values),
        cmocka_unit_test(test_unknown_ids),
        cmocka_unit_test(test_configuration_rules),
        cmocka_unit_test(test_required_parameters),
        cmocka_unit_test(test_null_scheduler),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_calls_out_of_order),
        cmocka_unit_test(test_bad_metric_names),
        cmocka_unit_test(test_failing_hooks),
        cmocka_unit_test(test_buffers_too_small),
        cmocka_unit_test(test_bad_state_blobs),
        cmocka_unit_test(test_unwritable_path),
        cmocka_unit_test(test_index_out_of_range),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_last_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
