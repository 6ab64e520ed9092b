/* SPDX-License-Identifier: MIT */
/* walk.h -- run a configured scheduler through its callbacks, as a training loop would,
 * and report the learning rate of every batch and the epochs where the schedule changes
 * phase. The callbacks and sgdr_lr_at give the same bits (docs/SPEC.md §3.9); the callbacks also say
 * where restarts happen, which the plots mark. */
#ifndef SGDR_SCHEDULE_WALK_H
#define SGDR_SCHEDULE_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"

/* Where the schedule changes phase, at the start of epoch `epoch`. */
typedef enum walk_event_kind {
    WALK_RESTART = 0,     /* a new cycle begins (`cycle` is its index) */
    WALK_WARMUP_END = 1,  /* warm-up is over, cycle 0 begins */
    WALK_HOLD = 2         /* max_cycles completed: min_lr from here on */
} walk_event_kind;

typedef struct walk_sink {
    /* the batch `step` of epoch `epoch` trains at `lr`; non-zero stops the walk */
    int (*row)(void *ctx, uint64_t step, uint64_t epoch, double lr);
    /* the schedule changes phase where epoch `epoch` begins; non-zero stops the walk */
    int (*event)(void *ctx, uint64_t epoch, walk_event_kind kind, uint64_t cycle);
    void *ctx;
} walk_sink;

/* Run `epochs` epochs of the scheduler's steps_per_epoch batches each. The scheduler must be
 * configured and valid (walk_check), and have no hooks of its own: the walk registers
 * its set_lr hook and turns history off. Returns 0; -1 when a sink stopped the walk; -2 with
 * the library's message in err when a callback failed. */
int walk_run(sgdr_scheduler *s, uint64_t epochs, const walk_sink *sink, char *err,
             size_t cap);

/* Validate the configuration as on_train_begin would, without running: 0, or -1 with the
 * library's message in err. */
int walk_check(const sgdr_scheduler *s, char *err, size_t cap);

/* Epochs in warm-up plus the first `cycles` cycles: the default length of a printout. A
 * double, exact up to 2^53 and never capped, so that the caller can refuse a default that is
 * too long instead of silently printing less. */
double walk_default_epochs(const sgdr_scheduler *s, unsigned cycles);

#endif
