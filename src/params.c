/* SPDX-License-Identifier: MIT */
/* params.c -- the parameter table, and the rules of a configuration. The table drives the
 * names both ways, set, get, every check and its message, and the state codec. */
#include <math.h>
#include <string.h>

#include "handle.h"

#define F(field) offsetof(sgdr_config, field)
#define INT_MAX_P 4294967295.0 /* products of two integer parameters fit in 64 bits */
#define V1_0 10000 /* SGDR_VERSION_NUMBER of the release that added a parameter */
#define V1_1 10100

/* Indexed by id - 1; sgdr_param_describe() hands these rows out as they are. */
#define ROW(p) [(p) - 1]
static const sgdr_param_info table[] = {
    ROW(SGDR_PARAM_MIN_LR) = {.name = "min_lr", .kind = SGDR_KIND_REAL, .lo = 0,
        .required = 1, .def = NAN, .field = F(min_lr), .since = V1_0},
    ROW(SGDR_PARAM_MAX_LR) = {.name = "max_lr", .kind = SGDR_KIND_REAL, .lo = 0, .strict = 1,
        .required = 1, .def = NAN, .field = F(max_lr), .since = V1_0},
    ROW(SGDR_PARAM_STEPS_PER_EPOCH) = {.name = "steps_per_epoch", .kind = SGDR_KIND_INTEGER,
        .lo = 1, .hi = INT_MAX_P, .required = 1, .def = NAN, .field = F(steps_per_epoch),
        .since = V1_0},
    ROW(SGDR_PARAM_LR_DECAY) = {.name = "lr_decay", .kind = SGDR_KIND_REAL, .lo = 0,
        .strict = 1, .def = 1, .field = F(lr_decay), .since = V1_0},
    ROW(SGDR_PARAM_CYCLE_LENGTH) = {.name = "cycle_length", .kind = SGDR_KIND_INTEGER, .lo = 1,
        .hi = INT_MAX_P, .def = 10, .field = F(cycle_length), .since = V1_0},
    ROW(SGDR_PARAM_MULT_FACTOR) = {.name = "mult_factor", .kind = SGDR_KIND_REAL, .lo = 1,
        .def = 2, .field = F(mult_factor), .since = V1_0},
    ROW(SGDR_PARAM_RESTART_MODE) = {.name = "restart_mode", .kind = SGDR_KIND_ENUM, .lo = 0,
        .hi = 1, .def = SGDR_RESTART_PEAK, .field = F(restart_mode), .since = V1_0,
        .choices = "0 (SGDR_RESTART_PEAK) or 1 (SGDR_RESTART_KERAS_SEED)"},
    ROW(SGDR_PARAM_WARMUP_EPOCHS) = {.name = "warmup_epochs", .kind = SGDR_KIND_INTEGER,
        .lo = 0, .hi = INT_MAX_P, .def = 0, .field = F(warmup_epochs), .since = V1_0},
    ROW(SGDR_PARAM_WARMUP_START_LR) = {.name = "warmup_start_lr", .kind = SGDR_KIND_REAL,
        .lo = 0, .def = 0, .field = F(warmup_start_lr), .since = V1_0},
    ROW(SGDR_PARAM_MAX_CYCLES) = {.name = "max_cycles", .kind = SGDR_KIND_INTEGER, .lo = 0,
        .hi = INT_MAX_P, .def = 0, .field = F(max_cycles), .since = V1_0},
    ROW(SGDR_PARAM_RESTORE_AT_END) = {.name = "restore_at_end", .kind = SGDR_KIND_BOOLEAN,
        .lo = 0, .hi = 1, .def = 1, .field = F(restore_at_end), .since = V1_0,
        .choices = "0 or 1"},
    ROW(SGDR_PARAM_HISTORY) = {.name = "history", .kind = SGDR_KIND_BOOLEAN, .lo = 0, .hi = 1,
        .def = 1, .field = F(history), .since = V1_0, .choices = "0 or 1"},
    ROW(SGDR_PARAM_CYCLE_WARMUP_STEPS) = {.name = "cycle_warmup_steps",
        .kind = SGDR_KIND_INTEGER, .lo = 0, .hi = INT_MAX_P, .def = 0,
        .field = F(cycle_warmup_steps), .since = V1_1},
};
/* One row per id of sgdr_param: a row added without SGDR_PARAM_LAST, or the reverse, does
 * not compile (a row left out in between is caught by test_describe). */
SGDR_STATIC_ASSERT(sizeof table / sizeof table[0] == SGDR_PARAM_LAST, param_table_length);

const sgdr_param_info *sgdr_param_row(int p)
{
    return p >= 1 && p <= SGDR_PARAM_LAST ? &table[p - 1] : NULL;
}

const char *sgdr_param_name(sgdr_param p)
{
    const sgdr_param_info *r = sgdr_param_row((int)p);
    return r != NULL ? r->name : NULL;
}

sgdr_status sgdr_param_describe(sgdr_param p, sgdr_param_desc *out)
{
    const sgdr_param_info *r = sgdr_param_row((int)p);
    if (out == NULL) return SGDR_ENULL;
    if (r == NULL) return SGDR_EBADPARAM;
    out->name = r->name;
    out->kind = r->kind;
    out->required = r->required;
    out->default_value = r->def;
    out->lower = r->lo;
    out->lower_inclusive = !r->strict;
    out->upper = r->kind == SGDR_KIND_REAL ? HUGE_VAL : r->hi;
    out->upper_inclusive = r->kind != SGDR_KIND_REAL;
    out->since = r->since;
    return SGDR_OK;
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
    else if (r->kind == SGDR_KIND_INTEGER) *(uint64_t *)(void *)field = (uint64_t)v;
    else *(int *)(void *)field = (int)v;
}

double sgdr_config_get(const sgdr_config *c, const sgdr_param_info *r)
{
    const char *field = (const char *)c + r->field;
    if (r->required && !(c->set & (1u << (r - table)))) return NAN;
    if (r->kind == SGDR_KIND_REAL) return *(const double *)(const void *)field;
    if (r->kind == SGDR_KIND_INTEGER) return (double)*(const uint64_t *)(const void *)field;
    return *(const int *)(const void *)field;
}

void sgdr_config_defaults(sgdr_config *c)
{
    int i;
    memset(c, 0, sizeof *c);
    for (i = 0; i < SGDR_PARAM_LAST; i++) /* an unset count holds 0, not NaN */
        if (table[i].kind != SGDR_KIND_INTEGER || !table[i].required)
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
        if (r->kind == SGDR_KIND_INTEGER)
            return sgdr_format(msg, cap, SGDR_EVALUE, "%s (%g) must be an integer from %g to %g",
                               r->name, v, r->lo, r->hi);
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
