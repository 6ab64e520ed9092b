/* SPDX-License-Identifier: MIT */
/* params.c -- the parameter table, and the rules of a configuration. The table drives the
 * names both ways, set, get, every check and its message, and the state codec. */
#include <math.h>
#include <string.h>

#include "handle.h"

#define F(field) offsetof(sgdr_config, field)
#define INT_MAX_P 4294967295.0 /* products of two integer parameters fit in 64 bits */

static const sgdr_param_info table[SGDR_PARAM_LAST] = {
    {"min_lr", SGDR_KIND_REAL, 0, 0, 0, 1, NAN, F(min_lr), 16, NULL},
    {"max_lr", SGDR_KIND_REAL, 0, 0, 1, 1, NAN, F(max_lr), 24, NULL},
    {"steps_per_epoch", SGDR_KIND_COUNT, 1, INT_MAX_P, 0, 1, NAN, F(steps_per_epoch), 56, NULL},
    {"lr_decay", SGDR_KIND_REAL, 0, 0, 1, 0, 1, F(lr_decay), 32, NULL},
    {"cycle_length", SGDR_KIND_COUNT, 1, INT_MAX_P, 0, 0, 10, F(cycle_length), 64, NULL},
    {"mult_factor", SGDR_KIND_REAL, 1, 0, 0, 0, 2, F(mult_factor), 40, NULL},
    {"restart_mode", SGDR_KIND_CHOICE, 0, 1, 0, 0, SGDR_RESTART_PEAK, F(restart_mode), 88,
     "0 (SGDR_RESTART_PEAK) or 1 (SGDR_RESTART_KERAS_SEED)"},
    {"warmup_epochs", SGDR_KIND_COUNT, 0, INT_MAX_P, 0, 0, 0, F(warmup_epochs), 72, NULL},
    {"warmup_start_lr", SGDR_KIND_REAL, 0, 0, 0, 0, 0, F(warmup_start_lr), 48, NULL},
    {"max_cycles", SGDR_KIND_COUNT, 0, INT_MAX_P, 0, 0, 0, F(max_cycles), 80, NULL},
    {"restore_at_end", SGDR_KIND_CHOICE, 0, 1, 0, 0, 1, F(restore_at_end), 89, "0 or 1"},
    {"history", SGDR_KIND_CHOICE, 0, 1, 0, 0, 1, F(history), 90, "0 or 1"},
    {"cycle_warmup_steps", SGDR_KIND_COUNT, 0, INT_MAX_P, 0, 0, 0, F(cycle_warmup_steps), 184,
     NULL},
};

const sgdr_param_info *sgdr_param_row(int p)
{
    return p >= 1 && p <= SGDR_PARAM_LAST ? &table[p - 1] : NULL;
}

const char *sgdr_param_name(sgdr_param p)
{
    const sgdr_param_info *r = sgdr_param_row((int)p);
    return r != NULL ? r->name : NULL;
}

sgdr_status sgdr_param_from_name(const char *name, sgdr_param *p)
{
    int i;
    if (name == NULL || p == NULL) return SGDR_ENULL;
    for (i = 1; i <= SGDR_PARAM_LAST; i++) {
        if (strcmp(name, table[i - 1].name) == 0) {
            *p = (sgdr_param)i;
            return SGDR_OK;
        }
    }
    return SGDR_EBADPARAM;
}

static void store(sgdr_config *c, const sgdr_param_info *r, double v)
{
    char *field = (char *)c + r->field;
    if (r->kind == SGDR_KIND_REAL) memcpy(field, &v, sizeof v);
    else if (r->kind == SGDR_KIND_COUNT) *(uint64_t *)(void *)field = (uint64_t)v;
    else *(int *)(void *)field = (int)v;
}

double sgdr_config_get(const sgdr_config *c, const sgdr_param_info *r)
{
    const char *field = (const char *)c + r->field;
    if (r->required && !(c->set & (1u << (r - table)))) return NAN;
    if (r->kind == SGDR_KIND_REAL) return *(const double *)(const void *)field;
    if (r->kind == SGDR_KIND_COUNT) return (double)*(const uint64_t *)(const void *)field;
    return *(const int *)(const void *)field;
}

