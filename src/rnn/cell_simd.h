/*
 * The vector kernels of the cells (cell_vec.inc, compiled once per
 * instruction set in cell_avx2.c and cell_avx512.c), and their vector exp,
 * σ and tanh for testing against libm.
 */
#ifndef RC_RNN_CELL_SIMD_H
#define RC_RNN_CELL_SIMD_H

#include "core/simd.h"
#include "rnn/cell.h"

typedef enum rc_vmath_fn { RC_VMATH_EXP, RC_VMATH_SIGMOID, RC_VMATH_TANH } rc_vmath_fn;

#if RC_SIMD_X86

#define RC_CELL_VEC_DECLARE(lvl)                                                                                     \
    void rc_cell_lstm_forward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,          \
                                    const rc_real *, const rc_real *, rc_real *, rc_real *, rc_real *);              \
    void rc_cell_gru_forward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,           \
                                   const rc_real *, const rc_real *, rc_real *, rc_real *, rc_real *);               \
    void rc_cell_rnn_tanh_forward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,      \
                                        const rc_real *, const rc_real *, rc_real *, rc_real *, rc_real *);          \
    void rc_cell_lstm_backward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,         \
                                     const rc_real *, const rc_real *, const rc_real *, const rc_real *, rc_real *,  \
                                     rc_real *, rc_real *, rc_real *);                                               \
    void rc_cell_gru_backward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,          \
                                    const rc_real *, const rc_real *, const rc_real *, const rc_real *, rc_real *,   \
                                    rc_real *, rc_real *, rc_real *);                                                \
    void rc_cell_rnn_tanh_backward_##lvl(int, int, int, int, const rc_real *, const rc_real *, const rc_real *,     \
                                         const rc_real *, const rc_real *, const rc_real *, const rc_real *,         \
                                         rc_real *, rc_real *, rc_real *, rc_real *);                                \
    void rc_vmath_##lvl(rc_vmath_fn fn, const float *x, float *y, size_t n);

RC_CELL_VEC_DECLARE(avx2)
RC_CELL_VEC_DECLARE(avx512)

/* The kernels table of a cell: scalar, then the vector levels. */
#define RC_CELL_KERNELS(name, fwd, bwd)                                                                              \
    {                                                                                                                \
        [RC_SIMD_SCALAR] = {fwd, bwd},                                                                               \
        [RC_SIMD_AVX2] = {rc_cell_##name##_forward_avx2, rc_cell_##name##_backward_avx2},                            \
        [RC_SIMD_AVX512] = {rc_cell_##name##_forward_avx512, rc_cell_##name##_backward_avx512},                      \
    }

#else

#define RC_CELL_KERNELS(name, fwd, bwd)                                                                              \
    {                                                                                                                \
        [RC_SIMD_SCALAR] = {fwd, bwd},                                                                               \
    }

#endif

/* y = fn(x) on n values with the vector code of level (scalar: libm, as the
 * scalar cells compute it). False if the build has no such level. */
bool rc_vmath(rc_simd level, rc_vmath_fn fn, const rc_real *x, rc_real *y, size_t n);

#endif
