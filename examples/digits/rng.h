/* SPDX-License-Identifier: MIT */
/* rng.h -- a small seeded random generator (SplitMix64), so that a run is the same on
 * every platform for a given seed: the C library's rand() differs between systems. */
#ifndef DIGITS_RNG_H
#define DIGITS_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct rng {
    uint64_t state;
} rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_next(rng *r);
/* Uniform in [0, 1), 53 random bits. */
double rng_uniform(rng *r);
/* Uniform integer in [0, n), n >= 1 (no modulo bias worth speaking of for n < 2^32). */
size_t rng_below(rng *r, size_t n);
/* Shuffle idx[0..n) in place (Fisher-Yates). */
void rng_shuffle(rng *r, size_t *idx, size_t n);

#endif
