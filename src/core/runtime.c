/*
 * Thread count and instruction-set choice (recur/runtime.h).
 */
#include "recur/runtime.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/gemm.h"
#include "core/simd.h"

static int n_threads; /* 0: OpenMP's default */

void rc_set_num_threads(int n)
{
    RC_ASSERT(n >= 0);
    n_threads = n;
    rc_gemm_set_threads(rc_num_threads());
}

int rc_num_threads(void)
{
#ifdef _OPENMP
    return n_threads > 0 ? n_threads : omp_get_max_threads();
#else
    return 1;
#endif
}

static const char *const simd_names[RC_SIMD_COUNT] = {"scalar", "avx2", "avx512"};

const char *rc_simd_name(rc_simd s) { return (unsigned)s < RC_SIMD_COUNT ? simd_names[s] : "?"; }

rc_simd rc_simd_best(void)
{
#if RC_SIMD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return RC_SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RC_SIMD_AVX2;
#endif
    return RC_SIMD_SCALAR;
}

static int active = -1; /* -1: not chosen yet */

rc_simd rc_simd_active(void)
{
    if (active < 0) {
        rc_simd best = rc_simd_best(), want = best;
        const char *env = getenv("RC_SIMD");
        for (int s = 0; env && s < RC_SIMD_COUNT; s++)
            if (!strcmp(env, simd_names[s])) want = (rc_simd)s;
        active = (int)(want < best ? want : best);
    }
    return (rc_simd)active;
}

rc_status rc_set_simd(rc_simd s)
{
    rc_simd best = rc_simd_best();
    if ((unsigned)s >= RC_SIMD_COUNT || s > best)
        return rc_error(RC_E_INVALID, "rc_set_simd: level %d (%s) requested, this CPU and build support up to %s",
                        (int)s, rc_simd_name(s), rc_simd_name(best));
    active = (int)s;
    return RC_OK;
}
