/* SPDX-License-Identifier: MIT */
/* mlp.c -- the perceptron (see mlp.h). Plain loops: the model is small enough that a
 * full training run takes well under a second. */
#include "mlp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define IN DIGITS_PIXELS
#define OUT DIGITS_CLASSES

/* Offsets of the four blocks in the parameter array. */
static size_t off_b1(const mlp *m) { return m->hidden * IN; }
static size_t off_w2(const mlp *m) { return off_b1(m) + m->hidden; }
static size_t off_b2(const mlp *m) { return off_w2(m) + OUT * m->hidden; }

int mlp_init(mlp *m, size_t hidden, uint64_t seed)
{
    size_t i;
    double a1, a2;
    rng r;
    m->hidden = hidden;
    m->n_params = hidden * IN + hidden + OUT * hidden + OUT;
    m->params = calloc(m->n_params, sizeof *m->params);
    m->velocity = calloc(m->n_params, sizeof *m->velocity);
    m->grad = calloc(m->n_params, sizeof *m->grad);
    m->act = calloc(hidden, sizeof *m->act);
    if (!m->params || !m->velocity || !m->grad || !m->act) {
        mlp_free(m);
        return -1;
    }
    rng_seed(&r, seed);
    a1 = sqrt(6.0 / (double)(IN + hidden));
    a2 = sqrt(6.0 / (double)(hidden + OUT));
    for (i = 0; i < off_b1(m); i++) m->params[i] = a1 * (2 * rng_uniform(&r) - 1);
    for (i = off_w2(m); i < off_b2(m); i++) m->params[i] = a2 * (2 * rng_uniform(&r) - 1);
    return 0;
}

void mlp_free(mlp *m)
{
    free(m->params);
    free(m->velocity);
    free(m->grad);
    free(m->act);
    memset(m, 0, sizeof *m);
}

/* Forward pass: hidden activations into m->act, probabilities into probs. */
static void forward(mlp *m, const double *p, const double *x, double *probs)
{
    const double *w1 = p, *b1 = p + off_b1(m), *w2 = p + off_w2(m), *b2 = p + off_b2(m);
    double zmax = -INFINITY, sum = 0;
    size_t h, i, k;
    for (h = 0; h < m->hidden; h++) {
        double z = b1[h];
        for (i = 0; i < IN; i++) z += w1[h * IN + i] * x[i];
        m->act[h] = z > 0 ? z : 0;
    }
    for (k = 0; k < OUT; k++) {
        double z = b2[k];
        for (h = 0; h < m->hidden; h++) z += w2[k * m->hidden + h] * m->act[h];
        probs[k] = z;
        if (z > zmax) zmax = z;
    }
    for (k = 0; k < OUT; k++) sum += probs[k] = exp(probs[k] - zmax);
    for (k = 0; k < OUT; k++) probs[k] /= sum;
}

void mlp_predict(mlp *m, const double *params, const double *x, double *probs)
{
    forward(m, params, x, probs);
}

double mlp_gradient(mlp *m, const dataset *d, const size_t *idx, size_t n)
{
    double *g = m->grad, loss = 0;
    const double *w2 = m->params + off_w2(m);
    size_t s, h, i, k;
    memset(g, 0, m->n_params * sizeof *g);
    for (s = 0; s < n; s++) {
        const double *x = d->x + idx[s] * IN;
        double probs[OUT];
        int y = d->y[idx[s]];
        forward(m, m->params, x, probs);
        loss -= log(probs[y] > 1e-300 ? probs[y] : 1e-300);
        probs[y] -= 1; /* d loss / d logits */
        for (k = 0; k < OUT; k++) {
            double *gw2 = g + off_w2(m) + k * m->hidden;
            g[off_b2(m) + k] += probs[k];
            for (h = 0; h < m->hidden; h++) gw2[h] += probs[k] * m->act[h];
        }
        for (h = 0; h < m->hidden; h++) {
            double back = 0;
            if (m->act[h] <= 0) continue; /* ReLU: no gradient through an inactive unit */
            for (k = 0; k < OUT; k++) back += w2[k * m->hidden + h] * probs[k];
            g[off_b1(m) + h] += back;
            for (i = 0; i < IN; i++) g[h * IN + i] += back * x[i];
        }
    }
    return loss;
}

void mlp_step(mlp *m, size_t n, double lr, double mu)
{
    const double *g = m->grad;
    size_t j;
    for (j = 0; j < m->n_params; j++) {
        m->velocity[j] = mu * m->velocity[j] - lr * g[j] / (double)n;
        m->params[j] += m->velocity[j];
    }
}

double mlp_train_batch(mlp *m, const dataset *d, const size_t *idx, size_t n, double lr,
                       double mu)
{
    double loss = mlp_gradient(m, d, idx, n);
    mlp_step(m, n, lr, mu);
    return loss / (double)n;
}

double mlp_accuracy(mlp *m, const double *params, const dataset *d)
{
    size_t s, right = 0;
    for (s = 0; s < d->n; s++) {
        double probs[OUT];
        size_t k, best = 0;
        forward(m, params, d->x + s * IN, probs);
        for (k = 1; k < OUT; k++)
            if (probs[k] > probs[best]) best = k;
        right += (int)best == d->y[s];
    }
    return (double)right / (double)d->n;
}
