/* SPDX-License-Identifier: MIT */
/* plotdata.c -- a schedule reduced to plot columns (see plotdata.h). */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>

int plotdata_init(plotdata *pd, uint64_t steps, uint64_t steps_per_epoch, size_t columns)
{
    pd->steps = steps;
    pd->steps_per_epoch = steps_per_epoch;
    pd->columns = columns;
    pd->buckets = calloc(columns, sizeof *pd->buckets);
    pd->events = NULL;
    pd->n_events = pd->cap_events = 0;
    pd->lr_min = INFINITY;
    pd->lr_max = -INFINITY;
    return pd->buckets != NULL ? 0 : -1;
}

void plotdata_free(plotdata *pd)
{
    free(pd->buckets);
    free(pd->events);
    pd->buckets = NULL;
    pd->events = NULL;
}

size_t plotdata_column(const plotdata *pd, uint64_t step)
{
    /* step * columns may overflow 64 bits for huge schedules: divide in double, then clamp */
    double c = floor((double)step * (double)pd->columns / (double)pd->steps);
    if (c < 0) c = 0;
    if (c > (double)(pd->columns - 1)) c = (double)(pd->columns - 1);
    return (size_t)c;
}

static int add_row(void *ctx, uint64_t step, uint64_t epoch, double lr)
{
    plotdata *pd = ctx;
    plot_bucket *b = &pd->buckets[plotdata_column(pd, step)];
    (void)epoch;
    if (!b->used) {
        b->used = 1;
        b->first = b->min = b->max = lr;
        b->first_step = b->min_step = b->max_step = step;
    }
    if (lr < b->min) {
        b->min = lr;
        b->min_step = step;
    }
    if (lr > b->max) {
        b->max = lr;
        b->max_step = step;
    }
    b->last = lr;
    b->last_step = step;
    if (lr < pd->lr_min) pd->lr_min = lr;
    if (lr > pd->lr_max) pd->lr_max = lr;
    return 0;
}

static int add_event(void *ctx, uint64_t epoch, walk_event_kind kind, uint64_t cycle)
{
    plotdata *pd = ctx;
    (void)cycle;
    /* One marker per kind and column is all a plot can show; keeping every restart would
     * make memory grow with the schedule (a restart every epoch for 10^8 epochs). Events
     * come in epoch order and the kinds change at most twice (end of warm-up, hold), so at
     * most columns + 2 are kept. */
    if (pd->n_events > 0) {
        const plot_event *prev = &pd->events[pd->n_events - 1];
        if (prev->kind == kind &&
            plotdata_column(pd, prev->epoch * pd->steps_per_epoch) ==
                plotdata_column(pd, epoch * pd->steps_per_epoch))
            return 0;
    }
    if (pd->n_events == pd->cap_events) {
        size_t cap = pd->cap_events ? pd->cap_events * 2 : 16;
        plot_event *grown = realloc(pd->events, cap * sizeof *grown);
        if (grown == NULL) return -1;
        pd->events = grown;
        pd->cap_events = cap;
    }
    pd->events[pd->n_events].epoch = epoch;
    pd->events[pd->n_events].kind = kind;
    pd->n_events++;
    return 0;
}

walk_sink plotdata_sink(plotdata *pd)
{
    walk_sink sink = {add_row, add_event, NULL};
    sink.ctx = pd;
    return sink;
}

size_t plotdata_points(const plotdata *pd, double **x, double **y)
{
    size_t c, n = 0;
    const double spe = (double)pd->steps_per_epoch;
    *x = malloc(4 * pd->columns * sizeof **x);
    *y = malloc(4 * pd->columns * sizeof **y);
    if (*x == NULL || *y == NULL) {
        free(*x);
        free(*y);
        *x = *y = NULL;
        return 0;
    }
    for (c = 0; c < pd->columns; c++) {
        const plot_bucket *b = &pd->buckets[c];
        uint64_t steps[4];
        double lrs[4];
        int k, m = 0;
        if (!b->used) continue;
        /* first, then the extremes in the order they happened, then last; no repeats */
        steps[m] = b->first_step, lrs[m++] = b->first;
        if (b->min_step <= b->max_step) {
            steps[m] = b->min_step, lrs[m++] = b->min;
            steps[m] = b->max_step, lrs[m++] = b->max;
        } else {
            steps[m] = b->max_step, lrs[m++] = b->max;
            steps[m] = b->min_step, lrs[m++] = b->min;
        }
        steps[m] = b->last_step, lrs[m++] = b->last;
        for (k = 0; k < m; k++) {
            if (n > 0 && (*x)[n - 1] == (double)steps[k] / spe) continue;
            (*x)[n] = (double)steps[k] / spe;
            (*y)[n] = lrs[k];
            n++;
        }
    }
    return n;
}
