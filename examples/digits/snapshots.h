/* SPDX-License-Identifier: MIT */
/* snapshots.h -- the weights kept at the end of each SGDR cycle.
 *
 * libsgdr calls the snapshot hook when an epoch closes a cycle and the restore hook from
 * on_train_end. The hooks below copy the model's parameter array in and out of this set.
 * A hook may be called again for the same cycle when the host retries a callback, so a
 * snapshot of a cycle already kept replaces it instead of adding a copy. */
#ifndef DIGITS_SNAPSHOTS_H
#define DIGITS_SNAPSHOTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct snapshot_set {
    double *live;       /* the model's parameters (not owned) */
    size_t n_params;
    size_t count;       /* snapshots kept */
    size_t cap;
    uint32_t *cycle;    /* cycle of snapshot i */
    double **weights;   /* parameters of snapshot i */
    long restored;      /* cycle put back by the restore hook, -1 if none */
} snapshot_set;

void snapshots_init(snapshot_set *set, double *live, size_t n_params);
void snapshots_free(snapshot_set *set);

/* The libsgdr hooks (sgdr_snapshot_fn, sgdr_restore_fn); `user` is the snapshot_set. They
 * return non-zero when out of memory or asked for a cycle never kept. */
int snapshots_take(void *user, uint32_t cycle);
int snapshots_restore(void *user, uint32_t cycle);

#endif
