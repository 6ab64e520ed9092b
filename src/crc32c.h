/* SPDX-License-Identifier: MIT */
/* crc32c.h -- CRC-32C (Castagnoli), the integrity check of the state blob. */
#ifndef SGDR_CRC32C_H
#define SGDR_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of data[0..len): reflected polynomial 0x82F63B78, initial value and final xor
 * 0xFFFFFFFF (the iSCSI / ext4 / SSE4.2 crc32 variant; "123456789" gives 0xE3069283). */
uint32_t sgdr_crc32c(const void *data, size_t len);

#endif
