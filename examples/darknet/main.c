/* SPDX-License-Identifier: MIT */
/* sgdr-darknet-digits -- the digits trainer of examples/digits in darknet (the C framework
 * behind YOLO): the same data, split, batch order and flags, a 64-H-10 perceptron built from
 * a darknet cfg (connected, relu, connected, softmax) and trained by darknet's own
 * train_network() with SGD and momentum, its learning rate set by libsgdr before every batch.
 * The weights are kept at every cycle end, the last put back at the end; --checkpoint and
 * --resume save and continue a run through libsgdr's state blob and darknet's save_weights().
 *
 * darknet trains on one thread here (no OpenMP, no GPU), so the same flags give the same
 * output, byte for byte, and a resumed run ends bit for bit as one that never stopped. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <darknet.h>

#include "checkpoint.h"
#include "cli.h"
#include "dataset.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "start.h"
#include "sgdr.h"
#include "strbuf.h"
#include "train.h"

#define PROGRAM "sgdr-darknet-digits"
#define EXIT_STATUS                                                                          \
    "\nExit status: 0 on success, 2 for a bad flag or value, 1 when the data cannot be\n"     \
    "read, a file written or a checkpoint loaded.\n"

/* The trainable floats of the net: weights and biases of its connected layers, or (updates
 * = 1) their momentum buffers, in layer order. copy_params moves them to (out = 1) or from
 * `buf`; it returns how many there are (buf may be NULL to count). */
static size_t copy_params(network *net, float *buf, int out, int updates)
{
    size_t n = 0;
    int i, k;
    for (i = 0; i < net->n; i++) {
        layer *l = &net->layers[i];
        float *part[2];
        size_t len[2];
        if (l->type != CONNECTED) continue;
        part[0] = updates ? l->weight_updates : l->weights;
        part[1] = updates ? l->bias_updates : l->biases;
        len[0] = (size_t)l->inputs * (size_t)l->outputs;
        len[1] = (size_t)l->outputs;
        for (k = 0; k < 2; k++, n += len[k - 1]) {
            if (buf == NULL) continue;
            if (out) memcpy(buf + n, part[k], len[k] * sizeof(float));
            else memcpy(part[k], buf + n, len[k] * sizeof(float));
        }
    }
    return n;
}

/* The end-of-cycle snapshots: copies of the trainable floats, one per cycle. */
typedef struct weight_store {
    network *net;
    size_t n, count;
    uint32_t *cycle;
    float **w;
    long restored; /* cycle put back at the end, -1 if none */
} weight_store;

/* Room for one more snapshot: 0 or -1. */
static int store_grow(weight_store *st)
{
    uint32_t *cycle = realloc(st->cycle, (st->count + 1) * sizeof *cycle);
    float **w = cycle != NULL ? realloc(st->w, (st->count + 1) * sizeof *w) : NULL;
    if (cycle != NULL) st->cycle = cycle;
    if (w == NULL) return -1;
    st->w = w;
    return (st->w[st->count] = malloc(st->n * sizeof(float))) != NULL ? 0 : -1;
}

/* sgdr_snapshot_fn: keep the weights as the snapshot of `cycle` (again: replace it). */
static int store_take(void *user, uint32_t cycle)
{
    weight_store *st = user;
    size_t i = 0;
    while (i < st->count && st->cycle[i] != cycle) i++;
    if (i == st->count) {
        if (store_grow(st) != 0) return -1;
        st->cycle[st->count++] = cycle;
    }
    copy_params(st->net, st->w[i], 1, 0);
    return 0;
}

/* sgdr_restore_fn: put the snapshot of `cycle` back into the net. */
static int store_restore(void *user, uint32_t cycle)
{
    weight_store *st = user;
    size_t i = 0;
    while (i < st->count && st->cycle[i] != cycle) i++;
    if (i == st->count) return -1;
    copy_params(st->net, st->w[i], 0, 0);
    st->restored = (long)cycle;
    return 0;
}

#include "glue.h"

/* Run `f` with darknet's progress lines on stderr ("connected 64 -> 64", "Loading
 * weights...") silenced. */
