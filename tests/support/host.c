/* SPDX-License-Identifier: MIT */
/* host.c -- the recording host (see host.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "host.h"

/* What a hook returns when it is the fail_nth call: a mix of negative and positive,
 * since the library must treat every non-zero value as failure. */
static const int fail_code[HOST_HOOKS] = {-1, -1, 7, 1};

void host_reset(host *h)
{
    memset(h, 0, sizeof *h);
    h->lr = NAN;
}

/* Count the call; the value the hook must fail with, or 0. */
static int fails(host *h, host_hook hook)
{
    int code = h->fail[hook];
    h->calls_of[hook]++;
    if (++h->calls == h->fail_nth) code = fail_code[hook];
    if (code != 0) {
        h->failures++;
        h->failed_hook = hook;
    }
    return code;
}

int host_log(host *h, host_event_kind kind, double lr, uint32_t cycle)
{
    if (h->no_events) return 0;
    if (h->n >= HOST_MAX_EVENTS) {
        h->overflow = 1;
        return -1;
    }
    h->ev[h->n].kind = kind;
    h->ev[h->n].lr = lr;
    h->ev[h->n].cycle = cycle;
    h->ev[h->n].epoch = h->epoch;
    h->n++;
    return 0;
}

int host_get_lr(void *user, double *lr)
{
    host *h = user;
    int code = fails(h, HOST_GET_LR);
    if (code != 0) return code;
    *lr = h->lr;
    return 0;
}

int host_set_lr(void *user, double lr)
{
    host *h = user;
    int code = fails(h, HOST_SET_LR);
    if (code != 0) return code;
    if (host_log(h, EV_SET_LR, lr, 0) != 0) return -1;
    h->lr = lr;
    return 0;
}

int host_snapshot(void *user, uint32_t cycle)
{
    host *h = user;
    int code = fails(h, HOST_SNAPSHOT);
    if (code != 0) return code;
    return host_log(h, EV_SNAPSHOT, 0, cycle) != 0 ? -1 : 0;
}

int host_restore(void *user, uint32_t cycle)
{
    host *h = user;
    int code = fails(h, HOST_RESTORE);
    if (code != 0) return code;
    return host_log(h, EV_RESTORE, 0, cycle) != 0 ? -1 : 0;
}

void host_attach(sgdr_scheduler *s, host *h)
{
    assert_int_equal(sgdr_set_lr_hooks(s, host_get_lr, host_set_lr, h), SGDR_OK);
    assert_int_equal(sgdr_set_weight_hooks(s, host_snapshot, host_restore, h), SGDR_OK);
}

size_t host_count(const host *h, host_event_kind kind)
{
    size_t i, n = 0;
    for (i = 0; i < h->n; i++) n += h->ev[i].kind == kind;
    return n;
}

const host_event *host_nth(const host *h, host_event_kind kind, size_t i)
{
    size_t k, seen = 0;
    for (k = 0; k < h->n; k++)
        if (h->ev[k].kind == kind && seen++ == i) return &h->ev[k];
    fail_msg("the host logged no event %zu of kind %d (%zu events)", i, (int)kind, h->n);
    return NULL;
}

int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

int same_event(const host_event *a, const host_event *b)
{
    return a->kind == b->kind && same_bits(a->lr, b->lr) && a->cycle == b->cycle;
}
