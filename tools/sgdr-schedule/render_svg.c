/* SPDX-License-Identifier: MIT */
/* render_svg.c -- sgdr-schedule's SVG plot: the learning rate against the epoch, restarts as
 * dashed red lines, the end of warm-up (green) and the start of the hold (grey) dotted. */
#include <stdlib.h>

#include "render.h"
#include "svgchart.h"

#define WIDTH 800
#define HEIGHT 400

void render_svg(strbuf *b, const plotdata *pd, const char *title, const char *params)
{
    static const svg_pen lr_pen = {"#1f77b4", 1.5, NULL};
    static const svg_pen restart_pen = {"#d62728", 1.0, "5 4"};
    static const svg_pen warmup_pen = {"#2ca02c", 1.0, "2 3"};
    static const svg_pen hold_pen = {"#7f7f7f", 1.0, "2 3"};
    const svg_pen *event_pen[3];
    svg_panel panel;
    double *x, *y;
    size_t n, i;
    int has[3] = {0, 0, 0}, slot = 0;

    event_pen[WALK_RESTART] = &restart_pen;
    event_pen[WALK_WARMUP_END] = &warmup_pen;
    event_pen[WALK_HOLD] = &hold_pen;
    panel.ylog = 0;
    panel.left = 90;
    panel.top = 70;
    panel.width = WIDTH - 120;
    panel.height = HEIGHT - 140;
    panel.xmin = 0;
    panel.xmax = (double)pd->steps / (double)pd->steps_per_epoch;
    panel.ymin = pd->lr_min < 0 ? pd->lr_min : 0;
    panel.ymax = pd->lr_max > 0 ? pd->lr_max * 1.05 : 1;
    panel.title = title;
    panel.subtitle = params;
    panel.xlabel = "epoch";
    panel.ylabel = "learning rate";

    svg_begin(b, WIDTH, HEIGHT, title);
    svg_axes(b, &panel);
    for (i = 0; i < pd->n_events; i++) {
        const plot_event *e = &pd->events[i];
        svg_vmarker(b, &panel, (double)e->epoch, event_pen[e->kind]);
        has[e->kind] = 1;
    }
    n = plotdata_points(pd, &x, &y);
    if (n == 0) b->failed = 1; /* out of memory: the picture would be incomplete */
    svg_line(b, &panel, x, y, n, &lr_pen);
    free(x);
    free(y);
    svg_legend(b, &panel, slot++, &lr_pen, "learning rate");
    if (has[WALK_RESTART]) svg_legend(b, &panel, slot++, &restart_pen, "restart");
    if (has[WALK_WARMUP_END]) svg_legend(b, &panel, slot++, &warmup_pen, "end of warm-up");
    if (has[WALK_HOLD]) svg_legend(b, &panel, slot++, &hold_pen, "hold at min_lr");
    svg_end(b);
}
