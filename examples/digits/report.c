/* SPDX-License-Identifier: MIT */
/* report.c -- the trainers' output lines (see report.h). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdir() */
#endif
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "schedflags.h"

/* The fraction and what it counts, so that a difference of one image reads as one. */
void report_accuracy(double acc, size_t n)
{
    printf("%.4f (%zu of %zu images)\n", acc, (size_t)(acc * (double)n + 0.5), n);
}

int report_make_parent(const char *path)
{
    char dir[1024];
    const char *slash = strrchr(path, '/');
    size_t n;
    if (slash == NULL || slash == path) return 0;
    n = (size_t)(slash - path);
    if (n >= sizeof dir) return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
    return -1;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

void report_header(const sgdr_scheduler *s, const digits_options *o, const dataset *train,
                   const dataset *test, size_t spe)
{
    char v[64];
    double mode = 0, min_lr = 0, max_lr = 0;
    printf("digits: %zu training and %zu test images (%s), perceptron 64-%zu-10, batch %zu "
           "(%zu batches per epoch), momentum %g, seed %llu\n",
           train->n, test->n, base_name(o->data), o->hidden, o->batch_size, spe, o->momentum,
           (unsigned long long)o->seed);
    sgdr_get_param(s, SGDR_PARAM_RESTART_MODE, &mode);
    sgdr_get_param(s, SGDR_PARAM_MIN_LR, &min_lr);
    sgdr_get_param(s, SGDR_PARAM_MAX_LR, &max_lr);
    printf("SGDR (%s restarts): min_lr %g, max_lr %g", mode == 1 ? "keras-seed" : "peak",
           min_lr, max_lr);
    schedflag_value_text(s, SGDR_PARAM_CYCLE_LENGTH, v, sizeof v);
    printf(", cycle_length %s", v);
    schedflag_value_text(s, SGDR_PARAM_MULT_FACTOR, v, sizeof v);
    printf(", mult_factor %s", v);
    schedflag_value_text(s, SGDR_PARAM_LR_DECAY, v, sizeof v);
    printf(", lr_decay %s; %zu epochs\n\n", v, o->epochs);
    printf("epoch  lr high    lr low     train loss  test acc\n");
}

int report_epoch(void *ctx, size_t epoch, const epoch_record *r)
{
    const report_progress *pr = ctx;
    printf("%5zu  %-10.4g %-10.4g %8.4f  %8.4f", epoch + 1, r->lr_max, r->lr_min, r->loss,
           r->test_accuracy);
    if (r->snapshot) {
        uint64_t phase = 0, length = 0, snaps = 0;
        sgdr_get_progress(pr->s, SGDR_PROGRESS_PHASE, &phase);
        sgdr_get_progress(pr->s, SGDR_PROGRESS_CYCLE_LENGTH, &length);
        sgdr_get_progress(pr->s, SGDR_PROGRESS_SNAPSHOTS, &snaps);
        printf("  end of cycle %u: snapshot %llu", (unsigned)r->cycle + 1,
               (unsigned long long)snaps);
        if (epoch + 1 < pr->epochs && phase == SGDR_PHASE_CYCLE)
            printf(", restart (next cycle: %llu epochs)", (unsigned long long)length);
        else if (epoch + 1 < pr->epochs)
            printf(", max_cycles reached: min_lr from here on");
    }
    printf("\n");
    return 0;
}

/* Accuracy of the snapshot ensemble: the mean of the snapshots' softmax outputs. */
static double ensemble_accuracy(mlp *m, const snapshot_set *snaps, const dataset *test)
{
    size_t i, j, k, right = 0;
    for (i = 0; i < test->n; i++) {
        double mean[DIGITS_CLASSES] = {0}, probs[DIGITS_CLASSES];
        size_t best = 0;
        for (j = 0; j < snaps->count; j++) {
            mlp_predict(m, snaps->weights[j], test->x + i * DIGITS_PIXELS, probs);
            for (k = 0; k < DIGITS_CLASSES; k++) mean[k] += probs[k] / (double)snaps->count;
        }
        for (k = 1; k < DIGITS_CLASSES; k++)
            if (mean[k] > mean[best]) best = k;
        right += (int)best == test->y[i];
    }
    return (double)right / (double)test->n;
}

void report_lr_range(epoch_record *r, const double *lr, size_t n)
{
    size_t i;
    r->lr_max = r->lr_min = lr[0];
    for (i = 1; i < n; i++) {
        if (lr[i] > r->lr_max) r->lr_max = lr[i];
        if (lr[i] < r->lr_min) r->lr_min = lr[i];
    }
}

void report_final(long restored, size_t snapshots, double acc, double ensemble, size_t n_test,
                  size_t epochs)
{
    if (restored >= 0) {
        printf("restored snapshot (end of cycle %ld): test accuracy ", restored + 1);
        report_accuracy(acc, n_test);
        printf("snapshot ensemble (%zu snapshots, mean of softmax outputs): test accuracy ",
               snapshots);
        report_accuracy(ensemble, n_test);
    } else {
        printf("no cycle completed in %zu epochs, no snapshot: final weights: test accuracy ",
               epochs);
        report_accuracy(acc, n_test);
    }
}

void report_result(mlp *m, const snapshot_set *snaps, const dataset *test, size_t epochs)
{
    report_final(snaps->restored, snaps->count, mlp_accuracy(m, m->params, test),
                 snaps->restored >= 0 ? ensemble_accuracy(m, snaps, test) : 0, test->n, epochs);
}

int report_lr_csv(const char *program, const char *path, const double *lr, size_t from,
                  size_t to, size_t steps_per_epoch)
{
    strbuf b;
    size_t i;
    int rc;
    strbuf_init(&b);
    strbuf_add(&b, "step,epoch,lr\n");
    for (i = from; i < to; i++)
        strbuf_printf(&b, "%zu,%zu,%.17g\n", i, i / steps_per_epoch, lr[i]);
    rc = strbuf_write_file(&b, path);
    strbuf_free(&b);
    if (rc != 0) fprintf(stderr, "%s: cannot write %s\n", program, path);
    return rc;
}
