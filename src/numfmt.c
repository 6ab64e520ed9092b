/* SPDX-License-Identifier: MIT */
/* numfmt.c -- locale-independent number text (see numfmt.h).
 *
 * snprintf's "%g" uses the decimal point of the process locale (a comma under de_DE), and
 * the library must not change the locale: that is process-wide state. So the number is
 * printed as snprintf likes, then whatever stands between the integer digits and the
 * fraction digits (one or more bytes: some locales use a multibyte separator) becomes '.'. */
#include "numfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

size_t sgdr_numfmt(char out[SGDR_NUMFMT_CAP], double v)
{
    char raw[64];
    size_t i = 0, o = 0;
    if (isnan(v)) {
        memcpy(out, "nan", 4);
        return 3;
    }
    if (isinf(v)) {
        if (v < 0) {
            memcpy(out, "-inf", 5);
            return 4;
        }
        memcpy(out, "inf", 4);
        return 3;
    }
    snprintf(raw, sizeof raw, "%.17g", v);
    if (raw[i] == '-') out[o++] = raw[i++];
    while (is_digit(raw[i])) out[o++] = raw[i++];
    if (raw[i] != '\0' && raw[i] != 'e' && raw[i] != 'E') {
        /* The locale's decimal separator, however many bytes it has. */
        out[o++] = '.';
        while (raw[i] != '\0' && !is_digit(raw[i])) i++;
    }
    while (raw[i] != '\0' && o < SGDR_NUMFMT_CAP - 1) out[o++] = raw[i++];
    out[o] = '\0';
    return o;
}

size_t sgdr_u64fmt(char out[SGDR_NUMFMT_CAP], unsigned long long v)
{
    char rev[SGDR_NUMFMT_CAP];
    size_t n = 0, i;
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (i = 0; i < n; i++) out[i] = rev[n - 1 - i];
    out[n] = '\0';
    return n;
}

void sgdr_vmsgf(char *msg, size_t cap, const char *first, va_list ap)
{
    const char *part;
    size_t used = 0;
    if (cap == 0) return;
    for (part = first; part != NULL; part = va_arg(ap, const char *)) {
        size_t len = strlen(part);
        if (len > cap - 1 - used) len = cap - 1 - used;
        memcpy(msg + used, part, len);
        used += len;
    }
    msg[used] = '\0';
}

void sgdr_msgf(char *msg, size_t cap, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    sgdr_vmsgf(msg, cap, first, ap);
    va_end(ap);
}
