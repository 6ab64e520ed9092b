/* SPDX-License-Identifier: MIT */
/* handle.h -- the scheduler object and what its source files share: the allocator, the
 * message text (text.c), and the parts of the object (schedule.h, history.h). */
#ifndef SGDR_HANDLE_H
#define SGDR_HANDLE_H

#include "history.h"
#include "schedule.h"
#include "sgdr.h"

#define SGDR_MSG_CAP 256

/* Room for any number printed by sgdr_numfmt() or sgdr_u64fmt(), with its NUL. */
#define SGDR_NUMFMT_CAP 32

/* What a state blob holds (state.c): the configuration and the run. */
typedef struct sgdr_state {
    sgdr_config config;
    int running;            /* between on_train_begin and on_train_end */
    sgdr_position at;       /* where the next batch is */
    double lr;              /* the next batch's learning rate (NaN before the first run) */
    uint64_t snapshots;     /* snapshot hook calls that succeeded this run */
    uint64_t last_snapshot; /* cycle of the most recent one */
} sgdr_state;

struct sgdr_scheduler {
    sgdr_allocator allocator;
    sgdr_state st;
    int resumable; /* loaded into a running state, not advanced since */
    sgdr_history history;

    sgdr_get_lr_fn get_lr;
    sgdr_set_lr_fn set_lr;
    void *lr_user;
    sgdr_snapshot_fn snapshot;
    sgdr_restore_fn restore;
    void *weight_user;
    int in_hook; /* a hook is running: calls that would change the scheduler are refused */

    char message[SGDR_MSG_CAP]; /* of the last failure */
};

/* v as "%.17g" (reads back to the same double) with '.' as the decimal point whatever the
 * locale; "nan", "inf", "-inf" for the non-finite. Returns the length. */
size_t sgdr_numfmt(char out[SGDR_NUMFMT_CAP], double v);

/* v in decimal. Returns the length. */
size_t sgdr_u64fmt(char out[SGDR_NUMFMT_CAP], unsigned long long v);

/* A message into msg (cap > 0: truncated to cap - 1 bytes, always terminated), from a
 * format that knows %s, %g (as sgdr_numfmt), %llu, %x with a zero-padding width, and %%.
 * Returns st, so that a refusal is one statement. */
sgdr_status sgdr_format(char *msg, size_t cap, sgdr_status st, const char *fmt, ...)
    SGDR_PRINTF(4, 5);

/* CRC-32C (Castagnoli), bit by bit: a state blob is under 200 bytes. The fuzzers use it
 * too, to give a mutated blob a valid checksum. */
uint32_t sgdr_crc32c(const void *data, size_t len);

/* Hand lr to the host's set_lr hook, if any (SGDR_EHOOK_SET_LR naming `who` if it fails). */
sgdr_status sgdr_call_set_lr(sgdr_scheduler *s, const char *who, double lr);

/* Record a failure's message in s and return st. Cold: every failure path is kept out of
 * the per-batch path. */
sgdr_status sgdr_fail(const sgdr_scheduler *s, sgdr_status st, const char *fmt, ...)
    SGDR_PRINTF(3, 4) SGDR_COLD;

#endif
