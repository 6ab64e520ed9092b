/* SPDX-License-Identifier: MIT */
/* test_metric_names.c -- the names of a call's metrics are checked the same way for a few
 * metrics and for tens of thousands (where the check sorts instead of comparing every pair):
 * distinct names pass, and a refusal names the first metric that repeats an earlier name or
 * is "lr", exactly as a pairwise reference finds it; when the scratch memory for the sort
 * cannot be had, the call fails with SGDR_ENOMEM and changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgdr.h"

static int refuse_alloc; /* non-zero: the allocator fails */

static void *maybe_alloc(void *user, size_t size)
{
    (void)user;
    return refuse_alloc ? NULL : malloc(size);
}

static void plain_free(void *user, void *p)
{
    (void)user;
    free(p);
}

static sgdr_scheduler *running(int history)
{
    sgdr_scheduler *s = NULL;
    refuse_alloc = 0;
    assert_int_equal(sgdr_create_with_allocator(&s, maybe_alloc, plain_free, NULL), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1000), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_HISTORY, history), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    return s;
}

/* What the call must say: the first metric that is "lr" or repeats an earlier name. */
static void expected(const sgdr_metric *m, size_t n, char *want, size_t cap)
{
    size_t i, j;
    want[0] = '\0';
    for (i = 0; i < n; i++) {
        if (strcmp(m[i].name, "lr") == 0) {
            snprintf(want, cap, "sgdr_on_batch_end: metric 'lr' is reserved for the learning "
                     "rate column");
            return;
        }
        for (j = 0; j < i; j++)
            if (strcmp(m[i].name, m[j].name) == 0) {
                snprintf(want, cap, "sgdr_on_batch_end: metric '%s' is given more than once "
                         "in one call", m[i].name);
                return;
            }
    }
}

static void check_call(sgdr_scheduler *s, const sgdr_metric *m, size_t n)
{
    char want[256];
    uint64_t before = 0, after = 0;
    sgdr_status st;
    expected(m, n, want, sizeof want);
    if (refuse_alloc && n > 16) /* the sort's scratch memory: the call fails, changing nothing */
        snprintf(want, sizeof want, "sgdr_on_batch_end: out of memory while checking the "
                 "names of %zu metrics", n);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &before), SGDR_OK);
    st = sgdr_on_batch_end(s, 0, m, n);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &after), SGDR_OK);
    if (want[0] == '\0') {
        if (st != SGDR_OK) fail_msg("%zu distinct metrics refused: %s", n, sgdr_last_error(s));
        assert_true(after == before + 1);
        return;
    }
    assert_int_equal(st, strstr(want, "out of memory") != NULL ? SGDR_ENOMEM : SGDR_EMETRIC);
    assert_string_equal(sgdr_last_error(s), want);
    assert_true(after == before);
}

/* n metrics named from a pool of `pool` names (few names: many repeats), or distinct ones,
 * with "lr" at position `lr_at` (n: none). */
static void fill(sgdr_metric *m, char (*names)[32], size_t n, size_t pool, size_t lr_at,
                 uint64_t *rng)
{
    size_t i;
    for (i = 0; i < n; i++) {
        *rng = *rng * 6364136223846793005u + 1442695040888963407u;
        if (i == lr_at) snprintf(names[i], sizeof names[i], "lr");
        else if (pool == 0) snprintf(names[i], sizeof names[i], "metric_%zu", (i * 7919) % n);
        else snprintf(names[i], sizeof names[i], "m%llu", (unsigned long long)((*rng >> 33) % pool));
        m[i].name = names[i];
        m[i].value = (double)i;
    }
}

