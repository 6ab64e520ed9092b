/* SPDX-License-Identifier: MIT */
/* options.c -- sgdr-schedule's command line (see options.h). */
#include "options.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "schedflags.h"

/* Bits of the flags seen so far (cli_once): bit p for schedule parameter p, these for the
 * tool's own. */
#define SEEN_EPOCHS 20
#define SEEN_FORMAT 21

static int parse_format(const char *value, out_format *f, char *err, size_t cap)
{
    if (strcmp(value, "csv") == 0) *f = FORMAT_CSV;
    else if (strcmp(value, "ascii") == 0) *f = FORMAT_ASCII;
    else if (strcmp(value, "svg") == 0) *f = FORMAT_SVG;
    else {
        snprintf(err, cap, "--format '%s': expected csv, ascii or svg", value);
        return -1;
    }
    return 0;
}

static int parse_epochs(const char *value, uint64_t *epochs, char *err, size_t cap)
{
    if (cli_parse_u64(value, epochs) != 0 || *epochs == 0) {
        snprintf(err, cap, "--epochs '%s': expected a whole number >= 1", value);
        return -1;
    }
    return 0;
}

int options_parse(int argc, char **argv, sgdr_scheduler *s, tool_options *o, char *err,
                  size_t cap)
{
    cli_cursor c;
    unsigned long seen = 0;
    int rc;
    o->epochs = 0;
    o->format = FORMAT_CSV;
    o->help = o->version = 0;
    cli_start(&c, argc, argv);
    while ((rc = cli_next(&c, err, cap)) == 1) {
        sgdr_param p;
        const char *value;
        if (strcmp(c.name, "--help") == 0 || strcmp(c.name, "--version") == 0) {
            if (cli_no_value(&c, err, cap) != 0) return -1;
            if (c.name[2] == 'h') o->help = 1;
            else o->version = 1;
            return 0;
        }
        if (schedflag_find(c.name, &p) == 0) {
            if (cli_once(&seen, (unsigned)p, c.name, err, cap) != 0) return -1;
            if ((value = cli_value(&c, err, cap)) == NULL) return -1;
            if (schedflag_set(s, p, value, err, cap) != 0) return -1;
        } else if (strcmp(c.name, "--epochs") == 0) {
            if (cli_once(&seen, SEEN_EPOCHS, c.name, err, cap) != 0) return -1;
            if ((value = cli_value(&c, err, cap)) == NULL) return -1;
            if (parse_epochs(value, &o->epochs, err, cap) != 0) return -1;
        } else if (strcmp(c.name, "--format") == 0) {
            if (cli_once(&seen, SEEN_FORMAT, c.name, err, cap) != 0) return -1;
            if ((value = cli_value(&c, err, cap)) == NULL) return -1;
            if (parse_format(value, &o->format, err, cap) != 0) return -1;
        } else {
            snprintf(err, cap, "unknown flag %s", c.name);
            return -1;
        }
    }
    return rc;
}

void options_help(strbuf *b)
{
    sgdr_scheduler *defaults = NULL;
    strbuf_add(b,
               "Usage: sgdr-schedule --min-lr X --max-lr X --steps-per-epoch N [FLAG VALUE]...\n"
               "\n"
               "Print the learning rate of every batch of an SGDR schedule (cosine annealing\n"
               "with warm restarts), computed by libsgdr, without a training loop.\n"
               "\n"
               "Schedule (the libsgdr parameter names, with dashes):\n");
    if (sgdr_create(&defaults) == SGDR_OK) schedflag_help(b, defaults, NULL);
    else b->failed = 1;
    sgdr_destroy(defaults);
    strbuf_add(b,
               "\n"
               "Output:\n"
               "  --epochs N               epochs to print (default: warm-up plus three cycles)\n"
               "  --format FORMAT          csv, ascii or svg (default csv)\n"
               "  --help                   print this help and exit\n"
               "  --version                print the libsgdr version and exit\n"
               "\n"
               "csv: a header step,epoch,lr and one row per batch, lr as %.17g (reads back to\n"
               "the same double), '.' as decimal point in every locale. ascii: a plot for the\n"
               "terminal. svg: a plot with axes, ticks and labels, restarts marked.\n"
               "Flags take their value as --flag VALUE or --flag=VALUE.\n"
               "\n"
               "Exit status: 0 on success, 2 for a bad flag or value (nothing is printed on\n"
               "stdout), 1 when the output cannot be written.\n");
}

void options_caption(const sgdr_scheduler *s, uint64_t epochs, char *title, char *params,
                     size_t cap)
{
    static const sgdr_param shown[] = {SGDR_PARAM_MIN_LR, SGDR_PARAM_MAX_LR,
                                       SGDR_PARAM_CYCLE_LENGTH, SGDR_PARAM_MULT_FACTOR,
                                       SGDR_PARAM_LR_DECAY, SGDR_PARAM_WARMUP_EPOCHS,
                                       SGDR_PARAM_WARMUP_START_LR, SGDR_PARAM_MAX_CYCLES,
                                       SGDR_PARAM_CYCLE_WARMUP_STEPS};
    size_t used = 0, i;
    double mode = 0, spe = 0;
    sgdr_get_param(s, SGDR_PARAM_RESTART_MODE, &mode);
    sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &spe);
    snprintf(title, cap, "SGDR schedule, %s restarts: %" PRIu64 " epochs x %.0f batches",
             mode == SGDR_RESTART_KERAS_SEED ? "keras-seed" : "peak", epochs, spe);
    params[0] = '\0';
    for (i = 0; i < sizeof shown / sizeof shown[0] && used < cap; i++) {
        double v = 0;
        sgdr_get_param(s, shown[i], &v);
        /* the first five always; warm-up and the cycle limit only when they are used */
        if (i >= 5 && v == 0) continue;
        used += (size_t)snprintf(params + used, cap - used, "%s%s %.6g", used ? ", " : "",
                                 sgdr_param_name(shown[i]), v);
    }
}
