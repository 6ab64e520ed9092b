/* SPDX-License-Identifier: MIT */
/* options.c -- the digits trainer's command line (see options.h). */
#include "options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "schedflags.h"

#ifndef DIGITS_DEFAULT_DATA
#define DIGITS_DEFAULT_DATA "data/digits.csv.gz"
#endif

/* Bits for cli_once: schedule parameters use their own value (1..13), the rest these. */
enum { SEEN_EPOCHS = 16, SEEN_SEED, SEEN_BATCH, SEEN_HIDDEN, SEEN_MOMENTUM, SEEN_CONSTANT,
       SEEN_DATA, SEEN_CSV, SEEN_SVG };

/* The trainer's own numeric flags: name, bit, where the value goes, and its range. */
typedef struct size_flag {
    const char *name;
    unsigned bit;
    size_t min, max;
} size_flag;

static const size_flag size_flags[] = {
    {"--epochs", SEEN_EPOCHS, 1, 100000},
    {"--batch-size", SEEN_BATCH, 1, 100000},
    {"--hidden", SEEN_HIDDEN, 1, 4096},
};

static size_t *size_target(digits_options *o, unsigned bit)
{
    return bit == SEEN_EPOCHS ? &o->epochs : bit == SEEN_BATCH ? &o->batch_size : &o->hidden;
}

void digits_defaults(sgdr_scheduler *s, digits_options *o)
{
    o->epochs = 30;
    o->batch_size = 32;
    o->hidden = 64;
    o->momentum = 0.9;
    o->constant_lr = NAN;
    o->seed = 1;
    o->data = DIGITS_DEFAULT_DATA;
    o->csv_path = "out/digits-history.csv";
    o->svg_path = "out/digits-curves.svg";
    o->help = 0;
    /* cycles of 2, 4, 8 and 16 epochs: four snapshots in 30 epochs */
    sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001);
    sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1);
    sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, 2);
    sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, 2);
}

