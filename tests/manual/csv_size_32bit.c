/* SPDX-License-Identifier: MIT */
/* csv_size_32bit.c -- sgdr_history_to_csv on a 32-bit system, with a history whose CSV text
 * is longer than 2^32 bytes (180 000 rows x 1000 metrics of 24 characters, 1.4 GB of
 * values): the library must refuse it with SGDR_ENOMEM instead of counting its length
 * modulo 2^32 (which then made the second call write past the buffer). Not part of ctest:
 * it needs 1.5 GB and about 3 minutes. Build and run, from the top of the tree:
 *
 *   mkdir -p build/m32
 *   gcc -m32 -O2 -shared -fPIC -fvisibility=hidden -DSGDR_BUILDING \
 *       -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc src/[a-z]*.c -o build/m32/libsgdr.so -lm
 *   gcc -m32 -O2 -Iinclude tests/manual/csv_size_32bit.c -o build/m32/csv_size_32bit \
 *       -Lbuild/m32 -lsgdr -Wl,-rpath,$PWD/build/m32
 *   build/m32/csv_size_32bit     # exit status 0: refused as it must be
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include "sgdr.h"
int main(void)
{
    enum { COLS = 1000 };
    static sgdr_metric m[COLS];
    static char names[COLS][8];
    sgdr_scheduler *s;
    size_t len = 0, rows = 0, i, b;
    sgdr_status st;
    for (i = 0; i < COLS; i++) {
        snprintf(names[i], sizeof names[i], "m%zu", i);
        m[i].name = names[i];
        m[i].value = -2.2250738585072014e-308; /* 24 characters as %.17g */
    }
    sgdr_create(&s);
    sgdr_set_param(s, SGDR_PARAM_MIN_LR, 0.001);
    sgdr_set_param(s, SGDR_PARAM_MAX_LR, 0.1);
    sgdr_set_param(s, SGDR_PARAM_STEPS_PER_EPOCH, 1000000000);
    sgdr_on_train_begin(s);
    for (b = 0; b < 180000; b++)
        if ((st = sgdr_on_batch_end(s, b, m, COLS)) != SGDR_OK) {
            printf("batch %zu: %s\n", b, sgdr_last_error(s));
            break;
        }
    sgdr_history_rows(s, &rows);
    st = sgdr_history_to_csv(s, NULL, 0, &len);
    printf("sizeof(size_t) %zu, rows %zu, to_csv status %d len %zu: %s\n", sizeof(size_t), rows,
           (int)st, len, st ? sgdr_last_error(s) : "");
    return st == SGDR_ENOMEM ? 0 : 1;
}
