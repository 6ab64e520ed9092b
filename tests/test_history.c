/* SPDX-License-Identifier: MIT */
/* test_history.c -- the history API: columns in order of first appearance, NaN where a
 * metric is missing (never a shifted column), refused metric names leave no trace, history
 * off records nothing, the CSV text byte for byte, the CSV file, and the bounds of
 * sgdr_history_copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

/* min 0, max 1, two batches per epoch, one-epoch cycles: with an epoch end after every
 * second batch the batches train at 1, 0.5, 1, 0.5, ... (exact doubles, so the CSV text is
 * exact too: cos(pi/2) is below half an ulp of 1). */
static sgdr_scheduler *begun(int history)
{
    static const golden cfg = {.min_lr = 0, .max_lr = 1, .steps_per_epoch = 2, .lr_decay = 1,
                               .cycle_length = 1, .mult_factor = 1};
    sgdr_scheduler *s = golden_scheduler(&cfg);
    assert_non_null(s);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, history), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    return s;
}

/* One batch with metrics m[0..n); the epoch ends after every second batch. */
static void batch(sgdr_scheduler *s, const sgdr_metric *m, size_t n)
{
    uint64_t step = 0;
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step), SGDR_OK);
    assert_int_equal(sgdr_on_batch_end(s, step % 2, m, n), SGDR_OK);
    if (step % 2 == 1) assert_int_equal(sgdr_on_epoch_end(s, step / 2, NULL, 0), SGDR_OK);
}

static size_t rows_of(const sgdr_scheduler *s)
{
    size_t rows = 0;
    assert_int_equal(sgdr_history_rows(s, &rows), SGDR_OK);
    return rows;
}

static size_t columns_of(const sgdr_scheduler *s)
{
    size_t columns = 0;
    assert_int_equal(sgdr_history_columns(s, &columns), SGDR_OK);
    return columns;
}

/* The history as CSV, in a buffer the caller frees. */
static char *csv_of(const sgdr_scheduler *s)
{
    size_t len = 0, len2 = 0;
    char *text;
    assert_int_equal(sgdr_history_to_csv(s, NULL, 0, &len), SGDR_OK);
    text = malloc(len + 1);
    assert_non_null(text);
    text[len] = '#'; /* must stay: no NUL is written */
    assert_int_equal(sgdr_history_to_csv(s, text, len, &len2), SGDR_OK);
    assert_int_equal(len2, len);
    assert_int_equal(text[len], '#');
    text[len] = '\0';
    return text;
}

static void assert_csv(const sgdr_scheduler *s, const char *expected)
{
    char *text = csv_of(s);
    assert_string_equal(text, expected);
    free(text);
}

/* Same doubles, NaN included (NaN == NaN here). */
static void assert_column(const sgdr_scheduler *s, const char *name, const double *want,
                          size_t n)
{
    double got[16];
    size_t column = 0, i;
    assert_true(n <= 16);
    assert_int_equal(sgdr_history_find(s, name, &column), SGDR_OK);
    assert_int_equal(sgdr_history_copy(s, column, 0, got, n), SGDR_OK);
    for (i = 0; i < n; i++)
        if (!(got[i] == want[i] || (isnan(got[i]) && isnan(want[i]))))
            fail_msg("%s[%zu] = %.17g, expected %.17g", name, i, got[i], want[i]);
}

/* ---- tests ---- */

static void test_columns_in_order_of_first_appearance(void **state)
{
    static const sgdr_metric b0[] = {{"loss", 0.25}, {"acc", 0.5}};
    static const sgdr_metric b1[] = {{"acc", 0.75}, {"loss", 0.125}, {"val", 2}};
    static const sgdr_metric b2[] = {{"val", 3}};
    static const char *names[] = {"lr", "loss", "acc", "val"};
    static const double lr[] = {1, 0.5, 1, 0.5};
    static const double loss[] = {0.25, 0.125, NAN, NAN};
    static const double acc[] = {0.5, 0.75, NAN, NAN};
    static const double val[] = {NAN, 2, 3, NAN};
    sgdr_scheduler *s = begun(1);
    size_t c;
    (void)state;
    batch(s, b0, 2);
    batch(s, b1, 3); /* other order, one new name */
    batch(s, b2, 1); /* two missing */
    batch(s, NULL, 0);
    assert_int_equal(rows_of(s), 4);
    assert_int_equal(columns_of(s), 4);
    for (c = 0; c < 4; c++) {
        const char *name = NULL;
        size_t found = 99;
        assert_int_equal(sgdr_history_column_name(s, c, &name), SGDR_OK);
        assert_string_equal(name, names[c]);
        assert_int_equal(sgdr_history_find(s, names[c], &found), SGDR_OK);
        assert_int_equal(found, c);
    }
    assert_column(s, "lr", lr, 4);
    assert_column(s, "loss", loss, 4);
    assert_column(s, "acc", acc, 4);
    assert_column(s, "val", val, 4);
    assert_csv(s, "step,lr,loss,acc,val\n"
                  "0,1,0.25,0.5,nan\n"
                  "1,0.5,0.125,0.75,2\n"
                  "2,1,nan,nan,3\n"
                  "3,0.5,nan,nan,nan\n");
    sgdr_destroy(s);
}

