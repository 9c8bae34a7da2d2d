/*
 * The vector and threaded paths against the portable ones (float build):
 * the vector exp, σ and tanh against libm in double precision, in ulps;
 * rc_gemm and rc_gemm_packed at every instruction-set level against a
 * double-precision product; whole recurrent layers, forward and backward,
 * on each level against the scalar path, and with two threads against one.
 *
 * Tolerances: see each test. Where only the order of additions or a
 * few-ulp exp/tanh differ, results of O(1) agree to ~1e-6.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/gemm.h"
#include "harness.h"
#include "recur/runtime.h"
#include "rnn/cell_simd.h"

/* ulps between got and the double want, in units of want rounded to float */
static double ulps(float got, double want)
{
    float w = (float)want;
    double ulp = nextafterf(fabsf(w), INFINITY) - fabsf(w);
    return fabs((double)got - want) / ulp;
}

static double ref(rc_vmath_fn fn, double x)
{
    return fn == RC_VMATH_EXP ? exp(x) : fn == RC_VMATH_SIGMOID ? 1 / (1 + exp(-x)) : tanh(x);
}

/* Every 4099th float in [lo, hi] and the documented bounds: exp ≤ 2 ulp on
 * [−87, 88], σ ≤ 3 ulp on [−87, 90] (below, σ < 2e-38 saturates), tanh ≤ 3
 * ulp on [−90, 90]. */
/* v moved up by k representable floats (±0 counted once), stepping on the
 * bit pattern: magnitudes order like their bits. */
static float advance_ulps(float v, uint32_t k)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    uint32_t mag = u & 0x7fffffffu;
    if (!(u >> 31)) u += k;
    else if (mag > k) u -= k;
    else u = k - mag;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void test_vmath_ulps(void)
{
    static const struct {
        rc_vmath_fn fn;
        const char *name;
        float lo, hi;
        double max_ulps;
    } cases[] = {{RC_VMATH_EXP, "exp", -87, 88, 2}, {RC_VMATH_SIGMOID, "sigmoid", -87, 90, 3},
                 {RC_VMATH_TANH, "tanh", -90, 90, 3}};
    enum { CHUNK = 4096 };
    float x[CHUNK], y[CHUNK];
    for (int level = RC_SIMD_AVX2; level <= (int)rc_simd_best(); level++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            double worst = 0, worst_x = 0;
            float v = cases[c].lo;
            while (v <= cases[c].hi) {
                int n = 0;
                for (; n < CHUNK && v <= cases[c].hi; n++) {
                    x[n] = v;
                    v = advance_ulps(v, 4099);
                }
                RC_CHECK(rc_vmath((rc_simd)level, cases[c].fn, x, y, (size_t)n), "level %d", level);
                for (int i = 0; i < n; i++) {
                    double e = ulps(y[i], ref(cases[c].fn, x[i]));
                    if (e > worst) worst = e, worst_x = x[i];
                }
            }
            printf("  %-7s %-7s max error %.2f ulp at x = %.9g (bound %.0f)\n", rc_simd_name((rc_simd)level),
                   cases[c].name, worst, worst_x, cases[c].max_ulps);
            RC_CHECK(worst <= cases[c].max_ulps, "%s %s: %.2f ulp", rc_simd_name((rc_simd)level), cases[c].name,
                     worst);
        }
}

static void fill(float *x, size_t n, uint64_t seed)
{
    rc_rng r;
    rc_rng_seed(&r, seed);
    rc_rng_fill_uniform(&r, x, n, -1, 1);
}

/* C = alpha op(A) op(B) + beta C in double, the reference. */
static void gemm_ref(bool ta, bool tb, int M, int N, int K, double alpha, const float *A, const float *B,
                     double beta, const float *C0, float *C)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++)
                s += (double)(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
            C[i * N + j] = (float)(alpha * s + (beta == 0 ? 0 : beta * C0[i * N + j]));
        }
}

