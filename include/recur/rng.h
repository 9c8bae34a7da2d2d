/*
 * recur/rng.h — a small seeded random generator (xoshiro256**).
 *
 * The state is a plain struct so it can be copied, saved in a checkpoint and
 * restored; the same seed gives the same stream on every platform. recur does
 * not reproduce PyTorch's random streams: weights shared with PyTorch travel
 * in safetensors files instead.
 */
#ifndef RECUR_RNG_H
#define RECUR_RNG_H

#include "recur/base.h"

typedef struct rc_rng {
    uint64_t s[4];
} rc_rng;

/* Seeds the generator (any 64-bit value, 0 included). */
void rc_rng_seed(rc_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t rc_rng_next(rc_rng *r);

/* Uniform double in [0, 1), 53 random bits. */
double rc_rng_uniform(rc_rng *r);

/* Uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t rc_rng_below(rc_rng *r, uint64_t n);

/* Standard normal sample (Box–Muller). */
double rc_rng_normal(rc_rng *r);

/* Fills x[0..n) with U(lo, hi). */
void rc_rng_fill_uniform(rc_rng *r, rc_real *x, size_t n, double lo, double hi);

/* Fills x[0..n) with N(mean, std^2). */
void rc_rng_fill_normal(rc_rng *r, rc_real *x, size_t n, double mean, double std);

#endif