#define QUIETLY(f)                                                                           \
    do {                                                                                     \
        int saved_ = (fflush(stderr), dup(2));                                               \
        FILE *null_ = fopen("/dev/null", "w");                                               \
        if (null_ != NULL) dup2(fileno(null_), 2);                                           \
        f;                                                                                   \
        fflush(stderr);                                                                      \
        if (saved_ >= 0) dup2(saved_, 2), close(saved_);                                     \
        if (null_ != NULL) fclose(null_);                                                    \
    } while (0)

/* The perceptron as a darknet cfg, written to a temporary file for parse_network_cfg(). */
static network *make_net(const digits_options *o)
{
    char path[] = "/tmp/sgdr-darknet-XXXXXX";
    network *net = NULL;
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) return NULL;
    fprintf(f,
            "[net]\nbatch=%zu\nsubdivisions=1\ninputs=%d\nmomentum=%.9g\ndecay=0\n"
            "learning_rate=0.1\npolicy=constant\nmax_batches=1000000000\n\n"
            "[connected]\noutput=%zu\nactivation=relu\n\n"
            "[connected]\noutput=%d\nactivation=linear\n\n[softmax]\n",
            o->batch_size, DIGITS_PIXELS, o->momentum, o->hidden, DIGITS_CLASSES);
    if (fclose(f) == 0) {
        srand((unsigned)o->seed); /* darknet draws the initial weights with rand() */
        QUIETLY(net = parse_network_cfg(path));
    }
    remove(path);
    return net;
}

/* The images as darknet rows: x[i] the 64 pixels, y[i] the one-hot label, and `spare` more
 * row pointers after the n rows for train_epoch's batches. */
static int rows_of(const dataset *d, size_t spare, float ***x, float ***y)
{
    float *xv = malloc(d->n * DIGITS_PIXELS * sizeof *xv);
    float *yv = calloc(d->n * DIGITS_CLASSES, sizeof *yv);
    size_t i, k;
    *x = malloc((d->n + spare) * sizeof **x);
    *y = malloc((d->n + spare) * sizeof **y);
    if (!xv || !yv || !*x || !*y) return -1;
    for (i = 0; i < d->n; i++) {
        (*x)[i] = xv + i * DIGITS_PIXELS;
        (*y)[i] = yv + i * DIGITS_CLASSES;
        for (k = 0; k < DIGITS_PIXELS; k++) (*x)[i][k] = (float)d->x[i * DIGITS_PIXELS + k];
        (*y)[i][d->y[i]] = 1;
    }
    return 0;
}

static void free_rows(float **x, float **y)
{
    if (x != NULL) free(x[0]);
    if (y != NULL) free(y[0]);
    free(x);
    free(y);
}

/* Add the softmax outputs for the test rows to sum (NULL: none) and return the accuracy. */
static double accuracy(network *net, float **x, const dataset *test, double *sum)
{
    data d = {0};
    matrix p;
    size_t i, right = 0;
    int k;
    d.X.rows = (int)test->n, d.X.cols = DIGITS_PIXELS, d.X.vals = x;
    p = network_predict_data(net, d);
    for (i = 0; i < test->n; i++) {
        right += max_index(p.vals[i], DIGITS_CLASSES) == test->y[i];
        for (k = 0; sum != NULL && k < DIGITS_CLASSES; k++) sum[i * DIGITS_CLASSES + k] += p.vals[i][k];
    }
    free_matrix(p);
    return (double)right / (double)test->n;
}

/* The snapshot ensemble: the mean of the snapshots' softmax outputs; the net's own weights
 * are back afterwards. */
static double ensemble_accuracy(weight_store *st, float **x, const dataset *test)
{
    double *sum = calloc(test->n * DIGITS_CLASSES, sizeof *sum);
    float *own = malloc(st->n * sizeof *own);
    size_t i, j, right = 0;
    if (sum == NULL || own == NULL) {
        free(sum), free(own);
        return 0;
    }
    copy_params(st->net, own, 1, 0);
    for (j = 0; j < st->count; j++) {
        copy_params(st->net, st->w[j], 0, 0);
        accuracy(st->net, x, test, sum);
    }
    copy_params(st->net, own, 0, 0);
    for (i = 0; i < test->n; i++) {
        size_t best = 0, k;
        for (k = 1; k < DIGITS_CLASSES; k++)
            if (sum[i * DIGITS_CLASSES + k] > sum[i * DIGITS_CLASSES + best]) best = k;
        right += (int)best == test->y[i];
    }
    free(sum);
    free(own);
    return (double)right / (double)test->n;
}

