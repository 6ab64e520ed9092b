/* SPDX-License-Identifier: MIT */
/* fp_env.c -- loading libsgdr leaves the host's floating-point environment alone.
 *
 *   fp_env LIBRARY
 *
 * dlopens LIBRARY (a libsgdr.so built with whatever flags the check chose, -ffast-math
 * included) and compares, before and after the load, the x86 MXCSR register (flush-to-zero
 * and denormals-are-zero live there: a library linked with crtfastmath.o sets both from its
 * constructor, for the whole process) and the product of a subnormal with 1.0, which
 * flush-to-zero turns into 0 (MXCSR is compared whole: the denormal flag that the product
 * raises is cleared again before the load). Prints what it saw, numbers as their bits
 * (printing a subnormal as a decimal uses floating point too); exits 1 if anything changed. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define HAVE_MXCSR 1
#endif

/* volatile, the product too: it must be computed at run time, under the MXCSR of the
 * moment (the compiler does not know that dlopen may change it, and would move it). */
static volatile double subnormal = 1e-310, one = 1.0, product;

static uint64_t bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

int main(int argc, char **argv)
{
    unsigned (*version)(void);
    void *lib;
    uint64_t before_product, after_product;
    int bad = 0;
#ifdef HAVE_MXCSR
    unsigned before = _mm_getcsr(), after;
#endif
    if (argc != 2) {
        fprintf(stderr, "usage: fp_env LIBRARY\n");
        return 2;
    }
    product = subnormal * one;
    before_product = bits(product);
#ifdef HAVE_MXCSR
    _mm_setcsr(before);
#endif
    if ((lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
        fprintf(stderr, "fp_env: %s\n", dlerror());
        return 2;
    }
    /* the library really is libsgdr, and in use */
    *(void **)&version = dlsym(lib, "sgdr_version_number");
    if (version == NULL || version() < 10000) {
        fprintf(stderr, "fp_env: %s is not libsgdr\n", argv[1]);
        return 2;
    }
#ifdef HAVE_MXCSR
    after = _mm_getcsr();
    printf("MXCSR 0x%04x before, 0x%04x after loading\n", before, after);
    if (after != before) bad = 1;
#endif
    product = subnormal * one;
    after_product = bits(product);
    printf("1e-310 * 1.0 = 0x%016llx before, 0x%016llx after loading\n",
           (unsigned long long)before_product, (unsigned long long)after_product);
    if (after_product == 0 || after_product != before_product) bad = 1;
    dlclose(lib);
    return bad;
}
