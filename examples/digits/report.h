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

/* The lr_max and lr_min of an epoch from the rates lr[0..n) its batches trained with. */
void report_lr_range(epoch_record *r, const double *lr, size_t n);

/* The last lines of a run: with the snapshot of cycle `restored` (0-based)
 * put back, its test accuracy `acc` and the ensemble's of `snapshots` snapshots; with
 * restored < 0 (no cycle completed), the final weights' accuracy `acc`. */
void report_final(long restored, size_t snapshots, double acc, double ensemble, size_t n_test,
                  size_t epochs);

/* After training: the restored snapshot's and the ensemble's test accuracy, or the final
 * weights' when no cycle completed. */
void report_result(mlp *m, const snapshot_set *snaps, const dataset *test, size_t epochs);

/* Write `path`: the header step,epoch,lr and one row per step from..to-1 of lr[] (indexed
 * by step), as sgdr-schedule --format csv prints them (%.17g). Returns 0, or -1 with a
 * message on stderr naming `program` and the file. */
int report_lr_csv(const char *program, const char *path, const double *lr, size_t from,
                  size_t to, size_t steps_per_epoch);

#endif