/* The checkpoint (host byte order; see examples/digits/checkpoint.h for the C trainer's):
 *   "SGDRDKN1", then epochs trained, floats per set P, snapshots K, darknet weights length W
 *   and blob length B as 5 x uint64; darknet's save_weights() file (W bytes); the momentum
 *   buffers (P floats); K x (cycle as uint64, P floats); libsgdr's state blob (B bytes). */
static const char magic[8] = {'S', 'G', 'D', 'R', 'D', 'K', 'N', '1'};

/* A temporary file for darknet's save_weights() and load_weights(), which take a path. */
static int temp_path(char *path)
{
    int fd;
    strcpy(path, "/tmp/sgdr-darknet-XXXXXX");
    if ((fd = mkstemp(path)) < 0) return -1;
    close(fd);
    return 0;
}

static int write_checkpoint(const char *path, network *net, const weight_store *st,
                            const sgdr_scheduler *s, uint64_t epochs)
{
    char tmp[32], err[256];
    unsigned char *weights = NULL, *blob = NULL;
    float *momentum = malloc(st->n * sizeof *momentum);
    uint64_t head[5];
    size_t w_len = 0, b_len = 0, i;
    strbuf b;
    int rc = -1;
    if (momentum == NULL || temp_path(tmp) != 0) goto out;
    QUIETLY(save_weights(net, tmp));
    i = (size_t)checkpoint_read(tmp, &weights, &w_len, err, sizeof err);
    remove(tmp);
    if (i != 0 || sgdr_save_state(s, NULL, 0, &b_len) != SGDR_OK ||
        (blob = malloc(b_len)) == NULL || sgdr_save_state(s, blob, b_len, &b_len) != SGDR_OK)
        goto out;
    copy_params(net, momentum, 1, 1);
    head[0] = epochs, head[1] = st->n, head[2] = st->count, head[3] = w_len, head[4] = b_len;
    strbuf_init(&b);
    strbuf_addn(&b, magic, sizeof magic);
    strbuf_addn(&b, (const char *)head, sizeof head);
    strbuf_addn(&b, (const char *)weights, w_len);
    strbuf_addn(&b, (const char *)momentum, st->n * sizeof *momentum);
    for (i = 0; i < st->count; i++) {
        uint64_t cycle = st->cycle[i];
        strbuf_addn(&b, (const char *)&cycle, sizeof cycle);
        strbuf_addn(&b, (const char *)st->w[i], st->n * sizeof(float));
    }
    strbuf_addn(&b, (const char *)blob, b_len);
    rc = strbuf_write_file(&b, path);
    strbuf_free(&b);
out:
    if (rc != 0) fprintf(stderr, "%s: cannot write the checkpoint %s\n", PROGRAM, path);
    free(momentum);
    free(weights);
    free(blob);
    return rc;
}

/* Everything is checked before anything changes; then darknet's load_weights() reads its
 * part. Returns the epochs trained, or -1 after a message. */
