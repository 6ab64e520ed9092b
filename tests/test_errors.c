/* SPDX-License-Identifier: MIT */
/* test_errors.c -- every error status sgdr.h documents and every kind of bad input, each
 * provoked once: the status, a message that names the function, the argument or parameter and
 * the value, and nothing changed (the observer, observe.h: saved state bytes, sgdr_lr, every
 * progress counter and parameter, the history).
 *
 * Most refusals are rows of one table (`cases`): the state the scheduler is in first (a
 * fixture), the call, the status, and words the message must contain. Every parameter meets
 * every kind of bad value in a grid. What a row cannot say has its own test: configurations
 * refused at on_train_begin and sgdr_lr_at (exact messages, no hook called), failing hooks
 * and the retry, buffers too small (the size reported, the buffer untouched), bad state
 * blobs, out of memory, sgdr_strerror and sgdr_last_error.
 *
 * To extend: add a row to `cases`, a kind of value to `kinds` (and a letter to each `grid`
 * row), or a parameter to `grid`. Rows whose scheduler argument is NULL have no scheduler to
 * carry a message; for them the status is the report. A few rows check that an optional
 * pointer really is optional (status OK). */
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

#include "host.h"
#include "observe.h"
#include "testutil.h"

/* The first parameter id sgdr.h does not define. */
#define UNKNOWN_PARAM 14

/* ---- fixtures: the state a call starts from ---- */

typedef enum fixture {
    FRESH,      /* created, nothing set */
    CONFIGURED, /* `base` set, not started */
    RUNNING,    /* started; two batches, epoch 0 ended, one batch: 3 history rows (lr, loss),
                   mid-epoch 1 of cycle 1 */
    ENDED       /* RUNNING, then on_train_end */
} fixture;

static const golden base = {.min_lr = 0.1, .max_lr = 0.5, .steps_per_epoch = 2, .lr_decay = 1,
                            .cycle_length = 1, .mult_factor = 2};

static const sgdr_metric loss = {"loss", 0.25};

/* The fixture's scheduler, with h's hooks when h is not NULL (FRESH has none). */
static sgdr_scheduler *make_fixture(fixture fx, host *h)
{
    sgdr_scheduler *s;
    int i;
    if (fx == FRESH) {
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        return s;
    }
    s = golden_scheduler(&base);
    assert_non_null(s);
    if (h != NULL) {
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, h), SGDR_OK);
        assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, host_restore, h), SGDR_OK);
    }
    if (fx == CONFIGURED) return s;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    for (i = 0; i < 2; i++) assert_int_equal(sgdr_on_batch_end(s, (uint64_t)i, &loss, 1), SGDR_OK);
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, 0, &loss, 1), SGDR_OK);
    if (fx == RUNNING) return s;
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    return s;
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

/* buf[0..n) all hold `byte`: nothing was written there. */
static void assert_untouched(const void *buf, size_t n, unsigned char byte)
{
    const unsigned char *p = buf;
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != byte) fail_msg("byte %zu was written (0x%02x)", i, p[i]);
}

