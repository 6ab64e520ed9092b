/* SPDX-License-Identifier: MIT */
/* state_util.c -- blobs and configurations for the checkpoint tests (see state_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "state_util.h"

/* ---- blobs ---- */

/* Save s into buf (STATE_CAP bytes); returns the length. */
size_t save_blob(const sgdr_scheduler *s, unsigned char *buf)
{
    size_t len = 0;
    assert_int_equal(sgdr_save_state(s, buf, STATE_CAP, &len), SGDR_OK);
    assert_true(len > 0 && len <= STATE_CAP);
    return len;
}

uint32_t test_crc32c(const unsigned char *p, size_t n)
{
    uint32_t table[256], crc = 0xFFFFFFFFu;
    uint32_t i, k;
    for (i = 0; i < 256; i++) {
        uint32_t v = i;
        for (k = 0; k < 8; k++) v = (v & 1u) ? (v >> 1) ^ 0x82F63B78u : v >> 1;
        table[i] = v;
    }
    while (n--) crc = table[(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

void put_le(unsigned char *p, uint64_t v, int bytes)
{
    int i;
    for (i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    int i;
    for (i = bytes - 1; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

void put_le_f64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(p, bits, 8);
}

double get_le_f64(const unsigned char *p)
{
    uint64_t bits = get_le(p, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Rewrite the checksum (the last 4 bytes) of a blob of len bytes. */
void fix_crc(unsigned char *b, size_t len)
{
    put_le(b + len - 4, test_crc32c(b, len - 4), 4);
}

/* ---- configurations ---- */

/* Set every parameter of a list ending with p == 0. */
void apply_params(sgdr_scheduler *s, const param_value *list)
{
    for (; list->p != 0; list++) assert_int_equal(sgdr_set_param(s, list->p, list->v), SGDR_OK);
}