/* Sizes crossing every block edge (K > 256, N past a panel, M past a
 * strip); tolerance 1e-4 absolute on sums of 300 products of values in
 * [−1, 1] (~|C| ≤ 20, float rounding ~1e-5). */
static void test_gemm_levels(void)
{
    enum { M = 13, N = 45, K = 300 };
    float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N), *C0 = malloc(sizeof(float) * M * N);
    float *C = malloc(sizeof(float) * M * N), *want = malloc(sizeof(float) * M * N);
    float *packed = malloc(sizeof(float) * rc_gemm_packed_size(K, N));
    fill(A, (size_t)M * K, 1), fill(B, (size_t)K * N, 2), fill(C0, (size_t)M * N, 3);
    rc_simd saved = rc_simd_active();
    for (int level = RC_SIMD_SCALAR; level <= (int)rc_simd_best(); level++) {
        RC_CHECK_OK(rc_set_simd((rc_simd)level));
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int bi = 0; bi < 3; bi++) {
                    double beta = bi == 0 ? 0 : bi == 1 ? 1 : 0.25;
                    char name[96];
                    snprintf(name, sizeof name, "%s gemm ta=%d tb=%d beta=%g", rc_simd_name((rc_simd)level), ta, tb,
                             beta);
                    memcpy(C, C0, sizeof(float) * M * N);
                    rc_gemm(ta, tb, M, N, K, 0.5f, A, ta ? M : K, B, tb ? K : N, (float)beta, C, N);
                    gemm_ref(ta, tb, M, N, K, 0.5, A, B, beta, C0, want);
                    rc_test_close(name, C, want, (size_t)M * N, 1e-4, 0);
                }
        /* with a bias row, added once although K spans two blocks */
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = t & 2;
            char name[96];
            snprintf(name, sizeof name, "%s gemm_bias ta=%d tb=%d", rc_simd_name((rc_simd)level), ta, tb);
            memcpy(C, C0, sizeof(float) * M * N);
            rc_gemm_bias(ta, tb, M, N, K, A, ta ? M : K, B, tb ? K : N, C0 + N, C, N);
            gemm_ref(ta, tb, M, N, K, 1, A, B, 0, C0, want);
            for (int i = 0; i < M * N; i++) want[i] += C0[N + i % N];
            rc_test_close(name, C, want, (size_t)M * N, 1e-4, 0);
        }
        /* packed: columns [32, 45) alone, then [0, 32) accumulating */
        rc_gemm_pack_b(true, K, N, B, K, packed);
        gemm_ref(false, true, M, N, K, 1, A, B, 1, C0, want);
        memcpy(C, C0, sizeof(float) * M * N);
        rc_gemm_packed(M, 32, N, K, A, K, packed, 1, C, N);
        rc_gemm_packed(M, 0, 32, K, A, K, packed, 1, C, N);
        char name[64];
        snprintf(name, sizeof name, "%s packed beta=1", rc_simd_name((rc_simd)level));
        rc_test_close(name, C, want, (size_t)M * N, 1e-4, 0);
    }
    RC_CHECK_OK(rc_set_simd(saved));
    free(A), free(B), free(C0), free(C), free(want), free(packed);
}

/* One layer's forward and backward results. */
typedef struct run {
    rc_tensor *x, *out, *h_n, *c_n;
    float *grads; /* dx, then every parameter's grad */
    size_t n_grads;
} run;

static void run_free(run *r)
{
    rc_tensor_free(r->out), rc_tensor_free(r->h_n), rc_tensor_free(r->c_n);
    free(r->grads);
}

static rc_tensor *copy_of(const rc_tensor *t)
{
    if (!t) return NULL;
    rc_tensor *c;
    RC_CHECK_OK(rc_tensor_new(&c, t->ndim, t->shape, false));
    memcpy(c->data, t->data, t->numel * sizeof(float));
    return c;
}

/* Builds the layer from seed, runs forward and backward from a fixed
 * upstream gradient at the current level and thread count. */
