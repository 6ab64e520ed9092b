/* SPDX-License-Identifier: MIT */
/* sgdr-digits-mpi -- the digits trainer (examples/digits) made data-parallel with MPI.
 *
 * Every rank holds the whole model and data and trains its part of every batch; the
 * gradients (and losses) are summed with MPI_Allreduce and divided by the batch size, so
 * every rank takes the same step. Every rank runs its own libsgdr scheduler: with the same
 * configuration and the same calls they give the same learning rate on every batch and
 * snapshot and restore at the same cycle ends, which the ranks check at every epoch's end.
 * Rank 0 prints, writes the checkpoint and reads it back for a resume. */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cli.h"
#include "dataset.h"
#include "mlp.h"
#include "options.h"
#include "report.h"
#include "snapshots.h"
#include "strbuf.h"
#include "train.h"

#define PROGRAM "sgdr-digits-mpi"

/* Status of the run from on_epoch (see train.h): stopped after the checkpoint, or failed
 * (the message is printed). */
enum { STOPPED = 1, FAILED = 2 };

typedef struct mpi_options {
    const char *lr_csv;      /* PREFIX: PREFIX.rank<N>.csv */
    const char *checkpoint;  /* written after epoch stop_after */
    uint64_t stop_after;
    const char *resume;
    const char *weights_out;
    uint64_t skew_rank;      /* a test flag: UINT64_MAX for none */
} mpi_options;

typedef struct dist {
    int rank, size;
    sgdr_scheduler *s;
    mlp *m;
    snapshot_set *snaps;
    const mpi_options *mo;
    const double *batch_lr;  /* every step's learning rate */
    size_t spe;
    report_progress pr;
    double *sum;             /* the gradient and the loss being summed */
    uint64_t *bits;          /* the per-epoch agreement check */
} dist;

static int rank0_error(const dist *d, const char *msg)
{
    if (d->rank == 0) fprintf(stderr, "%s: %s\n", PROGRAM, msg);
    return FAILED;
}

