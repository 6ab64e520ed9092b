/* SPDX-License-Identifier: MIT */
/* dlopen_consumer.c -- libsgdr loaded the way an FFI loads it: no link-time dependency,
 * dlopen("libsgdr.so.1") (or the path in argv[1]) and dlsym for every public function.
 * Only sgdr.h's types and constants are used at compile time.
 *
 *   dlopen_consumer --list     print the names it resolves, one per line (the check script
 *                              compares them with src/sgdr.map and sgdr.h)
 *   dlopen_consumer [LIBRARY]  resolve them all and run a short schedule
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <sgdr.h>

/* Every function of the public ABI, in sgdr.h's order. */
static const char *const names[] = {
    "sgdr_version_number", "sgdr_version_string", "sgdr_create",
    "sgdr_create_with_allocator", "sgdr_destroy", "sgdr_set_param", "sgdr_get_param",
    "sgdr_param_name", "sgdr_param_from_name", "sgdr_param_describe", "sgdr_set_lr_hooks",
    "sgdr_set_weight_hooks",
    "sgdr_on_train_begin", "sgdr_on_batch_end", "sgdr_on_epoch_end", "sgdr_on_train_end",
    "sgdr_lr", "sgdr_lr_at", "sgdr_get_progress", "sgdr_history_rows", "sgdr_history_columns",
    "sgdr_history_column_name", "sgdr_history_find", "sgdr_history_copy",
    "sgdr_history_to_csv", "sgdr_history_write_csv", "sgdr_save_state", "sgdr_load_state",
    "sgdr_strerror", "sgdr_status_name", "sgdr_last_error",
};
#define N_NAMES (sizeof names / sizeof names[0])

/* The functions the schedule below calls, through pointers of their exact types. */
typedef struct api {
    unsigned (*version_number)(void);
    const char *(*version_string)(void);
    sgdr_status (*create)(sgdr_scheduler **);
    void (*destroy)(sgdr_scheduler *);
    sgdr_status (*set_param)(sgdr_scheduler *, sgdr_param, double);
    sgdr_status (*param_from_name)(const char *, sgdr_param *);
    sgdr_status (*set_lr_hooks)(sgdr_scheduler *, sgdr_get_lr_fn, sgdr_set_lr_fn, void *);
    sgdr_status (*on_train_begin)(sgdr_scheduler *);
    sgdr_status (*on_batch_end)(sgdr_scheduler *, uint64_t, const sgdr_metric *, size_t);
    sgdr_status (*on_epoch_end)(sgdr_scheduler *, uint64_t, const sgdr_metric *, size_t);
    sgdr_status (*on_train_end)(sgdr_scheduler *, const sgdr_metric *, size_t);
    sgdr_status (*lr_at)(const sgdr_scheduler *, uint64_t, double *);
    sgdr_status (*history_rows)(const sgdr_scheduler *, size_t *);
    const char *(*last_error)(const sgdr_scheduler *);
} api;

/* dlsym returns an object pointer; POSIX guarantees it converts to the function's type.
 * memcpy makes that conversion without a cast ISO C would warn about. */
static int resolve(void *lib, const char *name, void *fn_ptr, size_t size)
{
    void *sym = dlsym(lib, name);
    if (sym == NULL) {
        fprintf(stderr, "dlopen_consumer: %s not found: %s\n", name, dlerror());
        return 1;
    }
    if (fn_ptr != NULL) memcpy(fn_ptr, &sym, size);
    return 0;
}
#define RESOLVE(lib, field, name) resolve(lib, name, &a->field, sizeof a->field)