static int parse_real(const char *flag, const char *value, double lo, double hi, double *out,
                      char *err, size_t cap)
{
    double v;
    if (cli_parse_double(value, &v) != 0 || !(v >= lo && v < hi)) {
        snprintf(err, cap, "%s '%s': expected a number from %g to below %g", flag, value, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_own(cli_cursor *c, digits_options *o, unsigned long *seen, char *err,
                     size_t cap)
{
    const char *value;
    size_t i;
    uint64_t u;
    for (i = 0; i < sizeof size_flags / sizeof size_flags[0]; i++) {
        const size_flag *f = &size_flags[i];
        if (strcmp(c->name, f->name) != 0) continue;
        if (cli_once(seen, f->bit, c->name, err, cap) || !(value = cli_value(c, err, cap)))
            return -1;
        if (cli_parse_u64(value, &u) != 0 || u < f->min || u > f->max) {
            snprintf(err, cap, "%s '%s': expected a whole number from %zu to %zu", c->name,
                     value, f->min, f->max);
            return -1;
        }
        *size_target(o, f->bit) = (size_t)u;
        return 0;
    }
    if (strcmp(c->name, "--seed") == 0) {
        if (cli_once(seen, SEEN_SEED, c->name, err, cap) || !(value = cli_value(c, err, cap)))
            return -1;
        if (cli_parse_u64(value, &o->seed) != 0) {
            snprintf(err, cap, "--seed '%s': expected a whole number from 0 to 2^64-1", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(c->name, "--momentum") == 0) {
        if (cli_once(seen, SEEN_MOMENTUM, c->name, err, cap) || !(value = cli_value(c, err, cap)))
            return -1;
        return parse_real(c->name, value, 0, 1, &o->momentum, err, cap);
    }
    if (strcmp(c->name, "--constant-lr") == 0) {
        if (cli_once(seen, SEEN_CONSTANT, c->name, err, cap) || !(value = cli_value(c, err, cap)))
            return -1;
        if (parse_real(c->name, value, 0, 100, &o->constant_lr, err, cap) != 0) return -1;
        if (o->constant_lr > 0) return 0;
        snprintf(err, cap, "--constant-lr '%s': must be greater than 0", value);
        return -1;
    }
    {
        static const struct { const char *name; unsigned bit; } paths[] = {
            {"--data", SEEN_DATA}, {"--csv", SEEN_CSV}, {"--svg", SEEN_SVG}};
        for (i = 0; i < 3; i++) {
            if (strcmp(c->name, paths[i].name) != 0) continue;
            if (cli_once(seen, paths[i].bit, c->name, err, cap) ||
                !(value = cli_value(c, err, cap)))
                return -1;
            if (value[0] == '\0') {
                snprintf(err, cap, "%s: the path is empty", c->name);
                return -1;
            }
            if (i == 0) o->data = value;
            else if (i == 1) o->csv_path = value;
            else o->svg_path = value;
            return 0;
        }
    }
    snprintf(err, cap, "unknown flag %s", c->name);
    return -1;
}

int digits_parse(int argc, char **argv, sgdr_scheduler *s, digits_options *o, char *err,
                 size_t cap)
{
    cli_cursor c;
    unsigned long seen = 0;
    int rc;
    cli_start(&c, argc, argv);
    while ((rc = cli_next(&c, err, cap)) == 1) {
        sgdr_param p;
        const char *value;
        if (strcmp(c.name, "--help") == 0) {
            if (cli_no_value(&c, err, cap) != 0) return -1;
            o->help = 1;
            return 0;
        }
        /* steps_per_epoch follows from the data and the batch size: not a flag here */
        if (schedflag_find(c.name, &p) == 0 && p != SGDR_PARAM_STEPS_PER_EPOCH) {
            if (cli_once(&seen, (unsigned)p, c.name, err, cap) ||
                !(value = cli_value(&c, err, cap)) || schedflag_set(s, p, value, err, cap))
                return -1;
        } else if (parse_own(&c, o, &seen, err, cap) != 0) {
            return -1;
        }
    }
    return rc;
}

void digits_help(strbuf *b)
{
    static const sgdr_param derived[] = {SGDR_PARAM_STEPS_PER_EPOCH, 0};
    sgdr_scheduler *s = NULL;
    digits_options o;
    if (sgdr_create(&s) != SGDR_OK) {
        b->failed = 1;
        return;
    }
    digits_defaults(s, &o);
    strbuf_add(b,
               "Usage: sgdr-digits [FLAG VALUE]...\n"
               "\n"
               "Train a small perceptron (64-H-10) on the UCI handwritten digits with mini-batch\n"
               "SGD whose learning rate libsgdr drives (cosine annealing with warm restarts),\n"
               "keep the weights at the end of every cycle, restore the last at the end, and\n"
               "compare the restored snapshot, the snapshot ensemble and a constant learning\n"
               "rate on the held-out test images.\n"
               "\n"
               "Schedule (steps_per_epoch is the number of batches in the training set):\n");
    schedflag_help(b, s, derived);
    strbuf_printf(b,
                  "\n"
                  "Training:\n"
                  "  --epochs N               epochs to train (default %zu)\n"
                  "  --batch-size N           images per batch (default %zu)\n"
                  "  --hidden N               hidden units (default %zu)\n"
                  "  --momentum X             SGD momentum, 0 <= X < 1 (default %g)\n"
                  "  --constant-lr X          learning rate of the comparison run (default: the\n"
                  "                           mean of the first cycle, (min-lr + max-lr) / 2)\n"
                  "  --seed N                 initial weights and batch order (default %llu);\n"
                  "                           the train/test split is the same for every seed\n"
                  "\n"
                  "Files:\n"
                  "  --data PATH              the digits CSV, gzip or plain (default %s)\n"
                  "  --csv PATH               history of the SGDR run: step, lr, loss,\n"
                  "                           test_accuracy (default %s)\n"
                  "  --svg PATH               learning rate, loss and accuracy curves\n"
                  "                           (default %s)\n"
                  "  --help                   print this help and exit\n"
                  "\n"
                  "The directory of --csv and --svg is created if it does not exist. The same\n"
                  "flags give the same output, byte for byte. Exit status: 0 on success, 2 for a\n"
                  "bad flag or value, 1 when the data cannot be read or a file written.\n",
                  o.epochs, o.batch_size, o.hidden, o.momentum, (unsigned long long)o.seed,
                  o.data, o.csv_path, o.svg_path);
    sgdr_destroy(s);
}
