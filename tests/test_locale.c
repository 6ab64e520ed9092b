/* SPDX-License-Identifier: MIT */
/* test_locale.c -- numbers the library prints do not depend on the process locale.
 *
 * Under de_DE.UTF-8 (decimal comma) and ps_AF.UTF-8 (decimal point U+066B, two bytes in
 * UTF-8; the only multibyte decimal separator among Debian's locales-all), the history CSV
 * (text and file) and the error messages that quote numbers must be byte for byte what the
 * C locale gives, and every number in them must read back (strtod in the C locale) to the
 * very double the scheduler holds. The locales come from Debian's locales-all: if setlocale
 * refuses one, the test fails, since it would otherwise prove nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scripted_run.h"

static const run_plan plan = {
    /* name        min_lr  max_lr spe decay cyc mult mode warm wstart maxc ep res wide */
    "locale", 0.001, 0.1, 4, 0.8, 1, 2, 0, 2, 0.01, 0, 9, 0, 0};

/* Everything numeric the library prints for one run and a few refused calls. */
typedef struct printed {
    run_result run;
    char messages[8][300];
} printed;

/* Values whose shortest round-trip text has a fraction, an exponent, or both. */
static const double quoted[] = {-0.25, -1.5e-300, -123456.789, -0.1};

static void print_all(printed *out, const char *csv)
{
    run_env env;
    sgdr_scheduler *s;
    double lr;
    size_t i;
    memset(&env, 0, sizeof env);
    env.fail_hook_call = SIZE_MAX;
    env.csv_path = csv;
    if (!run_execute(&plan, &env, &out->run)) fail_msg("run: %s", out->run.error);

    assert_int_equal(sgdr_create(&s), SGDR_OK);
    for (i = 0; i < sizeof quoted / sizeof quoted[0]; i++) {
        assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, quoted[i]), SGDR_EVALUE);
        snprintf(out->messages[i], sizeof out->messages[i], "%s", sgdr_last_error(s));
    }
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.015625), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.0078125), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 3), SGDR_OK);
    assert_int_equal(sgdr_lr_at(s, 0, &lr), SGDR_ECONFIG);
    snprintf(out->messages[4], sizeof out->messages[4], "%s", sgdr_last_error(s));
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.3), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_START_LR, 0.7), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_ECONFIG);
    snprintf(out->messages[5], sizeof out->messages[5], "%s", sgdr_last_error(s));
    sgdr_destroy(s);
}

/* The number in a message right after "(", read in the C locale. */
static double quoted_number(const char *message)
{
    const char *open = strchr(message, '(');
    char *end;
    double v;
    assert_non_null(open);
    v = strtod(open + 1, &end);
    assert_true(end > open + 1 && *end == ')');
    return v;
}

/* Every field of the CSV reads back to the value the run recorded: the learning rate each
 * batch trained with in column "lr", each metric the plan reported (NaN where it did not). */
static void csv_reads_back(const printed *p)
{
    char names[64][16];
    size_t columns = 0, row;
    const char *at = strchr(p->run.csv, ',');
    assert_non_null(at);
    while (*at == ',') { /* header: step,<names> */
        size_t len = strcspn(at + 1, ",\n");
        assert_true(columns < 64 && len < 16);
        memcpy(names[columns], at + 1, len);
        names[columns++][len] = '\0';
        at += 1 + len;
    }
    assert_string_equal(names[0], "lr");
    for (row = 0; *++at != '\0'; row++) {
        sgdr_metric m[RUN_MAX_METRICS];
        char metric_names[RUN_MAX_METRICS][16];
        size_t n = run_metrics(&plan, row, m, metric_names), c, k;
        char *end;
        assert_true(row < p->run.batches);
        assert_int_equal(strtoull(at, &end, 10), row);
        for (c = 0; c < columns; c++) {
            double want = c == 0 ? p->run.lr[row] : NAN, got;
            for (k = 0; c > 0 && k < n; k++)
                if (strcmp(m[k].name, names[c]) == 0) want = m[k].value;
            assert_int_equal(*end, ',');
            got = strtod(end + 1, &end);
            if (!(isnan(want) ? isnan(got) : memcmp(&got, &want, sizeof got) == 0))
                fail_msg("row %zu column %s: CSV reads back %.17g, recorded %.17g", row,
                         names[c], got, want);
        }
        assert_int_equal(*end, '\n');
        at = end;
    }
    assert_int_equal(row, p->run.batches);
}

static void free_printed(printed *p)
{
    run_result_free(&p->run);
}

static void same_in_locale(const char *locale, const char *decimal_point)
{
    static printed c_out, out;
    const char *got;
    char text[64];
    size_t i;

    assert_non_null(setlocale(LC_ALL, "C"));
    print_all(&c_out, "locale_c.csv");

    got = setlocale(LC_ALL, locale);
    if (got == NULL) fail_msg("setlocale(LC_ALL, \"%s\") failed: is locales-all installed?", locale);
    /* The premise: in this locale the C library itself prints another decimal point. */
    assert_string_equal(localeconv()->decimal_point, decimal_point);
    snprintf(text, sizeof text, "%g", 0.5);
    assert_true(strchr(text, '.') == NULL);
    print_all(&out, "locale_other.csv");
    assert_non_null(setlocale(LC_ALL, "C"));

    if (out.run.csv_len != c_out.run.csv_len || strcmp(out.run.csv, c_out.run.csv) != 0)
        fail_msg("%s: history CSV differs from the C locale's", locale);
    if (out.run.file_len != c_out.run.file_len || strcmp(out.run.file, c_out.run.file) != 0)
        fail_msg("%s: written CSV file differs from the C locale's", locale);
    assert_null(run_result_diff(&c_out.run, &out.run));
    for (i = 0; i < 6; i++) {
        if (strcmp(out.messages[i], c_out.messages[i]) != 0)
            fail_msg("%s: message \"%s\", C locale \"%s\"", locale, out.messages[i],
                     c_out.messages[i]);
    }
    /* The numbers read back to the doubles they were. */
    for (i = 0; i < 4; i++) assert_true(quoted_number(out.messages[i]) == quoted[i]);
    assert_true(quoted_number(out.messages[4]) == 0.0078125);
    assert_true(quoted_number(out.messages[5]) == 0.7);
    csv_reads_back(&out);

    remove("locale_c.csv");
    remove("locale_other.csv");
    free_printed(&c_out);
    free_printed(&out);
}

static void decimal_comma(void **state)
{
    (void)state;
    same_in_locale("de_DE.UTF-8", ",");
}

static void multibyte_decimal_point(void **state)
{
    (void)state;
    same_in_locale("ps_AF.UTF-8", "\xd9\xab"); /* U+066B ARABIC DECIMAL SEPARATOR */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimal_comma),
        cmocka_unit_test(multibyte_decimal_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
