/* SPDX-License-Identifier: MIT */
/* fp_bits.c -- a schedule's learning rates as exact hexadecimal doubles, through the
 * callbacks and through sgdr_lr_at, with a checkpoint saved or resumed at an epoch boundary.
 * scripts/checks/14-fp-bits.sh runs it from builds made with different compilers and flags
 * and compares the output bit for bit, across a save in one build and a resume in another.
 *
 *   fp_bits --epochs N [--save EPOCH FILE | --resume FILE] SCHEDULE-FLAGS...
 *
 * Prints one line per batch: "step lr-from-callbacks lr_at(step)". --save writes the state
 * after epoch EPOCH-1 has ended; --resume loads it and prints from the restored step on. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedflags.h"
#include "sgdr.h"

static int keep_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

static int failed(const sgdr_scheduler *s, const char *what, sgdr_status st)
{
    fprintf(stderr, "fp_bits: %s: %s: %s\n", what, sgdr_strerror(st), sgdr_last_error(s));
    return 1;
}

int main(int argc, char **argv)
{
    sgdr_scheduler *s = NULL;
    const char *save_path = NULL, *resume_path = NULL;
    uint64_t epochs = 0, save_epoch = 0, epoch, step, spe, batch;
    double lr = 0, at = 0, value;
    unsigned char blob[512];
    size_t len = 0;
    char err[256];
    sgdr_status st;
    sgdr_param p;
    FILE *f;
    int i;

    if (sgdr_create(&s) != SGDR_OK) return 1;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
            epochs = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--save") == 0 && i + 2 < argc) {
            save_epoch = strtoull(argv[++i], NULL, 10);
            save_path = argv[++i];
        } else if (strcmp(argv[i], "--resume") == 0 && i + 1 < argc) {
            resume_path = argv[++i];
        } else if (schedflag_find(argv[i], &p) == 0 && i + 1 < argc) {
            if (schedflag_set(s, p, argv[++i], err, sizeof err) != 0) {
                fprintf(stderr, "fp_bits: %s\n", err);
                return 2;
            }
        } else {
            fprintf(stderr, "fp_bits: unknown or incomplete argument %s\n", argv[i]);
            return 2;
        }
    }
    if (resume_path != NULL) {
        if ((f = fopen(resume_path, "rb")) == NULL) return 1;
        len = fread(blob, 1, sizeof blob, f);
        fclose(f);
        if ((st = sgdr_load_state(s, blob, len)) != SGDR_OK) return failed(s, "load_state", st);
    }
    sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &value);
    spe = (uint64_t)value;
    sgdr_set_lr_hooks(s, NULL, keep_lr, &lr);
    if ((st = sgdr_on_train_begin(s)) != SGDR_OK) return failed(s, "on_train_begin", st);
    sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &epoch);
    sgdr_get_progress(s, SGDR_PROGRESS_STEP, &step);
    for (; epoch < epochs; epoch++) {
        for (batch = 0; batch < spe; batch++, step++) {
            if ((st = sgdr_lr_at(s, step, &at)) != SGDR_OK) return failed(s, "lr_at", st);
            printf("%" PRIu64 " %a %a\n", step, lr, at);
            if ((st = sgdr_on_batch_end(s, batch, NULL, 0)) != SGDR_OK)
                return failed(s, "on_batch_end", st);
        }
        if ((st = sgdr_on_epoch_end(s, epoch, NULL, 0)) != SGDR_OK)
            return failed(s, "on_epoch_end", st);
        if (save_path != NULL && epoch + 1 == save_epoch) {
            if ((st = sgdr_save_state(s, blob, sizeof blob, &len)) != SGDR_OK)
                return failed(s, "save_state", st);
            if ((f = fopen(save_path, "wb")) == NULL || fwrite(blob, 1, len, f) != len) return 1;
            if (fclose(f) != 0) return 1;
        }
    }
    sgdr_destroy(s);
    return fflush(stdout) != 0;
}
