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

/* The trainers' batch order: idx[0..n) is 0..n-1 shuffled once per epoch with `seed`, in
 * place. This seeds r and replays the shuffles of the first `epochs_done` epochs, so that a
 * resumed run trains the same batches; each epoch then calls rng_shuffle. */
void rng_order_start(rng *r, size_t *idx, size_t n, uint64_t seed, size_t epochs_done);

#endif