static int resolve_api(void *lib, api *a)
{
    return RESOLVE(lib, version_number, "sgdr_version_number") |
           RESOLVE(lib, version_string, "sgdr_version_string") |
           RESOLVE(lib, create, "sgdr_create") | RESOLVE(lib, destroy, "sgdr_destroy") |
           RESOLVE(lib, set_param, "sgdr_set_param") |
           RESOLVE(lib, param_from_name, "sgdr_param_from_name") |
           RESOLVE(lib, set_lr_hooks, "sgdr_set_lr_hooks") |
           RESOLVE(lib, on_train_begin, "sgdr_on_train_begin") |
           RESOLVE(lib, on_batch_end, "sgdr_on_batch_end") |
           RESOLVE(lib, on_epoch_end, "sgdr_on_epoch_end") |
           RESOLVE(lib, on_train_end, "sgdr_on_train_end") |
           RESOLVE(lib, lr_at, "sgdr_lr_at") | RESOLVE(lib, history_rows, "sgdr_history_rows") |
           RESOLVE(lib, last_error, "sgdr_last_error");
}

static int set_lr(void *user, double lr)
{
    *(double *)user = lr;
    return 0;
}

/* Set a parameter by its name, as an FFI that reads names from its user would. */
static int set_named(const api *a, sgdr_scheduler *s, const char *name, double value)
{
    sgdr_param p;
    if (a->param_from_name(name, &p) != SGDR_OK) return 1;
    return a->set_param(s, p, value) != SGDR_OK;
}

/* Three epochs of four batches; every lr handed to set_lr must equal lr_at. */
static int run(const api *a)
{
    sgdr_scheduler *s = NULL;
    double lr = 0, want = 0;
    uint64_t epoch, batch, step = 0;
    size_t rows = 0;
    int bad = 0;
    if (a->create(&s) != SGDR_OK) return 1;
    bad |= set_named(a, s, "min_lr", 1e-4) | set_named(a, s, "max_lr", 0.1) |
           set_named(a, s, "steps_per_epoch", 4) | set_named(a, s, "cycle_length", 1);
    bad |= a->set_lr_hooks(s, NULL, set_lr, &lr) != SGDR_OK;
    bad |= a->on_train_begin(s) != SGDR_OK;
    for (epoch = 0; epoch < 3 && !bad; epoch++) {
        for (batch = 0; batch < 4 && !bad; batch++, step++) {
            sgdr_metric loss = {"loss", 0.5};
            bad |= a->lr_at(s, step, &want) != SGDR_OK || want != lr;
            bad |= a->on_batch_end(s, batch, &loss, 1) != SGDR_OK;
        }
        bad |= a->on_epoch_end(s, epoch, NULL, 0) != SGDR_OK;
    }
    bad |= a->on_train_end(s, NULL, 0) != SGDR_OK;
    bad |= a->history_rows(s, &rows) != SGDR_OK || rows != 12;
    /* A refused call reports through the library's message. */
    bad |= a->set_param(s, SGDR_PARAM_MAX_LR, -1) != SGDR_EVALUE ||
           strstr(a->last_error(s), "max_lr") == NULL;
    if (bad) fprintf(stderr, "dlopen_consumer: schedule failed: %s\n", a->last_error(s));
    a->destroy(s);
    return bad;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "libsgdr.so.1";
    void *lib;
    api a;
    size_t i;
    int missing = 0, rc;

    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (i = 0; i < N_NAMES; i++) printf("%s\n", names[i]);
        return 0;
    }
    lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen_consumer: %s\n", dlerror());
        return 1;
    }
    for (i = 0; i < N_NAMES; i++) missing += resolve(lib, names[i], NULL, 0);
    if (missing || resolve_api(lib, &a)) {
        dlclose(lib);
        return 1;
    }
    if (a.version_number() / 10000 != SGDR_VERSION_MAJOR) {
        fprintf(stderr, "dlopen_consumer: %s is version %s\n", path, a.version_string());
        dlclose(lib);
        return 1;
    }
    rc = run(&a);
    if (rc == 0)
        printf("dlopen_consumer: %s %s: %zu functions resolved, schedule ok\n", path,
               a.version_string(), N_NAMES);
    dlclose(lib);
    return rc;
}
