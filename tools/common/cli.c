/* SPDX-License-Identifier: MIT */
/* cli.c -- command-line parsing (see cli.h). */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_c_locale(void) { setlocale(LC_ALL, "C"); }

void cli_start(cli_cursor *c, int argc, char **argv)
{
    c->argc = argc;
    c->argv = argv;
    c->next = 1;
    c->name[0] = '\0';
    c->inline_value = NULL;
}

int cli_next(cli_cursor *c, char *err, size_t cap)
{
    const char *arg, *eq;
    size_t len;
    if (c->next >= c->argc) return 0;
    arg = c->argv[c->next++];
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        snprintf(err, cap, "unexpected argument '%s' (every option is a --flag)", arg);
        return -1;
    }
    eq = strchr(arg, '=');
    len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    if (len >= sizeof c->name) len = sizeof c->name - 1;
    memcpy(c->name, arg, len);
    c->name[len] = '\0';
    c->inline_value = eq != NULL ? eq + 1 : NULL;
    return 1;
}

const char *cli_value(cli_cursor *c, char *err, size_t cap)
{
    if (c->inline_value != NULL) return c->inline_value;
    if (c->next >= c->argc) {
        snprintf(err, cap, "%s needs a value", c->name);
        return NULL;
    }
    return c->argv[c->next++];
}

int cli_no_value(const cli_cursor *c, char *err, size_t cap)
{
    if (c->inline_value == NULL) return 0;
    snprintf(err, cap, "%s takes no value (got '%s')", c->name, c->inline_value);
    return -1;
}

int cli_once(unsigned long *seen, unsigned bit, const char *flag, char *err, size_t cap)
{
    unsigned long mask = 1ul << bit;
    if (*seen & mask) {
        snprintf(err, cap, "%s given twice", flag);
        return -1;
    }
    *seen |= mask;
    return 0;
}

int cli_parse_double(const char *text, double *out)
{
    char *end;
    double v;
    /* strtod would skip any leading white space, newlines included */
    if (text[0] == '\0' || isspace((unsigned char)text[0])) return -1;
    errno = 0;
    v = strtod(text, &end);
    if (*end != '\0') return -1;
    /* ERANGE on underflow still gives a usable (tiny or zero) value; overflow gives inf,
     * which the validators refuse by name. */
    *out = v;
    return 0;
}

int cli_parse_u64(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = text;
    if (*p == '\0') return -1;
    for (; *p != '\0'; p++) {
        unsigned d;
        if (*p < '0' || *p > '9') return -1;
        d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
