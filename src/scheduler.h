/* SPDX-License-Identifier: MIT */
/* scheduler.h -- the scheduler object shared by the source files that implement it. */
#ifndef SGDR_SCHEDULER_H
#define SGDR_SCHEDULER_H

#include "alloc.h"
#include "history.h"
#include "schedule.h"
#include "sgdr.h"

#define SGDR_MSG_CAP 256

struct sgdr_scheduler {
    sgdr_allocator allocator;
    sgdr_config config;
    sgdr_cycle_table table; /* of config; rebuilt when cycle_length or mult_factor change */
    int config_ok;          /* sgdr_config_check(config) passes; kept with config */

    /* The run. */
    int running;      /* between on_train_begin and on_train_end */
    int resumable;    /* loaded into a running state, not advanced since */
    sgdr_position at; /* where the next batch is */
    double lr;        /* the next batch's learning rate (NaN before the first run) */
    uint64_t snapshots;     /* snapshot hook calls that succeeded this run */
    uint64_t last_snapshot; /* cycle of the most recent one */

    sgdr_history history;

    sgdr_get_lr_fn get_lr;
    sgdr_set_lr_fn set_lr;
    void *lr_user;
    sgdr_snapshot_fn snapshot;
    sgdr_restore_fn restore;
    void *weight_user;
    int in_hook; /* a hook is running: calls that would change the scheduler are refused */

    /* The only field written through a const scheduler: the message of the last failure. */
    char message[SGDR_MSG_CAP];
};

/* Whether config passes sgdr_config_check (its message is not kept). */
int sgdr_config_valid(const sgdr_config *c);

/* Record st's message: the strings given (NULL-terminated list) are concatenated. Returns
 * st, so that a failure path is `return sgdr_fail(s, SGDR_EVALUE, "...", NULL);`. */
sgdr_status sgdr_fail(const sgdr_scheduler *s, sgdr_status st, const char *first, ...);

/* Writable message buffer of a (possibly const) scheduler. */
char *sgdr_message_buffer(const sgdr_scheduler *s);

#endif