/* %.17g (reads back to the same double), "nan", "inf", names quoted as RFC 4180 wants. */
static void test_csv_number_format(void **state)
{
    static const sgdr_metric m[] = {
        {"tenth", 0.1}, {"tiny", 5e-324}, {"big", 1e21},        {"neg", -INFINITY},
        {"nan", NAN},   {"zero", -0.0},   {"third", 1.0 / 3.0}, {"a,b", 7},
        {"say \"hi\"", 8}};
    sgdr_scheduler *s = begun(1);
    (void)state;
    batch(s, m, sizeof m / sizeof m[0]);
    assert_csv(s, "step,lr,tenth,tiny,big,neg,nan,zero,third,\"a,b\",\"say \"\"hi\"\"\"\n"
                  "0,1,0.10000000000000001,4.9406564584124654e-324,1e+21,-inf,nan,-0,"
                  "0.33333333333333331,7,8\n");
    sgdr_destroy(s);
}

/* Before any batch: one column, "lr", and a header line only. */
static void test_empty_history(void **state)
{
    sgdr_scheduler *s;
    const char *name = NULL;
    (void)state;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(rows_of(s), 0);
    assert_int_equal(columns_of(s), 1);
    assert_int_equal(sgdr_history_column_name(s, 0, &name), SGDR_OK);
    assert_string_equal(name, "lr");
    assert_csv(s, "step,lr\n");
    sgdr_destroy(s);
}

/* A refused batch records nothing: no row, no column (not even one it named validly). */
static void test_bad_names_record_nothing(void **state)
{
    static const sgdr_metric good[] = {{"loss", 0.25}};
    static const sgdr_metric null_name[] = {{"fresh", 1}, {NULL, 2}};
    static const sgdr_metric empty_name[] = {{"fresh", 1}, {"", 2}};
    static const sgdr_metric twice[] = {{"loss", 1}, {"fresh", 2}, {"loss", 3}};
    static const sgdr_metric new_twice[] = {{"fresh", 1}, {"fresh", 2}};
    static const sgdr_metric reserved[] = {{"fresh", 1}, {"lr", 2}};
    static const struct {
        const sgdr_metric *m;
        size_t n;
    } bad[] = {{null_name, 2}, {empty_name, 2}, {twice, 3}, {new_twice, 2}, {reserved, 2}};
    size_t i, column;
    int round;
    (void)state;
    /* on an empty history (the first row would create the columns), on a filled one, and
     * with history off: the rules for names do not depend on whether they are recorded */
    for (round = 0; round < 3; round++) {
        sgdr_scheduler *s = begun(round < 2);
        char *before;
        if (round == 1) batch(s, good, 1);
        before = csv_of(s);
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint64_t step = 99;
            const size_t done = round == 1 ? 1 : 0;
            assert_int_equal(sgdr_on_batch_end(s, 0, bad[i].m, bad[i].n), SGDR_EMETRIC);
            assert_int_equal(rows_of(s), done);
            assert_int_equal(columns_of(s), 1 + done);
            assert_int_equal(sgdr_history_find(s, "fresh", &column), SGDR_EINDEX);
            assert_csv(s, before);
            assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step), SGDR_OK);
            assert_int_equal(step, (uint64_t)done);
        }
        /* epoch and train ends refuse NULL, empty and repeated names too; "lr" is reserved
         * only for batch metrics, which fill the history's columns */
        for (i = 0; i < sizeof bad / sizeof bad[0] - 1; i++) {
            uint64_t epoch = 99;
            assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch), SGDR_OK);
            assert_int_equal(sgdr_on_epoch_end(s, epoch, bad[i].m, bad[i].n), SGDR_EMETRIC);
            assert_int_equal(sgdr_on_train_end(s, bad[i].m, bad[i].n), SGDR_EMETRIC);
            assert_csv(s, before);
        }
        assert_int_equal(sgdr_on_train_end(s, reserved, 2), SGDR_OK);
        free(before);
        sgdr_destroy(s);
    }
}

/* SGDR_PARAM_HISTORY = 0: nothing is recorded; the next run with it on records again. */
static void test_history_off(void **state)
{
    static const sgdr_metric m[] = {{"loss", 0.25}};
    sgdr_scheduler *s = begun(0);
    int i;
    (void)state;
    for (i = 0; i < 4; i++) batch(s, m, 1);
    assert_int_equal(rows_of(s), 0);
    assert_int_equal(columns_of(s), 1);
    assert_csv(s, "step,lr\n");
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);

    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, 1), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    batch(s, m, 1);
    assert_csv(s, "step,lr,loss\n0,1,0.25\n");
    sgdr_destroy(s);
}

