/* SPDX-License-Identifier: MIT */
/* rng.c -- SplitMix64 (see rng.h). */
#include "rng.h"

void rng_seed(rng *r, uint64_t seed) { r->state = seed; }

uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

size_t rng_below(rng *r, size_t n) { return (size_t)(rng_uniform(r) * (double)n); }

void rng_shuffle(rng *r, size_t *idx, size_t n)
{
    size_t i;
    for (i = n; i > 1; i--) {
        size_t j = rng_below(r, i), t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

void rng_order_start(rng *r, size_t *idx, size_t n, uint64_t seed, size_t epochs_done)
{
    size_t i;
    for (i = 0; i < n; i++) idx[i] = i;
    rng_seed(r, seed);
    for (i = 0; i < epochs_done; i++) rng_shuffle(r, idx, n);
}
