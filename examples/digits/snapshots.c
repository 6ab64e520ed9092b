/* SPDX-License-Identifier: MIT */
/* snapshots.c -- end-of-cycle weights (see snapshots.h). */
#include "snapshots.h"

#include <stdlib.h>
#include <string.h>

void snapshots_init(snapshot_set *set, double *live, size_t n_params)
{
    memset(set, 0, sizeof *set);
    set->live = live;
    set->n_params = n_params;
    set->restored = -1;
}

void snapshots_free(snapshot_set *set)
{
    size_t i;
    for (i = 0; i < set->count; i++) free(set->weights[i]);
    free(set->weights);
    free(set->cycle);
    memset(set, 0, sizeof *set);
}

static long find(const snapshot_set *set, uint32_t cycle)
{
    size_t i;
    for (i = 0; i < set->count; i++)
        if (set->cycle[i] == cycle) return (long)i;
    return -1;
}

int snapshots_take(void *user, uint32_t cycle)
{
    snapshot_set *set = user;
    long at = find(set, cycle);
    if (at < 0) {
        if (set->count == set->cap) {
            size_t cap = set->cap ? set->cap * 2 : 8;
            uint32_t *cycles = realloc(set->cycle, cap * sizeof *cycles);
            double **weights;
            if (cycles == NULL) return 1;
            set->cycle = cycles;
            if ((weights = realloc(set->weights, cap * sizeof *weights)) == NULL) return 1;
            set->weights = weights;
            set->cap = cap;
        }
        if ((set->weights[set->count] = malloc(set->n_params * sizeof(double))) == NULL)
            return 1;
        set->cycle[set->count] = cycle;
        at = (long)set->count++;
    }
    memcpy(set->weights[at], set->live, set->n_params * sizeof(double));
    return 0;
}

int snapshots_restore(void *user, uint32_t cycle)
{
    snapshot_set *set = user;
    long at = find(set, cycle);
    if (at < 0) return 1;
    memcpy(set->live, set->weights[at], set->n_params * sizeof(double));
    set->restored = (long)cycle;
    return 0;
}
