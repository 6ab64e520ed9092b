/* test_bad_input.c -- every kind of bad input, in one table.
 *
 * Each row is a call that must be refused: a bad parameter value, an unknown id, a NULL
 * pointer argument, a bad metric name, an out-of-range index, a call out of order. The row
 * gives the state the scheduler is in first (a fixture), the call, the status it must
 * return, and words its sgdr_last_error() message must contain (the parameter, the value,
 * the argument). After a refused call the scheduler must be exactly as before: saved state
 * bytes (every parameter and counter), sgdr_lr, the history (rows, column names, last row).
 *
 * To extend: add a row to `cases` (or a column to the parameter grid below it). Rows whose
 * scheduler argument is NULL have no scheduler to carry a message; for them the status is
 * the report. A few rows check that an optional pointer really is optional (status OK). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scripted_run.h" /* run_view: what a scheduler looks like from outside */

/* ---- fixtures: the state a row starts from ---- */

typedef enum fixture {
    FRESH,          /* created, nothing set */
    CONFIGURED,     /* the required parameters set, not started */
    RUNNING,        /* started, three batches with a metric, hooks registered */
    ENDED,          /* one epoch run, then on_train_end */
    MAX_NOT_ABOVE,  /* max_lr 0.01 <= min_lr 0.02 */
    WARMUP_ABOVE,   /* warmup_start_lr 0.5 > max_lr 0.1 */
    KERAS_WARMUP,   /* keras-seed mode with warmup_epochs 2 */
    KERAS_CYCLES,   /* keras-seed mode with max_cycles 3 */
    NO_STEPS        /* min_lr and max_lr set, steps_per_epoch not */
} fixture;

static int fixture_set_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

static double fixture_lr; /* what the fixture's set_lr hook last received */

static void set(sgdr_scheduler *s, sgdr_param p, double v)
{
    assert_int_equal(sgdr_set_param(s, p, v), SGDR_OK);
}

static sgdr_scheduler *make_fixture(fixture fx)
{
    static const sgdr_metric loss = {"loss", 0.5};
    sgdr_scheduler *s;
    int b;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    if (fx == FRESH) return s;
    set(s, SGDR_PARAM_MIN_LR, fx == MAX_NOT_ABOVE ? 0.02 : 0.001);
    set(s, SGDR_PARAM_MAX_LR, fx == MAX_NOT_ABOVE ? 0.01 : 0.1);
    if (fx == NO_STEPS) return s;
    set(s, SGDR_PARAM_STEPS_PER_EPOCH, 3);
    set(s, SGDR_PARAM_CYCLE_LENGTH, 1);
    switch (fx) {
    case WARMUP_ABOVE: set(s, SGDR_PARAM_WARMUP_START_LR, 0.5); break;
    case KERAS_WARMUP:
        set(s, SGDR_PARAM_RESTART_MODE, SGDR_RESTART_KERAS_SEED);
        set(s, SGDR_PARAM_WARMUP_EPOCHS, 2);
        break;
    case KERAS_CYCLES:
        set(s, SGDR_PARAM_RESTART_MODE, SGDR_RESTART_KERAS_SEED);
        set(s, SGDR_PARAM_MAX_CYCLES, 3);
        break;
    default: break;
    }
    if (fx != RUNNING && fx != ENDED) return s;
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, fixture_set_lr, &fixture_lr), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (b = 0; b < 3; b++) assert_int_equal(sgdr_on_batch_end(s, (uint64_t)b, &loss, 1), SGDR_OK);
    if (fx == RUNNING) return s;
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    return s;
}

/* ---- the calls ---- */

typedef enum api {
    CREATE,
    CREATE_WITH_ALLOCATOR,
    SET_PARAM,
    GET_PARAM,
    PARAM_FROM_NAME,
    SET_LR_HOOKS,
    SET_WEIGHT_HOOKS,
    TRAIN_BEGIN,
    BATCH_END,
    EPOCH_END,
    TRAIN_END,
    LR_AT,
    GET_PROGRESS,
    HISTORY_ROWS,
    HISTORY_COLUMNS,
    HISTORY_COLUMN_NAME,
    HISTORY_FIND,
    HISTORY_COPY,
    HISTORY_TO_CSV,
    HISTORY_WRITE_CSV,
    SAVE_STATE,
    LOAD_STATE
} api;

