#include <math.h>

#include "recur/rng.h"

/* splitmix64 expands one seed into the four state words, as xoshiro's
 * authors recommend: it never yields the all-zero state. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rc_rng_seed(rc_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rc_rng_next(rc_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rc_rng_uniform(rc_rng *r) { return (double)(rc_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t rc_rng_below(rc_rng *r, uint64_t n)
{
    RC_ASSERT(n >= 1);
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = rc_rng_next(r);
    while (x >= limit);
    return x % n;
}

double rc_rng_normal(rc_rng *r)
{
    double u1 = 1.0 - rc_rng_uniform(r); /* (0, 1]: log(0) is impossible */
    double u2 = rc_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

void rc_rng_fill_uniform(rc_rng *r, rc_real *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) x[i] = (rc_real)(lo + (hi - lo) * rc_rng_uniform(r));
}

void rc_rng_fill_normal(rc_rng *r, rc_real *x, size_t n, double mean, double std)
{
    for (size_t i = 0; i < n; i++) x[i] = (rc_real)(mean + std * rc_rng_normal(r));
}
