/* SPDX-License-Identifier: MIT */
/* test_describe.c -- the library's description of itself is true: sgdr_param_describe()
 * lists every parameter without a gap, and what it says (default, bounds, inclusiveness,
 * kind) is what sgdr_create() and sgdr_set_param() do; sgdr_status_name() names every status
 * as sgdr.h spells it, and never returns NULL. The bindings, the tool and the docs are held
 * to this description by their own checks (scripts/checks/describe_drift.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "sgdr.h"

/* Ids from 1 until the first that does not exist. */
static int count_params(void)
{
    sgdr_param_desc d;
    int n = 0;
    while (sgdr_param_describe((sgdr_param)(n + 1), &d) == SGDR_OK) n++;
    return n;
}

static void test_ids_without_gaps(void **state)
{
    sgdr_param_desc d, before;
    int n = count_params(), id;
    const int bad[] = {0, -1, INT_MIN, INT_MAX};
    size_t i;
    (void)state;
    assert_int_equal(n, SGDR_PARAM_CYCLE_WARMUP_STEPS); /* the last one sgdr.h defines */
    for (id = 1; id <= n; id++) {
        sgdr_param p;
        assert_int_equal(sgdr_param_describe((sgdr_param)id, &d), SGDR_OK);
        assert_non_null(d.name);
        assert_string_equal(d.name, sgdr_param_name((sgdr_param)id));
        assert_int_equal(sgdr_param_from_name(d.name, &p), SGDR_OK);
        assert_int_equal(p, id);
        assert_true(d.kind >= SGDR_KIND_REAL && d.kind <= SGDR_KIND_BOOLEAN);
        assert_true(d.since >= 10000 && d.since <= sgdr_version_number());
    }
    memset(&before, 0x5a, sizeof before);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(&d, &before, sizeof d);
        assert_int_equal(sgdr_param_describe((sgdr_param)bad[i], &d), SGDR_EBADPARAM);
        assert_memory_equal(&d, &before, sizeof d); /* untouched */
    }
    assert_int_equal(sgdr_param_describe((sgdr_param)(n + 1), &d), SGDR_EBADPARAM);
    assert_int_equal(sgdr_param_describe(SGDR_PARAM_MIN_LR, NULL), SGDR_ENULL);
}

/* The version that added each parameter: cycle_warmup_steps came with 1.1. */
static void test_since(void **state)
{
    sgdr_param_desc d;
    (void)state;
    assert_int_equal(sgdr_param_describe(SGDR_PARAM_CYCLE_WARMUP_STEPS, &d), SGDR_OK);
    assert_int_equal(d.since, 10100);
    assert_int_equal(sgdr_param_describe(SGDR_PARAM_HISTORY, &d), SGDR_OK);
    assert_int_equal(d.since, 10000);
}

/* set_param(p, v) succeeds on a fresh scheduler (and leaves it at v). */
static int accepts(sgdr_param p, double v)
{
    sgdr_scheduler *s;
    double got = NAN;
    int ok;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    ok = sgdr_set_param(s, p, v) == SGDR_OK;
    if (ok) {
        assert_int_equal(sgdr_get_param(s, p, &got), SGDR_OK);
        assert_true(got == v);
    }
    sgdr_destroy(s);
    return ok;
}

/* Each parameter's default is what a new scheduler holds, and its bounds are where
 * sgdr_set_param starts and stops refusing. */
static void test_description_is_behaviour(void **state)
{
    int n = count_params(), id;
    (void)state;
    for (id = 1; id <= n; id++) {
        const sgdr_param p = (sgdr_param)id;
        sgdr_scheduler *s;
        sgdr_param_desc d;
        double got;
        assert_int_equal(sgdr_param_describe(p, &d), SGDR_OK);
        print_message("%s: kind %d, default %g, [%g, %g]\n", d.name, d.kind, d.default_value,
                      d.lower, d.upper);
        assert_int_equal(sgdr_create(&s), SGDR_OK);
        assert_int_equal(sgdr_get_param(s, p, &got), SGDR_OK);
        sgdr_destroy(s);
        if (d.required) {
            assert_true(isnan(d.default_value) && isnan(got));
        } else {
            assert_true(got == d.default_value);
            assert_true(accepts(p, d.default_value));
        }
        assert_int_equal(accepts(p, d.lower), d.lower_inclusive);
        assert_false(accepts(p, nextafter(d.lower, -INFINITY)));
        assert_false(accepts(p, NAN));
        if (d.kind == SGDR_KIND_REAL) {
            assert_true(isinf(d.upper) && d.upper > 0 && !d.upper_inclusive);
            assert_true(accepts(p, DBL_MAX));
            assert_false(accepts(p, INFINITY));
            assert_true(accepts(p, d.lower + 0.5)); /* a fraction is fine */
        } else {
            assert_true(d.lower_inclusive && d.upper_inclusive);
            assert_true(accepts(p, d.upper));
            assert_false(accepts(p, d.upper + 1));
            assert_false(accepts(p, d.lower + 0.5)); /* whole numbers only */
            if (d.kind == SGDR_KIND_BOOLEAN) assert_true(d.lower == 0 && d.upper == 1);
        }
    }
}

static void test_status_names(void **state)
{
    int st, n = 0;
    (void)state;
    for (st = 0; strcmp(sgdr_status_name((sgdr_status)st), "unknown status") != 0; st++) {
        const char *name = sgdr_status_name((sgdr_status)st);
        int other;
        assert_true(strncmp(name, "SGDR_", 5) == 0 && strlen(name) > 5);
        assert_string_not_equal(sgdr_strerror((sgdr_status)st), "unknown status");
        for (other = 0; other < st; other++)
            assert_string_not_equal(name, sgdr_status_name((sgdr_status)other));
        n++;
    }
    assert_int_equal(n, SGDR_EINDEX + 1); /* the last one sgdr.h defines */
    assert_string_equal(sgdr_status_name(SGDR_OK), "SGDR_OK");
    assert_string_equal(sgdr_status_name(SGDR_EVALUE), "SGDR_EVALUE");
    assert_string_equal(sgdr_status_name(SGDR_EHOOK_GET_LR), "SGDR_EHOOK_GET_LR");
    assert_string_equal(sgdr_status_name(SGDR_EINDEX), "SGDR_EINDEX");
    assert_string_equal(sgdr_status_name((sgdr_status)-1), "unknown status");
    assert_string_equal(sgdr_status_name((sgdr_status)INT_MAX), "unknown status");
    assert_string_equal(sgdr_strerror((sgdr_status)(SGDR_EINDEX + 1)), "unknown status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_without_gaps),
        cmocka_unit_test(test_since),
        cmocka_unit_test(test_description_is_behaviour),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
