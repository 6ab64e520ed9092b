/* SPDX-License-Identifier: MIT */
/* svgchart.c -- line charts as SVG text (see svgchart.h). */
#include "svgchart.h"

#include <math.h>

#include "ticks.h"

#define FONT "font-family=\"sans-serif\" font-size=\"12\""
#define LEGEND_SLOT 150.0 /* pixels per legend entry */

static double px_x(const svg_panel *p, double x)
{
    double f = (x - p->xmin) / (p->xmax - p->xmin);
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return p->left + f * p->width;
}

static double px_y(const svg_panel *p, double y)
{
    double f = p->ylog ? (log10(y) - log10(p->ymin)) / (log10(p->ymax) - log10(p->ymin))
                       : (y - p->ymin) / (p->ymax - p->ymin);
    if (isnan(f)) f = 0; /* log of a value <= 0: the bottom edge */
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return p->top + (1 - f) * p->height;
}

static void pen_attrs(strbuf *b, const svg_pen *pen)
{
    strbuf_printf(b, " fill=\"none\" stroke=\"%s\" stroke-width=\"%.2f\"", pen->color,
                  pen->width);
    if (pen->dash != NULL) strbuf_printf(b, " stroke-dasharray=\"%s\"", pen->dash);
}

static void text(strbuf *b, double x, double y, const char *anchor, const char *extra,
                 const char *content)
{
    strbuf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\" " FONT "%s>", x, y,
                  anchor, extra);
    strbuf_add_xml(b, content);
    strbuf_add(b, "</text>\n");
}

void svg_begin(strbuf *b, int width, int height, const char *title)
{
    strbuf_printf(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "viewBox=\"0 0 %d %d\">\n",
                  width, height, width, height);
    strbuf_add(b, "<title>");
    strbuf_add_xml(b, title);
    strbuf_add(b, "</title>\n");
    strbuf_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height);
}

void svg_end(strbuf *b) { strbuf_add(b, "</svg>\n"); }

/* A grid line, a tick mark and its label at data y = v. */
static void y_tick(strbuf *b, const svg_panel *p, double v, const char *label)
{
    double y = px_y(p, v);
    strbuf_printf(b,
                  "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>\n"
                  "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n",
                  p->left, y, p->left + p->width, y, p->left - 5, y, p->left, y);
    text(b, p->left - 8, y + 4, "end", "", label);
}

/* Log axis: ticks at 1, 2 and 5 times each power of ten in range (only the powers when the
 * range spans more than three decades). Leaves *t empty: the ticks are drawn here. */
static void log_ticks(strbuf *b, const svg_panel *p, ticks *t)
{
    static const double mult[] = {1, 2, 5};
    int lo = (int)floor(log10(p->ymin)), hi = (int)ceil(log10(p->ymax)), k, j;
    char label[32];
    for (k = lo; k <= hi; k++)
        for (j = 0; j < (hi - lo > 3 ? 1 : 3); j++) {
            double v = mult[j] * pow(10, k);
            if (v < p->ymin || v > p->ymax) continue;
            ticks_label(v, v, label, sizeof label);
            y_tick(b, p, v, label);
        }
    t->count = 0;
}

void svg_axes(strbuf *b, const svg_panel *p)
{
    ticks tx, ty;
    int i;
    char label[64];
    double bottom = p->top + p->height;

    ticks_nice(p->xmin, p->xmax, 9, &tx);
    if (p->ylog) log_ticks(b, p, &ty);
    else ticks_nice(p->ymin, p->ymax, 6, &ty);
    for (i = 0; i < tx.count; i++) {
        double v = ticks_value(&tx, i), x = px_x(p, v);
        strbuf_printf(b,
                      "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e6e6e6\"/>\n"
                      "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n",
                      x, p->top, x, bottom, x, bottom, x, bottom + 5);
        ticks_label(v, tx.step, label, sizeof label);
        text(b, x, bottom + 18, "middle", "", label);
    }
    for (i = 0; i < ty.count; i++) {
        double v = ticks_value(&ty, i);
        ticks_label(v, ty.step, label, sizeof label);
        y_tick(b, p, v, label);
    }
    strbuf_printf(b,
                  "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
                  "stroke=\"black\"/>\n",
                  p->left, p->top, p->width, p->height);
    if (p->xlabel != NULL) text(b, p->left + p->width / 2, bottom + 36, "middle", "", p->xlabel);
    if (p->ylabel != NULL) {
        char rot[96];
        double x = p->left - 58, y = p->top + p->height / 2;
        snprintf(rot, sizeof rot, " transform=\"rotate(-90 %.2f %.2f)\"", x, y);
        text(b, x, y, "middle", rot, p->ylabel);
    }
    if (p->title != NULL) text(b, p->left, p->top - 46, "start", " font-weight=\"bold\"", p->title);
    if (p->subtitle != NULL) text(b, p->left, p->top - 28, "start", "", p->subtitle);
}

void svg_line(strbuf *b, const svg_panel *p, const double *x, const double *y, size_t n,
              const svg_pen *pen)
{
    size_t i = 0, first;
    while (i < n) {
        /* one polyline per run of points without NaN */
        while (i < n && (isnan(x[i]) || isnan(y[i]))) i++;
        if (i == n) break;
        strbuf_add(b, "<polyline");
        pen_attrs(b, pen);
        strbuf_add(b, " stroke-linejoin=\"round\" points=\"");
        for (first = i; i < n && !isnan(x[i]) && !isnan(y[i]); i++)
            strbuf_printf(b, "%s%.2f,%.2f", i == first ? "" : " ", px_x(p, x[i]),
                          px_y(p, y[i]));
        strbuf_add(b, "\"/>\n");
    }
}

void svg_vmarker(strbuf *b, const svg_panel *p, double x, const svg_pen *pen)
{
    double px = px_x(p, x);
    strbuf_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", px, p->top, px,
                  p->top + p->height);
    pen_attrs(b, pen);
    strbuf_add(b, "/>\n");
}

void svg_legend(strbuf *b, const svg_panel *p, int slot, const svg_pen *pen,
                const char *label)
{
    double x = p->left + p->width - LEGEND_SLOT * (slot + 1), y = p->top - 10;
    strbuf_printf(b, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", x, y, x + 24, y);
    pen_attrs(b, pen);
    strbuf_add(b, "/>\n");
    text(b, x + 30, y + 4, "start", "", label);
}
