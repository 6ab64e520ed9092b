/* SPDX-License-Identifier: MIT */
/* curves.h -- the training curves as one SVG: learning rate per batch, training loss and
 * test accuracy per epoch, for the SGDR run and the constant-learning-rate run, with the
 * SGDR snapshots marked. */
#ifndef DIGITS_CURVES_H
#define DIGITS_CURVES_H

#include <stddef.h>

#include "strbuf.h"
#include "train.h"

typedef struct curve_run {
    const char *label;
    const char *color;
    const char *dash;              /* NULL for solid */
    const epoch_record *records;   /* one per epoch */
    const double *batch_lr;        /* one per batch */
} curve_run;

/* Draw runs[0..n_runs), at most 4; the snapshots marked are those of runs[0]. */
void curves_svg(strbuf *b, const curve_run *runs, size_t n_runs, size_t epochs,
                size_t steps_per_epoch, const char *title, const char *subtitle);

#endif
