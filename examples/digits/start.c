/* SPDX-License-Identifier: MIT */
/* start.c -- a digits trainer's start (see start.h). */
#include "start.h"

#include <stdio.h>

#include "strbuf.h"
#include "train.h"

int digits_start(int argc, char **argv, const char *program, const char *about,
                 const char *epilogue, unsigned accept, sgdr_scheduler *s, digits_options *o,
                 dataset *train, dataset *test, int *status)
{
    dataset all;
    char err[512];
    double lr;
    digits_defaults(s, o);
    o->accept = accept;
    if (digits_parse(argc, argv, s, o, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help' for the list of flags.\n", program, err,
                program);
        *status = 2;
        return -1;
    }
    if (o->help) {
        strbuf b;
        strbuf_init(&b);
        digits_help(&b, program, about, accept);
        strbuf_add(&b, epilogue);
        *status = strbuf_write(&b, stdout) == 0 ? 0 : 1;
        strbuf_free(&b);
        return -1;
    }
    if (dataset_load(o->data, &all, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", program, err);
        *status = 1;
        return -1;
    }
    *status = 1;
    if (dataset_split(&all, DIGITS_SPLIT_SEED, DIGITS_TEST_FRACTION, train, test) != 0) {
        fprintf(stderr, "%s: out of memory\n", program);
    } else if (sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH,
                              (double)train_steps_per_epoch(train->n, o->batch_size)) != SGDR_OK ||
               sgdr_lr_at(s, 0, &lr) != SGDR_OK) {
        /* parameters valid alone but not together, e.g. --max-lr below --min-lr */
        fprintf(stderr, "%s: %s\n", program, sgdr_last_error(s));
        *status = 2;
        dataset_free(train);
        dataset_free(test);
    } else {
        *status = 0;
    }
    dataset_free(&all);
    return *status == 0 ? 0 : -1;
}

int digits_resume_check(sgdr_scheduler *s, const char *path, uint64_t first, size_t spe,
                        size_t epochs, char *err, size_t errlen)
{
    double saved = 0;
    if (sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &saved) == SGDR_OK && saved != (double)spe &&
        sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)spe) != SGDR_OK) {
        snprintf(err, errlen, "%s was saved with %g batches per epoch, this run has %zu: %s",
                 path, saved, spe, sgdr_last_error(s));
        return -1;
    }
    if (first >= epochs) {
        snprintf(err, errlen, "%s: saved after epoch %llu, nothing left of --epochs %zu", path,
                 (unsigned long long)first, epochs);
        return -1;
    }
    return 0;
}
