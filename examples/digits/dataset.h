/* SPDX-License-Identifier: MIT */
/* dataset.h -- the UCI handwritten digits (data/digits.csv.gz): 8x8 images with pixel
 * values 0..16 and a label 0..9, one image per CSV line. */
#ifndef DIGITS_DATASET_H
#define DIGITS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define DIGITS_PIXELS 64
#define DIGITS_CLASSES 10
/* The train/test split every trainer uses, the same for every --seed. */
#define DIGITS_SPLIT_SEED 2017
#define DIGITS_TEST_FRACTION 0.2

typedef struct dataset {
    size_t n;
    double *x; /* n rows of DIGITS_PIXELS values, scaled to [0, 1] */
    int *y;    /* n labels */
} dataset;

/* Read the CSV at `path`: gzip-compressed when the program was built with zlib, else (or
 * also) plain text. Every line must hold 64 integers 0..16 and a label 0..9. Returns 0, or
 * -1 with a message in err naming the file and the line. */
int dataset_load(const char *path, dataset *d, char *err, size_t cap);

/* A fixed split: the rows are shuffled with `seed` and the first round(n * test_fraction)
 * become the test set, the rest the training set. Returns 0, or -1 when out of memory. */
int dataset_split(const dataset *all, uint64_t seed, double test_fraction, dataset *train,
                  dataset *test);

void dataset_free(dataset *d);

#endif