/* on_train_begin clears the history; a loaded state clears it and the resumed rows are
 * numbered from the step the run resumed at. */
static void test_cleared_by_begin_and_load(void **state)
{
    static const sgdr_metric m[] = {{"loss", 0.25}};
    sgdr_scheduler *s = begun(1), *resumed;
    unsigned char blob[1024];
    size_t len = 0;
    int i;
    (void)state;
    for (i = 0; i < 3; i++) batch(s, m, 1);
    assert_int_equal(sgdr_save_state(s, blob, sizeof blob, &len), SGDR_OK);

    assert_int_equal(sgdr_create(&resumed), SGDR_OK);
    assert_int_equal(sgdr_load_state(resumed, blob, len), SGDR_OK);
    assert_int_equal(rows_of(resumed), 0);
    assert_int_equal(sgdr_on_train_begin(resumed), SGDR_OK);
    batch(resumed, m, 1);
    batch(resumed, NULL, 0);
    assert_csv(resumed, "step,lr,loss\n3,0.5,0.25\n4,1,nan\n");

    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(rows_of(s), 0);
    assert_int_equal(columns_of(s), 1);
    assert_csv(s, "step,lr\n");
    sgdr_destroy(s);
    sgdr_destroy(resumed);
}

/* sgdr_history_write_csv writes exactly sgdr_history_to_csv's text, replacing the file. */
static void test_write_csv_file(void **state)
{
    static const sgdr_metric m[] = {{"loss", 0.25}, {"acc", 0.5}};
    static const char junk[] = "an older, longer file that must be replaced, not appended to\n"
                               "an older, longer file that must be replaced, not appended to\n";
    char dir[] = "/tmp/sgdr-history-XXXXXX", path[64], got[256];
    sgdr_scheduler *s = begun(1);
    char *want;
    size_t n;
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/history.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(junk, f);
    fclose(f);

    batch(s, m, 2);
    batch(s, m, 1);
    assert_int_equal(sgdr_history_write_csv(s, path), SGDR_OK);
    want = csv_of(s);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = '\0';
    assert_string_equal(got, want);
    assert_string_equal(got, "step,lr,loss,acc\n0,1,0.25,0.5\n1,0.5,0.25,nan\n");

    /* unwritable: a directory that does not exist, and a directory itself */
    snprintf(path, sizeof path, "%s/missing/history.csv", dir);
    assert_int_equal(sgdr_history_write_csv(s, path), SGDR_EIO);
    assert_non_null(strstr(sgdr_last_error(s), path));
    assert_int_equal(sgdr_history_write_csv(s, dir), SGDR_EIO);
    assert_non_null(strstr(sgdr_last_error(s), dir));

    snprintf(path, sizeof path, "%s/history.csv", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    free(want);
    sgdr_destroy(s);
}

/* sgdr_history_copy: column and row ranges checked, nothing copied when refused. */
static void test_copy_bounds(void **state)
{
    static const sgdr_metric m[] = {{"loss", 0.25}};
    static const struct {
        size_t column, first, count;
        sgdr_status status;
    } cases[] = {
        {0, 0, 3, SGDR_OK},          {1, 0, 3, SGDR_OK},
        {0, 1, 2, SGDR_OK},          {0, 3, 0, SGDR_OK}, /* empty, at the end */
        {2, 0, 1, SGDR_EINDEX},      {(size_t)-1, 0, 1, SGDR_EINDEX},
        {0, 0, 4, SGDR_EINDEX},      {0, 2, 2, SGDR_EINDEX},
        {0, 4, 0, SGDR_EINDEX},      {0, (size_t)-1, 1, SGDR_EINDEX},
        {0, 1, (size_t)-1, SGDR_EINDEX},
    };
    static const double lr[] = {1, 0.5, 1};
    sgdr_scheduler *s = begun(1);
    size_t i, k;
    (void)state;
    for (i = 0; i < 3; i++) batch(s, m, 1);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double out[8];
        for (k = 0; k < 8; k++) out[k] = -7;
        assert_int_equal(sgdr_history_copy(s, cases[i].column, cases[i].first, out,
                                           cases[i].count),
                         cases[i].status);
        for (k = 0; k < 8; k++) {
            int copied = cases[i].status == SGDR_OK && k < cases[i].count;
            double want = !copied ? -7 : cases[i].column == 0 ? lr[cases[i].first + k] : 0.25;
            if (out[k] != want) fail_msg("case %zu: out[%zu] = %g, expected %g", i, k, out[k], want);
        }
    }
    assert_int_equal(sgdr_history_copy(s, 0, 0, NULL, 0), SGDR_OK);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_in_order_of_first_appearance),
        cmocka_unit_test(test_csv_number_format),
        cmocka_unit_test(test_empty_history),
        cmocka_unit_test(test_bad_names_record_nothing),
        cmocka_unit_test(test_history_off),
        cmocka_unit_test(test_cleared_by_begin_and_load),
        cmocka_unit_test(test_write_csv_file),
        cmocka_unit_test(test_copy_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
