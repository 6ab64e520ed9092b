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
#include "report.h"
#include "schedflags.h"
#include "snapshots.h"
#include "train.h"

#define PROGRAM "sgdr-digits"

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
    rc = report_make_parent(path) == 0 && strbuf_write_file(&b, path) == 0 ? 0 : -1;
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
    train_config cfg = {0};
    report_progress pr;
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

    report_header(s, o, train, test, spe);
    pr.s = s;
    pr.epochs = o->epochs;
    if (train_run(&m, train, test, &cfg, s, &snaps, 0, rec_sgdr, lr_sgdr, report_epoch, &pr, err,
                  sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto out_snaps;
    }
    printf("\n");
    report_result(&m, &snaps, test, o->epochs);
    fflush(stdout);

    if (train_run(&plain, train, test, &cfg, NULL, NULL, constant_lr, rec_const, lr_const, NULL,
                  NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto out_snaps;
    }
    printf("constant learning rate %g, same %zu epochs: test accuracy ", constant_lr, o->epochs);
    report_accuracy(mlp_accuracy(&plain, plain.params, test), test->n);

    if (report_make_parent(o->csv_path) != 0) {
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
    if (dataset_split(&all, DIGITS_SPLIT_SEED, DIGITS_TEST_FRACTION, &train, &test) != 0) {
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
