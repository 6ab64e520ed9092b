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

/* Sums the batch's gradient (n values) and loss over the processes of a data-parallel run,
 * in place, the same bits in every process. Returns 0, or non-zero to stop the run. */
typedef int (*reduce_fn)(void *ctx, double *grad, size_t n, double *loss);

typedef struct train_config {
    size_t epochs;
    size_t batch_size;  /* the whole batch, over all processes */
    double momentum;
    uint64_t seed;      /* batch order; the model's initialisation is the caller's */
    /* Data-parallel training (examples/mpi); all zero for one process. */
    size_t first_epoch; /* epochs trained before a resume: starts there, with the same order */
    size_t shard, shards; /* this process trains part `shard` of `shards` of every batch */
    reduce_fn reduce;   /* sums the parts (NULL: one process) */
    void *reduce_ctx;
} train_config;

/* What one epoch did. */
typedef struct epoch_record {
    double lr_max, lr_min; /* range of the learning rates its batches trained with */
    double loss;           /* mean training loss of its batches */
    double test_accuracy;  /* after its last batch */
    int snapshot;          /* its end took a snapshot (closed a cycle) */
    uint32_t cycle;        /* the cycle it closed, when snapshot is 1 */
} epoch_record;

/* Called after each epoch (after sgdr_on_epoch_end), for progress lines. Returns 0 to go
 * on; anything else stops the run there, without sgdr_on_train_end, and train_run returns
 * it. */
typedef int (*epoch_fn)(void *ctx, size_t epoch, const epoch_record *r);

/* Batches in one epoch: the last one may be smaller. */
size_t train_steps_per_epoch(size_t n_train, size_t batch_size);

/* Train `m` for cfg->epochs epochs. With a scheduler `s` (configured, steps_per_epoch
 * included), libsgdr sets the learning rate through its set_lr hook, records the batch loss
 * and the test accuracy of each epoch's last batch in its history, snapshots the weights
 * into `snaps` at every cycle end and restores the last one at the end. With s == NULL the
 * learning rate is `constant_lr` throughout and `snaps` is unused. `records` receives
 * cfg->epochs entries, `batch_lr` (may be NULL) the learning rate of every batch, indexed by
 * step from the first epoch of the run (a resumed run fills it from cfg->first_epoch on).
 * To resume, load the scheduler's state before the call: its sgdr_on_train_begin continues.
 * Returns 0, -1 with a message in err, or what on_epoch returned when it stopped the run. */
int train_run(mlp *m, const dataset *train, const dataset *test, const train_config *cfg,
              sgdr_scheduler *s, snapshot_set *snaps, double constant_lr,
              epoch_record *records, double *batch_lr, epoch_fn on_epoch, void *ctx,
              char *err, size_t cap);

#endif
