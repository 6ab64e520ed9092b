/* SPDX-License-Identifier: MIT */
/* host.h -- the recording host: one set of hooks that records every call the library makes
 * into the host, and fails on demand.
 *
 * set_lr, snapshot and restore calls that succeed are logged as events (with the value, the
 * cycle, and the epoch the driver says is in progress); every hook call, get_lr and failed
 * ones included, is counted. A hook fails when `fail[hook]` is non-zero (returning that
 * value, every time) or when it is the `fail_nth` call, counting from 1 (once). A failed
 * call records no event and changes nothing. get_lr reports `lr`, the last value set_lr
 * accepted. A host of all zero bytes works too (lr 0, nothing fails); host_reset makes lr
 * NaN, so that a batch trained before any set_lr shows.
 *
 * The hooks never assert (the thread test runs hosts on many threads; cmocka is not
 * thread-safe): when the log is full a hook fails and sets `overflow`, so the library call
 * reports SGDR_EHOOK_* and the test sees it. */
#ifndef SGDR_TEST_HOST_H
#define SGDR_TEST_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"

#define HOST_MAX_EVENTS 4096

typedef enum host_hook {
    HOST_GET_LR,
    HOST_SET_LR,
    HOST_SNAPSHOT,
    HOST_RESTORE,
    HOST_HOOKS /* how many */
} host_hook;

typedef enum host_event_kind { EV_SET_LR, EV_SNAPSHOT, EV_RESTORE } host_event_kind;

typedef struct host_event {
    host_event_kind kind;
    double lr;      /* EV_SET_LR */
    uint32_t cycle; /* EV_SNAPSHOT, EV_RESTORE */
    uint64_t epoch; /* host.epoch when the call came */
} host_event;

typedef struct host {
    double lr;      /* the optimizer's learning rate: what set_lr last accepted */
    uint64_t epoch; /* the epoch in progress, as the driver sets it; stamped on events */
    host_event ev[HOST_MAX_EVENTS];
    size_t n;
    int overflow;              /* a hook found the log full (and failed) */
    int no_events;             /* non-zero: count calls and keep lr, log nothing (long runs) */
    size_t calls;              /* every hook call, failed ones included */
    size_t calls_of[HOST_HOOKS];
    int fail[HOST_HOOKS];      /* non-zero: that hook fails with this value, every time */
    size_t fail_nth;           /* the fail_nth call (from 1) fails once; 0: none */
    size_t failures;           /* hook calls that failed */
    host_hook failed_hook;     /* the hook that failed last (when failures > 0) */
} host;

/* Forget everything: lr NaN, no events, no failures programmed. */
void host_reset(host *h);

/* The hooks; `user` is a host. */
int host_get_lr(void *user, double *lr);
int host_set_lr(void *user, double lr);
int host_snapshot(void *user, uint32_t cycle);
int host_restore(void *user, uint32_t cycle);

/* Register every hook of h on s (asserts, with cmocka, that the library accepted them). */
void host_attach(sgdr_scheduler *s, host *h);

/* The number of logged events of a kind, and the i-th of them (asserts, with cmocka, that
 * there is one). */
size_t host_count(const host *h, host_event_kind kind);
const host_event *host_nth(const host *h, host_event_kind kind, size_t i);

/* Append an event as a hook would (tests build expected logs with it); 0, or -1 when full. */
int host_log(host *h, host_event_kind kind, double lr, uint32_t cycle);

/* Two doubles with the same bits (NaN equals NaN, 0 differs from -0). */
int same_bits(double a, double b);

/* Same kind, same lr bits, same cycle (the epoch stamp is the driver's, not compared). */
int same_event(const host_event *a, const host_event *b);

#endif
