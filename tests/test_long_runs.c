/* SPDX-License-Identifier: MIT */
/* test_long_runs.c -- positions beyond 2^32 batches, epochs and cycles.
 *
 * Every counter is 64-bit. Looping 2^32 times is out of the question, so the test gets there
 * two ways: sgdr_lr_at() at huge steps (closed form, time logarithmic in the step), and the
 * callbacks resumed from a state blob whose counters were moved far ahead: a running blob
 * from a real run with its position fields rewritten by the layout of state format 1.0
 * (docs/STATE_FORMAT.md) and its CRC-32C recomputed. Checked there: the learning rate is
 * exact at cycle boundaries (the peak bit for bit), the callbacks give the same bits as
 * sgdr_lr_at, and the hooks' uint32 cycle argument saturates at 4294967295 as sgdr.h says
 * while sgdr_get_progress keeps the full 64-bit cycle index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "state_util.h" /* format 1.0 offsets, little-endian fields, CRC-32C, the host */

#define U32_MAX 4294967295.0 /* the largest integer parameter */

typedef struct config {
    double min_lr, max_lr, steps_per_epoch, cycle_length, mult_factor, lr_decay;
    double warmup_epochs, warmup_start_lr;
} config;

static sgdr_scheduler *configured(const config *c)
{
    sgdr_scheduler *s;
    assert_int_equal(sgdr_create(&s), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MIN_LR, c->min_lr), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MAX_LR, c->max_lr), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, c->steps_per_epoch), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, c->cycle_length), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, c->mult_factor), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_LR_DECAY, c->lr_decay), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_EPOCHS, c->warmup_epochs), SGDR_OK);
    assert_int_equal(sgdr_set_param(s, SGDR_PARAM_WARMUP_START_LR, c->warmup_start_lr), SGDR_OK);
    return s;
}

static double lr_at(const sgdr_scheduler *s, uint64_t step)
{
    double lr = NAN;
    if (sgdr_lr_at(s, step, &lr) != SGDR_OK)
        fail_msg("sgdr_lr_at(%llu): %s", (unsigned long long)step, sgdr_last_error(s));
    return lr;
}

static void assert_same_bits(double got, double want, const char *what, uint64_t step)
{
    if (memcmp(&got, &want, sizeof got) != 0)
        fail_msg("%s at step %llu: %.17g, expected exactly %.17g", what,
                 (unsigned long long)step, got, want);
}

static void assert_near(double got, double want, double tol, const char *what, uint64_t step)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s at step %llu: %.17g, expected %.17g within %g", what,
                 (unsigned long long)step, got, want, tol);
}

/* The formula of docs/SPEC.md §3.4 for batch b of a cycle of n batches with peak p, in long double so
 * that it is an independent reference (agreement within 1e-12 * max_lr, as for the golden
 * vectors). */
static double cosine(const config *c, double peak, uint64_t b, uint64_t n)
{
    long double x = 3.141592653589793238462643383279503L * (long double)b / (long double)n;
    return (double)(c->min_lr + 0.5L * (peak - c->min_lr) * (1.0L + cosl(x)));
}

/* ---- closed form ---- */

static void lr_at_far_cycle_boundaries(void **state)
{
    /* N = 2 * (2^32 - 1) batches per cycle: every boundary but the first is beyond 2^32. */
    const config c = {0.001, 0.1, U32_MAX, 2, 1, 0.5, 0, 0};
    const uint64_t n = 2 * (uint64_t)U32_MAX;
    const uint64_t cycles[] = {1, 2, 3, 6, 7, 1000, 1ull << 20, 2147483646ull};
    sgdr_scheduler *s = configured(&c);
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cycles / sizeof cycles[0]; i++) {
        uint64_t k = cycles[i], start = k * n;
        double peak = c.max_lr * pow(0.5, (double)k); /* exact: a power of two times max_lr */
        if (peak < c.min_lr) peak = c.min_lr;
        assert_same_bits(lr_at(s, start), peak, "peak at a cycle start", start);
        assert_near(lr_at(s, start - 1), cosine(&c, lr_at(s, start - n), n - 1, n),
                    1e-12 * c.max_lr, "last batch of the previous cycle", start - 1);
        assert_true(lr_at(s, start - 1) < lr_at(s, start - 2) || lr_at(s, start - 1) == c.min_lr);
        assert_near(lr_at(s, start + n / 2), cosine(&c, peak, n / 2, n), 1e-12 * c.max_lr,
                    "middle of a cycle", start + n / 2);
    }
    sgdr_destroy(s);
}

