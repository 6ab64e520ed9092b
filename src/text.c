/* SPDX-License-Identifier: MIT */
/* text.c -- every text the library makes: numbers that read back the same in any locale,
 * the one format function behind every message, the status descriptions and the version.
 *
 * snprintf's "%g" uses the decimal point of the process locale (a comma under de_DE), and
 * the library must not change the locale: that is process-wide state. So a number is
 * printed as snprintf likes, then whatever stands between the integer digits and the
 * fraction digits (one or more bytes: some locales use a multibyte separator) becomes '.'. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "handle.h"

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

size_t sgdr_numfmt(char out[SGDR_NUMFMT_CAP], double v)
{
    char raw[64];
    size_t i = 0, o = 0;
    if (isnan(v) || isinf(v)) {
        const char *t = isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
        strcpy(out, t);
        return strlen(t);
    }
    snprintf(raw, sizeof raw, "%.17g", v);
    if (raw[i] == '-') out[o++] = raw[i++];
    while (is_digit(raw[i])) out[o++] = raw[i++];
    if (raw[i] != '\0' && raw[i] != 'e' && raw[i] != 'E') {
        out[o++] = '.';
        while (raw[i] != '\0' && !is_digit(raw[i])) i++;
    }
    while (raw[i] != '\0' && o < SGDR_NUMFMT_CAP - 1) out[o++] = raw[i++];
    out[o] = '\0';
    return o;
}

size_t sgdr_u64fmt(char out[SGDR_NUMFMT_CAP], unsigned long long v)
{
    return (size_t)snprintf(out, SGDR_NUMFMT_CAP, "%llu", v); /* no locale touches %llu */
}

/* Append n bytes of text to msg, as far as they fit before the NUL. */
static void append(char *msg, size_t cap, size_t *used, const char *text, size_t n)
{
    if (n > cap - 1 - *used) n = cap - 1 - *used;
    memcpy(msg + *used, text, n);
    *used += n;
}

static void vformat(char *msg, size_t cap, const char *fmt, va_list ap)
{
    static const char hex[] = "0123456789abcdef";
    size_t used = 0;
    char num[SGDR_NUMFMT_CAP];
    while (*fmt != '\0') {
        const char *pct = strchr(fmt, '%');
        size_t width = 0, n = 0;
        if (pct == NULL) pct = fmt + strlen(fmt);
        append(msg, cap, &used, fmt, (size_t)(pct - fmt));
        if (*pct == '\0') break;
        fmt = pct + 1;
        while (is_digit(*fmt)) width = width * 10 + (size_t)(*fmt++ - '0');
        if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            append(msg, cap, &used, s, strlen(s));
        } else if (*fmt == 'g') {
            append(msg, cap, &used, num, sgdr_numfmt(num, va_arg(ap, double)));
        } else if (strncmp(fmt, "llu", 3) == 0) {
            append(msg, cap, &used, num, sgdr_u64fmt(num, va_arg(ap, unsigned long long)));
            fmt += 2;
        } else if (*fmt == 'x') { /* zero-padded to the width given ("%08x") */
            unsigned v = va_arg(ap, unsigned);
            do num[n++] = hex[v & 15u]; while ((v >>= 4) != 0 || n < width);
            while (n > 0) append(msg, cap, &used, &num[--n], 1);
        } else {
            append(msg, cap, &used, "%", 1);
            if (*fmt != '%') continue;
        }
        fmt++;
    }
    msg[used] = '\0';
}

sgdr_status sgdr_format(char *msg, size_t cap, sgdr_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(msg, cap, fmt, ap);
    va_end(ap);
    return st;
}

sgdr_status sgdr_fail(const sgdr_scheduler *s, sgdr_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* The one write a const call makes, and only when it fails (sgdr.h, "Threads").
     * Schedulers are only ever allocated by sgdr_create as non-const objects, so writing
     * through a pointer that was const in the API is well defined. */
    vformat(((sgdr_scheduler *)s)->message, SGDR_MSG_CAP, fmt, ap);
    va_end(ap);
    return st;
}

/* Each status's name, spelled once (the enum's identifier, stringized), and description.
 * Indexed by the status value. */
#define STATUS(code, text) [code] = {#code, text}
static const struct {
    const char *name, *text;
} status[] = {
    STATUS(SGDR_OK, "success"),
    STATUS(SGDR_ENULL, "a required pointer argument is NULL"),
    STATUS(SGDR_EBADPARAM, "unknown parameter or enum value"),
    STATUS(SGDR_EVALUE, "parameter value out of range"),
    STATUS(SGDR_ECONFIG, "inconsistent or incomplete configuration"),
    STATUS(SGDR_EORDER, "call out of order"),
    STATUS(SGDR_EEPOCH, "epoch index does not match the scheduler's count"),
    STATUS(SGDR_EMETRIC, "invalid metric name"),
    STATUS(SGDR_ENOMEM, "out of memory"),
    STATUS(SGDR_EHOOK_GET_LR, "the get_lr hook failed"),
    STATUS(SGDR_EHOOK_SET_LR, "the set_lr hook failed"),
    STATUS(SGDR_EHOOK_SNAPSHOT, "the snapshot hook failed"),
    STATUS(SGDR_EHOOK_RESTORE, "the restore hook failed"),
    STATUS(SGDR_EBUFSIZE, "output buffer too small"),
    STATUS(SGDR_ETRUNCATED, "state blob truncated"),
    STATUS(SGDR_EMAGIC, "not a libsgdr state blob"),
    STATUS(SGDR_EVERSION, "unsupported state format version"),
    STATUS(SGDR_ECHECKSUM, "state blob checksum mismatch"),
    STATUS(SGDR_ECORRUPT, "state blob fields are inconsistent"),
    STATUS(SGDR_EIO, "file could not be written"),
    STATUS(SGDR_EINDEX, "index out of range"),
};
/* One entry per code: a code appended without SGDR_STATUS_LAST, or the reverse, does not
 * compile (an entry left out in between is caught by test_describe). */
SGDR_STATIC_ASSERT(sizeof status / sizeof status[0] == SGDR_STATUS_LAST + 1, status_table_length);

const char *sgdr_strerror(sgdr_status st)
{
    return (unsigned)st <= SGDR_STATUS_LAST ? status[st].text : "unknown status";
}

const char *sgdr_status_name(sgdr_status st)
{
    return (unsigned)st <= SGDR_STATUS_LAST ? status[st].name : "unknown status";
}

const char *sgdr_last_error(const sgdr_scheduler *s)
{
    return s == NULL ? "scheduler is NULL" : s->message;
}

unsigned sgdr_version_number(void) { return SGDR_VERSION_NUMBER; }

const char *sgdr_version_string(void) { return SGDR_VERSION_STRING; }
