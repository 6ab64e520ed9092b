/* SPDX-License-Identifier: MIT */
/* options.h -- the digits trainer's command line. */
#ifndef DIGITS_OPTIONS_H
#define DIGITS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"
#include "strbuf.h"

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
    int help;
} digits_options;

/* The trainer's defaults: on *o, and for the schedule on `s` (min_lr, max_lr and a cycle
 * length that gives several snapshots in a short run). */
void digits_defaults(sgdr_scheduler *s, digits_options *o);

/* Read argv over the defaults. Schedule flags go to `s` through the library's validation.
 * Returns 0, or -1 with a message in err naming the flag and the value. Stops at --help. */
int digits_parse(int argc, char **argv, sgdr_scheduler *s, digits_options *o, char *err,
                 size_t cap);

/* The --help text with every flag and its default. */
void digits_help(strbuf *b);

#endif
