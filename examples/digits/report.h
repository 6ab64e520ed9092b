/* SPDX-License-Identifier: MIT */
/* report.h -- the lines the digits trainers print (sgdr-digits and the data-parallel one in
 * examples/mpi): the run's header, one line per epoch, and the test accuracy of the restored
 * snapshot and of the snapshot ensemble. */
#ifndef DIGITS_REPORT_H
#define DIGITS_REPORT_H

#include <stddef.h>

#include "dataset.h"
#include "mlp.h"
#include "options.h"
#include "sgdr.h"
#include "snapshots.h"
#include "train.h"

/* Create the directory that holds `path` when it is missing (one level, like `mkdir`), so
 * that an output file's missing folder is found before training, not after. 0 or -1 (errno
 * says why). */
int report_make_parent(const char *path);

/* "0.9916 (356 of 359 images)" and a newline (examples/libtorch prints it too). */
void report_accuracy(double acc, size_t n);

/* The data, model and schedule, then the heading of the epoch lines. */
void report_header(const sgdr_scheduler *s, const digits_options *o, const dataset *train,
                   const dataset *test, size_t steps_per_epoch);

typedef struct report_progress {
    sgdr_scheduler *s;
    size_t epochs;
} report_progress;

/* The line of one epoch (an epoch_fn; ctx is a report_progress), with the snapshot and
 * restart it ended with. Returns 0. */
int report_epoch(void *ctx, size_t epoch, const epoch_record *r);

/* After training: the restored snapshot's and the ensemble's test accuracy, or the final
 * weights' when no cycle completed. */
void report_result(mlp *m, const snapshot_set *snaps, const dataset *test, size_t epochs);

#endif
