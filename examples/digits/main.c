/* SPDX-License-Identifier: MIT */
/* sgdr-digits -- libsgdr on real data: a small perceptron learns the UCI handwritten digits
 * with SGD whose learning rate follows SGDR (cosine annealing with warm restarts).
 *
 * It shows the three things the library does for a training loop: it sets the learning rate
 * of every batch, it hands over the weights at the end of every cycle (snapshots), and it
 * restores the last snapshot when training ends. The snapshots also make an ensemble for
 * free ("Snapshot Ensembles: Train 1, get M for free", Huang et al., ICLR 2017). A run with
 * a constant learning rate, same model, data and batch order, is the comparison.
 *
 * Everything is seeded, single-threaded and printed without timings, so the same flags give
 * the same output, byte for byte. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "curves.h"
#include "dataset.h"
#include "mlp.h"
#include "options.h"
#include "schedflags.h"
#include "snapshots.h"
#include "train.h"

#define PROGRAM "sgdr-digits"
#define SPLIT_SEED 2017      /* the train/test split, fixed for every --seed */
#define TEST_FRACTION 0.2

/* "0.9916 (356 of 359 images)": the fraction and what it counts, so that a difference of
 * one image reads as one. */
static void print_accuracy(double acc, size_t n)
{
    printf("%.4f (%zu of %zu images)\n", acc, (size_t)(acc * (double)n + 0.5), n);
}

typedef struct progress {
    sgdr_scheduler *s;
    size_t epochs;
} progress;

