/* SPDX-License-Identifier: MIT */
/* mlp.h -- a one-hidden-layer perceptron for the digits: 64 inputs, `hidden` ReLU units,
 * 10 softmax outputs, cross-entropy loss, trained by mini-batch SGD with momentum.
 *
 * All parameters live in one array, so that a snapshot is one memcpy and an ensemble can
 * evaluate any saved copy with the same code. */
#ifndef DIGITS_MLP_H
#define DIGITS_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

typedef struct mlp {
    size_t hidden;
    size_t n_params;
    double *params;   /* W1 (hidden x 64), b1 (hidden), W2 (10 x hidden), b2 (10) */
    double *velocity; /* momentum, same layout */
    double *grad;     /* gradient of the current batch, same layout */
    double *act;      /* hidden activations of one image */
} mlp;

/* Allocate and initialise (Glorot-uniform weights from `seed`, zero biases). 0 or -1. */
int mlp_init(mlp *m, size_t hidden, uint64_t seed);
void mlp_free(mlp *m);

/* One SGD step on the images idx[0..n) of `d` with learning rate lr and momentum mu.
 * Returns the batch's mean cross-entropy before the step. */
double mlp_train_batch(mlp *m, const dataset *d, const size_t *idx, size_t n, double lr,
                       double mu);

/* The two halves of mlp_train_batch, for data-parallel training where each process holds a
 * part of the batch: mlp_gradient puts the gradient summed over images idx[0..n) (n may be
 * 0) into m->grad and returns their summed cross-entropy; once m->grad holds the sum over
 * the whole batch of `n` images, mlp_step moves the parameters by its mean. */
double mlp_gradient(mlp *m, const dataset *d, const size_t *idx, size_t n);
void mlp_step(mlp *m, size_t n, double lr, double mu);

/* Class probabilities of image `x` under the parameters `params` (m's layout), into
 * probs[0..10). Uses m->act as scratch. */
void mlp_predict(mlp *m, const double *params, const double *x, double *probs);

/* Fraction of `d` classified correctly with the parameters `params`. */
double mlp_accuracy(mlp *m, const double *params, const dataset *d);

#endif
