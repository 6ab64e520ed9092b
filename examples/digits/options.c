/* SPDX-License-Identifier: MIT */
/* options.c -- the digits trainer's command line (see options.h). */
#include "options.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "schedflags.h"

#ifndef DIGITS_DEFAULT_DATA
#define DIGITS_DEFAULT_DATA "data/digits.csv.gz"
#endif

/* Bits for cli_once: schedule parameters use their own value (1..13), the rest these. */
enum { SEEN_EPOCHS = 16, SEEN_SEED, SEEN_BATCH, SEEN_HIDDEN, SEEN_MOMENTUM, SEEN_CONSTANT,
       SEEN_STOP, SEEN_SKEW, SEEN_PATH };

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
    {"--stop-after-epoch", SEEN_STOP, 1, 100000},
};

static size_t *size_target(digits_options *o, unsigned bit)
{
    return bit == SEEN_EPOCHS ? &o->epochs
           : bit == SEEN_BATCH ? &o->batch_size
           : bit == SEEN_HIDDEN ? &o->hidden
                                : &o->stop_after;
}

/* The path flags, their group (0: every trainer) and where the path goes. */
typedef struct path_flag {
    const char *name;
    unsigned group;
    size_t offset;
} path_flag;

static const path_flag path_flags[] = {
    {"--data", 0, offsetof(digits_options, data)},
    {"--lr-csv", 0, offsetof(digits_options, lr_csv)},
    {"--checkpoint", 0, offsetof(digits_options, checkpoint)},
    {"--resume", 0, offsetof(digits_options, resume)},
    {"--csv", DIGITS_ACCEPT_HISTORY, offsetof(digits_options, csv_path)},
    {"--svg", DIGITS_ACCEPT_COMPARISON, offsetof(digits_options, svg_path)},
    {"--dump", DIGITS_ACCEPT_DUMP, offsetof(digits_options, dump)},
    {"--weights-out", DIGITS_ACCEPT_MPI, offsetof(digits_options, weights_out)},
};

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
    o->lr_csv = o->checkpoint = o->resume = o->dump = o->weights_out = NULL;
    o->stop_after = 0;
    o->skew_rank = UINT64_MAX;
    o->accept = 0;
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

/* A flag of a group this trainer does not take. */
static int not_here(const char *flag, unsigned group, char *err, size_t cap)
{
    snprintf(err, cap, "%s: a flag of %s only", flag,
             group == DIGITS_ACCEPT_COMPARISON ? "sgdr-digits (the comparison with a constant "
                                                 "learning rate and its curves)"
             : group == DIGITS_ACCEPT_HISTORY  ? "sgdr-digits and sgdr-digits-mpi"
             : group == DIGITS_ACCEPT_MPI      ? "sgdr-digits-mpi"
                                               : "other digits trainers");
    return -1;
}

/* The value of the current flag, once. NULL with a message in err. */
static const char *value_once(cli_cursor *c, unsigned long *seen, unsigned bit, char *err,
                              size_t cap)
{
    if (cli_once(seen, bit, c->name, err, cap) != 0) return NULL;
    return cli_value(c, err, cap);
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
        if (!(value = value_once(c, seen, f->bit, err, cap))) return -1;
        if (cli_parse_u64(value, &u) != 0 || u < f->min || u > f->max) {
            snprintf(err, cap, "%s '%s': expected a whole number from %zu to %zu", c->name,
                     value, f->min, f->max);
            return -1;
        }
        *size_target(o, f->bit) = (size_t)u;
        return 0;
    }
    for (i = 0; i < sizeof path_flags / sizeof path_flags[0]; i++) {
        const path_flag *f = &path_flags[i];
        if (strcmp(c->name, f->name) != 0) continue;
        if (f->group != 0 && !(o->accept & f->group)) return not_here(c->name, f->group, err, cap);
        /* one bit per path flag, after the others: at most 16 + 8 + 8 < 32 bits */
        if (!(value = value_once(c, seen, SEEN_PATH + (unsigned)i, err, cap))) return -1;
        if (value[0] == '\0') {
            snprintf(err, cap, "%s: the path is empty", c->name);
            return -1;
        }
        *(const char **)(void *)((char *)o + f->offset) = value;
        return 0;
    }
    if (strcmp(c->name, "--seed") == 0 || strcmp(c->name, "--skew-rank") == 0) {
        const int seed = strcmp(c->name, "--seed") == 0;
        if (!seed && !(o->accept & DIGITS_ACCEPT_MPI))
            return not_here(c->name, DIGITS_ACCEPT_MPI, err, cap);
        if (!(value = value_once(c, seen, seed ? SEEN_SEED : SEEN_SKEW, err, cap))) return -1;
        if (cli_parse_u64(value, seed ? &o->seed : &o->skew_rank) != 0 ||
            (!seed && o->skew_rank == UINT64_MAX)) {
            snprintf(err, cap, "%s '%s': expected a whole number from 0 to 2^64-%d", c->name,
                     value, seed ? 1 : 2);
            return -1;
        }
        return 0;
    }
    if (strcmp(c->name, "--momentum") == 0) {
        if (!(value = value_once(c, seen, SEEN_MOMENTUM, err, cap))) return -1;
        return parse_real(c->name, value, 0, 1, &o->momentum, err, cap);
    }
    if (strcmp(c->name, "--constant-lr") == 0) {
        if (!(o->accept & DIGITS_ACCEPT_COMPARISON))
            return not_here(c->name, DIGITS_ACCEPT_COMPARISON, err, cap);
        if (!(value = value_once(c, seen, SEEN_CONSTANT, err, cap))) return -1;
        if (parse_real(c->name, value, 0, 100, &o->constant_lr, err, cap) != 0) return -1;
        if (o->constant_lr > 0) return 0;
        snprintf(err, cap, "--constant-lr '%s': must be greater than 0", value);
        return -1;
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
    if (rc != 0) return rc;
    if ((o->checkpoint != NULL) != (o->stop_after != 0)) {
        snprintf(err, cap, o->checkpoint != NULL
                 ? "--checkpoint needs --stop-after-epoch E: the epoch to save after"
                 : "--stop-after-epoch needs --checkpoint FILE to save the run to");
        return -1;
    }
    if (o->stop_after >= o->epochs && o->stop_after != 0) {
        snprintf(err, cap, "--stop-after-epoch %zu: must be below --epochs %zu", o->stop_after,
                 o->epochs);
        return -1;
    }
    return 0;
}

