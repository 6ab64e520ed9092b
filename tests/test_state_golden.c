/* SPDX-License-Identifier: MIT */
/* test_state_golden.c -- checkpoints written by libsgdr 1.0 load in every later 1.x.
 *
 * tests/state/<name>.bin are blobs saved by format 1.0 (tests/state/README.md says how
 * they were made); <name>.expect holds the configuration and progress each carries, its
 * learning rate, and what the run that saved it did next. Each blob is loaded into a fresh
 * scheduler, checked against the first part, and continued (resumed, or a new run for a
 * blob saved between runs): the learning rate of every batch and the snapshot and restore
 * calls must be what the original run did. A change that breaks old checkpoints fails
 * here. Learning rates agree within 1e-12 * max_lr (another libm's cos may differ in the
 * last bits, as for the golden vectors); everything stored is compared exactly. */
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
#include "testutil.h"

static const char *const blobs[] = {"fresh",     "peak_warmup",   "peak_cycle2",
                                    "peak_hold", "keras_restart", "ended"};

static size_t read_file(const char *rel, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(test_data_path(rel), "rb");
    size_t n;
    if (f == NULL) fail_msg("cannot open tests/%s", rel);
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* One line of the continuation: "lr X", "snapshot K" or "restore K". */
static void expect_event(FILE *f, const host_event *got, double tol, const char *name)
{
    char line[256], kind[32];
    double value = 0;
    if (fgets(line, sizeof line, f) == NULL) fail_msg("%s: more hook calls than expected", name);
    if (sscanf(line, "%31s %lf", kind, &value) != 2) fail_msg("%s: bad line %s", name, line);
    if (strcmp(kind, "lr") == 0) {
        if (got->kind != EV_SET_LR || !(fabs(got->lr - value) <= tol))
            fail_msg("%s: trained at %.17g, expected %s", name, got->lr, line);
    } else if (strcmp(kind, "snapshot") == 0) {
        if (got->kind != EV_SNAPSHOT || got->cycle != (uint32_t)value)
            fail_msg("%s: expected %s", name, line);
    } else if (strcmp(kind, "restore") == 0) {
        if (got->kind != EV_RESTORE || got->cycle != (uint32_t)value)
            fail_msg("%s: expected %s", name, line);
    } else {
        fail_msg("%s: bad line %s", name, line);
    }
}

/* The continuation, recorded as the .expect file writes it: the learning rate each batch
 * trained with (logged as an EV_SET_LR event), snapshots and restores. */
static void continue_run(sgdr_scheduler *s, host *h, unsigned epochs, unsigned batches,
                         host *out)
{
    uint64_t epoch = 0, b;
    unsigned e;
    size_t i;
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch), SGDR_OK);
    for (e = 0; e < epochs; e++) {
        for (b = 0; b < batches; b++) {
            assert_int_equal(host_log(out, EV_SET_LR, h->lr, 0), 0);
            assert_int_equal(sgdr_on_batch_end(s, b, NULL, 0), SGDR_OK);
        }
        h->n = 0;
        assert_int_equal(sgdr_on_epoch_end(s, epoch + e, NULL, 0), SGDR_OK);
        for (i = 0; i < h->n; i++)
            if (h->ev[i].kind != EV_SET_LR)
                assert_int_equal(host_log(out, h->ev[i].kind, 0, h->ev[i].cycle), 0);
    }
    h->n = 0;
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    for (i = 0; i < h->n; i++) assert_int_equal(host_log(out, h->ev[i].kind, 0, h->ev[i].cycle), 0);
}

static void golden_blob(void **state)
{
    const char *name = *state;
    unsigned char blob[STATE_CAP], again[STATE_CAP];
    char rel[128], line[256], key[64];
    sgdr_scheduler *s;
    host h, *events = malloc(sizeof *events);
    size_t len, i;
    unsigned epochs = 0, batches = 0;
    uint64_t running = 0;
    double max_lr = 0;
    FILE *f;
    int p;

    assert_non_null(events);
    snprintf(rel, sizeof rel, "state/%s.bin", name);
    len = read_file(rel, blob, sizeof blob);
    assert_int_equal(len, STATE_SIZE_1_0);
    host_reset(&h);
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    host_attach(s, &h);
    if (sgdr_load_state(s, blob, len) != SGDR_OK)
        fail_msg("%s: a 1.0 checkpoint is refused: %s", name, sgdr_last_error(s));
    assert_int_equal(save_blob(s, again), len); /* this library writes 1.0: same bytes */
    assert_memory_equal(again, blob, len);

    snprintf(rel, sizeof rel, "state/%s.expect", name);
    f = fopen(test_data_path(rel), "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL && strncmp(line, "run ", 4) != 0) {
        double want, got = 0;
        uint64_t v = 0;
        if (line[0] == '#') continue;
        if (sscanf(line, "param %63s %lf", key, &want) == 2) {
            sgdr_param id;
            assert_int_equal(sgdr_param_from_name(key, &id), SGDR_OK);
            assert_int_equal(sgdr_get_param(s, id, &got), SGDR_OK);
            if (!(got == want || (isnan(got) && isnan(want))))
                fail_msg("%s: %s is %.17g, expected %.17g", name, key, got, want);
        } else if (sscanf(line, "progress %d %lf", &p, &want) == 2) {
            assert_int_equal(sgdr_get_progress(s, (sgdr_progress)p, &v), SGDR_OK);
            if ((double)v != want) fail_msg("%s: progress %d is %llu, expected %s", name, p,
                                            (unsigned long long)v, line);
        } else if (sscanf(line, "sgdr_lr %lf", &want) == 1) {
            got = sgdr_lr(s);
            if (!(got == want || (isnan(got) && isnan(want))))
                fail_msg("%s: sgdr_lr is %.17g, expected %.17g", name, got, want);
        } else {
            fail_msg("%s: bad line %s", name, line);
        }
    }
    assert_int_equal(sscanf(line, "run %u %u", &epochs, &batches), 2);

    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_RUNNING, &running), SGDR_OK);
    assert_int_equal(sgdr_get_param(s, SGDR_PARAM_MAX_LR, &max_lr), SGDR_OK);
    if (epochs == 0) {
        /* Nothing to continue: a fresh scheduler cannot start without its parameters. */
        assert_int_equal(sgdr_on_train_begin(s), SGDR_ECONFIG);
    } else {
        /* Resume (running) or start a new run with the loaded configuration. */
        assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
        if (running) assert_true(same_bits(h.lr, sgdr_lr(s)));
        host_reset(events);
        continue_run(s, &h, epochs, batches, events);
        for (i = 0; i < events->n; i++) expect_event(f, &events->ev[i], 1e-12 * max_lr, name);
    }
    if (fgets(line, sizeof line, f) != NULL) fail_msg("%s: expected more: %s", name, line);
    fclose(f);
    sgdr_destroy(s);
    free(events);
}

int main(void)
{
    struct CMUnitTest tests[sizeof blobs / sizeof blobs[0]];
    size_t i;
    for (i = 0; i < sizeof blobs / sizeof blobs[0]; i++) {
        struct CMUnitTest t = {blobs[i], golden_blob, NULL, NULL, (void *)blobs[i]};
        tests[i] = t;
    }
    return _cmocka_run_group_tests("state_golden", tests, sizeof blobs / sizeof blobs[0], NULL,
                                   NULL);
}