static void lr_at_growing_cycles_and_long_warmup(void **state)
{
    /* Cycles of 1, 2, 4, ... epochs of 2^32 - 1 batches: cycle k starts at (2^k - 1) epochs. */
    const config grow = {0.001, 0.1, U32_MAX, 1, 2, 1, 0, 0};
    /* A warm-up of (2^32 - 1)^2 batches, the longest the parameters allow. */
    const config warm = {0.001, 0.1, U32_MAX, 3, 2, 1, U32_MAX, 0.0001};
    const uint64_t spe = (uint64_t)U32_MAX, w = spe * spe;
    sgdr_scheduler *s = configured(&grow);
    uint64_t k;
    double lr;
    (void)state;
    for (k = 1; k < 32; k++) {
        uint64_t start = ((1ull << k) - 1) * spe, n = (1ull << k) * spe;
        assert_same_bits(lr_at(s, start), grow.max_lr, "peak at a cycle start", start);
        assert_near(lr_at(s, start - 1), cosine(&grow, grow.max_lr, n / 2 - 1, n / 2),
                    1e-12 * grow.max_lr, "end of the previous cycle", start - 1);
        assert_near(lr_at(s, start + n / 4), cosine(&grow, grow.max_lr, n / 4, n),
                    1e-12 * grow.max_lr, "a quarter into the cycle", start + n / 4);
    }
    lr = lr_at(s, UINT64_MAX);
    assert_true(lr >= grow.min_lr && lr <= grow.max_lr);
    sgdr_destroy(s);

    s = configured(&warm);
    assert_same_bits(lr_at(s, 0), warm.warmup_start_lr, "first warm-up batch", 0);
    assert_near(lr_at(s, w / 2), (warm.warmup_start_lr + warm.max_lr) / 2, 1e-12 * warm.max_lr,
                "middle of the warm-up", w / 2);
    assert_near(lr_at(s, w - 1), warm.max_lr, 1e-12 * warm.max_lr, "last warm-up batch", w - 1);
    assert_same_bits(lr_at(s, w), warm.max_lr, "first batch of cycle 0", w);
    assert_near(lr_at(s, w + spe), cosine(&warm, warm.max_lr, spe, 3 * spe),
                1e-12 * warm.max_lr, "second epoch of cycle 0", w + spe);
    lr = lr_at(s, UINT64_MAX);
    assert_true(lr >= warm.min_lr && lr <= warm.max_lr);
    sgdr_destroy(s);
}

/* ---- the callbacks, resumed far ahead ---- */

/* Where a crafted blob puts the run. */
typedef struct position {
    uint64_t step, epoch, batch_in_epoch, cycle, cycle_length, cycle_end, pos;
    double peak;
    uint64_t snapshots, last_snapshot;
} position;

/* A scheduler configured as c, resumed at position p (with hooks to h). The blob comes from
 * a real run of c, so only the run's position differs from what the library itself wrote. */