/* ---- the calls of the table ---- */

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
    long long i, j, k;    /* integer arguments: an id, index, epoch, count, size */
    double d;             /* the parameter value */
    const char *str;      /* a name or path */
    const sgdr_metric *m; /* metrics (with n) */
    size_t n;
    sgdr_status want;
    const char *says[3];  /* the message must contain each */
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
    int first = (c->nulls & NUL_1) != 0, second = (c->nulls & NUL_2) != 0;
    int third = (c->nulls & NUL_3) != 0;

    switch (c->call) {
    case CREATE: st = sgdr_create(out); break;
    case CREATE_WITH_ALLOCATOR:
        st = sgdr_create_with_allocator(out, second ? NULL : plain_alloc,
                                        third ? NULL : plain_free, NULL);
        break;
    case SET_PARAM: return sgdr_set_param(s, (sgdr_param)c->i, c->d);
    case GET_PARAM: return sgdr_get_param(s, (sgdr_param)c->i, first ? NULL : &value);
    case PARAM_FROM_NAME:
        st = sgdr_param_from_name(first ? NULL : c->str, second ? NULL : &param);
        if (st != SGDR_OK && param != SGDR_PARAM_MIN_LR)
            fail_msg("%s: the refused lookup wrote the parameter id %d", c->what, (int)param);
        return st;
    case SET_LR_HOOKS:
        return sgdr_set_lr_hooks(s, NULL, first ? NULL : host_set_lr, NULL);
    case SET_WEIGHT_HOOKS: return sgdr_set_weight_hooks(s, NULL, NULL, NULL);
    case TRAIN_BEGIN: return sgdr_on_train_begin(s);
    case BATCH_END: return sgdr_on_batch_end(s, (uint64_t)c->i, c->m, c->n);
    case EPOCH_END: return sgdr_on_epoch_end(s, (uint64_t)c->i, c->m, c->n);
    case TRAIN_END: return sgdr_on_train_end(s, c->m, c->n);
    case LR_AT: return sgdr_lr_at(s, (uint64_t)c->i, first ? NULL : &value);
    case GET_PROGRESS:
        return sgdr_get_progress(s, (sgdr_progress)c->i, first ? NULL : &progress);
    case HISTORY_ROWS: return sgdr_history_rows(s, first ? NULL : &size);
    case HISTORY_COLUMNS: return sgdr_history_columns(s, first ? NULL : &size);
    case HISTORY_COLUMN_NAME:
        st = sgdr_history_column_name(s, (size_t)c->i, first ? NULL : &name);
        if (st != SGDR_OK && name != NULL)
            fail_msg("%s: the refused call set the name to \"%s\"", c->what, name);
        return st;
    case HISTORY_FIND:
        return sgdr_history_find(s, first ? NULL : c->str, second ? NULL : &column);
    case HISTORY_COPY:
        return sgdr_history_copy(s, (size_t)c->i, (size_t)c->j, first ? NULL : out_values,
                                 (size_t)c->k);
    case HISTORY_TO_CSV:
        return sgdr_history_to_csv(s, first ? NULL : buf, (size_t)c->i, second ? NULL : &size);
    case HISTORY_WRITE_CSV: return sgdr_history_write_csv(s, first ? NULL : c->str);
    case SAVE_STATE:
        return sgdr_save_state(s, first ? NULL : buf, (size_t)c->i, second ? NULL : &size);
    case LOAD_STATE:
        return sgdr_load_state(s, first ? NULL : (c->str ? (const void *)c->str : garbage),
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

/* SIZE_MAX as the library prints it (a size_t index of -1): 64 or 32 bits wide. */
#if SIZE_MAX == UINT64_MAX
#define SIZE_MAX_TEXT "18446744073709551615"
#elif SIZE_MAX == UINT32_MAX
#define SIZE_MAX_TEXT "4294967295"
#else
#error "size_t is neither 32 nor 64 bits wide"
#endif

#define ROW(what, fx, api, nulls, i, j, k, d, str, m, n, want, ...) \
    {what, fx, api, nulls, i, j, k, d, str, m, n, want, {__VA_ARGS__}}
/* Shorthands for the common shapes. */
#define NULLARG(what, fx, api, nulls, want, ...) \
    ROW(what, fx, api, nulls, 0, 0, 0, 0, "lr", NULL, 0, want, __VA_ARGS__)
#define PARAM(what, fx, p, v, want, ...) \
    ROW(what, fx, SET_PARAM, 0, p, 0, 0, v, NULL, NULL, 0, want, __VA_ARGS__)
#define METRICS(what, fx, api, i, m, n, want, ...) \
    ROW(what, fx, api, 0, i, 0, 0, 0, NULL, m, n, want, __VA_ARGS__)
#define STR(x) #x
#define XSTR(x) STR(x)

static const bad_case cases[] = {
    /* NULL for every pointer argument of every function (the scheduler first). */
    NULLARG("create: out", FRESH, CREATE, NUL_1, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: out", FRESH, CREATE_WITH_ALLOCATOR, NUL_1, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: alloc", FRESH, CREATE_WITH_ALLOCATOR, NUL_2, SGDR_ENULL, NULL),
    NULLARG("create_with_allocator: free", FRESH, CREATE_WITH_ALLOCATOR, NUL_3, SGDR_ENULL, NULL),
    ROW("set_param: s", FRESH, SET_PARAM, NUL_S, SGDR_PARAM_MIN_LR, 0, 0, 0.1, NULL, NULL, 0,
        SGDR_ENULL, NULL),
    NULLARG("get_param: s", CONFIGURED, GET_PARAM, NUL_S, SGDR_ENULL, NULL),
    NULLARG("get_param: value", RUNNING, GET_PARAM, NUL_1, SGDR_ENULL, "sgdr_get_param",
            "value is NULL"),
    NULLARG("get_param: value, before a run", CONFIGURED, GET_PARAM, NUL_1, SGDR_ENULL,
            "sgdr_get_param", "value is NULL"),
    NULLARG("param_from_name: name", FRESH, PARAM_FROM_NAME, NUL_1, SGDR_ENULL, NULL),
    NULLARG("param_from_name: p", FRESH, PARAM_FROM_NAME, NUL_2, SGDR_ENULL, NULL),
    NULLARG("set_lr_hooks: s", FRESH, SET_LR_HOOKS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("set_lr_hooks: hooks are optional", RUNNING, SET_LR_HOOKS, NUL_1, SGDR_OK, NULL),
    NULLARG("set_weight_hooks: s", FRESH, SET_WEIGHT_HOOKS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("set_weight_hooks: hooks are optional", RUNNING, SET_WEIGHT_HOOKS, 0, SGDR_OK, NULL),
    NULLARG("on_train_begin: s", CONFIGURED, TRAIN_BEGIN, NUL_S, SGDR_ENULL, NULL),
    NULLARG("on_batch_end: s", RUNNING, BATCH_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_batch_end: metrics NULL, n 2", RUNNING, BATCH_END, 1, NULL, 2, SGDR_ENULL,
            "sgdr_on_batch_end: metrics is NULL but n is 2"),
    NULLARG("on_epoch_end: s", RUNNING, EPOCH_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_epoch_end: metrics NULL, n 5", RUNNING, EPOCH_END, 1, NULL, 5, SGDR_ENULL,
            "sgdr_on_epoch_end: metrics is NULL but n is 5"),
    NULLARG("on_train_end: s", RUNNING, TRAIN_END, NUL_S, SGDR_ENULL, NULL),
    METRICS("on_train_end: metrics NULL, n 3", RUNNING, TRAIN_END, 0, NULL, 3, SGDR_ENULL,
            "sgdr_on_train_end: metrics is NULL but n is 3"),
    NULLARG("lr_at: s", CONFIGURED, LR_AT, NUL_S, SGDR_ENULL, NULL),
    NULLARG("lr_at: lr", RUNNING, LR_AT, NUL_1, SGDR_ENULL, "sgdr_lr_at", "lr is NULL"),
    NULLARG("lr_at: lr, before a run", CONFIGURED, LR_AT, NUL_1, SGDR_ENULL, "sgdr_lr_at",
            "lr is NULL"),
    ROW("get_progress: s", RUNNING, GET_PROGRESS, NUL_S, 1, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("get_progress: value", RUNNING, GET_PROGRESS, NUL_1, 1, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_get_progress", "value is NULL"),
    NULLARG("history_rows: s", RUNNING, HISTORY_ROWS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_rows: rows", RUNNING, HISTORY_ROWS, NUL_1, SGDR_ENULL, "sgdr_history_rows",
            "rows is NULL"),
    NULLARG("history_columns: s", RUNNING, HISTORY_COLUMNS, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_columns: columns", RUNNING, HISTORY_COLUMNS, NUL_1, SGDR_ENULL,
            "sgdr_history_columns", "columns is NULL"),
    NULLARG("history_column_name: s", RUNNING, HISTORY_COLUMN_NAME, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_column_name: name", RUNNING, HISTORY_COLUMN_NAME, NUL_1, SGDR_ENULL,
            "sgdr_history_column_name", "name is NULL"),
    NULLARG("history_find: s", RUNNING, HISTORY_FIND, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_find: name", RUNNING, HISTORY_FIND, NUL_1, SGDR_ENULL, "sgdr_history_find",
            "name is NULL"),
    NULLARG("history_find: column", RUNNING, HISTORY_FIND, NUL_2, SGDR_ENULL, "sgdr_history_find",
            "column is NULL"),
    ROW("history_copy: s", RUNNING, HISTORY_COPY, NUL_S, 0, 0, 1, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("history_copy: out", RUNNING, HISTORY_COPY, NUL_1, 0, 0, 1, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_history_copy", "out is NULL"),
    ROW("history_copy: out NULL with count 0 is fine", RUNNING, HISTORY_COPY, NUL_1, 0, 0, 0, 0,
        NULL, NULL, 0, SGDR_OK, NULL),
    ROW("history_to_csv: s", RUNNING, HISTORY_TO_CSV, NUL_S, 512, 0, 0, 0, NULL, NULL, 0,
        SGDR_ENULL, NULL),
    ROW("history_to_csv: len", RUNNING, HISTORY_TO_CSV, NUL_2, 512, 0, 0, 0, NULL, NULL, 0,
        SGDR_ENULL, "sgdr_history_to_csv", "len is NULL"),
    ROW("history_to_csv: buf and len NULL", RUNNING, HISTORY_TO_CSV, NUL_1 | NUL_2, 0, 0, 0, 0,
        NULL, NULL, 0, SGDR_ENULL, "len is NULL"),
    ROW("history_to_csv: buf NULL asks the size", RUNNING, HISTORY_TO_CSV, NUL_1, 0, 0, 0, 0, NULL,
        NULL, 0, SGDR_OK, NULL),
    NULLARG("history_write_csv: s", RUNNING, HISTORY_WRITE_CSV, NUL_S, SGDR_ENULL, NULL),
    NULLARG("history_write_csv: path", RUNNING, HISTORY_WRITE_CSV, NUL_1, SGDR_ENULL,
            "sgdr_history_write_csv", "path is NULL"),
    ROW("save_state: s", RUNNING, SAVE_STATE, NUL_S, 512, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("save_state: len", RUNNING, SAVE_STATE, NUL_2, 512, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_save_state", "len is NULL"),
    ROW("save_state: buf and len NULL", RUNNING, SAVE_STATE, NUL_1 | NUL_2, 0, 0, 0, 0, NULL, NULL,
        0, SGDR_ENULL, "len is NULL"),
    ROW("save_state: buf NULL asks the size", RUNNING, SAVE_STATE, NUL_1, 0, 0, 0, 0, NULL, NULL, 0,
        SGDR_OK, NULL),
    ROW("load_state: s", RUNNING, LOAD_STATE, NUL_S, 188, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL, NULL),
    ROW("load_state: buf", RUNNING, LOAD_STATE, NUL_1, 188, 0, 0, 0, NULL, NULL, 0, SGDR_ENULL,
        "sgdr_load_state", "buf is NULL"),

    /* Unknown parameter and progress ids and names (before a run and during one: the id is
     * judged first). */
    PARAM("set_param: id 0", CONFIGURED, 0, 0.5, SGDR_EBADPARAM, "unknown parameter id 0"),
    PARAM("set_param: id 0 during a run", RUNNING, 0, 1, SGDR_EBADPARAM, "unknown parameter id 0"),
    PARAM("set_param: the first unknown id", CONFIGURED, UNKNOWN_PARAM, 0.5, SGDR_EBADPARAM,
          "unknown parameter id " XSTR(UNKNOWN_PARAM)),
    PARAM("set_param: the first unknown id during a run", RUNNING, UNKNOWN_PARAM, 1,
          SGDR_EBADPARAM, "unknown parameter id " XSTR(UNKNOWN_PARAM)),
    PARAM("set_param: id -1", CONFIGURED, -1, 0.5, SGDR_EBADPARAM, "unknown parameter id -1"),
    PARAM("set_param: id -1 during a run", RUNNING, -1, 1, SGDR_EBADPARAM,
          "unknown parameter id -1"),
    PARAM("set_param: id INT_MAX", CONFIGURED, INT_MAX, 0.5, SGDR_EBADPARAM,
          "unknown parameter id 2147483647"),
    ROW("get_param: id 0", CONFIGURED, GET_PARAM, 0, 0, 0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM,
        "unknown parameter id 0"),
    ROW("get_param: the first unknown id", RUNNING, GET_PARAM, 0, UNKNOWN_PARAM, 0, 0, 0, NULL,
        NULL, 0, SGDR_EBADPARAM, "unknown parameter id " XSTR(UNKNOWN_PARAM)),
    ROW("get_param: the first unknown id, before a run", CONFIGURED, GET_PARAM, 0, UNKNOWN_PARAM,
        0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM, "unknown parameter id " XSTR(UNKNOWN_PARAM)),
    ROW("get_param: id INT_MIN", CONFIGURED, GET_PARAM, 0, INT_MIN, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown parameter id -2147483648"),
    ROW("param_from_name: unknown name", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "learning_rate",
        NULL, 0, SGDR_EBADPARAM, NULL),
    ROW("param_from_name: empty name", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "", NULL, 0,
        SGDR_EBADPARAM, NULL),
    ROW("param_from_name: case matters", FRESH, PARAM_FROM_NAME, 0, 0, 0, 0, 0, "MIN_LR", NULL, 0,
        SGDR_EBADPARAM, NULL),
    ROW("get_progress: id 0", RUNNING, GET_PROGRESS, 0, 0, 0, 0, 0, NULL, NULL, 0, SGDR_EBADPARAM,
        "unknown progress id 0"),
    ROW("get_progress: id 11", RUNNING, GET_PROGRESS, 0, 11, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown progress id 11"),
    ROW("get_progress: id -7", RUNNING, GET_PROGRESS, 0, -7, 0, 0, 0, NULL, NULL, 0,
        SGDR_EBADPARAM, "unknown progress id -7"),

    /* Metric names NULL, empty, repeated, or the reserved "lr". */
    METRICS("on_batch_end: NULL name", RUNNING, BATCH_END, 1, m_null_name, 2, SGDR_EMETRIC,
            "sgdr_on_batch_end: metric 1 has a NULL name"),
    METRICS("on_batch_end: empty name", RUNNING, BATCH_END, 1, m_empty_name, 1, SGDR_EMETRIC,
            "sgdr_on_batch_end: metric 0 has an empty name"),
    METRICS("on_batch_end: name given twice", RUNNING, BATCH_END, 1, m_twice, 3, SGDR_EMETRIC,
            "metric 'loss' is given more than once"),
    METRICS("on_batch_end: name lr", RUNNING, BATCH_END, 1, m_lr, 1, SGDR_EMETRIC,
            "metric 'lr' is reserved"),
    METRICS("on_epoch_end: NULL name", RUNNING, EPOCH_END, 1, m_null_name, 2, SGDR_EMETRIC,
            "sgdr_on_epoch_end: metric 1 has a NULL name"),
    METRICS("on_epoch_end: empty name", RUNNING, EPOCH_END, 1, m_empty_name, 1, SGDR_EMETRIC,
            "sgdr_on_epoch_end: metric 0 has an empty name"),
    METRICS("on_train_end: NULL name", RUNNING, TRAIN_END, 0, m_null_name, 2, SGDR_EMETRIC,
            "sgdr_on_train_end: metric 1 has a NULL name"),
    METRICS("on_train_end: empty name", RUNNING, TRAIN_END, 0, m_empty_name, 1, SGDR_EMETRIC,
            "sgdr_on_train_end: metric 0 has an empty name"),

    /* Calls out of order. */
    METRICS("on_batch_end before on_train_begin", CONFIGURED, BATCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_batch_end called with no run in progress", "sgdr_on_train_begin"),
    METRICS("on_epoch_end before on_train_begin", CONFIGURED, EPOCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_epoch_end called with no run in progress", "sgdr_on_train_begin"),
    METRICS("on_train_end before on_train_begin", CONFIGURED, TRAIN_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_train_end called with no run in progress", "sgdr_on_train_begin"),
    METRICS("on_batch_end after on_train_end", ENDED, BATCH_END, 0, NULL, 0, SGDR_EORDER,
            "sgdr_on_batch_end", "no run in progress"),
    METRICS("on_epoch_end after on_train_end", ENDED, EPOCH_END, 1, NULL, 0, SGDR_EORDER,
            "sgdr_on_epoch_end called with no run in progress"),
    METRICS("on_train_end twice", ENDED, TRAIN_END, 0, NULL, 0, SGDR_EORDER, "sgdr_on_train_end",
            "no run in progress"),
    NULLARG("on_train_begin during a run", RUNNING, TRAIN_BEGIN, 0, SGDR_EORDER,
            "sgdr_on_train_begin called during a run", "sgdr_on_train_end"),
    PARAM("set_param during a run", RUNNING, SGDR_PARAM_MAX_LR, 0.25, SGDR_EORDER,
          "cannot change max_lr during a run"),
    PARAM("set_param during a run, history", RUNNING, SGDR_PARAM_HISTORY, 0, SGDR_EORDER,
          "cannot change history during a run"),
    METRICS("on_epoch_end with a later epoch", RUNNING, EPOCH_END, 2, NULL, 0, SGDR_EEPOCH,
            "the host says epoch 2 but the scheduler expects epoch 1"),
    METRICS("on_epoch_end with an epoch already ended", RUNNING, EPOCH_END, 0, NULL, 0,
            SGDR_EEPOCH, "the host says epoch 0 but the scheduler expects epoch 1"),
    METRICS("on_epoch_end with a far epoch", RUNNING, EPOCH_END, 5, NULL, 0, SGDR_EEPOCH,
            "the host says epoch 5 but the scheduler expects epoch 1"),
    METRICS("on_epoch_end with epoch 2^64-1", RUNNING, EPOCH_END, -1, NULL, 0, SGDR_EEPOCH,
            "says epoch 18446744073709551615", "expects epoch 1"),

    /* Indices out of range, paths that cannot be written. */
    ROW("history_column_name: column 2 of 2", RUNNING, HISTORY_COLUMN_NAME, 0, 2, 0, 0, 0, NULL,
        NULL, 0, SGDR_EINDEX, "column 2 does not exist (there are 2)"),
    ROW("history_column_name: column SIZE_MAX", RUNNING, HISTORY_COLUMN_NAME, 0, -1, 0, 0, 0, NULL,
        NULL, 0, SGDR_EINDEX, "column " SIZE_MAX_TEXT),
    ROW("history_find: no such column", RUNNING, HISTORY_FIND, 0, 0, 0, 0, 0, "accuracy", NULL, 0,
        SGDR_EINDEX, "no column named 'accuracy'"),
    ROW("history_find: empty name", RUNNING, HISTORY_FIND, 0, 0, 0, 0, 0, "", NULL, 0, SGDR_EINDEX,
        "''"),
    ROW("history_copy: column 7", RUNNING, HISTORY_COPY, 0, 7, 0, 1, 0, NULL, NULL, 0, SGDR_EINDEX,
        "column 7"),
    ROW("history_copy: rows 2 + 2 of 3", RUNNING, HISTORY_COPY, 0, 0, 2, 2, 0, NULL, NULL, 0,
        SGDR_EINDEX, "rows 2 + 2 go past the end of the history (3 rows)"),
    ROW("history_copy: first 4 of 3", RUNNING, HISTORY_COPY, 0, 0, 4, 0, 0, NULL, NULL, 0,
        SGDR_EINDEX, "rows 4 + 0", "3 rows"),
    ROW("history_copy: count wraps", RUNNING, HISTORY_COPY, 0, 0, 1, -1, 0, NULL, NULL, 0,
        SGDR_EINDEX, "rows 1 + " SIZE_MAX_TEXT),
    ROW("history_write_csv: no such directory", RUNNING, HISTORY_WRITE_CSV, 0, 0, 0, 0, 0,
        "/nonexistent-sgdr-dir/history.csv", NULL, 0, SGDR_EIO,
        "'/nonexistent-sgdr-dir/history.csv'"),
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
    {"negative fraction", -0.5, "-0.5"},
    {"non-integer above 2", 2.5, "2.5"},
};
#define KINDS (sizeof kinds / sizeof kinds[0])

/* For each parameter, one letter per kind above: V = refused with SGDR_EVALUE, . = valid; and
 * the rule its message states after "name (value)", where the library's wording is pinned. */
static const struct {
    sgdr_param p;
    const char verdict[KINDS + 1];
    const char *rule;
} grid[] = {
    /*                          neg 0 nan +inf -inf 1.5 2^32 2 .5 -tiny -0 2^32-1 1e308 -.5 2.5 */
    {SGDR_PARAM_MIN_LR,          "V.VVV...." "V." ".." "V.", "must be finite and at least 0"},
    {SGDR_PARAM_MAX_LR,          "VVVVV...." "VV" ".." "V.", "must be finite and greater than 0"},
    {SGDR_PARAM_STEPS_PER_EPOCH, "VVVVVVV.V" "VV" ".V" "VV",
     "must be an integer from 1 to 4294967295"},
    {SGDR_PARAM_LR_DECAY,        "VVVVV...." "VV" ".." "V.", "must be finite and greater than 0"},
    {SGDR_PARAM_CYCLE_LENGTH,    "VVVVVVV.V" "VV" ".V" "VV", NULL},
    {SGDR_PARAM_MULT_FACTOR,     "VVVVV...V" "VV" ".." "V.", "must be finite and at least 1"},
    {SGDR_PARAM_RESTART_MODE,    "V.VVVVVVV" "V." "VV" "VV", NULL},
    {SGDR_PARAM_WARMUP_EPOCHS,   "V.VVVVV.V" "V." ".V" "VV", NULL},
    {SGDR_PARAM_WARMUP_START_LR, "V.VVV...." "V." ".." "V.", NULL},
    {SGDR_PARAM_MAX_CYCLES,      "V.VVVVV.V" "V." ".V" "VV", NULL},
    {SGDR_PARAM_RESTORE_AT_END,  "V.VVVVVVV" "V." "VV" "VV", "must be 0 or 1"},
    {SGDR_PARAM_HISTORY,         "V.VVVVVVV" "V." "VV" "VV", "must be 0 or 1"},
    {SGDR_PARAM_CYCLE_WARMUP_STEPS, "V.VVVVV.V" "V." ".V" "VV", NULL},
};

/* ---- running a row ---- */

static void check_case(const bad_case *c)
{
    host h;
    sgdr_scheduler *s;
    observed *before = malloc(sizeof *before), *after = malloc(sizeof *after);
    const char *diff, *message;
    sgdr_status st;
    size_t i, calls;

    assert_non_null(before);
    assert_non_null(after);
    host_reset(&h);
    s = make_fixture(c->fx, &h);
    calls = h.calls;
    observe(s, before);
    st = call(c, s);
    if (st != c->want)
        fail_msg("%s: returned %d (%s), expected %d (%s); message \"%s\"", c->what, st,
                 sgdr_strerror(st), c->want, sgdr_strerror(c->want), sgdr_last_error(s));
    if (st != SGDR_OK) {
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
        observe(s, after);
        if ((diff = observed_diff(before, after)) != NULL)
            fail_msg("%s: the refused call changed the %s", c->what, diff);
        /* a refused call calls no hook */
        if (h.calls != calls)
            fail_msg("%s: the refused call called %zu hooks", c->what, h.calls - calls);
    }
    sgdr_destroy(s);
    free(before);
    free(after);
}

static void test_table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i]);
    print_message("%zu rows\n", sizeof cases / sizeof cases[0]);
}

/* Every parameter with every kind of value, before a run, during one and after one. */
static void test_parameter_grid(void **state)
{
    static const fixture when[] = {CONFIGURED, FRESH, ENDED, RUNNING};
    size_t g, k, w, refused = 0;
    int id;
    (void)state;
    /* every parameter the library names has a row */
    for (id = 1; sgdr_param_name((sgdr_param)id) != NULL; id++) {
        for (g = 0; g < sizeof grid / sizeof grid[0] && grid[g].p != (sgdr_param)id; g++) continue;
        if (g == sizeof grid / sizeof grid[0])
            fail_msg("parameter %s has no row in the grid", sgdr_param_name((sgdr_param)id));
    }
    assert_int_equal(id, UNKNOWN_PARAM);
    for (g = 0; g < sizeof grid / sizeof grid[0]; g++) {
        const char *name = sgdr_param_name(grid[g].p);
        assert_non_null(name);
        assert_int_equal(strlen(grid[g].verdict), KINDS);
        for (k = 0; k < KINDS; k++) {
            for (w = 0; w < sizeof when / sizeof when[0]; w++) {
                char what[160], quoted[160], rule[160];
                int bad = grid[g].verdict[k] == 'V';
                /* During a run a valid value is refused as out of order, a bad one as bad;
                 * but steps_per_epoch changes where the run's position (batch 1 of 2) has an
                 * exact counterpart, b * S2 / S whole, and is refused elsewhere. */
                int elastic = grid[g].p == SGDR_PARAM_STEPS_PER_EPOCH;
                int exact = elastic && fmod(kinds[k].value, 2) == 0;
                sgdr_status want = bad ? SGDR_EVALUE
                                   : when[w] == RUNNING && !exact ? SGDR_EORDER : SGDR_OK;
                bad_case c = PARAM(what, when[w], grid[g].p, kinds[k].value, want, quoted,
                                   bad && grid[g].rule ? rule : NULL);
                snprintf(what, sizeof what, "set_param %s = %s (%s), fixture %zu", name,
                         kinds[k].text, kinds[k].kind, w);
                if (bad) snprintf(quoted, sizeof quoted, "%s (%s)", name, kinds[k].text);
                else if (elastic)
                    snprintf(quoted, sizeof quoted, "cannot change steps_per_epoch from 2 to %s "
                             "after 1 batches of epoch 1: 1 * %s / 2 is not whole; the nearest "
                             "batch positions where the change is exact are 0 and 2",
                             kinds[k].text, kinds[k].text);
                else snprintf(quoted, sizeof quoted, "cannot change %s during a run", name);
                snprintf(rule, sizeof rule, "%s (%s) %s", name, kinds[k].text,
                         grid[g].rule ? grid[g].rule : "");
                check_case(&c);
                refused += want != SGDR_OK;
                if (want == SGDR_OK) { /* accepted: it reads back as given */
                    sgdr_scheduler *s = make_fixture(when[w], NULL);
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
    } rules[] = {
        {{.min_lr = 0.01, .max_lr = 0.001, .steps_per_epoch = 2, .lr_decay = 1,
          .cycle_length = 1, .mult_factor = 2},
         "max_lr (0.001) must be greater than min_lr (0.01)"},
        {{.min_lr = 0.02, .max_lr = 0.01, .steps_per_epoch = 3, .lr_decay = 1,
          .cycle_length = 1, .mult_factor = 2},
         "max_lr (0.01) must be greater than min_lr (0.02)"},
        {{.min_lr = 0.5, .max_lr = 0.5, .steps_per_epoch = 2, .lr_decay = 1, .cycle_length = 1,
          .mult_factor = 2},
         "max_lr (0.5) must be greater than min_lr (0.5)"},
        {{.min_lr = 0, .max_lr = 0.25, .steps_per_epoch = 2, .lr_decay = 1, .cycle_length = 1,
          .mult_factor = 2, .warmup_epochs = 1, .warmup_start_lr = 0.5},
         "warmup_start_lr (0.5) must not exceed max_lr (0.25)"},
        {{.min_lr = 0.001, .max_lr = 0.125, .steps_per_epoch = 3, .lr_decay = 1,
          .cycle_length = 1, .mult_factor = 2, .warmup_start_lr = 0.5}, /* no warm-up epochs */
         "warmup_start_lr (0.5) must not exceed max_lr (0.125)"},
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
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        sgdr_scheduler *s = golden_scheduler(&rules[i].cfg);
        assert_non_null(s);
        assert_int_equal(sgdr_set_lr_hooks(s, NULL, forbidden_set_lr, NULL), SGDR_OK);
        EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_ECONFIG, rules[i].message);
        assert_message(s, rules[i].message, 1);
        EXPECT_REFUSED(s, sgdr_lr_at(s, 0, &lr), SGDR_ECONFIG, rules[i].message);
        assert_message(s, rules[i].message, 1);
        assert_true(lr == 42);
        sgdr_destroy(s);
    }
}

/* min_lr, max_lr and steps_per_epoch have no default: each one missing is named (the first
 * missing one when several are). */
static void test_required_parameters(void **state)
{
    static const sgdr_param required[] = {SGDR_PARAM_MIN_LR, SGDR_PARAM_MAX_LR,
                                          SGDR_PARAM_STEPS_PER_EPOCH};
    static const double value[] = {0.1, 0.5, 2};
    size_t missing, i;
    double lr = 42;
    (void)state;
    for (missing = 0; missing <= 3; missing++) {
        sgdr_scheduler *s;
        char text[64];
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        /* missing == 3: nothing set at all */
        for (i = 0; i < 3 && missing < 3; i++)
            if (i != missing) assert_int_equal(sgdr_set_param(s, required[i], value[i]), SGDR_OK);
        snprintf(text, sizeof text, "%s is required and has not been set",
                 sgdr_param_name(required[missing < 3 ? missing : 0]));
        EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_ECONFIG, text);
        EXPECT_REFUSED(s, sgdr_lr_at(s, 7, &lr), SGDR_ECONFIG, text);
        assert_true(lr == 42);
        sgdr_destroy(s);
    }
}

/* ---- SGDR_ENOMEM (one case; allocation faults everywhere are test_faults_alloc's job) ---- */

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
    assert_int_equal(sgdr_create_with_allocator(&s, no_memory, plain_free, NULL), SGDR_ENOMEM);
    assert_null(s);
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
    host h;
    sgdr_scheduler *s;
    uint64_t snapshots = 0;
    (void)state;
    host_reset(&h);
    s = make_fixture(CONFIGURED, &h);
    /* set_lr in on_train_begin: not running afterwards */
    h.fail[HOST_SET_LR] = 1;
    EXPECT_REFUSED(s, sgdr_on_train_begin(s), SGDR_EHOOK_SET_LR,
                   "sgdr_on_train_begin: the set_lr hook failed for lr 0.5 (step 0)");
    h.fail[HOST_SET_LR] = 0;
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);

    /* get_lr and set_lr in on_batch_end: no history row, no step */
    assert_int_equal(sgdr_set_lr_hooks(s, host_get_lr, host_set_lr, &h), SGDR_OK);
    h.fail[HOST_GET_LR] = 1;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, &loss, 1), SGDR_EHOOK_GET_LR,
                   "sgdr_on_batch_end: the get_lr hook failed (step 0)");
    h.fail[HOST_GET_LR] = 0;
    h.fail[HOST_SET_LR] = 1;
    EXPECT_REFUSED(s, sgdr_on_batch_end(s, 0, &loss, 1), SGDR_EHOOK_SET_LR,
                   "sgdr_on_batch_end: the set_lr hook failed for lr");
    h.fail[HOST_SET_LR] = 0;
    assert_int_equal(sgdr_on_batch_end(s, 0, &loss, 1), SGDR_OK);
    assert_on_schedule(s);
    assert_int_equal(sgdr_on_batch_end(s, 1, &loss, 1), SGDR_OK);

    /* the snapshot at the end of cycle 0, then set_lr of cycle 1's peak */
    h.fail[HOST_SNAPSHOT] = 1;
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EHOOK_SNAPSHOT,
                   "sgdr_on_epoch_end: the snapshot hook failed for cycle 0");
    h.fail[HOST_SNAPSHOT] = 0;
    h.fail[HOST_SET_LR] = 1;
    EXPECT_REFUSED(s, sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_EHOOK_SET_LR,
                   "sgdr_on_epoch_end: the set_lr hook failed for lr 0.5");
    h.fail[HOST_SET_LR] = 0;
    assert_int_equal(sgdr_on_epoch_end(s, 0, NULL, 0), SGDR_OK);
    assert_on_schedule(s);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &snapshots), SGDR_OK);
    assert_int_equal(snapshots, 1);

    /* restore at the end: the run is still going and the call can be retried */
    h.fail[HOST_RESTORE] = 1;
    EXPECT_REFUSED(s, sgdr_on_train_end(s, NULL, 0), SGDR_EHOOK_RESTORE,
                   "sgdr_on_train_end: the restore hook failed for cycle 0");
    h.fail[HOST_RESTORE] = 0;
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    assert_false(h.overflow);
    sgdr_destroy(s);
}

/* ---- SGDR_EBUFSIZE: the size needed is reported, the buffer is not written ---- */

static void test_buffers_too_small(void **state)
{
    sgdr_scheduler *s = make_fixture(RUNNING, NULL);
    unsigned char blob[OBSERVED_STATE_CAP];
    char text[8192];
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

/* ---- state blobs: one case per status (corruption in depth is test_state_corrupt's job) ---- */

static void test_bad_state_blobs(void **state)
{
    static const char header15[] = "SGDRSTAT\x01\x00\x00\x00\xbc\x00\x00";
    sgdr_scheduler *s = make_fixture(RUNNING, NULL);
    unsigned char good[OBSERVED_STATE_CAP], bad[OBSERVED_STATE_CAP + 1];
    size_t len = 0;
    char text[96];
    (void)state;
    assert_int_equal(sgdr_save_state(s, good, sizeof good, &len), SGDR_OK);

    EXPECT_REFUSED(s, sgdr_load_state(s, good, 0), SGDR_ETRUNCATED, "state blob truncated: 0 ");
    EXPECT_REFUSED(s, sgdr_load_state(s, good, 10), SGDR_ETRUNCATED, "state blob truncated: 10 ");
    EXPECT_REFUSED(s, sgdr_load_state(s, header15, 15), SGDR_ETRUNCATED,
                   "state blob truncated: 15 ");
    snprintf(text, sizeof text, "state blob truncated: %zu of %zu bytes", len - 1, len);
    EXPECT_REFUSED(s, sgdr_load_state(s, good, len - 1), SGDR_ETRUNCATED, text);

    EXPECT_REFUSED(s, sgdr_load_state(s, garbage, sizeof garbage), SGDR_EMAGIC, "SGDRSTAT");
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

/* ---- the functions that return no status, sgdr_strerror, sgdr_last_error ---- */

static void test_no_status_functions(void **state)
{
    sgdr_scheduler *s = make_fixture(FRESH, NULL);
    (void)state;
    sgdr_destroy(NULL);
    assert_true(isnan(sgdr_lr(NULL)));
    assert_true(isnan(sgdr_lr(s))); /* no run has begun */
    assert_null(sgdr_param_name((sgdr_param)0));
    assert_null(sgdr_param_name((sgdr_param)UNKNOWN_PARAM));
    assert_null(sgdr_param_name((sgdr_param)-1));
    sgdr_destroy(s);
}

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
    assert_string_equal(sgdr_strerror((sgdr_status)INT_MAX), "unknown status");
}

static void test_last_error(void **state)
{
    sgdr_scheduler *fresh = make_fixture(FRESH, NULL), *s = make_fixture(CONFIGURED, NULL);
    const char *msg = sgdr_last_error(NULL);
    (void)state;
    assert_non_null(msg);
    assert_true(strlen(msg) > 0);
    assert_string_equal(sgdr_last_error(fresh), "");
    assert_string_equal(sgdr_last_error(s), "");
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, -2), SGDR_EVALUE);
    assert_message(s, "lr_decay (-2)", 0);
    /* a successful call keeps the last failure's message */
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.5), SGDR_OK);
    assert_message(s, "lr_decay (-2)", 0);
    sgdr_destroy(fresh);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_parameter_grid),
        cmocka_unit_test(test_configuration_rules),
        cmocka_unit_test(test_required_parameters),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_failing_hooks),
        cmocka_unit_test(test_buffers_too_small),
        cmocka_unit_test(test_bad_state_blobs),
        cmocka_unit_test(test_no_status_functions),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_last_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
