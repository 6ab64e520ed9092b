/* SPDX-License-Identifier: MIT */
/* crc32c.c -- CRC-32C, bit by bit. The blob is under 200 bytes, so a table (and its
 * initialisation or 1 KiB of constants) would buy nothing that matters. */
#include "crc32c.h"

uint32_t sgdr_crc32c(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int bit;
    for (i = 0; i < len; i++) {
        crc ^= p[i];
        for (bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}
