/* SPDX-License-Identifier: MIT */
/* render_csv.c -- sgdr-schedule's CSV: `step,epoch,lr`, one row per batch.
 *
 * %.17g reads back to the same double. The program runs in the C locale (cli_c_locale), so
 * the decimal point is '.' whatever LANG or LC_ALL say. */
#include <inttypes.h>

#include "render.h"

static int row(void *ctx, uint64_t step, uint64_t epoch, double lr)
{
    csv_writer *w = ctx;
    if (!w->header_done) {
        fputs("step,epoch,lr\n", w->out);
        w->header_done = 1;
    }
    /* stop early when the output is gone (a closed pipe, a full disk) */
    if (fprintf(w->out, "%" PRIu64 ",%" PRIu64 ",%.17g\n", step, epoch, lr) < 0) return -1;
    return 0;
}

walk_sink render_csv_sink(csv_writer *w)
{
    walk_sink sink = {row, NULL, NULL};
    sink.ctx = w;
    return sink;
}
