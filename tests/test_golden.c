/* SPDX-License-Identifier: MIT */
/* test_golden.c -- every golden vector: the learning rate of every batch, sgdr_lr_at
 * bit-equal to what the callbacks set, the snapshot epochs and the restored snapshot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "testutil.h"

typedef struct recorder {
    double lr;          /* what set_lr last received */
    uint64_t epoch;     /* the epoch being ended */
    long snap_epoch[64];
    size_t n_snaps;
    long cycle_epoch[64]; /* epoch whose end took the snapshot of a cycle */
    long restored_epoch;
} recorder;

static int rec_set_lr(void *u, double lr)
{
    ((recorder *)u)->lr = lr;
    return 0;
}

static int rec_snapshot(void *u, uint32_t cycle)
{
    recorder *r = u;
    assert_true(cycle < 64);
    assert_true(r->n_snaps < 64);
    r->snap_epoch[r->n_snaps++] = (long)r->epoch;
    r->cycle_epoch[cycle] = (long)r->epoch;
    return 0;
}

static int rec_restore(void *u, uint32_t cycle)
{
    recorder *r = u;
    assert_true(cycle < 64);
    r->restored_epoch = r->cycle_epoch[cycle];
    return 0;
}

static void run_golden(void **state)
{
    const char *file = *state;
    golden g;
    recorder rec;
    sgdr_scheduler *s;
    size_t i, k;
    uint64_t spe;

    assert_int_equal(golden_load(file, &g), 0);
    s = golden_scheduler(&g);
    assert_non_null(s);
    memset(&rec, 0, sizeof rec);
    rec.lr = NAN;
    rec.restored_epoch = -1;
    assert_int_equal(sgdr_set_lr_hooks(s, NULL, rec_set_lr, &rec), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, rec_snapshot, rec_restore, &rec), SGDR_OK);
    assert_int_equal(sgdr_on_train_begin(s), SGDR_OK);
    spe = (uint64_t)g.steps_per_epoch;

    for (i = 0; i < g.n; i++) {
        double at;
        assert_int_equal(g.step[i], i);
        /* the lr handed to set_lr for this batch matches the golden row */
        if (fabs(rec.lr - g.lr[i]) > 1e-12 * g.max_lr)
            fail_msg("%s: step %zu: lr %.17g, golden %.17g", file, i, rec.lr, g.lr[i]);
        /* the closed form gives the same bits as the callbacks */
        assert_int_equal(sgdr_lr_at(s, i, &at), SGDR_OK);
        if (memcmp(&at, &rec.lr, sizeof at) != 0)
            fail_msg("%s: step %zu: sgdr_lr_at %.17g, callbacks %.17g", file, i, at, rec.lr);
        assert_true(sgdr_lr(s) == rec.lr);
        assert_int_equal(sgdr_on_batch_end(s, i % spe, NULL, 0), SGDR_OK);
        if ((i + 1) % spe == 0) {
            rec.epoch = g.epoch[i];
            assert_int_equal(sgdr_on_epoch_end(s, g.epoch[i], NULL, 0), SGDR_OK);
        }
    }
    assert_int_equal(sgdr_on_train_end(s, NULL, 0), SGDR_OK);

    assert_int_equal(rec.n_snaps, g.n_snapshots);
    for (k = 0; k < g.n_snapshots; k++) assert_int_equal(rec.snap_epoch[k], g.snapshot_epochs[k]);
    assert_int_equal(rec.restored_epoch, g.restored_epoch);

    sgdr_destroy(s);
    golden_free(&g);
}

#define GOLDEN(file) cmocka_unit_test_prestate(run_golden, (void *)(file))

int main(void)
{
    const struct CMUnitTest tests[] = {
        GOLDEN("peak_cycle_warmup.csv"),
        GOLDEN("peak_cycle_warmup_max_cycles.csv"),
        GOLDEN("peak_fixed_cycles.csv"),
        GOLDEN("peak_max_cycles.csv"),
        GOLDEN("peak_usage.csv"),
        GOLDEN("peak_warmup.csv"),
        GOLDEN("peak_warmup_max_cycles.csv"),
        GOLDEN("pytorch_T0_10_Tmult_2_S391.csv"),
        GOLDEN("pytorch_T0_1_Tmult_3.csv"),
        GOLDEN("pytorch_T0_2_Tmult_2.csv"),
        GOLDEN("pytorch_T0_3_Tmult_1.csv"),
        GOLDEN("seed_defaults.csv"),
        GOLDEN("seed_ends_mid_cycle.csv"),
        GOLDEN("seed_fixed_cycles.csv"),
        GOLDEN("seed_mult3.csv"),
        GOLDEN("seed_no_cycle_done.csv"),
        GOLDEN("seed_usage.csv"),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
