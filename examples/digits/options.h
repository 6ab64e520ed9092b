/* SPDX-License-Identifier: MIT */
/* options.h -- the command line of every digits trainer (sgdr-digits, sgdr-digits-mpi,
 * sgdr-torch-digits and the framework trainers in examples/darknet, examples/tinydnn and
 * examples/dlib): one set of flags with one set of defaults, parsed here. */
#ifndef DIGITS_OPTIONS_H
#define DIGITS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"
#include "strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags only some trainers have; a trainer names the groups it takes in digits_options.accept
 * before parsing, and the others are refused with a message saying whose they are. */
enum {
    DIGITS_ACCEPT_COMPARISON = 1, /* --constant-lr, --svg (sgdr-digits) */
    DIGITS_ACCEPT_DUMP = 2,       /* --dump */
    DIGITS_ACCEPT_MPI = 4,        /* --weights-out, --skew-rank (sgdr-digits-mpi) */
    DIGITS_ACCEPT_HISTORY = 8     /* --csv: libsgdr's history of the run */
};

typedef struct digits_options {
    size_t epochs;
    size_t batch_size;
    size_t hidden;
    double momentum;
    double constant_lr;    /* NaN: the mean of the first cycle, (min_lr + max_lr) / 2 */
    uint64_t seed;
    const char *data;      /* the digits CSV */
    const char *csv_path;  /* the history CSV to write */
    const char *svg_path;  /* the curves to draw */
    const char *lr_csv;    /* step,epoch,lr of every batch trained (NULL: none) */
    const char *checkpoint; /* written after epoch stop_after, then the run stops */
    size_t stop_after;     /* 0: never */
    const char *resume;    /* a checkpoint to continue from */
    const char *dump;      /* the final weights and every snapshot, exactly (%a) */
    const char *weights_out; /* sgdr-digits-mpi: the final state in checkpoint format */
    uint64_t skew_rank;    /* sgdr-digits-mpi test flag: UINT64_MAX for none */
    unsigned accept;       /* DIGITS_ACCEPT_* groups this trainer takes */
    int help;
} digits_options;

/* The trainers' defaults: on *o (accept 0), and for the schedule on `s` (min_lr, max_lr and
 * a cycle length that gives several snapshots in a short run). */
void digits_defaults(sgdr_scheduler *s, digits_options *o);

/* Read argv over the defaults. Schedule flags go to `s` through the library's validation.
 * Returns 0, or -1 with a message in err naming the flag and the value. Stops at --help. */
int digits_parse(int argc, char **argv, sgdr_scheduler *s, digits_options *o, char *err,
                 size_t cap);

/* The --help text of `program` with every flag it takes (`accept`) and its default, after
 * `about` (what the program does, ending in a newline). */
void digits_help(strbuf *b, const char *program, const char *about, unsigned accept);

#ifdef __cplusplus
}
#endif

#endif
