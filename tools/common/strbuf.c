/* SPDX-License-Identifier: MIT */
/* strbuf.c -- a growable text buffer (see strbuf.h). */
#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(strbuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

void strbuf_free(strbuf *b)
{
    free(b->data);
    strbuf_init(b);
}

/* Make room for `extra` more bytes plus the NUL. Returns 0, or -1 (and marks the buffer
 * failed) when memory runs out. */
static int reserve(strbuf *b, size_t extra)
{
    size_t need, cap;
    char *grown;
    if (b->failed) return -1;
    if (extra > (size_t)-1 - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    grown = realloc(b->data, cap);
    if (grown == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = grown;
    b->cap = cap;
    return 0;
}

void strbuf_addn(strbuf *b, const char *text, size_t n)
{
    if (reserve(b, n) != 0) return;
    memcpy(b->data + b->len, text, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void strbuf_add(strbuf *b, const char *text) { strbuf_addn(b, text, strlen(text)); }

void strbuf_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (reserve(b, (size_t)n) != 0) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void strbuf_add_xml(strbuf *b, const char *text)
{
    for (; *text != '\0'; text++) {
        switch (*text) {
        case '&': strbuf_add(b, "&amp;"); break;
        case '<': strbuf_add(b, "&lt;"); break;
        case '>': strbuf_add(b, "&gt;"); break;
        case '"': strbuf_add(b, "&quot;"); break;
        default: strbuf_addn(b, text, 1); break;
        }
    }
}

int strbuf_write(const strbuf *b, FILE *f)
{
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len) return -1;
    return fflush(f) == 0 ? 0 : -1;
}

int strbuf_write_file(const strbuf *b, const char *path)
{
    FILE *f;
    int rc, saved;
    if (b->failed) {
        errno = ENOMEM;
        return -1;
    }
    if ((f = fopen(path, "wb")) == NULL) return -1;
    rc = strbuf_write(b, f);
    saved = errno;
    if (fclose(f) != 0 && rc == 0) return -1;
    errno = saved;
    return rc;
}
