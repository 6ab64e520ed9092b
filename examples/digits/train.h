/* SPDX-License-Identifier: MIT */
/* train.h -- one training run of the perceptron, its learning rate driven by libsgdr or
 * held constant. */
#ifndef DIGITS_TRAIN_H
#define DIGITS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "mlp.h"
#include "sgdr.h"
#include "snapshots.h"

typedef struct train_config {
    size_t epochs;
    size_t batch_size;
    double momentum;
    uint64_t seed;    /* batch order; the model's initialisation is the caller's */
} train_config;

/* What one epoch did. */
typedef struct epoch_record {
    double lr_max, lr_min; /* range of the learning rates its batches trained with */
    double loss;           /* mean training loss of its batches */
    double test_accuracy;  /* after its last batch */
    int snapshot;          /* its end took a snapshot (closed a cycle) */
    uint32_t cycle;        /* the cycle it closed, when snapshot is 1 */
} epoch_record;

/* Called after each epoch, for progress lines. */
typedef void (*epoch_fn)(void *ctx, size_t epoch, const epoch_record *r);

/* Batches in one epoch: the last one may be smaller. */
size_t train_steps_per_epoch(size_t n_train, size_t batch_size);

/* Train `m` for cfg->epochs epochs. With a scheduler `s` (configured, steps_per_epoch
 * included), libsgdr sets the learning rate through its set_lr hook, records the batch loss
 * and the test accuracy of each epoch's last batch in its history, snapshots the weights
 * into `snaps` at every cycle end and restores the last one at the end. With s == NULL the
 * learning rate is `constant_lr` throughout and `snaps` is unused. `records` receives
 * cfg->epochs entries, `batch_lr` (may be NULL) the learning rate of every batch.
 * Returns 0, or -1 with a message in err. */
int train_run(mlp *m, const dataset *train, const dataset *test, const train_config *cfg,
              sgdr_scheduler *s, snapshot_set *snaps, double constant_lr,
              epoch_record *records, double *batch_lr, epoch_fn on_epoch, void *ctx,
              char *err, size_t cap);

#endif