/* reduce_fn: one MPI_Allreduce of the gradient with the loss appended. */
static int sum_gradients(void *ctx, double *grad, size_t n, double *loss)
{
    dist *d = ctx;
    memcpy(d->sum, grad, n * sizeof *grad);
    d->sum[n] = *loss;
    if (MPI_Allreduce(MPI_IN_PLACE, d->sum, (int)n + 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) !=
        MPI_SUCCESS)
        return -1;
    memcpy(grad, d->sum, n * sizeof *grad);
    *loss = d->sum[n];
    return 0;
}

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* FNV-1a over the weights' bytes: equal weights give equal fingerprints. */
static uint64_t fingerprint(const double *v, size_t n)
{
    const unsigned char *p = (const unsigned char *)v;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;
    for (i = 0; i < n * sizeof *v; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* After a disagreement: rank 0 gathers every rank's words, takes the words most ranks hold
 * (rank 0's on a tie) as the reference, and names each rank that differs and how. */
static void name_the_odd_ranks(const dist *d, size_t epoch, size_t n)
{
    uint64_t *all = d->rank == 0 ? malloc((size_t)d->size * n * sizeof *all) : NULL;
    int r, q, ref = 0, best = 0;
    size_t i;
    MPI_Gather(d->bits, (int)n, MPI_UINT64_T, all, (int)n, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (d->rank != 0) return;
    if (all == NULL) {
        fprintf(stderr, "%s: epoch %zu: the ranks disagree (out of memory naming them)\n",
                PROGRAM, epoch + 1);
        return;
    }
    for (r = 0; r < d->size; r++) {
        int same = 0;
        for (q = 0; q < d->size; q++)
            same += memcmp(all + (size_t)r * n, all + (size_t)q * n, n * sizeof *all) == 0;
        if (same > best) best = same, ref = r;
    }
    for (r = 0; r < d->size; r++) {
        const uint64_t *mine = all + (size_t)r * n, *theirs = all + (size_t)ref * n;
        for (i = 0; i < n && mine[i] == theirs[i]; i++) continue;
        if (i == n) continue;
        if (i + 1 < n) {
            double a, b;
            memcpy(&a, &mine[i], sizeof a);
            memcpy(&b, &theirs[i], sizeof b);
            fprintf(stderr,
                    "%s: epoch %zu: rank %d's learning rates differ from rank %d's: step %zu "
                    "trained with %.17g on rank %d and %.17g on rank %d (every rank must "
                    "configure its scheduler the same)\n",
                    PROGRAM, epoch + 1, r, ref, epoch * d->spe + i, a, r, b, ref);
        } else {
            fprintf(stderr, "%s: epoch %zu: rank %d's weights differ from rank %d's\n",
                    PROGRAM, epoch + 1, r, ref);
        }
    }
    free(all);
}

/* Every rank's learning rates of the epoch and a fingerprint of its weights must be the
 * same bits: one MPI_BAND over the words and their complements gives the AND and the
 * (complemented) OR of every word, equal exactly when all ranks agree. */
static int ranks_agree(const dist *d, size_t epoch)
{
    const size_t n = d->spe + 1;
    uint64_t *w = d->bits, *all = d->bits + n;
    size_t i;
    for (i = 0; i < d->spe; i++) w[i] = bits_of(d->batch_lr[epoch * d->spe + i]);
    w[d->spe] = fingerprint(d->m->params, d->m->n_params);
    for (i = 0; i < n; i++) all[i] = w[i], all[n + i] = ~w[i];
    MPI_Allreduce(MPI_IN_PLACE, all, (int)(2 * n), MPI_UINT64_T, MPI_BAND, MPI_COMM_WORLD);
    for (i = 0; i < n; i++)
        if (all[i] != ~all[n + i]) break;
    if (i == n) return 1;
    name_the_odd_ranks(d, epoch, n);
    return 0;
}

/* Rank 0 writes `path`, then every rank learns whether it could. */
static int rank0_write(const dist *d, const char *path, uint64_t epochs)
{
    char err[512] = "";
    int ok = 1;
    if (d->rank == 0) {
        strbuf b;
        strbuf_init(&b);
        if (checkpoint_build(&b, d->m, d->snaps, d->s, epochs, err, sizeof err) != 0)
            ok = 0;
        else if (strbuf_write_file(&b, path) != 0)
            ok = 0, snprintf(err, sizeof err, "cannot write %s", path);
        strbuf_free(&b);
        if (!ok) fprintf(stderr, "%s: %s\n", PROGRAM, err);
    }
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return ok ? 0 : -1;
}

/* epoch_fn: progress line, agreement check, checkpoint. */
static int on_epoch(void *ctx, size_t epoch, const epoch_record *r)
{
    dist *d = ctx;
    if (d->rank == 0) {
        report_epoch(&d->pr, epoch, r);
        fflush(stdout);
    }
    if (!ranks_agree(d, epoch)) return FAILED;
    if (d->mo->checkpoint != NULL && epoch + 1 == d->mo->stop_after) {
        if (rank0_write(d, d->mo->checkpoint, epoch + 1) != 0) return FAILED;
        if (d->rank == 0)
            printf("\nstopped after epoch %zu: wrote %s\n", epoch + 1, d->mo->checkpoint);
        return STOPPED;
    }
    return 0;
}

/* Rank 0 reads `path` whole and broadcasts it; every rank loads it. */
static int resume(dist *d, const char *path, uint64_t *epochs)
{
    unsigned long long len = 0;
    unsigned char *data = NULL;
    char err[512] = "";
    int ok;
    if (d->rank == 0) {
        FILE *f = fopen(path, "rb");
        long size = -1;
        if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
            fseek(f, 0, SEEK_SET) == 0 && size < 1L << 30 &&
            (data = malloc((size_t)size + 1)) != NULL &&
            fread(data, 1, (size_t)size, f) == (size_t)size)
            len = (unsigned long long)size + 1; /* + 1: 0 says "failed" */
        else
            fprintf(stderr, "%s: --resume %s: cannot read the file\n", PROGRAM, path);
        if (f != NULL) fclose(f);
    }
    MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (len-- == 0) {
        free(data);
        return -1;
    }
    if (d->rank != 0 && (data = malloc(len + 1)) == NULL) {
        fprintf(stderr, "%s: rank %d: out of memory\n", PROGRAM, d->rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Bcast(data, (int)len, MPI_UNSIGNED_CHAR, 0, MPI_COMM_WORLD);
    ok = checkpoint_load(data, len, path, d->m, d->snaps, d->s, epochs, err, sizeof err) == 0;
    free(data);
    if (ok) return 0;
    rank0_error(d, err);
    return -1;
}

static int write_lr_csv(const dist *d, size_t from, size_t to)
{
    char path[4096];
    strbuf b;
    size_t i;
    int rc;
    snprintf(path, sizeof path, "%s.rank%d.csv", d->mo->lr_csv, d->rank);
    strbuf_init(&b);
    strbuf_add(&b, "step,epoch,lr\n");
    for (i = from; i < to; i++)
        strbuf_printf(&b, "%zu,%zu,%.17g\n", i, i / d->spe, d->batch_lr[i]);
    rc = strbuf_write_file(&b, path);
    strbuf_free(&b);
    if (rc != 0) fprintf(stderr, "%s: rank %d: cannot write %s\n", PROGRAM, d->rank, path);
    return rc;
}

/* Train and report. Returns the exit status. */
static int run(sgdr_scheduler *s, const digits_options *o, const mpi_options *mo, int rank,
               int size, const dataset *train, const dataset *test)
{
    const size_t spe = train_steps_per_epoch(train->n, o->batch_size);
    epoch_record *records = calloc(o->epochs, sizeof *records);
    double *batch_lr = calloc(o->epochs * spe, sizeof *batch_lr);
    train_config cfg = {0};
    snapshot_set snaps;
    uint64_t first = 0;
    double saved_spe = (double)spe;
    dist d = {0};
    mlp m = {0};
    char err[512];
    int rc = 1, st;

    if (!records || !batch_lr || mlp_init(&m, o->hidden, o->seed) != 0 ||
        !(d.sum = malloc((m.n_params + 1) * sizeof *d.sum)) ||
        !(d.bits = malloc(4 * (spe + 1) * sizeof *d.bits))) {
        fprintf(stderr, "%s: rank %d: out of memory\n", PROGRAM, rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    snapshots_init(&snaps, m.params, m.n_params);
    d.rank = rank, d.size = size, d.s = s, d.m = &m, d.snaps = &snaps, d.mo = mo;
    d.batch_lr = batch_lr, d.spe = spe, d.pr.s = s, d.pr.epochs = o->epochs;

    if (mo->resume != NULL) {
        if (resume(&d, mo->resume, &first) != 0) goto out;
        sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &saved_spe);
        /* Another global batch (another --batch-size, or per-rank batches on another number
         * of ranks) is another number of steps per epoch: the run continues at the same
         * epoch with the schedule of a run that had this many from the start. */
        if (saved_spe != (double)spe &&
            sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, (double)spe) != SGDR_OK) {
            snprintf(err, sizeof err, "--resume %s: %g steps per epoch, --batch-size %zu makes "
                     "%zu: %s", mo->resume, saved_spe, o->batch_size, spe, sgdr_last_error(s));
            rank0_error(&d, err);
            goto out;
        }
        if (first >= o->epochs) {
            snprintf(err, sizeof err, "--resume %s: saved after epoch %llu, nothing left of "
                     "--epochs %zu", mo->resume, (unsigned long long)first, o->epochs);
            rank0_error(&d, err);
            goto out;
        }
    }
    if (rank == 0) {
        printf("data-parallel: %d MPI ranks, each trains its part of every batch\n", size);
        report_header(s, o, train, test, spe);
        if (first > 0) printf("(resumed from %s after epoch %llu, saved with %g steps per "
                              "epoch)\n", mo->resume, (unsigned long long)first, saved_spe);
    }
    cfg.epochs = o->epochs;
    cfg.batch_size = o->batch_size;
    cfg.momentum = o->momentum;
    cfg.seed = o->seed;
    cfg.first_epoch = (size_t)first;
    cfg.shard = (size_t)rank;
    cfg.shards = (size_t)size;
    cfg.reduce = sum_gradients;
    cfg.reduce_ctx = &d;
    st = train_run(&m, train, test, &cfg, s, &snaps, 0, records, batch_lr, on_epoch, &d, err,
                   sizeof err);
    if (st < 0) {
        fprintf(stderr, "%s: rank %d: %s\n", PROGRAM, rank, err);
        goto out;
    }
    if (mo->lr_csv != NULL &&
        write_lr_csv(&d, (size_t)first * spe, (st == STOPPED ? mo->stop_after : o->epochs) * spe))
        goto out;
    if (st != 0) {
        rc = st == STOPPED ? 0 : 1;
        goto out;
    }
    if (rank == 0) {
        printf("\n");
        report_result(&m, &snaps, test, o->epochs);
        fflush(stdout);
    }
    if (mo->weights_out != NULL && rank0_write(&d, mo->weights_out, o->epochs) != 0) goto out;
    if (rank == 0 && o->csv_path != NULL && sgdr_history_write_csv(s, o->csv_path) != SGDR_OK) {
        fprintf(stderr, "%s: %s\n", PROGRAM, sgdr_last_error(s));
        goto out;
    }
    rc = 0;
out:
    snapshots_free(&snaps);
    mlp_free(&m);
    free(records);
    free(batch_lr);
    free(d.sum);
    free(d.bits);
    return rc;
}

static void help(strbuf *b)
{
    digits_help(b, PROGRAM,
                "The digits trainer of sgdr-digits, data-parallel over MPI: every rank trains\n"
                "its part of every batch, the gradients are summed, and every rank's libsgdr\n"
                "scheduler drives its learning rate.\n",
                DIGITS_ACCEPT_MPI | DIGITS_ACCEPT_HISTORY);
    strbuf_add(b,
               "\n"
               "Data-parallel (sgdr-digits-mpi, under mpirun; --batch-size is the whole batch,\n"
               "each rank trains its part; --svg and --constant-lr are sgdr-digits' only):\n"
               "  --lr-csv PREFIX          each rank writes PREFIX.rank<N>.csv: step,epoch,lr\n"
               "                           of every batch it trained\n"
               "  --checkpoint PATH        rank 0 writes it (weights, momentum, snapshots and\n"
               "                           scheduler state)\n"
               "  --weights-out PATH       rank 0 writes the final weights, momentum,\n"
               "                           snapshots and scheduler state (checkpoint format)\n"
               "  --skew-rank R            test flag: rank R's max_lr is one bit higher, which\n"
               "                           the per-epoch check must catch\n"
               "\n"
               "--csv is optional here: rank 0's libsgdr history of the batches this process\n"
               "trained. Exit status 1 also when the ranks' learning rates or weights\n"
               "disagree.\n");
}

int main(int argc, char **argv)
{
    sgdr_scheduler *s = NULL;
    digits_options o;
    mpi_options mo;
    dataset all, train, test;
    char err[512];
    double lr;
    int rank, size, rc = 2;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    cli_c_locale();
    if (sgdr_create(&s) != SGDR_OK) {
        fprintf(stderr, "%s: rank %d: out of memory\n", PROGRAM, rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    digits_defaults(s, &o);
    o.csv_path = NULL;
    o.accept = DIGITS_ACCEPT_MPI | DIGITS_ACCEPT_HISTORY;
    /* every rank parses the same argv and comes to the same verdict; rank 0 says it */
    if (digits_parse(argc, argv, s, &o, err, sizeof err) != 0) {
        if (rank == 0)
            fprintf(stderr, "%s: %s\nTry '%s --help' for the list of flags.\n", PROGRAM, err,
                    PROGRAM);
        goto done;
    }
    if (o.help) {
        strbuf b;
        strbuf_init(&b);
        help(&b);
        rc = rank != 0 || strbuf_write(&b, stdout) == 0 ? 0 : 1;
        strbuf_free(&b);
        goto done;
    }
    mo.lr_csv = o.lr_csv;
    mo.checkpoint = o.checkpoint;
    mo.stop_after = o.stop_after;
    mo.resume = o.resume;
    mo.weights_out = o.weights_out;
    mo.skew_rank = o.skew_rank;
    if (mo.skew_rank != UINT64_MAX && mo.skew_rank >= (uint64_t)size) {
        if (rank == 0)
            fprintf(stderr, "%s: --skew-rank %llu: there are ranks 0 to %d\n", PROGRAM,
                    (unsigned long long)mo.skew_rank, size - 1);
        goto done;
    }
    rc = 1;
    {
        /* the output files' directories now, rather than found missing after training */
        const char *outputs[] = {mo.lr_csv, mo.checkpoint, mo.weights_out};
        int ok = 1, all_ok = 0;
        for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++)
            if (outputs[i] != NULL && report_make_parent(outputs[i]) != 0) {
                fprintf(stderr, "%s: rank %d: cannot create the directory of %s: %s\n", PROGRAM,
                        rank, outputs[i], strerror(errno));
                ok = 0;
            }
        MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (!all_ok) goto done;
    }
    if (dataset_load(o.data, &all, err, sizeof err) != 0) {
        if (rank == 0) fprintf(stderr, "%s: %s\n", PROGRAM, err);
        goto done;
    }
    if (dataset_split(&all, DIGITS_SPLIT_SEED, DIGITS_TEST_FRACTION, &train, &test) != 0) {
        fprintf(stderr, "%s: rank %d: out of memory\n", PROGRAM, rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH,
                       (double)train_steps_per_epoch(train.n, o.batch_size)) != SGDR_OK ||
        sgdr_lr_at(s, 0, &lr) != SGDR_OK) {
        if (rank == 0) fprintf(stderr, "%s: %s\n", PROGRAM, sgdr_last_error(s));
        rc = 2;
    } else {
        if ((uint64_t)rank == mo.skew_rank) {
            double max_lr = 0;
            sgdr_get_param(s, SGDR_PARAM_MAX_LR, &max_lr);
            sgdr_set_param(s, SGDR_PARAM_MAX_LR, nextafter(max_lr, INFINITY));
        }
        rc = run(s, &o, &mo, rank, size, &train, &test);
    }
    dataset_free(&all);
    dataset_free(&train);
    dataset_free(&test);
done:
    sgdr_destroy(s);
    MPI_Finalize();
    return rc;
}
