/*
 * Which vector code this build can contain. RC_SIMD_X86 is 1 where the
 * compiler can emit AVX2 and AVX-512 for single functions (GCC and Clang
 * target attributes on x86-64) and rc_real is float; the rest of the build
 * needs no -m flags, and run-time dispatch (rc_simd_active) picks the code.
 */
#ifndef RC_CORE_SIMD_H
#define RC_CORE_SIMD_H

#include "recur/runtime.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(RC_DOUBLE)
#define RC_SIMD_X86 1
#define RC_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define RC_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx2,fma")))
#else
#define RC_SIMD_X86 0
#endif

#endif