static run run_layer(rc_rnn_config cfg, int T, int B, const int *lengths)
{
    run r = {0};
    rc_rng rng;
    rc_rng_seed(&rng, 7);
    rc_rnn *m;
    rc_params *ps;
    rc_graph *g;
    RC_CHECK_OK(rc_rnn_create(&m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_rnn_add_params(m, ps, NULL));
    RC_CHECK_OK(rc_graph_create(&g));
    int xs[3] = {T, B, cfg.input_size};
    rc_tensor *x;
    RC_CHECK_OK(rc_tensor_new(&x, 3, xs, true));
    fill(x->data, x->numel, 8);
    rc_rnn_result res;
    RC_CHECK_OK(rc_rnn_forward(m, g, x, NULL, NULL, lengths, &res));
    fill(res.output->grad, res.output->numel, 9);
    fill(res.h_n->grad, res.h_n->numel, 10);
    RC_CHECK_OK(rc_graph_backward(g, NULL));
    r.out = copy_of(res.output), r.h_n = copy_of(res.h_n), r.c_n = copy_of(res.c_n);
    r.n_grads = x->numel + rc_params_numel(ps);
    r.grads = malloc(r.n_grads * sizeof(float));
    memcpy(r.grads, x->grad, x->numel * sizeof(float));
    size_t off = x->numel;
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        rc_tensor *p = rc_params_tensor(ps, i);
        memcpy(r.grads + off, p->grad, p->numel * sizeof(float));
        off += p->numel;
    }
    rc_graph_free(g);
    rc_tensor_free(x);
    rc_params_free(ps);
    rc_rnn_free(m);
    return r;
}

static void compare_runs(const char *what, const run *got, const run *want, double tol)
{
    char name[128];
    snprintf(name, sizeof name, "%s output", what);
    rc_test_close(name, got->out->data, want->out->data, want->out->numel, tol, 0);
    snprintf(name, sizeof name, "%s h_n", what);
    rc_test_close(name, got->h_n->data, want->h_n->data, want->h_n->numel, tol, 0);
    if (want->c_n) {
        snprintf(name, sizeof name, "%s c_n", what);
        rc_test_close(name, got->c_n->data, want->c_n->data, want->c_n->numel, tol, 0);
    }
    snprintf(name, sizeof name, "%s dx and parameter grads", what);
    rc_test_close(name, got->grads, want->grads, want->n_grads, tol * 10, 0);
}

static const rc_rnn_mode modes[] = {RC_RNN_TANH, RC_RNN_RELU, RC_LSTM, RC_GRU};

/* H = 40 leaves a partial vector per row; lengths leave rows running past
 * ended ones. Tolerance 2e-5 on values of O(1) after 6 steps (each level's
 * exp/tanh within 3 ulp, sums in another order), 2e-4 on gradients summed
 * over all steps. */
static void test_levels_agree(void)
{
    static const int lengths[5] = {6, 2, 6, 1, 4};
    rc_simd saved = rc_simd_active();
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        for (int bidir = 0; bidir < 2; bidir++) {
            rc_rnn_config cfg = rc_rnn_config_default(modes[i], 24, 40);
            cfg.bidirectional = bidir;
            if (modes[i] == RC_LSTM && bidir) cfg.proj_size = 17;
            RC_CHECK_OK(rc_set_simd(RC_SIMD_SCALAR));
            run want = run_layer(cfg, 6, 5, lengths);
            for (int level = RC_SIMD_AVX2; level <= (int)rc_simd_best(); level++) {
                RC_CHECK_OK(rc_set_simd((rc_simd)level));
                run got = run_layer(cfg, 6, 5, lengths);
                char what[96];
                snprintf(what, sizeof what, "%s%s%s %s vs scalar", rc_rnn_mode_name(modes[i]), bidir ? " bidir" : "",
                         cfg.proj_size ? " proj" : "", rc_simd_name((rc_simd)level));
                compare_runs(what, &got, &want, 2e-5);
                run_free(&got);
            }
            run_free(&want);
        }
    RC_CHECK_OK(rc_set_simd(saved));
}