static long read_checkpoint(const char *path, network *net, weight_store *st,
                            sgdr_scheduler *s)
{
    const size_t fbytes = st->n * sizeof(float);
    unsigned char *bytes;
    const unsigned char *p;
    uint64_t head[5], progress = 0, i;
    size_t len;
    char err[512], tmp[32];
    FILE *f;
    if (checkpoint_read(path, &bytes, &len, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        return -1;
    }
    if (len < sizeof magic + sizeof head || memcmp(bytes, magic, sizeof magic) != 0) {
        snprintf(err, sizeof err, "%s: not a checkpoint of %s (no SGDRDKN1 at the start)", path,
                 PROGRAM);
        goto bad;
    }
    memcpy(head, bytes + sizeof magic, sizeof head);
    if (head[1] != st->n) {
        snprintf(err, sizeof err, "%s: a model of %llu weights, but --hidden %d makes %zu "
                 "(another model)", path, (unsigned long long)head[1], net->layers[0].outputs,
                 st->n);
        goto bad;
    }
    if (head[2] > len || head[3] > len || head[4] > len ||
        len != sizeof magic + sizeof head + head[3] + fbytes + head[2] * (8 + fbytes) + head[4]) {
        snprintf(err, sizeof err, "%s: truncated or damaged (%zu bytes)", path, len);
        goto bad;
    }
    p = bytes + len - head[4];
    if (sgdr_load_state(s, p, (size_t)head[4]) != SGDR_OK) {
        snprintf(err, sizeof err, "%s: the scheduler's state: %s", path, sgdr_last_error(s));
        goto bad;
    }
    sgdr_get_progress(s, SGDR_PROGRESS_EPOCH, &progress);
    if (progress != head[0]) {
        snprintf(err, sizeof err, "%s: saved after epoch %llu, but its scheduler has counted %llu",
                 path, (unsigned long long)head[0], (unsigned long long)progress);
        goto bad;
    }
    p = bytes + sizeof magic + sizeof head;
    if (temp_path(tmp) != 0 || (f = fopen(tmp, "wb")) == NULL) {
        snprintf(err, sizeof err, "cannot write a temporary file for load_weights()");
        goto bad;
    }
    i = fwrite(p, 1, (size_t)head[3], f) == head[3];
    if (fclose(f) != 0 || !i) {
        remove(tmp);
        snprintf(err, sizeof err, "cannot write a temporary file for load_weights()");
        goto bad;
    }
    QUIETLY(load_weights(net, tmp));
    remove(tmp);
    p += head[3];
    copy_params(net, (float *)(void *)p, 0, 1); /* memcpy inside: no alignment needed */
    p += fbytes;
    for (i = 0; i < head[2]; i++, p += 8 + fbytes) {
        uint64_t cycle;
        memcpy(&cycle, p, 8);
        if (store_grow(st) != 0) {
            snprintf(err, sizeof err, "out of memory");
            goto bad;
        }
        memcpy(st->w[i], p + 8, fbytes);
        st->cycle[i] = (uint32_t)cycle;
        st->count = i + 1;
    }
    free(bytes);
    return (long)head[0];
bad:
    fprintf(stderr, "%s: %s\n", PROGRAM, err);
    free(bytes);
    return -1;
}

/* --dump: "final 0 <floats>", then "cycle<K> 0 <floats>" per snapshot, every value as %a. */
static int write_dump(const char *path, const weight_store *st)
{
    float *own = malloc(st->n * sizeof *own);
    size_t i, k;
    strbuf b;
    int rc;
    if (own == NULL) return -1;
    copy_params(st->net, own, 1, 0);
    strbuf_init(&b);
    for (k = 0; k <= st->count; k++) {
        const float *w = k == 0 ? own : st->w[k - 1];
        if (k == 0) strbuf_add(&b, "final 0");
        else strbuf_printf(&b, "cycle%u 0", (unsigned)st->cycle[k - 1] + 1);
        for (i = 0; i < st->n; i++) strbuf_printf(&b, " %a", (double)w[i]);
        strbuf_add(&b, "\n");
    }
    rc = strbuf_write_file(&b, path);
    strbuf_free(&b);
    free(own);
    if (rc != 0) fprintf(stderr, "%s: cannot write %s\n", PROGRAM, path);
    return rc;
}

/* Train and report. Returns the exit status. */
static int run(sgdr_scheduler *s, const digits_options *o, const dataset *train,
               const dataset *test)
{
    const size_t spe = train_steps_per_epoch(train->n, o->batch_size);
    double *lr = calloc(o->epochs * spe, sizeof *lr);
    size_t *order = malloc(train->n * sizeof *order), i, epoch;
    float **x = NULL, **y = NULL, **tx = NULL, **ty = NULL;
    weight_store st = {0};
    report_progress pr;
    network *net = make_net(o);
    long first = 0;
    int rc = 1;
    rng r;

    st.restored = -1;
    if (net == NULL || lr == NULL || order == NULL || rows_of(train, o->batch_size, &x, &y) ||
        rows_of(test, 0, &tx, &ty)) {
        fprintf(stderr, "%s: out of memory or no temporary file for the cfg\n", PROGRAM);
        goto out;
    }
    st.net = net;
    st.n = copy_params(net, NULL, 1, 0);
    if (o->resume != NULL) {
        char err[512];
        if ((first = read_checkpoint(o->resume, net, &st, s)) < 0) goto out;
        if (digits_resume_check(s, o->resume, (uint64_t)first, spe, o->epochs, err,
                                sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", PROGRAM, err);
            goto out;
        }
    }
    attach(s, net, &st);
    if (sgdr_on_train_begin(s) != SGDR_OK) goto sgdr_failed;

    report_header(s, o, train, test, spe);
    if (first > 0) printf("(resumed from %s after epoch %ld)\n", o->resume, first);
    pr.s = s;
    pr.epochs = o->epochs;
    rng_order_start(&r, order, train->n, o->seed, (size_t)first);
    for (epoch = (size_t)first; epoch < o->epochs; epoch++) {
        epoch_record rec = {0};
        uint64_t before = 0, after = 0, last = 0;
        double *elr = lr + epoch * spe;
        sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &before);
        rng_shuffle(&r, order, train->n);
        if (train_epoch(s, net, x, y, order, train->n, o->batch_size, epoch, elr, &rec.loss) !=
            SGDR_OK)
            goto sgdr_failed;
        report_lr_range(&rec, elr, spe);
        set_batch_network(net, (int)o->batch_size);
        rec.test_accuracy = accuracy(net, tx, test, NULL);
        sgdr_get_progress(s, SGDR_PROGRESS_SNAPSHOTS, &after);
        sgdr_get_progress(s, SGDR_PROGRESS_LAST_SNAPSHOT, &last);
        rec.snapshot = after > before;
        rec.cycle = (uint32_t)last;
        report_epoch(&pr, epoch, &rec);
        if (epoch + 1 == o->stop_after) {
            if (write_checkpoint(o->checkpoint, net, &st, s, epoch + 1) != 0 ||
                (o->lr_csv != NULL &&
                 report_lr_csv(PROGRAM, o->lr_csv, lr, first * spe, (epoch + 1) * spe, spe)))
                goto out;
            printf("\ncheckpoint after epoch %zu: %s\n", epoch + 1, o->checkpoint);
            rc = 0;
            goto out;
        }
    }
    if (sgdr_on_train_end(s, NULL, 0) != SGDR_OK) goto sgdr_failed;
    if (o->lr_csv != NULL &&
        report_lr_csv(PROGRAM, o->lr_csv, lr, first * spe, o->epochs * spe, spe) != 0)
        goto out;

    printf("\n");
    set_batch_network(net, (int)o->batch_size);
    report_final(st.restored, st.count, accuracy(net, tx, test, NULL),
                 st.restored >= 0 ? ensemble_accuracy(&st, tx, test) : 0, test->n, o->epochs);
    rc = o->dump != NULL && write_dump(o->dump, &st) != 0;
    goto out;
sgdr_failed:
    fprintf(stderr, "%s: %s\n", PROGRAM, sgdr_last_error(s));
out:
    for (i = 0; i < st.count; i++) free(st.w[i]);
    free(st.w);
    free(st.cycle);
    if (net != NULL) free_network(net);
    free_rows(x, y);
    free_rows(tx, ty);
    free(order);
    free(lr);
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
    if (digits_start(argc, argv, PROGRAM,
                     "The digits trainer of sgdr-digits in darknet: a 64-H-10 perceptron trained\n"
                     "by darknet's train_network() (SGD with momentum, float) whose learning rate\n"
                     "libsgdr sets before every batch, snapshots at cycle ends, the last restored\n"
                     "at the end, and the snapshot ensemble, on the held-out test images.\n",
                     EXIT_STATUS, DIGITS_ACCEPT_DUMP, s, &o, &train, &test, &rc) == 0) {
        rc = run(s, &o, &train, &test);
        dataset_free(&train);
        dataset_free(&test);
    }
    sgdr_destroy(s);
    return rc;
}
