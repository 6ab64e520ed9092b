/* SPDX-License-Identifier: MIT */
/* plotdata.h -- a schedule reduced to what a plot of a given width can show.
 *
 * A long schedule has far more batches than a plot has columns. Each column keeps its first,
 * lowest, highest and last learning rate in the order they occurred, which draws the same
 * picture as every point would, in memory that does not grow with the schedule. */
#ifndef SGDR_SCHEDULE_PLOTDATA_H
#define SGDR_SCHEDULE_PLOTDATA_H

#include <stddef.h>
#include <stdint.h>

#include "walk.h"

typedef struct plot_bucket {
    uint64_t first_step, last_step, min_step, max_step;
    double first, last, min, max;
    int used;
} plot_bucket;

typedef struct plot_event {
    uint64_t epoch;
    walk_event_kind kind;
} plot_event;

typedef struct plotdata {
    uint64_t steps;          /* batches in the whole schedule */
    uint64_t steps_per_epoch;
    size_t columns;
    plot_bucket *buckets;    /* `columns` of them */
    plot_event *events;      /* phase changes, one per kind and column (the first) */
    size_t n_events, cap_events;
    double lr_min, lr_max;   /* over the whole schedule */
} plotdata;

/* Prepare for `steps` batches of `steps_per_epoch` in `columns` columns. 0, or -1 when out
 * of memory. */
int plotdata_init(plotdata *pd, uint64_t steps, uint64_t steps_per_epoch, size_t columns);
void plotdata_free(plotdata *pd);

/* A walk_sink that fills `pd`. */
walk_sink plotdata_sink(plotdata *pd);

/* The kept points, in step order, as x = fractional epoch (step / steps_per_epoch) and
 * y = learning rate. Arrays of up to 4 * columns entries, owned by the caller (free both).
 * Returns the number of points, or 0 with *x and *y NULL when out of memory. */
size_t plotdata_points(const plotdata *pd, double **x, double **y);

/* The column that shows batch `step`. */
size_t plotdata_column(const plotdata *pd, uint64_t step);

#endif
