/* SPDX-License-Identifier: MIT */
/* walk.c -- run a scheduler through its callbacks (see walk.h). */
#include "walk.h"

#include <math.h>
#include <stdio.h>

static int keep_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

static uint64_t progress(const sgdr_scheduler *s, sgdr_progress what)
{
    uint64_t v = 0;
    sgdr_get_progress(s, what, &v);
    return v;
}

static double param(const sgdr_scheduler *s, sgdr_param p)
{
    double v = NAN;
    sgdr_get_param(s, p, &v);
    return v;
}

int walk_check(const sgdr_scheduler *s, char *err, size_t cap)
{
    double lr;
    if (sgdr_lr_at(s, 0, &lr) == SGDR_OK) return 0;
    snprintf(err, cap, "%s", sgdr_last_error(s));
    return -1;
}

double walk_default_epochs(const sgdr_scheduler *s, unsigned cycles)
{
    /* C[k+1] = ceil(C[k] * mult_factor), the library's rule (docs/SPEC.md §3.2) */
    double length = param(s, SGDR_PARAM_CYCLE_LENGTH), mult = param(s, SGDR_PARAM_MULT_FACTOR);
    double total = param(s, SGDR_PARAM_WARMUP_EPOCHS);
    unsigned k;
    for (k = 0; k < cycles; k++) {
        total += length;
        length = ceil(length * mult);
    }
    return total;
}

static int fail(sgdr_scheduler *s, sgdr_status st, char *err, size_t cap)
{
    snprintf(err, cap, "%s: %s", sgdr_strerror(st), sgdr_last_error(s));
    return -2;
}

int walk_run(sgdr_scheduler *s, uint64_t epochs, const walk_sink *sink, char *err,
             size_t cap)
{
    uint64_t spe = (uint64_t)param(s, SGDR_PARAM_STEPS_PER_EPOCH), epoch, batch, step = 0;
    double lr = NAN;
    sgdr_status st;

    sgdr_set_param(s, SGDR_PARAM_HISTORY, 0);
    sgdr_set_lr_hooks(s, NULL, keep_lr, &lr);
    if ((st = sgdr_on_train_begin(s)) != SGDR_OK) return fail(s, st, err, cap);
    for (epoch = 0; epoch < epochs; epoch++) {
        uint64_t cycle, phase;
        for (batch = 0; batch < spe; batch++, step++) {
            if (sink->row(sink->ctx, step, epoch, lr) != 0) return -1;
            if ((st = sgdr_on_batch_end(s, batch, NULL, 0)) != SGDR_OK)
                return fail(s, st, err, cap);
        }
        cycle = progress(s, SGDR_PROGRESS_CYCLE);
        phase = progress(s, SGDR_PROGRESS_PHASE);
        if ((st = sgdr_on_epoch_end(s, epoch, NULL, 0)) != SGDR_OK) return fail(s, st, err, cap);
        if (epoch + 1 == epochs || sink->event == NULL) continue;
        {
            uint64_t next_cycle = progress(s, SGDR_PROGRESS_CYCLE);
            uint64_t next_phase = progress(s, SGDR_PROGRESS_PHASE);
            int rc = 0;
            if (phase == SGDR_PHASE_WARMUP && next_phase == SGDR_PHASE_CYCLE)
                rc = sink->event(sink->ctx, epoch + 1, WALK_WARMUP_END, next_cycle);
            else if (phase != SGDR_PHASE_HOLD && next_phase == SGDR_PHASE_HOLD)
                rc = sink->event(sink->ctx, epoch + 1, WALK_HOLD, next_cycle);
            else if (next_phase == SGDR_PHASE_CYCLE && next_cycle != cycle)
                rc = sink->event(sink->ctx, epoch + 1, WALK_RESTART, next_cycle);
            if (rc != 0) return -1;
        }
    }
    if ((st = sgdr_on_train_end(s, NULL, 0)) != SGDR_OK) return fail(s, st, err, cap);
    return 0;
}
