/* SPDX-License-Identifier: MIT */
/* cli.h -- command-line parsing shared by sgdr-schedule and the example programs.
 *
 * Flags are GNU style: `--name value` or `--name=value`. Numbers are read strictly (the
 * whole text must be the number) and in the C locale, so `0.5` means the same under every
 * LANG/LC_ALL. */
#ifndef SGDR_TOOLS_CLI_H
#define SGDR_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Put LC_ALL in the C locale. A C program starts there anyway; saying it makes the rule
 * explicit: these programs never adopt the environment's locale, so every number they print
 * or read uses '.' as the decimal point, whatever the environment says. */
void cli_c_locale(void);

/* A walk over argv[1..argc). */
typedef struct cli_cursor {
    int argc;
    char **argv;
    int next;             /* index of the next argument to read */
    char name[48];        /* the current flag, "--name" (truncated names fail the lookup) */
    const char *inline_value; /* text after '=' in `--name=value`, else NULL */
} cli_cursor;

void cli_start(cli_cursor *c, int argc, char **argv);

/* Move to the next flag. Returns 1 (c->name set), 0 at the end, or -1 with a message in
 * err when the argument is not a flag. */
int cli_next(cli_cursor *c, char *err, size_t cap);

/* The value of the current flag: the text after '=' or the next argument. NULL with a
 * message in err when there is none. */
const char *cli_value(cli_cursor *c, char *err, size_t cap);

/* For a flag that takes no value: -1 with a message when one was given with '='. */
int cli_no_value(const cli_cursor *c, char *err, size_t cap);

/* Refuse a flag given twice: `seen` collects one bit per flag. Returns 0 the first time,
 * -1 with a message the second. */
int cli_once(unsigned long *seen, unsigned bit, const char *flag, char *err, size_t cap);

/* Read a finite or non-finite double (the callers' validators judge the range). Returns 0,
 * or -1 when `text` is empty, starts with white space (a blank, tab, newline ...) or has
 * trailing characters. */
int cli_parse_double(const char *text, double *out);

/* Read a decimal unsigned integer (digits only, no sign). Returns 0, or -1 when `text` is
 * not one or does not fit in 64 bits. */
int cli_parse_u64(const char *text, uint64_t *out);

#endif
