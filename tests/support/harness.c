#include "harness.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int n_passed, n_failed;
static bool case_failed;

void rc_test_run(const char *name, void (*fn)(void))
{
    case_failed = false;
    printf("--- %s\n", name);
    fflush(stdout);
    fn();
    if (case_failed) {
        n_failed++;
        printf("FAIL %s\n", name);
    } else {
        n_passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

int rc_test_finish(void)
{
    printf("%d passed, %d failed\n", n_passed, n_failed);
    return n_failed ? 1 : 0;
}

void rc_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    case_failed = true;
    printf("  %s:%d: ", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

bool rc_test_close(const char *name, const rc_real *got, const rc_real *want, size_t n, double atol, double rtol)
{
    double max_err = 0, max_want = 0;
    size_t worst = 0;
    bool finite = true;
    for (size_t i = 0; i < n; i++) {
        double w = fabs((double)want[i]);
        if (w > max_want) max_want = w;
    }
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - (double)want[i]);
        if (!isfinite((double)got[i]) && isfinite((double)want[i])) finite = false;
        if (e > max_err || e != e) {
            max_err = e;
            worst = i;
        }
    }
    double tol = atol + rtol * max_want;
    bool ok = finite && max_err <= tol;
    printf("  %-40s %s max abs err = %.3e (tol %.1e, max |want| = %.3g)\n", name, ok ? "OK  " : "FAIL", max_err, tol,
           max_want);
    if (!ok) {
        case_failed = true;
        int shown = 0;
        for (size_t i = 0; i < n && shown < 5; i++) {
            double e = fabs((double)got[i] - (double)want[i]);
            if (!(e <= tol)) {
                printf("    [%zu] got %.8g want %.8g\n", i, (double)got[i], (double)want[i]);
                shown++;
            }
        }
        printf("    worst at [%zu]\n", worst);
    }
    return ok;
}

void rc_test_fill(rc_tensor *t, uint64_t seed, double lo, double hi)
{
    rc_rng r;
    rc_rng_seed(&r, seed);
    rc_rng_fill_uniform(&r, t->data, t->numel, lo, hi);
}

/* Σ_k Σ r_k ⊙ y_k in double, the weights r of all outputs concatenated. */
static double weighted_sum(rc_tensor *const *ys, int n, const double *r)
{
    double s = 0;
    for (int k = 0; k < n; k++)
        for (size_t i = 0; i < ys[k]->numel; i++) s += *r++ * (double)ys[k]->data[i];
    return s;
}

/* One rebuild for a finite difference: the weighted sum, NaN on failure. */
static double rebuild(rc_graph *g, rc_rng rng0, rc_gc_build_multi_fn build, void *ctx, int n_out, const double *r)
{
    rc_tensor *ys[RC_GC_MAX_OUTPUTS];
    rc_graph_reset(g);
    *rc_graph_rng(g) = rng0;
    int n = build(g, ctx, ys);
    return n == n_out && rc_graph_status(g) == RC_OK ? weighted_sum(ys, n, r) : NAN;
}

double rc_gradcheck_multi(const char *name, rc_gc_build_multi_fn build, void *ctx, rc_tensor **inputs, int n_inputs,
                          double eps, size_t max_per_input, double tol)
{
    rc_graph *g;
    if (rc_graph_create(&g) != RC_OK) {
        rc_test_fail(__FILE__, __LINE__, "%s: cannot create graph", name);
        return INFINITY;
    }
    rc_rng rng0 = *rc_graph_rng(g);

    /* Analytic pass. */
    for (int k = 0; k < n_inputs; k++) rc_tensor_zero_grad(inputs[k]);
    rc_tensor *ys[RC_GC_MAX_OUTPUTS];
    int n_out = build(g, ctx, ys);
    if (n_out < 1 || n_out > RC_GC_MAX_OUTPUTS || rc_graph_status(g) != RC_OK) {
        rc_test_fail(__FILE__, __LINE__, "%s: build failed: %s", name, rc_graph_error(g));
        rc_graph_free(g);
        return INFINITY;
    }
    size_t ny = 0;
    for (int k = 0; k < n_out; k++) {
        if (!ys[k] || !ys[k]->grad) {
            rc_test_fail(__FILE__, __LINE__, "%s: output %d has no grad buffer", name, k);
            rc_graph_free(g);
            return INFINITY;
        }
        ny += ys[k]->numel;
    }
    double *r = malloc(ny * sizeof *r);
    rc_rng rr;
    rc_rng_seed(&rr, 12345);
    for (int k = 0, j = 0; k < n_out; k++)
        for (size_t i = 0; i < ys[k]->numel; i++, j++) {
            r[j] = rc_rng_uniform(&rr) * 2 - 1;
            ys[k]->grad[i] = (rc_real)r[j];
        }
    rc_status s = rc_graph_backward(g, NULL);
    if (s != RC_OK) rc_test_fail(__FILE__, __LINE__, "%s: backward failed: %s", name, rc_last_error());

    double worst = 0;
    for (int k = 0; k < n_inputs && s == RC_OK; k++) {
        rc_tensor *x = inputs[k];
        size_t n = x->numel, step = 1;
        if (max_per_input && n > max_per_input) step = (n + max_per_input - 1) / max_per_input;
        double *analytic = malloc(n * sizeof *analytic);
        for (size_t i = 0; i < n; i++) analytic[i] = (double)x->grad[i];
        double max_diff = 0, max_num = 0;
        for (size_t i = 0; i < n; i += step) {
            rc_real saved = x->data[i];
            x->data[i] = (rc_real)((double)saved + eps);
            double f_plus = rebuild(g, rng0, build, ctx, n_out, r);
            x->data[i] = (rc_real)((double)saved - eps);
            double f_minus = rebuild(g, rng0, build, ctx, n_out, r);
            x->data[i] = saved;
            double num = (f_plus - f_minus) / (2 * eps);
            double d = fabs(num - analytic[i]);
            if (d > max_diff || d != d) max_diff = d;
            if (fabs(num) > max_num) max_num = fabs(num);
        }
        double err = max_diff / (max_num > 1e-3 ? max_num : 1e-3);
        bool ok = err <= tol;
        printf("  gradcheck %-28s input %d %s rel err = %.3e (tol %.1e)\n", name, k, ok ? "OK  " : "FAIL", err, tol);
        if (!ok) rc_test_fail(__FILE__, __LINE__, "%s: input %d gradient mismatch", name, k);
        if (err > worst || err != err) worst = err;
        free(analytic);
    }
    free(r);
    rc_graph_free(g);
    return worst;
}

/* rc_gradcheck's single-output build, seen as a build of one output. */
typedef struct single_build {
    rc_gc_build_fn build;
    void *ctx;
} single_build;

static int build_single(rc_graph *g, void *ctx, rc_tensor **ys)
{
    const single_build *sb = ctx;
    ys[0] = sb->build(g, sb->ctx);
    return ys[0] ? 1 : 0;
}

double rc_gradcheck(const char *name, rc_gc_build_fn build, void *ctx, rc_tensor **inputs, int n_inputs,
                    double eps, size_t max_per_input, double tol)
{
    single_build sb = {build, ctx};
    return rc_gradcheck_multi(name, build_single, &sb, inputs, n_inputs, eps, max_per_input, tol);
}
