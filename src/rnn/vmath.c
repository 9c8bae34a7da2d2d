/*
 * rc_vmath: the cells' exp, σ and tanh on arrays, per instruction-set level,
 * for the accuracy tests.
 */
#include "rnn/cell_simd.h"

static rc_real scalar(rc_vmath_fn fn, rc_real x)
{
    return fn == RC_VMATH_EXP ? RC_EXP(x) : fn == RC_VMATH_SIGMOID ? rc_cell_sigmoid(x) : RC_TANH(x);
}

bool rc_vmath(rc_simd level, rc_vmath_fn fn, const rc_real *x, rc_real *y, size_t n)
{
    switch (level) {
    case RC_SIMD_SCALAR:
        for (size_t i = 0; i < n; i++) y[i] = scalar(fn, x[i]);
        return true;
#if RC_SIMD_X86
    case RC_SIMD_AVX2:
        rc_vmath_avx2(fn, x, y, n);
        return true;
    case RC_SIMD_AVX512:
        rc_vmath_avx512(fn, x, y, n);
        return true;
#endif
    default:
        return false;
    }
}