void digits_help(strbuf *b, const char *program, const char *about, unsigned accept)
{
    static const sgdr_param derived[] = {SGDR_PARAM_STEPS_PER_EPOCH, 0};
    sgdr_scheduler *s = NULL;
    digits_options o;
    if (sgdr_create(&s) != SGDR_OK) {
        b->failed = 1;
        return;
    }
    digits_defaults(s, &o);
    strbuf_printf(b, "Usage: %s [FLAG VALUE]...\n\n%s\n", program, about);
    strbuf_add(b, "Schedule (steps_per_epoch is the number of batches in the training set):\n");
    schedflag_help(b, s, derived);
    strbuf_printf(b,
                  "\n"
                  "Training:\n"
                  "  --epochs N               epochs to train (default %zu)\n"
                  "  --batch-size N           images per batch (default %zu)\n"
                  "  --hidden N               hidden units (default %zu)\n"
                  "  --momentum X             SGD momentum, 0 <= X < 1 (default %g)\n",
                  o.epochs, o.batch_size, o.hidden, o.momentum);
    if (accept & DIGITS_ACCEPT_COMPARISON)
        strbuf_add(b,
                   "  --constant-lr X          learning rate of the comparison run (default: the\n"
                   "                           mean of the first cycle, (min-lr + max-lr) / 2)\n");
    strbuf_printf(b,
                  "  --seed N                 initial weights and batch order (default %llu);\n"
                  "                           the train/test split is the same for every seed\n"
                  "\n"
                  "Files:\n"
                  "  --data PATH              the digits CSV, gzip or plain (default %s)\n"
                  "  --lr-csv PATH            step,epoch,lr of every batch, the learning rate\n"
                  "                           it trained with (as sgdr-schedule --format csv)\n"
                  "  --checkpoint PATH        with --stop-after-epoch E: save the run after\n"
                  "                           epoch E (below --epochs) to PATH and stop\n"
                  "  --stop-after-epoch E     the epoch to stop after (1-based)\n"
                  "  --resume PATH            continue the run saved in PATH (its schedule and\n"
                  "                           counters): --batch-size may differ, the schedule\n"
                  "                           then follows the new batches per epoch; the\n"
                  "                           other flags as when it was saved\n",
                  (unsigned long long)o.seed, o.data);
    if (accept & DIGITS_ACCEPT_DUMP)
        strbuf_add(b, "  --dump PATH              the final weights and every snapshot, exactly (%a)\n");
    if (accept & DIGITS_ACCEPT_HISTORY)
        strbuf_printf(b,
                      "  --csv PATH               history of the SGDR run: step, lr, loss,\n"
                      "                           test_accuracy (default %s)\n",
                      o.csv_path);
    if (accept & DIGITS_ACCEPT_COMPARISON)
        strbuf_printf(b,
                      "  --svg PATH               learning rate, loss and accuracy curves\n"
                      "                           (default %s)\n",
                      o.svg_path);
    strbuf_add(b, "  --help                   print this help and exit\n");
    sgdr_destroy(s);
}
