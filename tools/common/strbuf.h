/* SPDX-License-Identifier: MIT */
/* strbuf.h -- a growable text buffer for the tools and examples.
 *
 * Output is assembled in memory and written only when it is complete, so that a program that
 * fails half-way leaves nothing behind on stdout or in a file. An allocation failure is
 * sticky: later appends do nothing and strbuf_failed() reports it once at the end. */
#ifndef SGDR_TOOLS_STRBUF_H
#define SGDR_TOOLS_STRBUF_H

#include <stddef.h>
#include <stdio.h>

typedef struct strbuf {
    char *data;  /* NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
    int failed;  /* an allocation failed: the content is incomplete */
} strbuf;

void strbuf_init(strbuf *b);
void strbuf_free(strbuf *b);
void strbuf_add(strbuf *b, const char *text);
void strbuf_addn(strbuf *b, const char *text, size_t n);
/* Append printf-style text. The numbers follow the C locale: programs that use this keep
 * the C locale for LC_NUMERIC (see cli_c_locale in cli.h). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void strbuf_printf(strbuf *b, const char *fmt, ...);
/* Append `text` with the XML special characters escaped. */
void strbuf_add_xml(strbuf *b, const char *text);

/* Write the whole buffer to `f` and flush it. Returns 0, or -1 when the buffer is incomplete
 * or the write failed. */
int strbuf_write(const strbuf *b, FILE *f);
/* Replace the file at `path` with the buffer. Returns 0 or -1 (errno says why). */
int strbuf_write_file(const strbuf *b, const char *path);

#endif
