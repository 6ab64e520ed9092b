/* SPDX-License-Identifier: MIT */
/* start.h -- what every single-process digits trainer does before it trains. */
#ifndef DIGITS_START_H
#define DIGITS_START_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "options.h"
#include "sgdr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parse argv over the defaults (the flags of the groups in `accept`, see options.h), print
 * the --help text (`about`, the flags, then `epilogue`), read the data, split it and give `s`
 * the steps_per_epoch that follow. Returns 0 with *train and *test filled (the caller frees
 * them with dataset_free), or -1 when the program ends here with exit status *status: 0
 * after --help, 2 for a bad flag or value (the message printed), 1 when the data cannot be
 * read. */
int digits_start(int argc, char **argv, const char *program, const char *about,
                 const char *epilogue, unsigned accept, sgdr_scheduler *s, digits_options *o,
                 dataset *train, dataset *test, int *status);

/* After a checkpoint (`path`, `first` epochs trained) was loaded into s: the run goes on
 * under this run's `spe` batches per epoch (another --batch-size is another number of
 * batches per epoch: at the same epoch, with the schedule of a run that had this many from
 * the start) and must leave some of `epochs` to train. Returns 0, or -1 with the reason in
 * err. */
int digits_resume_check(sgdr_scheduler *s, const char *path, uint64_t first, size_t spe,
                        size_t epochs, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
