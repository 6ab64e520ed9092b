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

#include "checkpoint.h"
#include "cli.h"
#include "curves.h"
#include "dataset.h"
#include "mlp.h"
#include "options.h"
#include "report.h"
#include "schedflags.h"
#include "snapshots.h"
#include "start.h"
#include "train.h"

#define PROGRAM "sgdr-digits"
#define ACCEPT (DIGITS_ACCEPT_COMPARISON | DIGITS_ACCEPT_HISTORY | DIGITS_ACCEPT_DUMP)
#define ABOUT                                                                                \
    "Train a small perceptron (64-H-10) on the UCI handwritten digits with mini-batch\n"      \
    "SGD whose learning rate libsgdr drives (cosine annealing with warm restarts),\n"         \
    "keep the weights at the end of every cycle, restore the last at the end, and\n"          \
    "compare the restored snapshot, the snapshot ensemble and a constant learning\n"          \
    "rate on the held-out test images.\n"

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

/* What on_epoch needs: the progress lines, and where and when to stop. */
typedef struct epoch_ctx {
    report_progress pr;
    const digits_options *o;
    mlp *m;
    snapshot_set *snaps;
} epoch_ctx;

enum { STOPPED = 1, FAILED = 2 }; /* what on_epoch stops the run with */

/* epoch_fn: the progress line, and after epoch --stop-after-epoch the checkpoint. */
static int on_epoch(void *ctx, size_t epoch, const epoch_record *r)
{
    epoch_ctx *c = ctx;
    char err[512];
    strbuf b;
    int rc;
    report_epoch(&c->pr, epoch, r);
    if (epoch + 1 != c->o->stop_after) return 0;
    strbuf_init(&b);
    rc = checkpoint_build(&b, c->m, c->snaps, c->pr.s, epoch + 1, err, sizeof err);
    if (rc != 0) fprintf(stderr, "%s: %s\n", PROGRAM, err);
    else if ((rc = strbuf_write_file(&b, c->o->checkpoint)) != 0)
        fprintf(stderr, "%s: cannot write %s\n", PROGRAM, c->o->checkpoint);
    strbuf_free(&b);
    if (rc != 0) return FAILED;
    printf("\ncheckpoint after epoch %zu: %s\n", epoch + 1, c->o->checkpoint);
    return STOPPED;
}

/* Continue from --resume: the weights, momentum, snapshots and scheduler. Returns the epochs
 * it had trained, or -1 after a message. */
static long resume(const digits_options *o, mlp *m, snapshot_set *snaps, sgdr_scheduler *s,
                   size_t spe)
{
    unsigned char *data;
    size_t len;
    uint64_t first = 0;
    char err[512];
    int rc = checkpoint_read(o->resume, &data, &len, err, sizeof err);
    if (rc == 0) {
        rc = checkpoint_load(data, len, o->resume, m, snaps, s, &first, err, sizeof err);
        free(data);
    }
    if (rc == 0) rc = digits_resume_check(s, o->resume, first, spe, o->epochs, err, sizeof err);
    if (rc == 0) return (long)first;
    fprintf(stderr, "%s: %s\n", PROGRAM, err);
    return -1;
}

/* --dump: "final 0 <weights>", then "cycle<K> 0 <weights>" for each snapshot, every value
 * as %a (the layout of sgdr-torch-digits --dump). */
static int write_dump(const char *path, const mlp *m, const snapshot_set *snaps)
{
    strbuf b;
    size_t i, k;
    int rc;
    strbuf_init(&b);
    for (k = 0; k <= snaps->count; k++) {
        const double *w = k == 0 ? m->params : snaps->weights[k - 1];
        if (k == 0) strbuf_add(&b, "final 0");
        else strbuf_printf(&b, "cycle%u 0", (unsigned)snaps->cycle[k - 1] + 1);
        for (i = 0; i < m->n_params; i++) strbuf_printf(&b, " %a", w[i]);
        strbuf_add(&b, "\n");
    }
    rc = strbuf_write_file(&b, path);
    strbuf_free(&b);
    if (rc != 0) fprintf(stderr, "%s: cannot write %s\n", PROGRAM, path);
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
    epoch_ctx ec;
    snapshot_set snaps;
    mlp m = {0}, plain = {0};
    char err[512];
    long first = 0;
    int rc = 1, st;

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
    if (o->resume != NULL && (first = resume(o, &m, &snaps, s, spe)) < 0) goto out_snaps;
    cfg.first_epoch = (size_t)first;

    report_header(s, o, train, test, spe);
    if (first > 0) printf("(resumed from %s after epoch %ld)\n", o->resume, first);
    ec.pr.s = s;
    ec.pr.epochs = o->epochs;
    ec.o = o;
    ec.m = &m;
    ec.snaps = &snaps;
    st = train_run(&m, train, test, &cfg, s, &snaps, 0, rec_sgdr, lr_sgdr, on_epoch, &ec, err,
                   sizeof err);
    if (st < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto out_snaps;
    }
    if (o->lr_csv != NULL &&
        report_lr_csv(PROGRAM, o->lr_csv, lr_sgdr, (size_t)first * spe,
                      (st == STOPPED ? o->stop_after : o->epochs) * spe, spe) != 0)
        goto out_snaps;
    if (st != 0) {
        rc = st == STOPPED ? 0 : 1;
        goto out_snaps;
    }
    printf("\n");
    report_result(&m, &snaps, test, o->epochs);
    fflush(stdout);
    if (o->dump != NULL && write_dump(o->dump, &m, &snaps) != 0) goto out_snaps;

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
    printf("\nwrote %s (per batch: lr, loss, test_accuracy at each epoch's end)\n", o->csv_path);
    /* the epochs before a resume were trained by another process: no curves of them here */
    if (first == 0) {
        const curve_run runs[2] = {
            {"SGDR", "#1f77b4", NULL, rec_sgdr, lr_sgdr},
            {"constant lr", "#ff7f0e", "6 3", rec_const, lr_const},
        };
        if (write_svg(o->svg_path, runs, o->epochs, spe, s) != 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", PROGRAM, o->svg_path, strerror(errno));
            goto out_snaps;
        }
        printf("wrote %s (learning rate, loss and accuracy curves)\n", o->svg_path);
    }
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
    dataset train, test;
    int rc;

    cli_c_locale();
    if (sgdr_create(&s) != SGDR_OK) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        return 1;
    }
    if (digits_start(argc, argv, PROGRAM, ABOUT,
                     "\n"
                     "The directory of --csv and --svg is created if it does not exist. The same\n"
                     "flags give the same output, byte for byte. A resumed run draws no curves.\n"
                     "Exit status: 0 on success, 2 for a bad flag or value, 1 when the data cannot\n"
                     "be read, a file written or a checkpoint loaded.\n",
                     ACCEPT, s, &o, &train, &test, &rc) == 0) {
        rc = run(s, &o, &train, &test);
        dataset_free(&train);
        dataset_free(&test);
    }
    sgdr_destroy(s);
    return rc;
}
