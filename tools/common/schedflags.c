/* SPDX-License-Identifier: MIT */
/* schedflags.c -- the schedule parameters as command-line flags (see schedflags.h). */
#include "schedflags.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The parameters a command line may set, in the order --help lists them, with a one-line
 * meaning; names, kinds and defaults come from the library. restore_at_end and history
 * concern a training run's host, not the schedule's numbers, so no tool offers them
 * (80-docs holds this list to the library's parameters). */
static const struct {
    sgdr_param param;
    const char *help;
} flags[] = {
    {SGDR_PARAM_MIN_LR, "floor of every cycle"},
    {SGDR_PARAM_MAX_LR, "peak of the first cycle"},
    {SGDR_PARAM_STEPS_PER_EPOCH, "batches in one epoch"},
    {SGDR_PARAM_LR_DECAY, "peak multiplier applied at each restart"},
    {SGDR_PARAM_CYCLE_LENGTH, "epochs in the first cycle"},
    {SGDR_PARAM_MULT_FACTOR, "cycle length multiplier, C[k+1] = ceil(C[k] * X)"},
    {SGDR_PARAM_RESTART_MODE, "peak or keras-seed"},
    {SGDR_PARAM_WARMUP_EPOCHS, "linear warm-up epochs before the first cycle (peak)"},
    {SGDR_PARAM_WARMUP_START_LR, "learning rate of the first warm-up batch"},
    {SGDR_PARAM_MAX_CYCLES, "cycles before holding min-lr, 0 = unlimited (peak)"},
    {SGDR_PARAM_CYCLE_WARMUP_STEPS, "batches rising from min-lr at every cycle's start (peak)"},
};
#define N_FLAGS (sizeof flags / sizeof flags[0])

/* "--min-lr" for SGDR_PARAM_MIN_LR: the library's name with dashes. */
static void flag_name(sgdr_param p, char *out, size_t cap)
{
    const char *name = sgdr_param_name(p);
    size_t i = 0;
    if (cap < 3 || name == NULL) {
        if (cap > 0) out[0] = '\0';
        return;
    }
    out[i++] = '-';
    out[i++] = '-';
    for (; *name != '\0' && i + 1 < cap; name++) out[i++] = *name == '_' ? '-' : *name;
    out[i] = '\0';
}

int schedflag_find(const char *flag, sgdr_param *param)
{
    size_t i;
    for (i = 0; i < N_FLAGS; i++) {
        char name[48];
        flag_name(flags[i].param, name, sizeof name);
        if (strcmp(name, flag) == 0) {
            *param = flags[i].param;
            return 0;
        }
    }
    return -1;
}

int schedflag_set(sgdr_scheduler *s, sgdr_param param, const char *value, char *err,
                  size_t cap)
{
    char name[48];
    double v;
    sgdr_status st;
    flag_name(param, name, sizeof name);
    if (param == SGDR_PARAM_RESTART_MODE) {
        if (strcmp(value, "peak") == 0) v = SGDR_RESTART_PEAK;
        else if (strcmp(value, "keras-seed") == 0) v = SGDR_RESTART_KERAS_SEED;
        else {
            snprintf(err, cap, "%s '%s': expected peak or keras-seed", name, value);
            return -1;
        }
    } else if (cli_parse_double(value, &v) != 0) {
        snprintf(err, cap, "%s '%s': not a number", name, value);
        return -1;
    }
    st = sgdr_set_param(s, param, v);
    if (st != SGDR_OK) {
        snprintf(err, cap, "%s '%s': %s", name, value, sgdr_last_error(s));
        return -1;
    }
    return 0;
}

int schedflag_require(const sgdr_scheduler *s, char *err, size_t cap)
{
    size_t i;
    for (i = 0; i < N_FLAGS; i++) {
        sgdr_param_desc d;
        double v;
        if (sgdr_param_describe(flags[i].param, &d) == SGDR_OK && d.required &&
            sgdr_get_param(s, flags[i].param, &v) == SGDR_OK && isnan(v)) {
            char name[48];
            flag_name(flags[i].param, name, sizeof name);
            snprintf(err, cap, "%s is required", name);
            return -1;
        }
    }
    return 0;
}

/* The name of a flag's value in --help: X for a real, N for an integer, MODE for the one
 * enum. */
static const char *meta(sgdr_param p)
{
    sgdr_param_desc d;
    if (sgdr_param_describe(p, &d) != SGDR_OK) return "VALUE";
    return d.kind == SGDR_KIND_REAL ? "X" : d.kind == SGDR_KIND_INTEGER ? "N" : "MODE";
}

void schedflag_value_text(const sgdr_scheduler *s, sgdr_param p, char *out, size_t cap)
{
    double v = NAN;
    sgdr_get_param(s, p, &v);
    if (isnan(v)) snprintf(out, cap, "required");
    else if (p == SGDR_PARAM_RESTART_MODE)
        snprintf(out, cap, "%s", v == SGDR_RESTART_KERAS_SEED ? "keras-seed" : "peak");
    else snprintf(out, cap, "%.10g", v); /* 0.1, not 0.10000000000000001 */
}

void schedflag_help(strbuf *b, const sgdr_scheduler *defaults, const sgdr_param *skip)
{
    size_t i;
    for (i = 0; i < N_FLAGS; i++) {
        char name[48], def[64], left[64];
        const sgdr_param *k;
        int skipped = 0;
        for (k = skip; k != NULL && *k != 0; k++) skipped |= *k == flags[i].param;
        if (skipped) continue;
        flag_name(flags[i].param, name, sizeof name);
        schedflag_value_text(defaults, flags[i].param, def, sizeof def);
        snprintf(left, sizeof left, "%s %s", name, meta(flags[i].param));
        strbuf_printf(b, "  %-24s %s (%s%s)\n", left, flags[i].help,
                      strcmp(def, "required") == 0 ? "" : "default ", def);
    }
}
