/* SPDX-License-Identifier: MIT */
/* schedflags.h -- the schedule parameters as command-line flags.
 *
 * docs/SPEC.md §8: a flag is the parameter's name (sgdr_param_name) with dashes, so `min_lr` is
 * `--min-lr`. Values go straight to sgdr_set_param, so the library's own validation and
 * messages apply; `--restart-mode` takes the names `peak` and `keras-seed`. */
#ifndef SGDR_TOOLS_SCHEDFLAGS_H
#define SGDR_TOOLS_SCHEDFLAGS_H

#include <stddef.h>

#include "sgdr.h"
#include "strbuf.h"

/* Look up a flag ("--min-lr") among the schedule flags. Returns 0 and the parameter, or -1
 * when the flag is not one of them. */
int schedflag_find(const char *flag, sgdr_param *param);

/* Set `param` on `s` from the text `value`. Returns 0, or -1 with a message in err naming the
 * flag, the value and the rule it breaks. */
int schedflag_set(sgdr_scheduler *s, sgdr_param param, const char *value, char *err,
                  size_t cap);

/* Whether a required parameter (min_lr, max_lr, steps_per_epoch) is still unset on `s`.
 * Returns 0 when all are set, else -1 with a message naming the first missing flag. */
int schedflag_require(const sgdr_scheduler *s, char *err, size_t cap);

/* Append one help line per schedule flag, with the library's default for each. Flags in
 * `skip` (terminated by 0) are left out: a program that derives a parameter itself (the
 * trainer computes steps_per_epoch from its data) does not offer it. `defaults` supplies
 * the values shown as defaults. */
void schedflag_help(strbuf *b, const sgdr_scheduler *defaults, const sgdr_param *skip);

/* Format parameter `p` of `s` for people (10 significant digits): "0.1", "peak",
 * "required". */
void schedflag_value_text(const sgdr_scheduler *s, sgdr_param p, char *out, size_t cap);

#endif
