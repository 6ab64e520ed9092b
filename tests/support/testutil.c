/* SPDX-License-Identifier: MIT */
/* testutil.c -- golden-vector loading and test data paths, shared by the tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *test_data_path(const char *relative)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", SGDR_TEST_DATA, relative);
    return path;
}

int test_short(void)
{
    const char *v = getenv("SGDR_TEST_SHORT");
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static double field(const char *line, const char *key)
{
    char pat[64];
    const char *p;
    snprintf(pat, sizeof pat, " %s=", key);
    p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : -1;
}

static long parse_list(const char *line, long *out, size_t cap, size_t *n)
{
    const char *p = strchr(line, '=');
    *n = 0;
    if (p == NULL) return -1;
    p++;
    if (strncmp(p, "none", 4) == 0) return 0;
    while (*p && *p != '\n' && *n < cap) {
        char *end;
        out[(*n)++] = strtol(p, &end, 10);
        if (end == p) break;
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

int golden_load(const char *file, golden *g)
{
    char rel[256], line[1024];
    FILE *f;
    size_t cap = 0;
    memset(g, 0, sizeof *g);
    snprintf(g->name, sizeof g->name, "%s", file);
    snprintf(rel, sizeof rel, "golden/%s", file);
    f = fopen(test_data_path(rel), "r");
    if (f == NULL) return -1;
    g->restored_epoch = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# mode=", 7) == 0) {
            g->mode = strncmp(line + 7, "keras-seed", 10) == 0;
            g->min_lr = field(line, "min_lr");
            g->max_lr = field(line, "max_lr");
            g->steps_per_epoch = field(line, "steps_per_epoch");
            g->lr_decay = field(line, "lr_decay");
            g->cycle_length = field(line, "cycle_length");
            g->mult_factor = field(line, "mult_factor");
            g->epochs = (uint64_t)field(line, "epochs");
            g->warmup_epochs = field(line, "warmup_epochs");
            g->warmup_start_lr = field(line, "warmup_start_lr");
            g->max_cycles = field(line, "max_cycles");
            g->cycle_warmup_steps = field(line, "cycle_warmup_steps"); /* 1.1 files only */
            if (g->cycle_warmup_steps < 0) g->cycle_warmup_steps = 0;
        } else if (strncmp(line, "# snapshot_epochs=", 18) == 0) {
            parse_list(line, g->snapshot_epochs, 64, &g->n_snapshots);
        } else if (strncmp(line, "# restored_epoch=", 17) == 0) {
            g->restored_epoch = strncmp(line + 17, "none", 4) == 0 ? -1 : strtol(line + 17, NULL, 10);
        } else if (line[0] >= '0' && line[0] <= '9') {
            if (g->n == cap) {
                cap = cap ? cap * 2 : 256;
                g->step = realloc(g->step, cap * sizeof *g->step);
                g->epoch = realloc(g->epoch, cap * sizeof *g->epoch);
                g->lr = realloc(g->lr, cap * sizeof *g->lr);
                if (!g->step || !g->epoch || !g->lr) {
                    fclose(f);
                    return -1;
                }
            }
            {
                char *p = line;
                g->step[g->n] = strtoull(p, &p, 10);
                g->epoch[g->n] = strtoull(p + 1, &p, 10);
                g->lr[g->n] = strtod(p + 1, NULL);
                g->n++;
            }
        }
    }
    fclose(f);
    return g->n > 0 ? 0 : -1;
}

void golden_free(golden *g)
{
    free(g->step);
    free(g->epoch);
    free(g->lr);
    memset(g, 0, sizeof *g);
}

sgdr_scheduler *golden_scheduler(const golden *g)
{
    sgdr_scheduler *s;
    if (sgdr_create(&s) != SGDR_OK) return NULL;
    if (sgdr_set_param(s, SGDR_PARAM_MIN_LR, g->min_lr) || sgdr_set_param(s, SGDR_PARAM_MAX_LR, g->max_lr) ||
        sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, g->steps_per_epoch) ||
        sgdr_set_param(s, SGDR_PARAM_LR_DECAY, g->lr_decay) ||
        sgdr_set_param(s, SGDR_PARAM_CYCLE_LENGTH, g->cycle_length) ||
        sgdr_set_param(s, SGDR_PARAM_MULT_FACTOR, g->mult_factor) ||
        sgdr_set_param(s, SGDR_PARAM_RESTART_MODE, g->mode) ||
        sgdr_set_param(s, SGDR_PARAM_WARMUP_EPOCHS, g->warmup_epochs) ||
        sgdr_set_param(s, SGDR_PARAM_WARMUP_START_LR, g->warmup_start_lr) ||
        sgdr_set_param(s, SGDR_PARAM_MAX_CYCLES, g->max_cycles) ||
        sgdr_set_param(s, SGDR_PARAM_CYCLE_WARMUP_STEPS, g->cycle_warmup_steps)) {
        sgdr_destroy(s);
        return NULL;
    }
    return s;
}