static void test_names_as_pairwise(void **state)
{
    static const size_t sizes[] = {1, 2, 3, 16, 17, 40, 300, 1000};
    enum { MAX = 1000 };
    sgdr_metric *m = malloc(MAX * sizeof *m);
    char(*names)[32] = malloc(MAX * sizeof *names);
    uint64_t rng = 12345;
    size_t z, trial;
    int history, starve;
    (void)state;
    assert_non_null(m);
    assert_non_null(names);
    for (history = 0; history <= 1; history++)
        for (starve = 0; starve <= 1; starve++)
            for (z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
                const size_t n = sizes[z];
                sgdr_scheduler *s = running(history);
                refuse_alloc = starve && !history; /* the history needs memory for columns */
                for (trial = 0; trial < 8; trial++) {
                    size_t pool = trial % 4 == 0 ? 0 : n * (trial % 4) + 1;
                    size_t lr_at = trial >= 4 ? (size_t)(rng >> 40) % n : n;
                    fill(m, names, n, pool, lr_at, &rng);
                    check_call(s, m, n);
                    if (pool == 0 && lr_at == n && n >= 2) {
                        /* one repeat: the later of the two is named, wherever they are */
                        size_t a = (size_t)(rng >> 20) % n, b = (size_t)(rng >> 40) % n;
                        if (a != b) {
                            m[b].name = m[a].name;
                            check_call(s, m, n);
                        }
                    }
                }
                refuse_alloc = 0;
                assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
                sgdr_destroy(s);
            }
    free(names);
    free(m);
}

/* Fifty thousand distinct names pass (five thousand with history: a run's first batch still
 * searches the columns one by one for each new name); one repeat among them is named. */
static void test_many_names(void **state)
{
    enum { N = 50000 };
    sgdr_metric *m = malloc(N * sizeof *m);
    char(*names)[32] = malloc(N * sizeof *names);
    uint64_t rng = 99;
    char want[128];
    int history;
    (void)state;
    assert_non_null(m);
    assert_non_null(names);
    for (history = 0; history <= 1; history++) {
        sgdr_scheduler *s = running(history);
        const size_t n = history ? N / 10 : N;
        const char *kept;
        fill(m, names, n, 0, n, &rng);
        assert_int_equal(sgdr_on_batch_end(s, 0, m, n), SGDR_OK);
        /* the same names again (history: in column order) */
        assert_int_equal(sgdr_on_batch_end(s, 0, m, n), SGDR_OK);
        kept = m[3137].name;
        m[3137].name = m[4242 % n].name;
        snprintf(want, sizeof want, "sgdr_on_batch_end: metric '%s' is given more than once in "
                 "one call", m[4242 % n].name);
        assert_int_equal(sgdr_on_batch_end(s, 0, m, n), SGDR_EMETRIC);
        assert_string_equal(sgdr_last_error(s), want);
        m[3137].name = kept;
        assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
        sgdr_destroy(s);
    }
    free(names);
    free(m);
}

/* on_epoch_end and on_train_end check their metrics' names the same way: with more than 16
 * and no scratch memory they fail with SGDR_ENOMEM, and the epoch is not counted, the run is
 * not ended; with memory again the same calls pass. */
static void test_epoch_and_end_without_memory(void **state)
{
    enum { N = 17 };
    sgdr_metric m[N];
    char names[N][32];
    uint64_t rng = 7, epochs = 0;
    sgdr_scheduler *s = running(0);
    (void)state;
    fill(m, names, N, 0, N, &rng);
    refuse_alloc = 1;
    assert_int_equal(sgdr_on_epoch_end(s, 0, m, N), SGDR_ENOMEM);
    assert_string_equal(sgdr_last_error(s), "sgdr_on_epoch_end: out of memory while checking "
                                            "the names of 17 metrics");
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epochs), SGDR_OK);
    assert_true(epochs == 0);
    assert_int_equal(sgdr_on_train_end(s, m, N), SGDR_ENOMEM);
    assert_string_equal(sgdr_last_error(s), "sgdr_on_train_end: out of memory while checking "
                                            "the names of 17 metrics");
    assert_int_equal(sgdr_on_train_begin(s), SGDR_EORDER); /* still running */
    refuse_alloc = 0;
    assert_int_equal(sgdr_on_epoch_end(s, 0, m, N), SGDR_OK);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epochs), SGDR_OK);
    assert_true(epochs == 1);
    assert_int_equal(sgdr_on_train_end(s, m, N), SGDR_OK);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_as_pairwise),
        cmocka_unit_test(test_many_names),
        cmocka_unit_test(test_epoch_and_end_without_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