static sgdr_scheduler *resumed_at(const config *c, const position *p, host *h)
{
    unsigned char blob[STATE_CAP];
    size_t len = 0;
    uint64_t v;
    sgdr_scheduler *s = configured(c);
    double lr;

    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    assert_int_equal(sgdr_save_state(s, blob, sizeof blob, &len), SGDR_OK);
    assert_int_equal(len, STATE_SIZE_1_0); /* the format this test knows */
    assert_memory_equal(blob, "SGDRSTAT\x01\x00\x00\x00", 12);
    assert_int_equal(blob[AT_RUNNING], 1);
    assert_int_equal(blob[AT_PHASE], SGDR_PHASE_CYCLE);
    lr = lr_at(s, p->step);
    sgdr_destroy(s);

    put_le(blob + AT_STEP, p->step, 8);
    put_le(blob + AT_EPOCH, p->epoch, 8);
    put_le(blob + AT_BATCH_IN_EPOCH, p->batch_in_epoch, 8);
    put_le(blob + AT_CYCLE, p->cycle, 8);
    put_le(blob + AT_CYCLE_LEN_NOW, p->cycle_length, 8);
    put_le(blob + AT_CYCLE_END, p->cycle_end, 8);
    put_le(blob + AT_POS, p->pos, 8);
    put_le_f64(blob + AT_PEAK, p->peak);
    put_le_f64(blob + AT_LR, lr);
    put_le(blob + AT_SNAPSHOTS, p->snapshots, 8);
    put_le(blob + AT_LAST_SNAPSHOT, p->last_snapshot, 8);
    fix_crc(blob, len);

    s = configured(c);
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, host_set_lr, h), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, host_restore, h), SGDR_OK);
    if (sgdr_load_state(s, blob, len) != SGDR_OK)
        fail_msg("crafted blob refused: %s", sgdr_last_error(s));
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &v), SGDR_OK);
    assert_true(v == p->step);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
    assert_true(v == p->cycle);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK); /* resumes: set_lr gets the restored lr */
    assert_same_bits(h->lr, lr, "lr handed over on resume", p->step);
    return s;
}

/* n batches: each trains with exactly what sgdr_lr_at says for its step. */
static void batches(sgdr_scheduler *s, host *h, uint64_t *step, int n)
{
    for (; n > 0; n--) {
        assert_same_bits(h->lr, lr_at(s, *step), "lr a batch trains with (set_lr)", *step);
        assert_same_bits(sgdr_lr(s), h->lr, "sgdr_lr", *step);
        assert_int_equal(sgdr_on_batch_end(s, 0, NULL, 0), SGDR_OK);
        ++*step;
    }
}

static void callbacks_cross_step_2_32_at_a_cycle_boundary(void **state)
{
    /* Cycles of 2 epochs of 2^31 batches: cycle 1 starts at step 2^32 exactly. */
    const config c = {0.001, 0.1, 2147483648.0, 2, 1, 0.5, 0, 0};
    const uint64_t spe = 2147483648ull;
    const position p = {(1ull << 32) - 3, 1, spe - 3, 0, 2, 2, (1ull << 32) - 3, 0.1, 0, 0};
    host h;
    uint64_t step = p.step, v;
    sgdr_scheduler *s;
    (void)state;
    host_reset(&h);
    s = resumed_at(&c, &p, &h);
    batches(s, &h, &step, 3);
    assert_true(step == 1ull << 32);
    /* The cycle is over but its epoch has not ended yet: the floor (b / N clamped to 1). */
    assert_same_bits(h.lr, c.min_lr, "after the last batch of cycle 0", step);
    assert_int_equal(sgdr_on_epoch_end(s, 1, NULL, 0), SGDR_OK);
    assert_int_equal(host_count(&h, EV_SNAPSHOT), 1);
    assert_int_equal(host_nth(&h, EV_SNAPSHOT, 0)->cycle, 0);
    /* Step 2^32 is the first batch of cycle 1: its peak, exactly (a 32-bit step would wrap
     * to 0 and train at cycle 0's peak instead). */
    assert_same_bits(h.lr, 0.05, "first batch of cycle 1", step);
    assert_same_bits(lr_at(s, step), 0.05, "sgdr_lr_at at step 2^32", step);
    batches(s, &h, &step, 1);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_STEP, &v), SGDR_OK);
    assert_true(v == (1ull << 32) + 1);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE_POSITION, &v), SGDR_OK);
    assert_int_equal(v, 1);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    assert_int_equal(host_count(&h, EV_RESTORE), 1);
    assert_int_equal(host_nth(&h, EV_RESTORE, 0)->cycle, 0);
    sgdr_destroy(s);
}

