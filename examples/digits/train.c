/* SPDX-License-Identifier: MIT */
/* train.c -- one training run (see train.h).
 *
 * The loop is the one any SGD trainer has; libsgdr's four callbacks are the only addition:
 * on_train_begin before the first batch, on_batch_end after each, on_epoch_end after each
 * epoch, on_train_end at the end. The scheduler reaches back through two hooks: set_lr
 * writes the learning rate the next batch uses, and the weight hooks copy the parameters
 * in and out of the snapshot set. */
#include "train.h"

#include <stdio.h>
#include <stdlib.h>

#include "rng.h"

static int set_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

size_t train_steps_per_epoch(size_t n_train, size_t batch_size)
{
    return (n_train + batch_size - 1) / batch_size;
}

static int sgdr_failed(sgdr_scheduler *s, const char *call, sgdr_status st, char *err,
                       size_t cap)
{
    snprintf(err, cap, "%s: %s: %s", call, sgdr_strerror(st), sgdr_last_error(s));
    return -1;
}

int train_run(mlp *m, const dataset *train, const dataset *test, const train_config *cfg,
              sgdr_scheduler *s, snapshot_set *snaps, double constant_lr,
              epoch_record *records, double *batch_lr, epoch_fn on_epoch, void *ctx,
              char *err, size_t cap)
{
    const size_t spe = train_steps_per_epoch(train->n, cfg->batch_size);
    size_t *order = malloc(train->n * sizeof *order), epoch, batch, step;
    double lr = constant_lr; /* the optimizer's learning rate: what set_lr writes */
    sgdr_status st;
    int stop;
    rng r;

    if (order == NULL) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    rng_order_start(&r, order, train->n, cfg->seed, cfg->first_epoch);
    step = cfg->first_epoch * spe;
    if (s != NULL) {
        sgdr_set_lr_hooks(s, NULL, set_lr, &lr);
        sgdr_set_weight_hooks(s, snapshots_take, snapshots_restore, snaps);
        if ((st = sgdr_on_train_begin(s)) != SGDR_OK) goto sgdr_fail_begin;
    }
    for (epoch = cfg->first_epoch; epoch < cfg->epochs; epoch++) {
        epoch_record *rec = &records[epoch];
        uint64_t snapshots_before = 0, snapshots_after = 0, last = 0;
        double loss_sum = 0;
        rec->lr_max = rec->lr_min = lr;
        if (s != NULL) sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &snapshots_before);
        rng_shuffle(&r, order, train->n);
        for (batch = 0; batch < spe; batch++, step++) {
            size_t first = batch * cfg->batch_size, n = cfg->batch_size, lo = 0, hi;
            sgdr_metric metrics[2];
            double loss;
            if (first + n > train->n) n = train->n - first;
            hi = n;
            if (cfg->shards > 1) { /* this process's part of the batch */
                lo = n * cfg->shard / cfg->shards;
                hi = n * (cfg->shard + 1) / cfg->shards;
            }
            if (lr > rec->lr_max) rec->lr_max = lr;
            if (lr < rec->lr_min) rec->lr_min = lr;
            if (batch_lr != NULL) batch_lr[step] = lr;
            loss = mlp_gradient(m, train, order + first + lo, hi - lo);
            if (cfg->reduce != NULL &&
                cfg->reduce(cfg->reduce_ctx, m->grad, m->n_params, &loss) != 0) {
                free(order);
                snprintf(err, cap, "summing the gradients of epoch %zu, batch %zu failed",
                         epoch + 1, batch);
                return -1;
            }
            mlp_step(m, n, lr, cfg->momentum);
            loss /= (double)n;
            loss_sum += loss;
            metrics[0].name = "loss";
            metrics[0].value = loss;
            if (batch + 1 == spe) rec->test_accuracy = mlp_accuracy(m, m->params, test);
            metrics[1].name = "test_accuracy";
            metrics[1].value = rec->test_accuracy;
            if (s != NULL &&
                (st = sgdr_on_batch_end(s, batch, metrics, batch + 1 == spe ? 2 : 1)) != SGDR_OK)
                goto sgdr_fail_batch;
        }
        if (s != NULL && (st = sgdr_on_epoch_end(s, epoch, NULL, 0)) != SGDR_OK) {
            free(order);
            return sgdr_failed(s, "sgdr_on_epoch_end", st, err, cap);
        }
        rec->loss = loss_sum / (double)spe;
        if (s != NULL) {
            /* the scheduler's own count: a snapshot of this epoch's end, and of which cycle */
            sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &snapshots_after);
            sgdr_get_progress(s, SGDR_PROGRESS_LAST_SNAPSHOT, &last);
        }
        rec->snapshot = snapshots_after > snapshots_before;
        rec->cycle = rec->snapshot ? (uint32_t)last : 0;
        if (on_epoch != NULL && (stop = on_epoch(ctx, epoch, rec)) != 0) {
            free(order);
            return stop;
        }
    }
    free(order);
    if (s != NULL && (st = sgdr_on_train_end(s, NULL, 0)) != SGDR_OK)
        return sgdr_failed(s, "sgdr_on_train_end", st, err, cap);
    return 0;

sgdr_fail_begin:
    free(order);
    return sgdr_failed(s, "sgdr_on_train_begin", st, err, cap);
sgdr_fail_batch:
    free(order);
    return sgdr_failed(s, "sgdr_on_batch_end", st, err, cap);
}
