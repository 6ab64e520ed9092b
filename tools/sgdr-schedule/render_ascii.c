/* SPDX-License-Identifier: MIT */
/* render_ascii.c -- sgdr-schedule's terminal plot.
 *
 * Each column covers an equal share of the batches and is filled from the lowest to the
 * highest learning rate in it, so a cycle reads as a falling curve and a restart as a jump.
 * Under the axis: epoch ticks, then a line marking where restarts (^), the end of warm-up (w)
 * and the hold at min_lr (h) begin. */
#include <string.h>

#include "render.h"
#include "ticks.h"

#define ROWS 16
#define LABEL_WIDTH 10

static int row_of(double v, double lo, double hi)
{
    int r = (int)((hi - v) / (hi - lo) * ROWS);
    if (r < 0) r = 0;
    if (r > ROWS - 1) r = ROWS - 1;
    return r;
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = '\0';
}

static char event_mark(walk_event_kind kind)
{
    return kind == WALK_RESTART ? '^' : kind == WALK_WARMUP_END ? 'w' : 'h';
}

void render_ascii(strbuf *b, const plotdata *pd, const char *title, const char *params)
{
    const size_t cols = pd->columns;
    const double epochs = (double)pd->steps / (double)pd->steps_per_epoch;
    double lo = pd->lr_min, hi = pd->lr_max;
    char line[512], label[32];
    int r, i, seen[3] = {0, 0, 0};
    size_t c, next_free;
    ticks t;

    if (cols + LABEL_WIDTH + 16 > sizeof line) return;
    if (!(hi > lo)) hi = lo + (lo != 0 ? lo : 1); /* a flat schedule: one row */
    strbuf_printf(b, "%s\n%s\n\n", title, params);
    for (r = 0; r < ROWS; r++) {
        label[0] = '\0';
        if (r == 0) snprintf(label, sizeof label, "%.3g", pd->lr_max);
        else if (r == ROWS - 1) snprintf(label, sizeof label, "%.3g", pd->lr_min);
        else if (r == ROWS / 2) snprintf(label, sizeof label, "%.3g", (hi + lo) / 2);
        for (c = 0; c < cols; c++) {
            const plot_bucket *k = &pd->buckets[c];
            double top = k->max, bottom = k->min;
            /* join the previous column's last value, so that a steep stretch or a restart
             * draws a connected line */
            if (c > 0 && pd->buckets[c - 1].used) {
                if (pd->buckets[c - 1].last > top) top = pd->buckets[c - 1].last;
                if (pd->buckets[c - 1].last < bottom) bottom = pd->buckets[c - 1].last;
            }
            line[c] = k->used && row_of(top, lo, hi) <= r && r <= row_of(bottom, lo, hi)
                          ? '*' : ' ';
        }
        line[cols] = '\0';
        rtrim(line);
        strbuf_printf(b, "%*s |%s\n", LABEL_WIDTH, label, line);
    }
    strbuf_printf(b, "%*s +", LABEL_WIDTH, "");
    for (c = 0; c < cols; c++) strbuf_add(b, "-");
    strbuf_add(b, "\n");

    /* epoch ticks, left to right, skipping a label that would touch the previous one */
    memset(line, ' ', sizeof line);
    ticks_nice(0, epochs, 6, &t);
    next_free = 0;
    for (i = 0; i < t.count; i++) {
        double v = ticks_value(&t, i);
        size_t at = (size_t)(v / epochs * (double)(cols - 1) + 0.5), n;
        ticks_label(v, t.step, label, sizeof label);
        n = strlen(label);
        if (at < next_free || at + n > cols + 8) continue;
        memcpy(line + at, label, n);
        next_free = at + n + 1;
    }
    line[cols + 8] = '\0';
    rtrim(line);
    strbuf_printf(b, "%*s  %s  (epoch)\n", LABEL_WIDTH, "", line);

    if (pd->n_events > 0) {
        memset(line, ' ', cols);
        line[cols] = '\0';
        for (c = 0; c < pd->n_events; c++) {
            const plot_event *e = &pd->events[c];
            line[plotdata_column(pd, e->epoch * pd->steps_per_epoch)] = event_mark(e->kind);
            seen[e->kind] = 1;
        }
        rtrim(line);
        strbuf_printf(b, "%*s  %s\n", LABEL_WIDTH, "", line);
        snprintf(line, sizeof line, "%s%s%s", seen[WALK_RESTART] ? "^ restart  " : "",
                 seen[WALK_WARMUP_END] ? "w end of warm-up  " : "",
                 seen[WALK_HOLD] ? "h hold at min_lr" : "");
        rtrim(line);
        strbuf_printf(b, "%*s  %s\n", LABEL_WIDTH, "", line);
    }
}