/* Which pointer arguments are passed as NULL: the scheduler, then the others in order. */
enum { NUL_S = 1, NUL_1 = 2, NUL_2 = 4, NUL_3 = 8 };

typedef struct bad_case {
    const char *what;
    fixture fx;
    api call;
    unsigned nulls;
    long long i, j, k;       /* integer arguments: an id, index, epoch, count, size */
    double d;                /* the parameter value */
    const char *str;         /* a name or path */
    const sgdr_metric *m;    /* metrics (with n) */
    size_t n;
    sgdr_status want;
    const char *says[3];     /* the message must contain each */
} bad_case;

static void *plain_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void plain_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static int no_lr_hook(void *user, double lr)
{
    (void)user;
    (void)lr;
    return 0;
}

static const unsigned char garbage[188] = "this is not a libsgdr state blob";

static sgdr_status call(const bad_case *c, sgdr_scheduler *fixture_s)
{
    sgdr_scheduler *s = (c->nulls & NUL_S) ? NULL : fixture_s;
    sgdr_scheduler *made = (sgdr_scheduler *)&made; /* non-NULL: a failure must clear it */
    sgdr_scheduler **out = (c->nulls & NUL_1) ? NULL : &made;
    double value = 0, out_values[4];
    size_t size = 0, column = 0;
    const char *name = NULL;
    sgdr_param param = SGDR_PARAM_MIN_LR;
    uint64_t progress = 0;
    char buf[512];
    sgdr_status st = SGDR_OK;
    int second = (c->nulls & NUL_2) != 0, third = (c->nulls & NUL_3) != 0;

    switch (c->call) {
    case CREATE: st = sgdr_create(out); break;
    case CREATE_WITH_ALLOCATOR:
        st = sgdr_create_with_allocator(out, second ? NULL : plain_alloc,
                                        third ? NULL : plain_free, NULL);
        break;
    case SET_PARAM: return sgdr_set_param(s, (sgdr_param)c->i, c->d);
    case GET_PARAM: return sgdr_get_param(s, (sgdr_param)c->i, (c->nulls & NUL_1) ? NULL : &value);
    case PARAM_FROM_NAME:
        return sgdr_param_from_name((c->nulls & NUL_1) ? NULL : c->str, second ? NULL : &param);
    case SET_LR_HOOKS:
        return sgdr_set_lr_hooks(s, NULL, (c->nulls & NUL_1) ? NULL : no_lr_hook, NULL);
    case SET_WEIGHT_HOOKS: return sgdr_set_weight_hooks(s, NULL, NULL, NULL);
    case TRAIN_BEGIN: return sgdr_on_train_begin(s);
    case BATCH_END: return sgdr_on_batch_end(s, (uint64_t)c->i, c->m, c->n);
    case EPOCH_END: return sgdr_on_epoch_end(s, (uint64_t)c->i, c->m, c->n);
    case TRAIN_END: return sgdr_on_train_end(s, c->m, c->n);
    case LR_AT: return sgdr_lr_at(s, (uint64_t)c->i, (c->nulls & NUL_1) ? NULL : &value);
    case GET_PROGRESS:
        return sgdr_get_progress(s, (sgdr_progress)c->i, (c->nulls & NUL_1) ? NULL : &progress);
    case HISTORY_ROWS: return sgdr_history_rows(s, (c->nulls & NUL_1) ? NULL : &size);
    case HISTORY_COLUMNS: return sgdr_history_columns(s, (c->nulls & NUL_1) ? NULL : &size);
    case HISTORY_COLUMN_NAME:
        return sgdr_history_column_name(s, (size_t)c->i, (c->nulls & NUL_1) ? NULL : &name);
    case HISTORY_FIND:
        return sgdr_history_find(s, (c->nulls & NUL_1) ? NULL : c->str, second ? NULL : &column);
    case HISTORY_COPY:
        return sgdr_history_copy(s, (size_t)c->i, (size_t)c->j,
                                 (c->nulls & NUL_1) ? NULL : out_values, (size_t)c->k);
    case HISTORY_TO_CSV:
        return sgdr_history_to_csv(s, (c->nulls & NUL_1) ? NULL : buf, (size_t)c->i,
                                   second ? NULL : &size);
    case HISTORY_WRITE_CSV: return sgdr_history_write_csv(s, (c->nulls & NUL_1) ? NULL : c->str);
    case SAVE_STATE:
        return sgdr_save_state(s, (c->nulls & NUL_1) ? NULL : buf, (size_t)c->i,
                               second ? NULL : &size);
    case LOAD_STATE:
        return sgdr_load_state(s, (c->nulls & NUL_1) ? NULL : (c->str ? (const void *)c->str
                                                                       : garbage),
                               (size_t)c->i);
    }
    /* The constructors: a refused create leaves *out NULL; a successful one is released. */
    if (out != NULL && st != SGDR_OK && made != NULL)
        fail_msg("%s: *out not set to NULL on failure", c->what);
    if (st == SGDR_OK) sgdr_destroy(made);
    return st;
}

