/* SPDX-License-Identifier: MIT */
/* version.c -- the version of the library actually loaded. */
#include "sgdr.h"

unsigned sgdr_version_number(void)
{
    return SGDR_VERSION_NUMBER;
}

const char *sgdr_version_string(void)
{
    return SGDR_VERSION_STRING;
}