/* The line of one epoch of the SGDR run, with the snapshot and restart it ended with. */
static void print_epoch(void *ctx, size_t epoch, const epoch_record *r)
{
    const progress *pr = ctx;
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

/* Create the directory that holds `path` when it is missing (one level, like `mkdir`). */
static int make_parent(const char *path)
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

static int write_svg(const char *path, const curve_run *runs, size_t epochs, size_t spe,
                     const sgdr_scheduler *s)
{
    char subtitle[256], v[5][32];
    strbuf b;
    int rc;
    schedflag_value_text(s, SGDR_PARAM_MIN_LR, v[0], sizeof v[0]);
    schedflag_value_text(s, SGDR_PARAM_MAX_LR, v[1], sizeof v[1]);
    schedflag_value_text(s, SGDR_PARAM_CYCLE_LENGTH, v[2], sizeof v[2]);
    schedflag_value_text(s, SGDR_PARAM_MULT_FACTOR, v[3], sizeof v[3]);
    schedflag_value_text(s, SGDR_PARAM_LR_DECAY, v[4], sizeof v[4]);
    snprintf(subtitle, sizeof subtitle,
             "SGDR: min_lr %s, max_lr %s, cycle_length %s, mult_factor %s, lr_decay %s; "
             "%zu epochs x %zu batches",
             v[0], v[1], v[2], v[3], v[4], epochs, spe);
    strbuf_init(&b);
    curves_svg(&b, runs, 2, epochs, spe,
               "Handwritten digits: SGDR against a constant learning rate", subtitle);
    rc = make_parent(path) == 0 && strbuf_write_file(&b, path) == 0 ? 0 : -1;
    strbuf_free(&b);
    return rc;
}

/* Train and report. Returns the exit status. */
static int run(sgdr_scheduler *s, const digits_options *o, const dataset *train,
               const dataset *test)
{
    const size_t spe = train_steps_per_epoch(train->n, o->batch_size), steps = o->epochs * spe;
    epoch_record *rec_sgdr = calloc(o->epochs, sizeof *rec_sgdr);
    epoch_record *rec_const = calloc(o->epochs, sizeof *rec_const);
    double *lr_sgdr = calloc(steps, sizeof *lr_sgdr), *lr_const = calloc(steps, sizeof *lr_const);
    double min_lr = 0, max_lr = 0, constant_lr = o->constant_lr;
    train_config cfg;
    progress pr;
    snapshot_set snaps;
    mlp m = {0}, plain = {0};
    char err[512];
    int rc = 1;

    cfg.epochs = o->epochs;
    cfg.batch_size = o->batch_size;
    cfg.momentum = o->momentum;
    cfg.seed = o->seed;
    sgdr_get_param(s, SGDR_PARAM_MIN_LR, &min_lr);
    sgdr_get_param(s, SGDR_PARAM_MAX_LR, &max_lr);
    if (isnan(constant_lr)) constant_lr = (min_lr + max_lr) / 2;
    if (!rec_sgdr || !rec_const || !lr_sgdr || !lr_const || mlp_init(&m, o->hidden, o->seed) ||
        mlp_init(&plain, o->hidden, o->seed)) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        goto out;
    }
    snapshots_init(&snaps, m.params, m.n_params);

    printf("digits: %zu training and %zu test images (%s), perceptron 64-%zu-10, batch %zu "
           "(%zu batches per epoch), momentum %g, seed %llu\n",
           train->n, test->n, base_name(o->data), o->hidden, o->batch_size, spe, o->momentum,
           (unsigned long long)o->seed);
    {
        char v[64];
        double mode = 0;
        sgdr_get_param(s, SGDR_PARAM_RESTART_MODE, &mode);
        printf("SGDR (%s restarts): min_lr %g, max_lr %g", mode == 1 ? "keras-seed" : "peak",
               min_lr, max_lr);
        schedflag_value_text(s, SGDR_PARAM_CYCLE_LENGTH, v, sizeof v);
        printf(", cycle_length %s", v);
        schedflag_value_text(s, SGDR_PARAM_MULT_FACTOR, v, sizeof v);
        printf(", mult_factor %s", v);
        schedflag_value_text(s, SGDR_PARAM_LR_DECAY, v, sizeof v);
        printf(", lr_decay %s; %zu epochs\n\n", v, o->epochs);
    }
    printf("epoch  lr high    lr low     train loss  test acc\n");
    pr.s = s;
    pr.epochs = o->epochs;
    if (train_run(&m, train, test, &cfg, s, &snaps, 0, rec_sgdr, lr_sgdr, print_epoch, &pr, err,
                  sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto out_snaps;
    }
    printf("\n");
    if (snaps.restored >= 0) {
        printf("restored snapshot (end of cycle %ld): test accuracy ", snaps.restored + 1);
        print_accuracy(mlp_accuracy(&m, m.params, test), test->n);
        printf("snapshot ensemble (%zu snapshots, mean of softmax outputs): test accuracy ",
               snaps.count);
        print_accuracy(ensemble_accuracy(&m, &snaps, test), test->n);
    } else {
        printf("no cycle completed in %zu epochs, no snapshot: final weights: test accuracy ",
               o->epochs);
        print_accuracy(mlp_accuracy(&m, m.params, test), test->n);
    }
    fflush(stdout);

    if (train_run(&plain, train, test, &cfg, NULL, NULL, constant_lr, rec_const, lr_const, NULL,
                  NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto out_snaps;
    }
    printf("constant learning rate %g, same %zu epochs: test accuracy ", constant_lr, o->epochs);
    print_accuracy(mlp_accuracy(&plain, plain.params, test), test->n);

    if (make_parent(o->csv_path) != 0) {
        fprintf(stderr, "%s: cannot create the directory of %s: %s\n", PROGRAM, o->csv_path,
                strerror(errno));
        goto out_snaps;
    }
    if (sgdr_history_write_csv(s, o->csv_path) != SGDR_OK) {
        fprintf(stderr, "%s: %s\n", PROGRAM, sgdr_last_error(s));
        goto out_snaps;
    }
    {
        const curve_run runs[2] = {
            {"SGDR", "#1f77b4", NULL, rec_sgdr, lr_sgdr},
            {"constant lr", "#ff7f0e", "6 3", rec_const, lr_const},
        };
        if (write_svg(o->svg_path, runs, o->epochs, spe, s) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", PROGRAM, o->svg_path, strerror(errno));
            goto out_snaps;
        }
    }
    printf("\nwrote %s (per batch: lr, loss, test_accuracy at each epoch's end)\n", o->csv_path);
    printf("wrote %s (learning rate, loss and accuracy curves)\n", o->svg_path);
    rc = 0;
out_snaps:
    snapshots_free(&snaps);
out:
    mlp_free(&m);
    mlp_free(&plain);
    free(rec_sgdr);
    free(rec_const);
    free(lr_sgdr);
    free(lr_const);
    return rc;
}

int main(int argc, char **argv)
{
    sgdr_scheduler *s = NULL;
    digits_options o;
    dataset all, train, test;
    char err[512];
    double lr;
    int rc;

    cli_c_locale();
    if (sgdr_create(&s) != SGDR_OK) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        return 1;
    }
    digits_defaults(s, &o);
    if (digits_parse(argc, argv, s, &o, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help' for the list of flags.\n", PROGRAM, err,
                PROGRAM);
        sgdr_destroy(s);
        return 2;
    }
    if (o.help) {
        strbuf b;
        strbuf_init(&b);
        digits_help(&b);
        rc = strbuf_write(&b, stdout) == 0 ? 0 : 1;
        strbuf_free(&b);
        sgdr_destroy(s);
        return rc;
    }
    if (dataset_load(o.data, &all, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        sgdr_destroy(s);
        return 1;
    }
    rc = 1;
    if (dataset_split(&all, SPLIT_SEED, TEST_FRACTION, &train, &test) != 0) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
    } else if (sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH,
                              (double)train_steps_per_epoch(train.n, o.batch_size)) != SGDR_OK ||
               sgdr_lr_at(s, 0, &lr) != SGDR_OK) {
        /* parameters valid alone but not together, e.g. --max-lr below --min-lr */
        fprintf(stderr, "%s: %s\n", PROGRAM, sgdr_last_error(s));
        rc = 2;
    } else {
        rc = run(s, &o, &train, &test);
    }
    dataset_free(&all);
    dataset_free(&train);
    dataset_free(&test);
    sgdr_destroy(s);
    return rc;
}
