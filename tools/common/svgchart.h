/* SPDX-License-Identifier: MIT */
/* svgchart.h -- line charts as SVG text: axes with ticks and labels, polylines, vertical
 * markers and a legend. Enough for schedules and training curves, nothing more.
 *
 * A picture is one svg_begin, any number of panels (svg_axes, then what is drawn in them),
 * and svg_end. Output is deterministic: the same data gives the same bytes. */
#ifndef SGDR_TOOLS_SVGCHART_H
#define SGDR_TOOLS_SVGCHART_H

#include <stddef.h>

#include "strbuf.h"

/* One plot area and the data range it shows. */
typedef struct svg_panel {
    double left, top, width, height; /* the plot area, in pixels */
    double xmin, xmax, ymin, ymax;   /* the data range it maps */
    int ylog;                        /* 1: logarithmic y axis (ymin > 0) */
    const char *title;               /* bold, 46 px above the area; may be NULL */
    const char *subtitle;            /* 28 px above the area; may be NULL */
    const char *xlabel, *ylabel;     /* axis names; may be NULL */
} svg_panel;

/* How a line looks: an SVG colour, a width in pixels and an optional dash pattern
 * ("6 3"), or NULL for solid. */
typedef struct svg_pen {
    const char *color;
    double width;
    const char *dash;
} svg_pen;

void svg_begin(strbuf *b, int width, int height, const char *title);
void svg_end(strbuf *b);

/* The frame, grid, tick marks with their values, axis names and the panel's title. */
void svg_axes(strbuf *b, const svg_panel *p);

/* A line through (x[i], y[i]). NaN points break the line; values outside the range are
 * clamped to the frame. */
void svg_line(strbuf *b, const svg_panel *p, const double *x, const double *y, size_t n,
              const svg_pen *pen);

/* A vertical line across the area at data x. */
void svg_vmarker(strbuf *b, const svg_panel *p, double x, const svg_pen *pen);

/* Legend entry number `slot` (0 = rightmost) 10 px above the plot area, under the title.
 * Leave 30 px above a panel for the legend, 48 for a subtitle too, 66 for a title too. */
void svg_legend(strbuf *b, const svg_panel *p, int slot, const svg_pen *pen,
                const char *label);

#endif
