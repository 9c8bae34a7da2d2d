/*
 * The element encodings of safetensors: little-endian integers and IEEE-754
 * binary floats. Floats are taken apart into sign, exponent and mantissa with
 * integer arithmetic and rebuilt with ldexp, which is exact for every value of
 * these formats (subnormals, infinities and NaN included) whatever the host's
 * byte order or float layout.
 */
#include <math.h>
#include <string.h>

#include "io/st_internal.h"

typedef struct dtype_info {
    const char *name;
    size_t size;
    int exp_bits, man_bits; /* 0 for the integer dtypes */
} dtype_info;

static const dtype_info dtypes[] = {
    [RC_DTYPE_F32] = {"F32", 4, 8, 23},  [RC_DTYPE_F64] = {"F64", 8, 11, 52}, [RC_DTYPE_F16] = {"F16", 2, 5, 10},
    [RC_DTYPE_BF16] = {"BF16", 2, 8, 7}, [RC_DTYPE_I64] = {"I64", 8, 0, 0},   [RC_DTYPE_I32] = {"I32", 4, 0, 0},
};

_Static_assert(sizeof(dtypes) / sizeof(dtypes[0]) == RC_DTYPE_COUNT, "dtypes must describe every rc_dtype");

const char *rc_dtype_name(rc_dtype d)
{
    if ((int)d < 0 || d >= RC_DTYPE_COUNT) return "unknown";
    return dtypes[d].name;
}

size_t rc_dtype_size(rc_dtype d)
{
    RC_ASSERT((int)d >= 0 && d < RC_DTYPE_COUNT);
    return dtypes[d].size;
}

bool rc_dtype_is_float(rc_dtype d)
{
    RC_ASSERT((int)d >= 0 && d < RC_DTYPE_COUNT);
    return dtypes[d].exp_bits > 0;
}

bool rc_dtype_parse(const char *name, rc_dtype *out)
{
    for (int d = 0; d < RC_DTYPE_COUNT; d++)
        if (strcmp(name, dtypes[d].name) == 0) {
            *out = (rc_dtype)d;
            return true;
        }
    return false;
}

uint64_t rc_le_load(const unsigned char *b, size_t nbytes)
{
    uint64_t v = 0;
    for (size_t i = nbytes; i-- > 0;) v = v << 8 | b[i];
    return v;
}

void rc_le_store(unsigned char *b, uint64_t v, size_t nbytes)
{
    for (size_t i = 0; i < nbytes; i++, v >>= 8) b[i] = (unsigned char)(v & 0xff);
}

/* value = (−1)^s · 2^(e − bias) · 1.m for normal numbers, (−1)^s · 2^(1 − bias) · 0.m for e = 0 */
static double ieee_decode(uint64_t bits, int exp_bits, int man_bits)
{
    uint64_t man = bits & ((UINT64_C(1) << man_bits) - 1);
    int exp = (int)((bits >> man_bits) & ((UINT64_C(1) << exp_bits) - 1));
    int exp_max = (1 << exp_bits) - 1, bias = (1 << (exp_bits - 1)) - 1;
    double v;
    if (exp == exp_max)
        v = man ? NAN : INFINITY;
    else if (exp == 0)
        v = ldexp((double)man, 1 - bias - man_bits);
    else
        v = ldexp((double)(man | UINT64_C(1) << man_bits), exp - bias - man_bits);
    return (bits >> (exp_bits + man_bits)) & 1 ? -v : v;
}

/* The inverse of ieee_decode for an x the format represents exactly; NaN
 * becomes the quiet NaN with x's sign. */
static uint64_t ieee_encode(double x, int exp_bits, int man_bits)
{
    uint64_t sign = signbit(x) ? UINT64_C(1) << (exp_bits + man_bits) : 0;
    uint64_t exp_max = (UINT64_C(1) << exp_bits) - 1, implicit = UINT64_C(1) << man_bits;
    int bias = (1 << (exp_bits - 1)) - 1;
    if (isnan(x)) return sign | exp_max << man_bits | implicit >> 1;
    double a = fabs(x);
    if (isinf(a)) return sign | exp_max << man_bits;
    if (a == 0) return sign;
    int e;
    double frac = frexp(a, &e); /* a = frac · 2^e with frac in [0.5, 1), so the biased exponent is e − 1 + bias */
    int biased = e - 1 + bias;
    if (biased <= 0) return sign | (uint64_t)ldexp(a, bias - 1 + man_bits);
    return sign | (uint64_t)biased << man_bits | ((uint64_t)ldexp(frac, man_bits + 1) - implicit);
}

double rc_st_decode_real(rc_dtype d, const unsigned char *bytes)
{
    RC_ASSERT(rc_dtype_is_float(d));
    const dtype_info *di = &dtypes[d];
    return ieee_decode(rc_le_load(bytes, di->size), di->exp_bits, di->man_bits);
}

void rc_st_encode_real(rc_dtype d, double x, unsigned char *bytes)
{
    RC_ASSERT(rc_dtype_is_float(d));
    const dtype_info *di = &dtypes[d];
    rc_le_store(bytes, ieee_encode(x, di->exp_bits, di->man_bits), di->size);
}

int64_t rc_st_decode_int(rc_dtype d, const unsigned char *bytes)
{
    RC_ASSERT(!rc_dtype_is_float(d));
    size_t size = dtypes[d].size;
    uint64_t bits = rc_le_load(bytes, size);
    uint64_t sign = UINT64_C(1) << (8 * size - 1);
    if (!(bits & sign)) return (int64_t)bits;
    /* a negative value is bits − 2^n = −(2^n − 1 − bits) − 1, computed without overflow */
    uint64_t all = sign | (sign - 1);
    return -(int64_t)(~bits & all) - 1;
}
