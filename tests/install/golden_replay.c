/* SPDX-License-Identifier: MIT */
/* golden_replay.c -- replays golden vectors through an installed libsgdr.
 *
 * Built by scripts/checks/25-install-golden.sh against the installed header and library only
 * (pkg-config --cflags --libs sgdr), with tests/support/testutil.c for reading the files.
 * For each file named on the command line (a name under tests/golden/): every batch's
 * learning rate, as set_lr receives it, within 1e-12 * max_lr of the file; the epochs whose
 * end took a snapshot and the epoch whose snapshot on_train_end restored, as the header
 * says. Prints one line per file; exits 1 if any file does not match. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* The host: an optimizer's learning rate and which epoch ended each cycle. */
typedef struct host {
    double lr;
    uint64_t epoch; /* the epoch whose end is being reported */
    long cycle_end_epoch[64];
    long snapshots[64];
    size_t n_snapshots;
    long restored_epoch;
} host;

static int set_lr(void *user, double lr)
{
    ((host *)user)->lr = lr;
    return 0;
}

static int snapshot(void *user, uint32_t cycle)
{
    host *h = user;
    if (cycle >= 64 || h->n_snapshots >= 64) return 1;
    h->cycle_end_epoch[cycle] = (long)h->epoch;
    h->snapshots[h->n_snapshots++] = (long)h->epoch;
    return 0;
}

static int restore(void *user, uint32_t cycle)
{
    host *h = user;
    if (cycle >= 64) return 1;
    h->restored_epoch = h->cycle_end_epoch[cycle];
    return 0;
}

/* Replay one file; 0 when everything matches, else 1 with the first problem printed. */
static int replay(const char *file)
{
    golden g;
    host h;
    sgdr_scheduler *s;
    sgdr_status st = SGDR_OK;
    size_t i, bad = 0;
    double worst = 0;
    uint64_t spe;

    if (golden_load(file, &g) != 0) {
        printf("%s: cannot read the file\n", file);
        return 1;
    }
    memset(&h, 0, sizeof h);
    h.restored_epoch = -1;
    s = golden_scheduler(&g);
    if (s == NULL) {
        printf("%s: the configuration was refused\n", file);
        golden_free(&g);
        return 1;
    }
    spe = (uint64_t)g.steps_per_epoch;
    sgdr_set_lr_hooks(s, NULL, set_lr, &h);
    sgdr_set_weight_hooks(s, snapshot, restore, &h);
    st = sgdr_on_train_begin(s);
    for (i = 0; i < g.n && st == SGDR_OK; i++) {
        double err = fabs(h.lr - g.lr[i]);
        if (!(err <= 1e-12 * g.max_lr)) {
            if (bad++ == 0)
                printf("%s: step %zu: lr %.17g, golden %.17g\n", file, i, h.lr, g.lr[i]);
        }
        if (err > worst) worst = err;
        st = sgdr_on_batch_end(s, i % spe, NULL, 0);
        if (st == SGDR_OK && (i + 1) % spe == 0) {
            h.epoch = g.epoch[i];
            st = sgdr_on_epoch_end(s, g.epoch[i], NULL, 0);
        }
    }
    if (st == SGDR_OK) st = sgdr_on_train_end(s, NULL, 0);
    if (st != SGDR_OK) {
        printf("%s: %s: %s\n", file, sgdr_strerror(st), sgdr_last_error(s));
        bad++;
    }
    if (h.n_snapshots != g.n_snapshots ||
        memcmp(h.snapshots, g.snapshot_epochs, g.n_snapshots * sizeof h.snapshots[0]) != 0) {
        printf("%s: %zu snapshots, the file lists %zu (or at other epochs)\n", file,
               h.n_snapshots, g.n_snapshots);
        bad++;
    }
    if (h.restored_epoch != g.restored_epoch) {
        printf("%s: restored the snapshot of epoch %ld, the file says %ld\n", file,
               h.restored_epoch, g.restored_epoch);
        bad++;
    }
    if (bad == 0)
        printf("%s: %zu batches, %zu snapshots, largest difference %.3g (limit %.3g)\n", file,
               g.n, h.n_snapshots, worst, 1e-12 * g.max_lr);
    sgdr_destroy(s);
    golden_free(&g);
    return bad != 0;
}

int main(int argc, char **argv)
{
    int i, failed = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: golden_replay FILE.csv... (names under tests/golden/)\n");
        return 2;
    }
    for (i = 1; i < argc; i++) failed += replay(argv[i]);
    printf("%d of %d golden files reproduced\n", argc - 1 - failed, argc - 1);
    return failed != 0;
}
