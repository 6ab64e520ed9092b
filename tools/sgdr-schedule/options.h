/* SPDX-License-Identifier: MIT */
/* options.h -- sgdr-schedule's command line: the schedule flags of docs/SPEC.md §8 plus --epochs,
 * --format, --help and --version. */
#ifndef SGDR_SCHEDULE_OPTIONS_H
#define SGDR_SCHEDULE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "sgdr.h"
#include "strbuf.h"

typedef enum out_format { FORMAT_CSV = 0, FORMAT_ASCII = 1, FORMAT_SVG = 2 } out_format;

typedef struct tool_options {
    uint64_t epochs;   /* 0 when --epochs was not given */
    out_format format;
    int help;          /* --help: print the help and nothing else */
    int version;       /* --version */
} tool_options;

/* Read argv: schedule flags are set on `s` (validated by the library one by one), the rest
 * into *o. Returns 0, or -1 with a message in err naming the flag and the value. Stops at
 * --help or --version. */
int options_parse(int argc, char **argv, sgdr_scheduler *s, tool_options *o, char *err,
                  size_t cap);

/* The --help text, with every flag and its default. */
void options_help(strbuf *b);

/* Two lines describing a printout, for plot titles: `title` names the mode and the length
 * ("SGDR schedule, peak restarts: 70 epochs x 10 batches"), `params` the parameters
 * ("min_lr 1e-05, max_lr 0.1, cycle_length 10, ..."; warm-up and max_cycles when set). */
void options_caption(const sgdr_scheduler *s, uint64_t epochs, char *title, char *params,
                     size_t cap);

#endif
