/* SPDX-License-Identifier: MIT */
/* numfmt.h -- numbers and messages as text, the same in every locale. */
#ifndef SGDR_NUMFMT_H
#define SGDR_NUMFMT_H

#include <stdarg.h>
#include <stddef.h>

/* Room for any double printed by sgdr_numfmt(), with its NUL. */
#define SGDR_NUMFMT_CAP 32

/* Print v as "%.17g" (reads back to the same double) with '.' as the decimal point whatever
 * the process locale; "nan", "inf", "-inf" for the non-finite. Returns the length. */
size_t sgdr_numfmt(char out[SGDR_NUMFMT_CAP], double v);

/* Print an unsigned 64-bit integer in decimal. Returns the length. */
size_t sgdr_u64fmt(char out[SGDR_NUMFMT_CAP], unsigned long long v);

/* Concatenate the strings given (a NULL ends the list) into msg, truncating to cap - 1
 * bytes; msg is always NUL-terminated when cap > 0. */
void sgdr_msgf(char *msg, size_t cap, const char *first, ...);

/* sgdr_msgf with the list of strings as a va_list. */
void sgdr_vmsgf(char *msg, size_t cap, const char *first, va_list ap);

#endif
