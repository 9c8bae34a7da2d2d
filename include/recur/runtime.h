/*
 * recur/runtime.h — how many threads the library uses and which instruction
 * set its vector kernels run on.
 *
 * Threads: recurrent layers split each step's product and pointwise work,
 * and the two directions of a bidirectional layer, over up to n threads
 * (OpenMP; a build without OpenMP always uses 1). The default is OpenMP's
 * (OMP_NUM_THREADS, else the number of cores).
 *
 * Instruction set: the fastest one the CPU and the build support, found at
 * run time. The environment variable RC_SIMD=scalar|avx2|avx512, read once at
 * the first use, or rc_set_simd(), forces a lower one; the scalar path is
 * the portable reference the vector paths are tested against. Double
 * precision builds always run the scalar path.
 */
#ifndef RECUR_RUNTIME_H
#define RECUR_RUNTIME_H

#include "recur/base.h"

/* n >= 1 threads, or 0 for the default. Not to be called while the library
 * runs on another thread. */
void rc_set_num_threads(int n);

/* The number of threads the library will use (1 without OpenMP). */
int rc_num_threads(void);

typedef enum rc_simd {
    RC_SIMD_SCALAR, /* portable C */
    RC_SIMD_AVX2,   /* AVX2 + FMA */
    RC_SIMD_AVX512, /* AVX-512 F + DQ */
    RC_SIMD_COUNT
} rc_simd;

/* "scalar", "avx2", "avx512". */
const char *rc_simd_name(rc_simd s);

/* The best level this CPU and build support. */
rc_simd rc_simd_best(void);

/* The level in use: RC_SIMD if set and supported, else rc_simd_best(), until
 * rc_set_simd() changes it. */
rc_simd rc_simd_active(void);

/* Uses level s from now on. Errors: RC_E_INVALID if s is not an rc_simd or
 * is above rc_simd_best() (the message names both). Not to be called while
 * the library runs on another thread. */
rc_status rc_set_simd(rc_simd s);

#endif
