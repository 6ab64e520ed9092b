/* SPDX-License-Identifier: MIT */
/* consumer.c -- what a program linked against an installed libsgdr does: check that the
 * header and the library agree on the version, run a short schedule through the callbacks
 * and hooks, and check it against the closed form and a save/load round trip. Built by the
 * CMake, pkg-config and add_subdirectory consumers (tests/consumers/); exits non-zero on any
 * mismatch. */
#include <stdio.h>

#include <sgdr.h>

#define STEPS 4
#define EPOCHS 7

typedef struct host {
    double lr;
    unsigned snapshots, restored;
} host;

static int set_lr(void *user, double lr)
{
    ((host *)user)->lr = lr;
    return 0;
}

static int snapshot(void *user, uint32_t cycle)
{
    (void)cycle;
    ((host *)user)->snapshots++;
    return 0;
}

static int restore(void *user, uint32_t cycle)
{
    ((host *)user)->restored = cycle + 1;
    return 0;
}

static int fail(sgdr_scheduler *s, const char *what)
{
    fprintf(stderr, "consumer: %s: %s\n", what, s != NULL ? sgdr_last_error(s) : "");
    sgdr_destroy(s);
    return 1;
}

int main(void)
{
    sgdr_scheduler *s = NULL, *t = NULL;
    host h = {0, 0, 0};
    unsigned char blob[512];
    size_t len = 0;
    uint64_t epoch, batch, step = 0;
    double want;

    if (sgdr_version_number() != SGDR_VERSION_NUMBER) return fail(NULL, "version mismatch");
    if (sgdr_create(&s) != SGDR_OK) return fail(NULL, "sgdr_create");
    if (sgdr_set_param(s, SGDR_PARAM_MIN_LR, 1e-4) || sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1) ||
        sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, STEPS) ||
        sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1) ||
        sgdr_set_lr_hooks(s, NULL, set_lr, &h) ||
        sgdr_set_weight_hooks(s, snapshot, restore, &h) || sgdr_on_train_begin(s))
        return fail(s, "setup");
    for (epoch = 0; epoch < EPOCHS; epoch++) {
        for (batch = 0; batch < STEPS; batch++, step++) {
            sgdr_metric loss = {"loss", 1.0 / (double)(step + 1)};
            if (sgdr_lr_at(s, step, &want) || want != h.lr) return fail(s, "lr_at != set_lr");
            if (sgdr_on_batch_end(s, batch, &loss, 1)) return fail(s, "on_batch_end");
        }
        if (sgdr_on_epoch_end(s, epoch, NULL, 0)) return fail(s, "on_epoch_end");
    }
    /* Save mid-run, load into a fresh scheduler: the same state comes back out. */
    if (sgdr_save_state(s, blob, sizeof blob, &len) || sgdr_create(&t) ||
        sgdr_load_state(t, blob, len))
        return fail(s, "save/load");
    {
        unsigned char again[512];
        size_t len2 = 0, i;
        if (sgdr_save_state(t, again, sizeof again, &len2) || len2 != len)
            return fail(t, "resave");
        for (i = 0; i < len; i++)
            if (again[i] != blob[i]) return fail(t, "state differs after a round trip");
    }
    sgdr_destroy(t);
    if (sgdr_on_train_end(s, NULL, 0)) return fail(s, "on_train_end");
    /* Cycles of 1, 2, 4 epochs end after epochs 0, 2, 6: three snapshots, cycle 2 restored. */
    if (h.snapshots != 3 || h.restored != 3) return fail(s, "snapshots/restore");
    printf("consumer: libsgdr %s, %d batches, %u snapshots, lr %.17g\n", sgdr_version_string(),
           STEPS * EPOCHS, h.snapshots, sgdr_lr(s));
    sgdr_destroy(s);
    return 0;
}
