/* SPDX-License-Identifier: MIT */
/* alloc.h -- the allocator a scheduler was created with. Every allocation of a scheduler
 * goes through it, so tests can fail any one of them. */
#ifndef SGDR_ALLOC_H
#define SGDR_ALLOC_H

#include <stddef.h>

#include "sgdr.h"

typedef struct sgdr_allocator {
    sgdr_alloc_fn alloc;
    sgdr_free_fn free;
    void *user;
} sgdr_allocator;

/* n * size bytes, or NULL on overflow or failure. */
void *sgdr_alloc_array(const sgdr_allocator *a, size_t n, size_t size);

/* Release p (NULL is fine). */
void sgdr_release(const sgdr_allocator *a, void *p);

#endif
