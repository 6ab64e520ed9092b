/* SPDX-License-Identifier: MIT */
/* basic.c -- the smallest complete use of libsgdr: a loop that calls the four callbacks,
 * with hooks that print what the scheduler asks of the host. No model is trained; the
 * weights are a counter, so snapshots and the final restore are easy to follow. */
#include <stdio.h>
#include <stdlib.h>

#include "sgdr.h"

typedef struct host {
    double lr;          /* the "optimizer's" learning rate */
    double epoch_lo, epoch_hi;
    long weights;       /* stand-in for the model's weights: batches trained */
    long snapshot[64];  /* weights kept at the end of each cycle */
} host;

static int set_lr(void *user, double lr)
{
    ((host *)user)->lr = lr;
    return 0;
}

static int snapshot(void *user, uint32_t cycle)
{
    host *h = user;
    if (cycle >= 64) return 1;
    h->snapshot[cycle] = h->weights;
    printf("    cycle %u ends: snapshot of the weights (%ld batches trained)\n", cycle,
           h->weights);
    return 0;
}

static int restore(void *user, uint32_t cycle)
{
    host *h = user;
    h->weights = h->snapshot[cycle];
    printf("train end: weights restored from the snapshot of cycle %u\n", cycle);
    return 0;
}

static int check(sgdr_scheduler *s, sgdr_status st)
{
    if (st == SGDR_OK) return 0;
    fprintf(stderr, "sgdr: %s: %s\n", sgdr_strerror(st), sgdr_last_error(s));
    return 1;
}

int main(void)
{
    const int steps_per_epoch = 5, epochs = 15;
    host h = {0};
    sgdr_scheduler *s = NULL;
    int epoch, batch, rc = 1;

    if (sgdr_create(&s) != SGDR_OK) return 1;
    if (check(s, sgdr_set_param(s, SGDR_PARAM_MIN_LR, 1e-4)) ||
        check(s, sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1)) ||
        check(s, sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, steps_per_epoch)) ||
        check(s, sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 1)) ||
        check(s, sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, 2)) ||
        check(s, sgdr_set_param(s, SGDR_PARAM_LR_DECAY, 0.8)) ||
        check(s, sgdr_set_lr_hooks(s, NULL, set_lr, &h)) ||
        check(s, sgdr_set_weight_hooks(s, snapshot, restore, &h)))
        goto out;

    printf("libsgdr %s: SGDR with min_lr=1e-4 max_lr=0.1 cycle_length=1 mult_factor=2 "
           "lr_decay=0.8, %d batches per epoch\n", sgdr_version_string(), steps_per_epoch);
    if (check(s, sgdr_on_train_begin(s))) goto out;
    for (epoch = 0; epoch < epochs; epoch++) {
        uint64_t cycle;
        sgdr_get_progress(s, SGDR_PROGRESS_CYCLE, &cycle);
        printf("epoch %2d  cycle %llu  lr", epoch, (unsigned long long)cycle);
        for (batch = 0; batch < steps_per_epoch; batch++) {
            sgdr_metric loss = {"loss", 1.0 / (1.0 + (double)h.weights)};
            printf(" %.5f", h.lr); /* the lr this batch trains with */
            h.weights++;           /* "train" */
            if (check(s, sgdr_on_batch_end(s, (uint64_t)batch, &loss, 1))) goto out;
        }
        printf("\n");
        if (check(s, sgdr_on_epoch_end(s, (uint64_t)epoch, NULL, 0))) goto out;
    }
    if (check(s, sgdr_on_train_end(s, NULL, 0))) goto out;
    printf("final weights: %ld batches (the end of the last complete cycle)\n", h.weights);
    rc = 0;
out:
    sgdr_destroy(s);
    return rc;
}