static void callbacks_far_beyond_2_32_steps(void **state)
{
    /* Cycles of 2 epochs of 2^32 - 1 batches, peak halving: resumed 3 batches before the end
     * of cycle 3, at step 8 * (2^32 - 1) - 3, about 3.4e10. */
    const config c = {0.001, 0.1, U32_MAX, 2, 1, 0.5, 0, 0};
    const uint64_t spe = (uint64_t)U32_MAX;
    const position p = {8 * spe - 3, 7, spe - 3, 3, 2, 8, 2 * spe - 3, 0.0125, 3, 2};
    host h;
    uint64_t step = p.step;
    char csv[512], row[64];
    size_t len = 0;
    sgdr_scheduler *s;
    (void)state;
    host_reset(&h);
    s = resumed_at(&c, &p, &h);
    batches(s, &h, &step, 3);
    assert_int_equal(sgdr_on_epoch_end(s, 7, NULL, 0), SGDR_OK);
    assert_int_equal(host_count(&h, EV_SNAPSHOT), 1);
    assert_int_equal(host_nth(&h, EV_SNAPSHOT, 0)->cycle, 3);
    assert_same_bits(h.lr, 0.00625, "first batch of cycle 4", step);
    batches(s, &h, &step, 1);
    /* History rows are numbered by the true step. */
    assert_int_equal(sgdr_history_to_csv(s, csv, sizeof csv - 1, &len), SGDR_OK);
    csv[len] = '\0';
    assert_non_null(strstr(csv, "\n34359738357,"));
    snprintf(row, sizeof row, "\n34359738360,%.17g\n", 0.00625);
    assert_non_null(strstr(csv, row));
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    assert_int_equal(host_nth(&h, EV_RESTORE, 0)->cycle, 3);
    sgdr_destroy(s);
}

static void hook_cycle_saturates_beyond_2_32_cycles(void **state)
{
    /* One-batch, one-epoch cycles: the cycle index is the epoch index. Resumed at the start
     * of cycle 2^32 - 2 and run through cycles 2^32 - 2, 2^32 - 1, 2^32, 2^32 + 1. */
    const config c = {0.001, 0.1, 1, 1, 1, 1, 0, 0};
    const uint64_t k0 = (1ull << 32) - 2;
    const position p = {k0, k0, 0, k0, 1, k0 + 1, 0, 0.1, k0, k0 - 1};
    const uint32_t told[] = {4294967294u, 4294967295u, 4294967295u, 4294967295u};
    host h;
    uint64_t step = p.step, e, v;
    sgdr_scheduler *s;
    int i;
    (void)state;
    host_reset(&h);
    s = resumed_at(&c, &p, &h);
    for (i = 0, e = k0; i < 4; i++, e++) {
        assert_same_bits(h.lr, c.max_lr, "first batch of a cycle", step);
        batches(s, &h, &step, 1);
        assert_int_equal(sgdr_on_epoch_end(s, e, NULL, 0), SGDR_OK);
        assert_int_equal(host_nth(&h, EV_SNAPSHOT, (size_t)i)->cycle, told[i]);
        assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_LAST_SNAPSHOT, &v), SGDR_OK);
        assert_true(v == e); /* the full index is kept */
    }
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &v), SGDR_OK);
    assert_true(v == k0 + 4);
    assert_int_equal(sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &v), SGDR_OK);
    assert_true(v == k0 + 4);
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);
    assert_int_equal(host_count(&h, EV_RESTORE), 1);
    assert_int_equal(host_nth(&h, EV_RESTORE, 0)->cycle, 4294967295u);
    sgdr_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lr_at_far_cycle_boundaries),
        cmocka_unit_test(lr_at_growing_cycles_and_long_warmup),
        cmocka_unit_test(callbacks_cross_step_2_32_at_a_cycle_boundary),
        cmocka_unit_test(callbacks_far_beyond_2_32_steps),
        cmocka_unit_test(hook_cycle_saturates_beyond_2_32_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
