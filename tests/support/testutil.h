/* SPDX-License-Identifier: MIT */
/* testutil.h -- golden vectors (tests/golden/) and test data paths. Free of cmocka: the
 * installed-library check (scripts/checks/25-install-golden.sh) compiles testutil.c alone. */
#ifndef SGDR_TESTUTIL_H
#define SGDR_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"

/* A golden learning-rate vector from tests/golden/ (see tests/golden/README.md). */
typedef struct golden {
    char name[128];
    /* configuration from the header line */
    int mode;
    double min_lr, max_lr, lr_decay, mult_factor, warmup_start_lr;
    double steps_per_epoch, cycle_length, warmup_epochs, max_cycles, cycle_warmup_steps;
    uint64_t epochs;
    /* snapshot epochs and restored epoch (-1: none) */
    long snapshot_epochs[64];
    size_t n_snapshots;
    long restored_epoch;
    /* rows */
    size_t n;
    uint64_t *step, *epoch;
    double *lr;
} golden;

/* Load tests/golden/<file>; returns 0 on success. */
int golden_load(const char *file, golden *g);
void golden_free(golden *g);

/* Create a scheduler configured as the golden file says (hooks not set). NULL on failure. */
sgdr_scheduler *golden_scheduler(const golden *g);

/* Path of a file under the tests directory, in a static buffer. */
const char *test_data_path(const char *relative);

/* Non-zero when SGDR_TEST_SHORT is set (and not "0"): the valgrind check (35-valgrind), where
 * a program runs some fifty times slower, sets it, and a test whose cost is repetition of
 * the same code (arithmetic walks, rounds of the same runs) then repeats less. Memory errors
 * show on the first repetitions as on the last; every other build runs the full counts. */
int test_short(void);

#endif
