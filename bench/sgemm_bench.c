/*
 * Times single-precision matrix products of given shapes through one
 * backend per process (BLAS libraries read their settings, such as
 * OPENBLAS_CORETYPE, when they load):
 *
 *   sgemm_bench [--lib recur|recur-packed|PATH_TO_CBLAS_LIBRARY|dnnl] [--threads N] [--reps N]
 *               SHAPE...
 *
 * SHAPE is M,N,K[,ta,tb] with ta/tb 0 or 1 (op(A) = Aᵀ, op(B) = Bᵀ), e.g.
 * 32,1024,256,0,1 for one step of an LSTM with B = 32, H = 256. Prints, per
 * shape, the median GFLOP/s (2·M·N·K flops per product) over reps
 * products; "recur" is the library's rc_gemm (its own kernel where it has
 * one), "recur-packed" rc_gemm_packed on op(B) packed beforehand, "dnnl" oneDNN's dnnl_sgemm, any other name a shared library
 * exporting cblas_sgemm.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/gemm.h"
#include "recur/runtime.h"

typedef void (*cblas_sgemm_fn)(int order, int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                               const float *B, int ldb, float beta, float *C, int ldc);
typedef int (*dnnl_sgemm_fn)(char ta, char tb, long M, long N, long K, float alpha, const float *A, long lda,
                             const float *B, long ldb, float beta, float *C, long ldc);

static cblas_sgemm_fn cblas;
static float *packed; /* op(B) packed once, for --lib recur-packed */
static dnnl_sgemm_fn dnnl;

static void product(int ta, int tb, int M, int N, int K, const float *A, const float *B, float *C)
{
    int lda = ta ? M : K, ldb = tb ? K : N;
    if (cblas)
        cblas(101, ta ? 112 : 111, tb ? 112 : 111, M, N, K, 1, A, lda, B, ldb, 0, C, N);
    else if (dnnl)
        dnnl(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1, A, lda, B, ldb, 0, C, N);
    else if (packed)
        rc_gemm_packed(M, 0, N, K, A, lda, packed, 0, C, N);
    else
        rc_gemm(ta, tb, M, N, K, 1, A, lda, B, ldb, 0, C, N);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *lib = "recur";
    int threads = 1, reps = 7, i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--lib")) lib = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
    }
    bool pack = !strcmp(lib, "recur-packed");
    if (strcmp(lib, "recur") && !pack) {
        void *h = dlopen(!strcmp(lib, "dnnl") ? "libdnnl.so.2" : lib, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 1;
        }
        cblas = (cblas_sgemm_fn)(size_t)dlsym(h, "cblas_sgemm");
        dnnl = (dnnl_sgemm_fn)(size_t)dlsym(h, "dnnl_sgemm");
        void (*set_threads)(int) = (void (*)(int))(size_t)dlsym(h, "openblas_set_num_threads");
        if (!set_threads) set_threads = (void (*)(int))(size_t)dlsym(h, "bli_thread_set_num_threads");
        if (set_threads) set_threads(threads);
    }
    rc_set_num_threads(threads);
    for (; i < argc; i++) {
        int M, N, K, ta = 0, tb = 0;
        if (sscanf(argv[i], "%d,%d,%d,%d,%d", &M, &N, &K, &ta, &tb) < 3) {
            fprintf(stderr, "bad shape '%s'\n", argv[i]);
            return 2;
        }
        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C = malloc(sizeof(float) * M * N);
        for (size_t j = 0; j < (size_t)M * K; j++) A[j] = (float)(j % 7) * 0.1f;
        for (size_t j = 0; j < (size_t)K * N; j++) B[j] = (float)(j % 5) * 0.1f;
        if (pack) {
            packed = malloc(sizeof(float) * rc_gemm_packed_size(K, N));
            rc_gemm_pack_b(tb, K, N, B, tb ? K : N, packed);
        }
        double flops = 2.0 * M * N * K, *g = malloc(sizeof(double) * reps);
        /* enough products per sample for ~20 ms */
        int inner = (int)(4e9 / flops) + 1;
        product(ta, tb, M, N, K, A, B, C);
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            for (int k = 0; k < inner; k++) product(ta, tb, M, N, K, A, B, C);
            g[r] = flops * inner / (now_s() - t0) * 1e-9;
        }
        qsort(g, (size_t)reps, sizeof *g, cmp);
        printf("%s %d,%d,%d,%d,%d %.1f GFLOP/s\n", lib, M, N, K, ta, tb, g[reps / 2]);
        free(A), free(B), free(C), free(g), free(packed);
        packed = NULL;
    }
    return 0;
}
