/* SPDX-License-Identifier: MIT */
/* ticks.c -- axis ticks at nice values (see ticks.h). */
#include "ticks.h"

#include <math.h>
#include <stdio.h>

void ticks_nice(double lo, double hi, int want, ticks *t)
{
    double span = hi - lo, raw, mag, frac, step;
    if (want < 2) want = 2;
    if (!(span > 0)) span = fabs(hi) > 0 ? fabs(hi) : 1;
    raw = span / (double)(want - 1);
    mag = pow(10, floor(log10(raw)));
    frac = raw / mag;
    /* the nice step nearest the raw one (geometric mid-points of 1, 2, 5, 10) */
    step = (frac < 1.42 ? 1 : frac < 3.17 ? 2 : frac < 7.08 ? 5 : 10) * mag;
    t->step = step;
    t->first = ceil(lo / step - 1e-9) * step;
    t->count = (int)floor((hi - t->first) / step + 1e-9) + 1;
    if (t->count < 1) t->count = 1;
}

double ticks_value(const ticks *t, int i)
{
    double v = t->first + (double)i * t->step;
    double unit = t->step / 1000;
    return round(v / unit) * unit;
}

void ticks_label(double v, double step, char *out, size_t cap)
{
    int decimals = 0;
    if (v == 0) {
        snprintf(out, cap, "0");
        return;
    }
    if (fabs(v) < 1e-3 || fabs(v) >= 1e6) {
        /* "2e-05": the mantissa digits the step needs, at most three */
        int digits = (int)floor(log10(fabs(v))) - (int)floor(log10(step));
        if (digits < 0) digits = 0;
        if (digits > 3) digits = 3;
        snprintf(out, cap, "%.*e", digits, v);
        return;
    }
    if (step < 1) decimals = (int)ceil(-log10(step) - 1e-9);
    if (decimals > 12) decimals = 12;
    snprintf(out, cap, "%.*f", decimals, v);
}