/* ---- the table ---- */

static const sgdr_metric m_null_name[] = {{"loss", 1}, {NULL, 2}};
static const sgdr_metric m_empty_name[] = {{"", 1}};
static const sgdr_metric m_twice[] = {{"loss", 1}, {"acc", 2}, {"loss", 3}};
static const sgdr_metric m_lr[] = {{"lr", 1}};

#define ROW(what, fx, api, nulls, i, j, k, d, str, m, n, want, ...) \
    {what, fx, api, nulls, i, j, k, d, str, m, n, want, {__VA_ARGS__}}
/* Shorthands for the common shapes. */
#define NULLARG(what, fx, api, nulls, want, ...) \
    ROW(what, fx, api, nulls, 0, 0, 0, 0, "lr", NULL, 0, want, __VA_ARGS__)
#define PARAM(what, fx, p, v, want, ...) \
    ROW(what, fx, SET_PARAM, 0, p, 0, 0, v, NULL, NULL, 0, want, __VA_ARGS__)
#define METRICS(what, fx, api, i, m, n, want, ...) \
    ROW(what, fx, api, 0, i, 0, 0, 0, NULL, m, n, want, __VA_ARGS__)

static const bad_case cases[] = {
    /* NULL for every pointer argument of every function (the scheduler first). */
    NULLARG("create: out", FRESH, CREATE, NUL_1, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: out", FRESH, CREATE_WITH_ALLOCATOR, NUL_1, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: alloc", FRESH, CREATE_WITH_ALLOCATOR, NUL_2, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: free", FRESH, CREATE_WITH_ALLOCATOR, NUL_3, SGDR_ENULL, NULL),
    ROW("set_param: s", FRESH, SET_PARAM, NUL_S, SGDR_PARAM_MIN_LR, 0, 0, 0.1, NULL, NULL, 0,
        SGDR_ENULL, NULL),
    NULLARG("get_param: s", CONFIGURED, GET_PARAM, NUL_S, SGDR_ENULL, NULL),
    NULLARG("get_param: value", CONFIGURED, GET_PARAM, NUL_1, SGDR_ENULL, "sgdr_get_param", "value"),
    NULLARG("param_from_name: name", FRESH, PARAM_FROM_NAME, NUL_1, SGDR_ENULL, NULL),
    NULLARG("param_from_name: p", FRESH, PARAM_FROM_NAME, NUL_2, SGDR_ENULL, NULL),
    NULLARG("set_lr_hooks: s", FRESH, SET_LR_HOOKS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("set_lr_hooks: hooks are optional", RUNNING, SET_LR_HOOKS, NUL_1, SGDR_OK, NULL),
    NULLARG("set_weight_hooks: s", FRESH, SET_WEIGHT_HOOKS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("set_weight_hooks: hooks are optional", RUNNING, SET_WEIGHT_HOOKS, 0, SGDR_OK, NULL),
    NULLARG("on_train_begin: s", CONFIGURED, TRAIN_BEGIN, NUL_S, SGDR_ENULL, NULL),
    NULLARG("on_batch_end: s", RUNNING, BATCH_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_batch_end: metrics NULL, n 2", RUNNING, BATCH_END, 3, NULL, 2, SGDR_ENULL,
            "sgdr_on_batch_end", "metrics is NULL", "2"),
    NULLARG("on_epoch_end: s", RUNNING, EPOCH_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_epoch_end: metrics NULL, n 5", RUNNING, EPOCH_END, 0, NULL, 5, SGDR_ENULL,
            "sgdr_on_epoch_end", "metrics is NULL", "5"),
    NULLARG("on_train_end: s", RUNNING, TRAIN_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_train_end: metrics NULL, n 1", RUNNING, TRAIN_END, 0, NULL, 1, SGDR_ENULL,
            "sgdr_on_train_end", "metrics is NULL", "1"),
    NULLARG("lr_at: s", CONFIGURED, LR_AT, NUL_S, SGDR_ENULL, NULL),
    NULLARG("lr_at: lr", CONFIGURED, LR_AT, NUL_1, SGDR_ENULL, "sgdr_lr_at", "lr is NULL"),
    ROW("get_progress: s", RUNNING, GET_PROGRESS, NUL_S, 1, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("get_progress: value", RUNNING, GET_PROGRESS, NUL_1, 1, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_get_progress", "value"),
    NULLARG("history_rows: s", RUNNING, HISTORY_ROWS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_rows: rows", RUNNING, HISTORY_ROWS, NUL_1, SGDR_ENULL, "sgdr_history_rows", "rows"),
    NULLARG("history_columns: s", RUNNING, HISTORY_COLUMNS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_columns: columns", RUNNING, HISTORY_COLUMNS, NUL_1, SGDR_ENULL,
            "sgdr_history_columns", "columns"),
    NULLARG("history_column_name: s", RUNNING, HISTORY_COLUMN_NAME, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_column_name: name", RUNNING, HISTORY_COLUMN_NAME, NUL_1, SGDR_ENULL,
            "sgdr_history_column_name", "name"),
    NULLARG("history_find: s", RUNNING, HISTORY_FIND, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_find: name", RUNNING, HISTORY_FIND, NUL_1, SGDR_ENULL, "sgdr_history_find", "name"),
    NULLARG("history_find: column", RUNNING, HISTORY_FIND, NUL_2, SGDR_ENULL, "sgdr_history_find",
            "column"),
    ROW("history_copy: s", RUNNING, HISTORY_COPY, NUL_S, 0, 0, 1, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("history_copy: out", RUNNING, HISTORY_COPY, NUL_1, 0, 0, 1, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_history_copy", "out"),
    ROW("history_copy: out NULL with count 0 is fine", RUNNING, HISTORY_COPY, NUL_1, 0, 0, 0, 0,
        NULL, NULL, 0, SGDR_OK, NULL),
    ROW("history_to_csv: s", RUNNING, HISTORY_TO_CSV, NUL_S, 512, 0, 0, 0, NULL, NULL, 0,
        SGDR_ENULL, NULL),
    ROW("history_to_csv: len", RUNNING, HISTORY_TO_CSV, NUL_2, 512, 0, 0, 0, NULL, NULL, 0,
        SGDR_ENULL, "sgdr_history_to_csv", "len"),
    ROW("history_to_csv: buf NULL asks the size", RUNNING, HISTORY_TO_CSV, NUL_1, 0, 0, 0, 0, NULL,
        NULL, 0, SGDR_OK, NULL),
    NULLARG("history_write_csv: s", RUNNING, HISTORY_WRITE_CSV, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_write_csv: path", RUNNING, HISTORY_WRITE_CSV, NUL_1, SGDR_ENULL,
            "sgdr_history_write_csv", "path"),
    ROW("save_state: s", RUNNING, SAVE_STATE, NUL_S, 512, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("save_state: len", RUNNING, SAVE_STATE, NUL_2, 512, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_save_state", "len"),
    ROW("save_state: buf NULL asks the size", RUNNING, SAVE_STATE, NUL_1, 0, 0, 0, 0, NULL, NULL, 0,
        SGDR_OK, NULL),
    ROW("load_state: s", RUNNING, LOAD_STATE, NUL_S, 188, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("load_state: buf", RUNNING, LOAD_STATE, NUL_1, 188, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_load_state", "buf"),

    /* Unknown parameter and progress ids. */
    PARAM("set_param: id 0", CONFIGURED, 0, 0.5, SGDR_EBADPARAM, "unknown parameter id", "0"),
    PARAM("set_param: id 14", CONFIGURED, 14, 0.5, SGDR_EBADPARAM, "unknown parameter id", "14"),
    PARAM("set_param: id -1", CONFIGURED, -1, 0.5, SGDR_EBADPARAM, "unknown parameter id", "-1"),
    PARAM("set_param: id INT_MAX", CONFIGURED, INT_MAX, 0.5, SGDR_EBADPARAM,
          "unknown parameter id", "2147483647"),
    ROW("get_param: id 0", CONFIGURED, GET_PARAM, 0, 0, 0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM,
        "unknown parameter id", "0"),
    ROW("get_param: id 14", CONFIGURED, GET_PARAM, 0, 14, 0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM,
        "unknown parameter id", "14"),
    ROW("get_param: id INT_MIN", CONFIGURED, GET_PARAM, 0, INT_MIN, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown parameter id", "-2147483648"),
    ROW("param_from_name: unknown name", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "learning_rate",
        NULL, 0, SGDR_EBADPARAM, NULL),
    ROW("param_from_name: empty name", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "", NULL, 0,
        SGDR_EBADPARAM, NULL),
    ROW("param_from_name: case matters", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "MIN_LR", NULL, 0,
        SGDR_EBADPARAM, NULL),
    ROW("get_progress: id 0", RUNNING, GET_PROGRESS, 0, 0, 0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM,
        "unknown progress id", "0"),
    ROW("get_progress: id 11", RUNNING, GET_PROGRESS, 0, 11, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown progress id", "11"),
    ROW("get_progress: id -7", RUNNING, GET_PROGRESS, 0, -7, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown progress id", "-7"),

    /* Metric names NULL, empty, repeated, or the reserved "lr". */
    METRICS("on_batch_end: NULL name", RUNNING, BATCH_END, 3, m_null_name, 2, SGDR_EMETRIC,
            "metric 1", "NULL name"),
    METRICS("on_batch_end: empty name", RUNNING, BATCH_END, 3, m_empty_name, 1, SGDR_EMETRIC,
            "metric 0", "empty name"),
    METRICS("on_batch_end: name given twice", RUNNING, BATCH_END, 3, m_twice, 3, SGDR_EMETRIC,
            "'loss'", "more than once"),
    METRICS("on_batch_end: name lr", RUNNING, BATCH_END, 3, m_lr, 1, SGDR_EMETRIC, "'lr'",
            "reserved"),
    METRICS("on_epoch_end: NULL name", RUNNING, EPOCH_END, 0, m_null_name, 2, SGDR_EMETRIC,
            "sgdr_on_epoch_end", "metric 1", "NULL name"),
    METRICS("on_epoch_end: empty name", RUNNING, EPOCH_END, 0, m_empty_name, 1, SGDR_EMETRIC,
            "sgdr_on_epoch_end", "metric 0", "empty name"),
    METRICS("on_train_end: NULL name", RUNNING, TRAIN_END, 0, m_null_name, 2, SGDR_EMETRIC,
            "sgdr_on_train_end", "metric 1", "NULL name"),
    METRICS("on_train_end: empty name", RUNNING, TRAIN_END, 0, m_empty_name, 1, SGDR_EMETRIC,
            "sgdr_on_train_end", "metric 0", "empty name"),

    /* Calls out of order. */
    METRICS("on_batch_end before on_train_begin", CONFIGURED, BATCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_batch_end", "sgdr_on_train_begin"),
    METRICS("on_epoch_end before on_train_begin", CONFIGURED, EPOCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_epoch_end", "sgdr_on_train_begin"),
    METRICS("on_train_end before on_train_begin", CONFIGURED, TRAIN_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_train_end", "sgdr_on_train_begin"),
    METRICS("on_batch_end after on_train_end", ENDED, BATCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_batch_end"),
    METRICS("on_train_end twice", ENDED, TRAIN_END, 0, NULL, 0, SGDR_EORDER, "sgdr_on_train_end"),
    NULLARG("on_train_begin during a run", RUNNING, TRAIN_BEGIN, 0, SGDR_EORDER,
            "sgdr_on_train_begin", "sgdr_on_train_end"),
    PARAM("set_param during a run", RUNNING, SGDR_PARAM_MAX_LR, 0.2, SGDR_EORDER, "max_lr",
          "during a run"),
    PARAM("set_param during a run, history", RUNNING, SGDR_PARAM_HISTORY, 0, SGDR_EORDER,
          "history", "during a run"),
    METRICS("on_epoch_end with the wrong epoch", RUNNING, EPOCH_END, 5, NULL, 0, SGDR_EEPOCH,
            "epoch 5", "epoch 0"),
    METRICS("on_epoch_end with epoch 2^64-1", RUNNING, EPOCH_END, -1, NULL, 0, SGDR_EEPOCH,
            "18446744073709551615", "epoch 0"),
    METRICS("on_epoch_end repeated", ENDED, EPOCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_epoch_end"),
    NULLARG("on_train_begin without min_lr", FRESH, TRAIN_BEGIN, 0, SGDR_ECONFIG, "min_lr",
            "required"),
    NULLARG("on_train_begin without steps_per_epoch", NO_STEPS, TRAIN_BEGIN, 0, SGDR_ECONFIG,
            "steps_per_epoch", "required"),
    NULLARG("on_train_begin with max_lr <= min_lr", MAX_NOT_ABOVE, TRAIN_BEGIN, 0, SGDR_ECONFIG,
            "max_lr (0.01", "min_lr (0.02"),
    NULLARG("on_train_begin with warmup_start_lr > max_lr", WARMUP_ABOVE, TRAIN_BEGIN, 0,
            SGDR_ECONFIG, "warmup_start_lr (0.5)", "max_lr (0.1"),
    NULLARG("on_train_begin: keras-seed with warm-up", KERAS_WARMUP, TRAIN_BEGIN, 0, SGDR_ECONFIG,
            "warmup_epochs (2)", "keras-seed"),
    NULLARG("on_train_begin: keras-seed with max_cycles", KERAS_CYCLES, TRAIN_BEGIN, 0,
            SGDR_ECONFIG, "max_cycles (3)", "keras-seed"),
    NULLARG("lr_at without min_lr", FRESH, LR_AT, 0, SGDR_ECONFIG, "min_lr", "required"),
    NULLARG("lr_at with max_lr <= min_lr", MAX_NOT_ABOVE, LR_AT, 0, SGDR_ECONFIG, "max_lr (0.01",
            "min_lr (0.02"),
    NULLARG("lr_at: keras-seed with warm-up", KERAS_WARMUP, LR_AT, 0, SGDR_ECONFIG,
            "warmup_epochs (2)"),

    /* Indices and sizes out of range. */
    ROW("history_column_name: column 2 of 2", RUNNING, HISTORY_COLUMN_NAME, 0, 2, 0, 0, 0, NULL,
        NULL, 0, SGDR_EINDEX, "column 2", "there are 2"),
    ROW("history_column_name: column SIZE_MAX", RUNNING, HISTORY_COLUMN_NAME, 0, -1, 0, 0, 0, NULL,
        NULL, 0, SGDR_EINDEX, "column 18446744073709551615"),
    ROW("history_find: no such column", RUNNING, HISTORY_FIND, 0, 0, 0, 0, 0, "accuracy", NULL, 0,
        SGDR_EINDEX, "'accuracy'"),
    ROW("history_find: empty name", RUNNING, HISTORY_FIND, 0, 0, 0, 0, 0, "", NULL, 0, SGDR_EINDEX,
        "''"),
    ROW("history_copy: column 7", RUNNING, HISTORY_COPY, 0, 7, 0, 1, 0, NULL, NULL, 0, SGDR_EINDEX,
        "column 7"),
    ROW("history_copy: rows 2 + 2 of 3", RUNNING, HISTORY_COPY, 0, 0, 2, 2, 0, NULL, NULL, 0,
        SGDR_EINDEX, "rows 2 + 2", "3 rows"),
    ROW("history_copy: first 4 of 3", RUNNING, HISTORY_COPY, 0, 0, 4, 0, 0, NULL, NULL, 0,
        SGDR_EINDEX, "rows 4 + 0", "3 rows"),
    ROW("history_copy: count wraps", RUNNING, HISTORY_COPY, 0, 0, 1, -1, 0, NULL, NULL, 0,
        SGDR_EINDEX, "18446744073709551615"),
    ROW("history_to_csv: buffer of 10", RUNNING, HISTORY_TO_CSV, 0, 10, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBUFSIZE, "buffer of 10"),
    ROW("history_write_csv: no such directory", RUNNING, HISTORY_WRITE_CSV, 0, 0, 0, 0, 0,
        "/nonexistent-sgdr-dir/h.csv", NULL, 0, SGDR_EIO, "/nonexistent-sgdr-dir/h.csv"),
    ROW("save_state: buffer of 187", RUNNING, SAVE_STATE, 0, 187, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBUFSIZE, "187", "188"),
    ROW("load_state: 0 bytes", RUNNING, LOAD_STATE, 0, 0, 0, 0, 0, NULL, NULL, 0, SGDR_ETRUNCATED,
        "truncated", ": 0 "),
    ROW("load_state: the first 15 bytes of a blob", RUNNING, LOAD_STATE, 0, 15, 0, 0, 0,
        "SGDRSTAT\x01\x00\x00\x00\xbc\x00\x00", NULL, 0, SGDR_ETRUNCATED, "truncated", "15"),
    ROW("load_state: not a blob", RUNNING, LOAD_STATE, 0, 188, 0, 0, 0, NULL, NULL, 0, SGDR_EMAGIC,
        "SGDRSTAT"),
};

/* ---- the parameter grid: every parameter against every kind of bad value ---- */

static const struct {
    const char *kind;
    double value;
    const char *text; /* how the message must quote it */
} kinds[] = {
    {"negative", -1.0, "-1"},
    {"zero", 0.0, "0"},
    {"NaN", NAN, "nan"},
    {"+Inf", INFINITY, "inf"},
    {"-Inf", -INFINITY, "-inf"},
    {"non-integer", 1.5, "1.5"},
    {"2^32", 4294967296.0, "4294967296"},
    {"out-of-range enum or flag", 2.0, "2"},
    {"below one", 0.5, "0.5"},
    {"tiny negative", -5e-324, "-4.9406564584124654e-324"},
    {"-0", -0.0, "-0"},
    {"2^32 - 1", 4294967295.0, "4294967295"},
    {"1e308", 1e308, "1e+308"},
};
#define KINDS (sizeof kinds / sizeof kinds[0])

/* For each parameter, one letter per kind above: V = refused with SGDR_EVALUE, . = valid. */
static const struct {
    sgdr_param p;
    const char verdict[KINDS + 1];
} grid[] = {
    /*                                  neg 0 nan +inf -inf 1.5 2^32 2 .5 -tiny -0 2^32-1 1e308 */
    {SGDR_PARAM_MIN_LR,            "V.VVV...." "V." ".."},
    {SGDR_PARAM_MAX_LR,            "VVVVV...." "VV" ".."},
    {SGDR_PARAM_STEPS_PER_EPOCH,   "VVVVVVV.V" "VV" ".V"},
    {SGDR_PARAM_LR_DECAY,          "VVVVV...." "VV" ".."},
    {SGDR_PARAM_CYCLE_LENGTH,      "VVVVVVV.V" "VV" ".V"},
    {SGDR_PARAM_MULT_FACTOR,       "VVVVV...V" "VV" ".."},
    {SGDR_PARAM_RESTART_MODE,      "V.VVVVVVV" "V." "VV"},
    {SGDR_PARAM_WARMUP_EPOCHS,     "V.VVVVV.V" "V." ".V"},
    {SGDR_PARAM_WARMUP_START_LR,   "V.VVV...." "V." ".."},
    {SGDR_PARAM_MAX_CYCLES,        "V.VVVVV.V" "V." ".V"},
    {SGDR_PARAM_RESTORE_AT_END,    "V.VVVVVVV" "V." "VV"},
    {SGDR_PARAM_HISTORY,           "V.VVVVVVV" "V." "VV"},
};

/* ---- running a row ---- */

static void check_case(const bad_case *c)
{
    sgdr_scheduler *s = make_fixture(c->fx);
    run_view before, after;
    const char *diff;
    const char *message;
    sgdr_status st;
    size_t i;

    run_view_take(s, &before);
    st = call(c, s);
    if (st != c->want)
        fail_msg("%s: returned %d (%s), expected %d (%s); message \"%s\"", c->what, st,
                 sgdr_strerror(st), c->want, sgdr_strerror(c->want), sgdr_last_error(s));
    if (st == SGDR_OK) {
        sgdr_destroy(s);
        return;
    }
    /* The constructors and sgdr_param_from_name have no scheduler to hold a message. */
    if (c->call == CREATE || c->call == CREATE_WITH_ALLOCATOR || c->call == PARAM_FROM_NAME)
        message = "";
    else
        message = (c->nulls & NUL_S) ? sgdr_last_error(NULL) : sgdr_last_error(s);
    if (message == NULL || (message[0] == '\0' && c->call > PARAM_FROM_NAME))
        fail_msg("%s: refused with an empty message", c->what);
    for (i = 0; i < 3 && c->says[i] != NULL; i++)
        if (strstr(message, c->says[i]) == NULL)
            fail_msg("%s: message \"%s\" does not say \"%s\"", c->what, message, c->says[i]);
    run_view_take(s, &after);
    if ((diff = run_view_diff(&before, &after)) != NULL)
        fail_msg("%s: the refused call changed the %s", c->what, diff);
    sgdr_destroy(s);
}

static void table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i]);
    print_message("%zu rows\n", sizeof cases / sizeof cases[0]);
}

/* Every parameter with every kind of value, before a run and during one. */
static void parameter_grid(void **state)
{
    static const fixture when[] = {CONFIGURED, FRESH, ENDED, RUNNING};
    size_t g, k, w, refused = 0;
    (void)state;
    for (g = 0; g < sizeof grid / sizeof grid[0]; g++) {
        const char *name = sgdr_param_name(grid[g].p);
        assert_non_null(name);
        assert_int_equal(strlen(grid[g].verdict), KINDS);
        for (k = 0; k < KINDS; k++) {
            for (w = 0; w < sizeof when / sizeof when[0]; w++) {
                char what[160];
                int bad = grid[g].verdict[k] == 'V';
                /* During a run a valid value is refused as out of order, a bad one as bad. */
                sgdr_status want = bad ? SGDR_EVALUE : when[w] == RUNNING ? SGDR_EORDER : SGDR_OK;
                bad_case c = PARAM(what, when[w], grid[g].p, kinds[k].value, want, name,
                                   bad ? kinds[k].text : "during a run");
                snprintf(what, sizeof what, "set_param %s = %s (%s), fixture %zu", name,
                         kinds[k].text, kinds[k].kind, w);
                check_case(&c);
                refused += want != SGDR_OK;
                if (want == SGDR_OK) { /* accepted: it reads back as given */
                    sgdr_scheduler *s = make_fixture(when[w]);
                    double v = NAN;
                    assert_int_equal(sgdr_set_param(s, grid[g].p, kinds[k].value), SGDR_OK);
                    assert_int_equal(sgdr_get_param(s, grid[g].p, &v), SGDR_OK);
                    assert_true(v == kinds[k].value);
                    sgdr_destroy(s);
                }
            }
        }
    }
    print_message("%zu parameters x %zu values x 4 states, %zu refused\n",
                  sizeof grid / sizeof grid[0], KINDS, refused);
}

/* The functions that return no status: their documented answer to bad input. */
static void no_status_functions(void **state)
{
    (void)state;
    sgdr_destroy(NULL);
    assert_true(isnan(sgdr_lr(NULL)));
    assert_null(sgdr_param_name((sgdr_param)0));
    assert_null(sgdr_param_name((sgdr_param)14));
    assert_null(sgdr_param_name((sgdr_param)-1));
    assert_string_equal(sgdr_strerror((sgdr_status)-1), "unknown status");
    assert_string_equal(sgdr_strerror((sgdr_status)21), "unknown status");
    assert_string_equal(sgdr_strerror((sgdr_status)INT_MAX), "unknown status");
    assert_non_null(sgdr_last_error(NULL));
    assert_true(sgdr_last_error(NULL)[0] != '\0');
    {
        sgdr_scheduler *s = make_fixture(FRESH);
        assert_true(isnan(sgdr_lr(s))); /* no run has begun */
        assert_string_equal(sgdr_last_error(s), "");
        sgdr_destroy(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(parameter_grid),
        cmocka_unit_test(no_status_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
