/* SPDX-License-Identifier: MIT */
/* curves.c -- the training curves as SVG (see curves.h). */
#include "curves.h"

#include <math.h>
#include <stdlib.h>

#include "svgchart.h"

#define WIDTH 800
#define PANEL_HEIGHT 170
#define PANEL_GAP 118 /* axis labels of one panel, title and legend of the next */
#define MAX_RUNS 4

/* Which per-epoch value a panel shows. */
typedef double (*epoch_value)(const epoch_record *r);
static double loss_of(const epoch_record *r) { return r->loss; }
static double accuracy_of(const epoch_record *r) { return r->test_accuracy; }

static void mark_snapshots(strbuf *b, const svg_panel *p, const curve_run *run, size_t epochs)
{
    static const svg_pen pen = {"#d62728", 1.0, "5 4"};
    size_t e;
    for (e = 0; e < epochs; e++)
        if (run->records[e].snapshot) svg_vmarker(b, p, (double)(e + 1), &pen);
}

static void legend(strbuf *b, const svg_panel *p, const curve_run *runs, size_t n_runs)
{
    static const svg_pen snap = {"#d62728", 1.0, "5 4"};
    size_t i;
    for (i = 0; i < n_runs; i++) {
        svg_pen pen = {runs[i].color, 1.5, runs[i].dash};
        svg_legend(b, p, (int)(n_runs - 1 - i) + 1, &pen, runs[i].label);
    }
    svg_legend(b, p, 0, &snap, "snapshot");
}

/* Axes, snapshot markers, run i's line through (x[k], ys[i][k]) for k < n, the legend. */
static void draw(strbuf *b, const svg_panel *p, const curve_run *runs, size_t n_runs,
                 size_t epochs, const double *x, const double *const *ys, size_t n)
{
    size_t i;
    svg_axes(b, p);
    mark_snapshots(b, p, &runs[0], epochs);
    for (i = 0; i < n_runs; i++) {
        svg_pen pen = {runs[i].color, 1.5, runs[i].dash};
        svg_line(b, p, x, ys[i], n, &pen);
    }
    legend(b, p, runs, n_runs);
}

/* One panel of per-epoch values, plotted at the end of each epoch (x = 1..epochs). */
static void epoch_panel(strbuf *b, svg_panel *p, const curve_run *runs, size_t n_runs,
                        size_t epochs, epoch_value value)
{
    double *x = malloc(epochs * sizeof *x), *y = malloc(MAX_RUNS * epochs * sizeof *y);
    const double *ys[MAX_RUNS];
    double lo = INFINITY, hi = -INFINITY;
    size_t i, e;
    if (x == NULL || y == NULL || n_runs > MAX_RUNS) {
        b->failed = 1;
        free(x);
        free(y);
        return;
    }
    for (e = 0; e < epochs; e++) x[e] = (double)(e + 1);
    for (i = 0; i < n_runs; i++) {
        ys[i] = y + i * epochs;
        for (e = 0; e < epochs; e++) {
            double v = y[i * epochs + e] = value(&runs[i].records[e]);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
    }
    if (value == accuracy_of) {
        p->ymin = floor(lo * 20) / 20; /* down to a multiple of 0.05 */
        p->ymax = 1;
    } else if (lo > 0) {
        /* the loss falls by orders of magnitude: a log axis shows all of it */
        p->ylog = 1;
        p->ymin = pow(10, floor(log10(lo)));
        p->ymax = pow(10, ceil(log10(hi)));
    } else {
        p->ymin = 0;
        p->ymax = hi > 0 ? hi * 1.05 : 1;
    }
    draw(b, p, runs, n_runs, epochs, x, ys, epochs);
    free(x);
    free(y);
}

/* The learning rate of every batch, at x = step / steps_per_epoch. */
static void lr_panel(strbuf *b, svg_panel *p, const curve_run *runs, size_t n_runs,
                     size_t epochs, size_t spe)
{
    size_t steps = epochs * spe, i, t;
    double *x = malloc(steps * sizeof *x), hi = 0;
    const double *ys[MAX_RUNS];
    if (x == NULL || n_runs > MAX_RUNS) {
        b->failed = 1;
        free(x);
        return;
    }
    for (t = 0; t < steps; t++) x[t] = (double)t / (double)spe;
    for (i = 0; i < n_runs; i++) {
        ys[i] = runs[i].batch_lr;
        for (t = 0; t < steps; t++)
            if (runs[i].batch_lr[t] > hi) hi = runs[i].batch_lr[t];
    }
    p->ymin = 0;
    p->ymax = hi > 0 ? hi * 1.05 : 1;
    draw(b, p, runs, n_runs, epochs, x, ys, steps);
    free(x);
}

void curves_svg(strbuf *b, const curve_run *runs, size_t n_runs, size_t epochs,
                size_t steps_per_epoch, const char *title, const char *subtitle)
{
    svg_panel p;
    const int height = 66 + 3 * PANEL_HEIGHT + 2 * PANEL_GAP + 50;

    p.left = 90;
    p.top = 66;
    p.width = WIDTH - 120;
    p.height = PANEL_HEIGHT;
    p.xmin = 0;
    p.xmax = (double)epochs;
    p.xlabel = "epoch";
    p.ylog = 0;
    svg_begin(b, WIDTH, height, title);

    p.title = title;
    p.subtitle = subtitle;
    p.ylabel = "learning rate";
    lr_panel(b, &p, runs, n_runs, epochs, steps_per_epoch);

    p.top += PANEL_HEIGHT + PANEL_GAP;
    p.title = "training loss (mean of each epoch's batches)";
    p.subtitle = NULL;
    p.ylabel = "cross-entropy (log scale)";
    epoch_panel(b, &p, runs, n_runs, epochs, loss_of);

    p.top += PANEL_HEIGHT + PANEL_GAP;
    p.title = "test accuracy (end of each epoch)";
    p.ylabel = "accuracy";
    p.ylog = 0;
    epoch_panel(b, &p, runs, n_runs, epochs, accuracy_of);
    svg_end(b);
}
