/* SPDX-License-Identifier: MIT */
/* sgdr-schedule -- print an SGDR learning-rate schedule (docs/SPEC.md §8) as CSV, an ASCII plot or
 * an SVG plot, computed by libsgdr itself.
 *
 * Everything is validated before anything is printed: a bad flag or value gives a message
 * on stderr, exit status 2 and an empty stdout. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "plotdata.h"
#include "render.h"
#include "schedflags.h"
#include "walk.h"

#define PROGRAM "sgdr-schedule"
#define EXIT_USAGE 2
#define MAX_BATCHES 1000000000.0 /* a printout longer than this is a typo, not a request */
#define ASCII_COLUMNS 64
#define SVG_COLUMNS 680

static int usage_error(const char *msg)
{
    fprintf(stderr, "%s: %s\nTry '%s --help' for the list of flags.\n", PROGRAM, msg, PROGRAM);
    return EXIT_USAGE;
}

static int write_error(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", PROGRAM, what, strerror(errno));
    return 1;
}

static int print_buffer(strbuf *b)
{
    int rc = strbuf_write(b, stdout) == 0 ? 0 : write_error("cannot write the output");
    strbuf_free(b);
    return rc;
}

static int run_csv(sgdr_scheduler *s, uint64_t epochs)
{
    char err[512];
    csv_writer w = {stdout, 0};
    walk_sink sink = render_csv_sink(&w);
    int rc = walk_run(s, epochs, &sink, err, sizeof err);
    if (rc == -2) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        return 1;
    }
    if (rc != 0 || fflush(stdout) != 0 || ferror(stdout))
        return write_error("cannot write the output");
    return 0;
}

static int run_plot(sgdr_scheduler *s, uint64_t epochs, uint64_t spe, out_format format)
{
    char err[512], title[256], params[256];
    plotdata pd;
    walk_sink sink;
    strbuf b;
    int rc;
    if (plotdata_init(&pd, epochs * spe, spe, format == FORMAT_SVG ? SVG_COLUMNS : ASCII_COLUMNS)
        != 0) {
        errno = ENOMEM;
        return write_error("cannot plot");
    }
    sink = plotdata_sink(&pd);
    rc = walk_run(s, epochs, &sink, err, sizeof err);
    if (rc != 0) {
        plotdata_free(&pd);
        if (rc == -2) {
            fprintf(stderr, "%s: %s\n", PROGRAM, err);
            return 1;
        }
        errno = ENOMEM;
        return write_error("cannot plot");
    }
    options_caption(s, epochs, title, params, sizeof title);
    strbuf_init(&b);
    if (format == FORMAT_SVG) render_svg(&b, &pd, title, params);
    else render_ascii(&b, &pd, title, params);
    plotdata_free(&pd);
    return print_buffer(&b);
}

/* The number of epochs to print: --epochs, or by default the warm-up plus three cycles. 0,
 * or -1 with a message naming what the user asked for when it is more than 10^9 batches. */
static int resolve_epochs(const sgdr_scheduler *s, double spe, uint64_t *epochs, char *err,
                          size_t cap)
{
    double dflt;
    if (*epochs != 0) {
        if ((double)*epochs * spe <= MAX_BATCHES) return 0;
        snprintf(err, cap, "--epochs %llu with --steps-per-epoch %.0f is more than 10^9 batches",
                 (unsigned long long)*epochs, spe);
        return -1;
    }
    dflt = walk_default_epochs(s, 3);
    if (dflt * spe <= MAX_BATCHES) {
        *epochs = (uint64_t)dflt;
        return 0;
    }
    snprintf(err, cap,
             "no --epochs given, and the default (the warm-up plus three cycles: %.17g epochs "
             "of %.0f batches) is more than 10^9 batches: give --epochs",
             dflt, spe);
    return -1;
}

int main(int argc, char **argv)
{
    sgdr_scheduler *s = NULL;
    tool_options o;
    char err[512];
    double spe = 0;
    int rc;

    cli_c_locale();
    if (sgdr_create(&s) != SGDR_OK) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        return 1;
    }
    if (options_parse(argc, argv, s, &o, err, sizeof err) != 0) {
        rc = usage_error(err);
    } else if (o.help) {
        strbuf b;
        strbuf_init(&b);
        options_help(&b);
        rc = print_buffer(&b);
    } else if (o.version) {
        strbuf b;
        strbuf_init(&b);
        strbuf_printf(&b, "%s (libsgdr) %s\n", PROGRAM, sgdr_version_string());
        rc = print_buffer(&b);
    } else if (schedflag_require(s, err, sizeof err) != 0 ||
               walk_check(s, err, sizeof err) != 0) {
        rc = usage_error(err);
    } else {
        sgdr_get_param(s, SGDR_PARAM_STEPS_PER_EPOCH, &spe);
        if (resolve_epochs(s, spe, &o.epochs, err, sizeof err) != 0) {
            rc = usage_error(err);
        } else if (o.format == FORMAT_CSV) {
            rc = run_csv(s, o.epochs);
        } else {
            rc = run_plot(s, o.epochs, (uint64_t)spe, o.format);
        }
    }
    sgdr_destroy(s);
    return rc;
}
