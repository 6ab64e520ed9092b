/* SPDX-License-Identifier: MIT */
/* render.h -- the three output formats of sgdr-schedule. */
#ifndef SGDR_SCHEDULE_RENDER_H
#define SGDR_SCHEDULE_RENDER_H

#include <stdio.h>

#include "plotdata.h"
#include "strbuf.h"

/* CSV: a walk_sink that writes the header on the first row, then `step,epoch,lr` per batch
 * with lr as %.17g. Rows go to `out` through stdio (a schedule can be long); errors are
 * caught by the caller's final fflush/ferror. */
typedef struct csv_writer {
    FILE *out;
    int header_done;
} csv_writer;
walk_sink render_csv_sink(csv_writer *w);

/* A plot for the terminal: the learning rate against the epoch, with restarts marked under
 * the axis. `title` and `params` (options_caption) are printed above it. */
void render_ascii(strbuf *b, const plotdata *pd, const char *title, const char *params);

/* An SVG plot: axes with ticks and labels, the learning rate, restarts and phase changes
 * marked by vertical lines, under `title` and `params`. */
void render_svg(strbuf *b, const plotdata *pd, const char *title, const char *params);

#endif
