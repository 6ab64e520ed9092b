/* make_blobs.c -- writes the golden state blobs of tests/state/ and what each must do.
 *
 * Not part of the build or of CI: the blobs are committed, and a later library must keep
 * loading them (tests/test_state_golden.c). Run it only to add a blob, never to "fix" a
 * failing golden test; see tests/state/README.md.
 *
 *   cc -std=c99 -Iinclude tests/state/make_blobs.c -Lbuild/debug -lsgdr -lm -o make_blobs
 *   LD_LIBRARY_PATH=build/debug ./make_blobs tests/state
 *
 * For each state it writes <name>.bin (the bytes of sgdr_save_state) and <name>.expect:
 * the configuration and progress the blob holds, sgdr_lr, and then what the run that saved
 * it did next (the learning rate each batch trained with, the snapshot and restore calls),
 * recorded from that run itself, without any save or load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgdr.h"

typedef struct recorder {
    FILE *out; /* NULL until the continuation starts */
    double lr;
} recorder;

static int rec_set_lr(void *u, double lr)
{
    ((recorder *)u)->lr = lr;
    return 0;
}

static int rec_snapshot(void *u, uint32_t cycle)
{
    recorder *r = u;
    if (r->out) fprintf(r->out, "snapshot %u\n", (unsigned)cycle);
    return 0;
}

static int rec_restore(void *u, uint32_t cycle)
{
    recorder *r = u;
    if (r->out) fprintf(r->out, "restore %u\n", (unsigned)cycle);
    return 0;
}

static void need(sgdr_status st, const sgdr_scheduler *s, const char *what)
{
    if (st != SGDR_OK) {
        fprintf(stderr, "make_blobs: %s: %s\n", what, sgdr_last_error(s));
        exit(1);
    }
}

/* One epoch of `batches` batches, ending epoch `*epoch`. */
static void epoch_of(sgdr_scheduler *s, recorder *r, unsigned batches, uint64_t *epoch)
{
    unsigned b;
    for (b = 0; b < batches; b++) {
        if (r->out) fprintf(r->out, "lr %.17g\n", r->lr);
        need(sgdr_on_batch_end(s, b, NULL, 0), s, "on_batch_end");
    }
    need(sgdr_on_epoch_end(s, (*epoch)++, NULL, 0), s, "on_epoch_end");
}

typedef struct blob_spec {
    const char *name;
    const char *about;
    double params[12]; /* by sgdr_param - 1; NaN: leave unset */
    const char *before; /* batches of each epoch before the save, one digit per epoch */
    unsigned extra;     /* batches after the last whole epoch, before the save */
    int end;            /* call on_train_end before the save */
    unsigned epochs, batches; /* the continuation: epochs of this many batches, then end */
} blob_spec;

#define U NAN
static const blob_spec specs[] = {
    {"fresh", "sgdr_create only: defaults, required parameters unset",
     {U, U, U, U, U, U, U, U, U, U, U, U}, "", 0, 0, 0, 0},
    {"peak_warmup", "peak mode in warm-up (2 epochs from 0.01), max_cycles 3, lr_decay 0.5",
     {0.001, 0.1, 4, 0.5, 1, 2, 0, 2, 0.01, 3, U, U}, "4", 2, 0, 8, 4},
    {"peak_cycle2", "peak mode, mult_factor 1.5, lr_decay 0.8, uneven epochs, mid-cycle 2",
     {1e-4, 0.05, 3, 0.8, 2, 1.5, 0, U, U, U, U, U}, "3432343", 1, 0, 9, 3},
    {"peak_hold", "peak mode past max_cycles 2: every batch at min_lr",
     {0.002, 0.2, 2, U, 1, 2, 0, U, U, 2, U, U}, "2222", 1, 0, 2, 2},
    {"keras_restart", "keras-seed mode right after a restart that carries a short epoch's lr",
     {0.001, 0.1, 4, 0.5, 1, 2, 1, U, U, U, U, U}, "424", 0, 0, 6, 4},
    {"ended", "after on_train_end of a peak-mode run (restore_at_end 0, history 0)",
     {0.0, 0.3, 2, 0.9, 2, 1, 0, 1, 0.05, U, 0, 0}, "2222", 0, 1, 5, 2},
};

static void write_spec(const char *dir, const blob_spec *sp)
{
    unsigned char blob[512];
    char path[1024];
    recorder rec = {NULL, NAN};
    sgdr_scheduler *s;
    uint64_t epoch = 0, v;
    size_t len = 0, i;
    FILE *f;
    int p;

    need(sgdr_create(&s), s, "create");
    need(sgdr_set_lr_hooks(s, NULL, rec_set_lr, &rec), s, "hooks");
    need(sgdr_set_weight_hooks(s, rec_snapshot, rec_restore, &rec), s, "hooks");
    for (p = 1; p <= 12; p++)
        if (!isnan(sp->params[p - 1]))
            need(sgdr_set_param(s, (sgdr_param)p, sp->params[p - 1]), s, sgdr_param_name((sgdr_param)p));
    if (strcmp(sp->name, "fresh") != 0) {
        need(sgdr_on_train_begin(s), s, "on_train_begin");
        for (i = 0; sp->before[i] != '\0'; i++) epoch_of(s, &rec, (unsigned)(sp->before[i] - '0'), &epoch);
        for (i = 0; i < sp->extra; i++) need(sgdr_on_batch_end(s, i, NULL, 0), s, "on_batch_end");
        if (sp->end) need(sgdr_on_train_end(s, NULL, 0), s, "on_train_end");
    }
    need(sgdr_save_state(s, blob, sizeof blob, &len), s, "save");
    snprintf(path, sizeof path, "%s/%s.bin", dir, sp->name);
    f = fopen(path, "wb");
    if (!f || fwrite(blob, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "make_blobs: cannot write %s\n", path);
        exit(1);
    }

    snprintf(path, sizeof path, "%s/%s.expect", dir, sp->name);
    f = fopen(path, "w");
    if (!f) exit(1);
    fprintf(f, "# %s.bin: %s\n", sp->name, sp->about);
    for (p = 1; p <= 12; p++) {
        double value;
        need(sgdr_get_param(s, (sgdr_param)p, &value), s, "get_param");
        fprintf(f, "param %s %.17g\n", sgdr_param_name((sgdr_param)p), value);
    }
    for (p = 1; p <= 10; p++) {
        need(sgdr_get_progress(s, (sgdr_progress)p, &v), s, "get_progress");
        fprintf(f, "progress %d %llu\n", p, (unsigned long long)v);
    }
    fprintf(f, "sgdr_lr %.17g\n", sgdr_lr(s));
    fprintf(f, "run %u %u\n", sp->epochs, sp->batches);
    if (sp->epochs > 0) {
        rec.out = f;
        if (sp->end) { /* a new run with the same configuration */
            need(sgdr_on_train_begin(s), s, "on_train_begin");
            epoch = 0;
        }
        for (i = 0; i < sp->epochs; i++) epoch_of(s, &rec, sp->batches, &epoch);
        need(sgdr_on_train_end(s, NULL, 0), s, "on_train_end");
    }
    if (fclose(f) != 0) exit(1);
    sgdr_destroy(s);
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc != 2) {
        fprintf(stderr, "usage: make_blobs DIR\n");
        return 2;
    }
    for (i = 0; i < sizeof specs / sizeof specs[0]; i++) write_spec(argv[1], &specs[i]);
    return 0;
}