/* Threads split columns and units, never a sum: two threads give the same
 * bits as one (tolerance 0). Sizes large enough for the steps to be shared
 * (2^20 flops and more: B H² ≥ 2^19 for the RNN) and, for the LSTM, for the
 * products over all steps to go to oneDNN where the build has it. */
static void test_threads_agree(void)
{
    enum { T = 9, B = 16, I = 48, H = 192 };
    static const int lengths[B] = {9, 9, 3, 9, 1, 7, 9, 2, 5, 9, 4, 8, 9, 6, 2, 9};
    int saved = rc_num_threads();
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        for (int bidir = 0; bidir < 2; bidir++) {
            rc_rnn_config cfg = rc_rnn_config_default(modes[i], I, H);
            cfg.bidirectional = bidir;
            rc_set_num_threads(1);
            run want = run_layer(cfg, T, B, bidir ? lengths : NULL);
            rc_set_num_threads(2);
            run got = run_layer(cfg, T, B, bidir ? lengths : NULL);
            char what[96];
            snprintf(what, sizeof what, "%s%s 2 threads vs 1", rc_rnn_mode_name(modes[i]), bidir ? " bidir" : "");
            compare_runs(what, &got, &want, 0);
            run_free(&got);
            run_free(&want);
        }
    rc_set_num_threads(saved);
}

/* rc_gemm itself, on products large enough to be shared by two threads (and
 * to go to oneDNN where the build has it): the same bits on one thread and
 * on two, at the vector levels (at the scalar level cblas decides). */
static void test_gemm_threads_agree(void)
{
    enum { M = 800, N = 256, K = 160 }; /* 65 MFLOP: a share for each of two threads */
    float *A = malloc(sizeof(float) * M * K), *Bm = malloc(sizeof(float) * K * N), *bias = malloc(sizeof(float) * N);
    float *C1 = malloc(sizeof(float) * M * N), *C2 = malloc(sizeof(float) * M * N);
    fill(A, (size_t)M * K, 4), fill(Bm, (size_t)K * N, 5), fill(bias, N, 6);
    rc_simd saved_simd = rc_simd_active();
    int saved = rc_num_threads();
    for (int level = RC_SIMD_AVX2; level <= (int)rc_simd_best(); level++)
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = t & 2;
            RC_CHECK_OK(rc_set_simd((rc_simd)level));
            float *C[2] = {C1, C2};
            for (int k = 0; k < 2; k++) {
                rc_set_num_threads(k + 1);
                rc_gemm_bias(ta, tb, M, N, K, A, ta ? M : K, Bm, tb ? K : N, bias, C[k], N);
                rc_gemm(ta, tb, M, N, K, 0.5f, A, ta ? M : K, Bm, tb ? K : N, 1, C[k], N);
            }
            char name[96];
            snprintf(name, sizeof name, "%s gemm ta=%d tb=%d 2 threads vs 1", rc_simd_name((rc_simd)level), ta, tb);
            rc_test_close(name, C2, C1, (size_t)M * N, 0, 0);
        }
    rc_set_num_threads(saved);
    RC_CHECK_OK(rc_set_simd(saved_simd));
    free(A), free(Bm), free(bias), free(C1), free(C2);
}

static void test_set_simd_errors(void)
{
    RC_CHECK(rc_set_simd(RC_SIMD_COUNT) == RC_E_INVALID, "RC_SIMD_COUNT accepted");
    RC_CHECK(strstr(rc_last_error(), "rc_set_simd") != NULL, "message: %s", rc_last_error());
    RC_CHECK(!strcmp(rc_simd_name(RC_SIMD_SCALAR), "scalar"), "name");
}

int main(void)
{
    RC_RUN(test_vmath_ulps);
    RC_RUN(test_gemm_levels);
    RC_RUN(test_levels_agree);
    RC_RUN(test_threads_agree);
    RC_RUN(test_gemm_threads_agree);
    RC_RUN(test_set_simd_errors);
    return rc_test_finish();
}