void sgdr_config_defaults(sgdr_config *c)
{
    int i;
    memset(c, 0, sizeof *c);
    for (i = 0; i < SGDR_PARAM_LAST; i++) /* an unset count holds 0, not NaN */
        if (table[i].kind != SGDR_KIND_COUNT || !table[i].required)
            store(c, &table[i], table[i].def);
}

sgdr_status sgdr_config_set(sgdr_config *c, sgdr_param p, double v, char *msg, size_t cap)
{
    const sgdr_param_info *r = sgdr_param_row((int)p);
    if (r == NULL)
        return sgdr_format(msg, cap, SGDR_EBADPARAM, "unknown parameter id %g (valid ids are 1 "
                           "to %llu)", (double)(int)p, (unsigned long long)SGDR_PARAM_LAST);
    if (r->kind == SGDR_KIND_REAL) {
        if (!isfinite(v) || (r->strict ? !(v > r->lo) : !(v >= r->lo)))
            return sgdr_format(msg, cap, SGDR_EVALUE, "%s (%g) must be finite and %s %g",
                               r->name, v, r->strict ? "greater than" : "at least", r->lo);
    } else if (!(v >= r->lo && v <= r->hi && v == floor(v))) {
        if (r->kind == SGDR_KIND_COUNT)
            return sgdr_format(msg, cap, SGDR_EVALUE, "%s (%g) must be an integer from %g to "
                               "4294967295", r->name, v, r->lo);
        return sgdr_format(msg, cap, SGDR_EVALUE, "%s (%g) must be %s", r->name, v, r->choices);
    }
    store(c, r, v);
    if (r->required) c->set |= 1u << (p - 1);
    return SGDR_OK;
}

/* Each value alone passed sgdr_config_set already: sgdr_set_param stores nothing else, and
 * sgdr_load_state checks every value of a blob by the same rules first. */
sgdr_status sgdr_config_check(const sgdr_config *c, char *msg, size_t cap)
{
    const sgdr_status bad = SGDR_ECONFIG;
    int i;
    for (i = 0; i < SGDR_PARAM_LAST; i++)
        if (table[i].required && !(c->set & (1u << i)))
            return sgdr_format(msg, cap, bad, "%s is required and has not been set",
                               table[i].name);
    if (!(c->max_lr > c->min_lr))
        return sgdr_format(msg, cap, bad, "max_lr (%g) must be greater than min_lr (%g)",
                           c->max_lr, c->min_lr);
    if (!(c->warmup_start_lr <= c->max_lr))
        return sgdr_format(msg, cap, bad, "warmup_start_lr (%g) must not exceed max_lr (%g)",
                           c->warmup_start_lr, c->max_lr);
    if (c->restart_mode == SGDR_RESTART_KERAS_SEED) {
        if (c->warmup_epochs != 0)
            return sgdr_format(msg, cap, bad, "warmup_epochs (%llu) must be 0 in keras-seed mode "
                               "(warm-up is a peak-mode feature)",
                               (unsigned long long)c->warmup_epochs);
        if (c->max_cycles != 0)
            return sgdr_format(msg, cap, bad, "max_cycles (%llu) must be 0 in keras-seed mode (a "
                               "cycle limit is a peak-mode feature)",
                               (unsigned long long)c->max_cycles);
        if (c->cycle_warmup_steps != 0)
            return sgdr_format(msg, cap, bad, "cycle_warmup_steps (%llu) must be 0 when "
                               "restart_mode is 1 (keras-seed): warm-up at every restart is a "
                               "peak-mode feature", (unsigned long long)c->cycle_warmup_steps);
    }
    if (c->cycle_warmup_steps != 0 && c->warmup_epochs != 0)
        return sgdr_format(msg, cap, bad, "cycle_warmup_steps (%llu) and warmup_epochs (%llu) "
                           "cannot both be used: set one of them to 0",
                           (unsigned long long)c->cycle_warmup_steps,
                           (unsigned long long)c->warmup_epochs);
    if (c->cycle_warmup_steps != 0 && c->cycle_warmup_steps >= c->steps_per_epoch * c->cycle_length)
        return sgdr_format(msg, cap, bad, "cycle_warmup_steps (%llu) must be less than the "
                           "batches of the first cycle, steps_per_epoch (%llu) * cycle_length "
                           "(%llu)", (unsigned long long)c->cycle_warmup_steps,
                           (unsigned long long)c->steps_per_epoch,
                           (unsigned long long)c->cycle_length);
    return SGDR_OK;
}
