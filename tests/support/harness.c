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

/* Σ r ⊙ y in double; y == NULL means the build failed. */
static double weighted_sum(const rc_tensor *y, const double *r)
{
    double s = 0;
    for (size_t i = 0; i < y->numel; i++) s += r[i] * (double)y->data[i];
    return s;
}

double rc_gradcheck(const char *name, rc_gc_build_fn build, void *ctx, rc_tensor **inputs, int n_inputs,
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
    rc_tensor *y = build(g, ctx);
    if (!y || rc_graph_status(g) != RC_OK) {
        rc_test_fail(__FILE__, __LINE__, "%s: build failed: %s", name, rc_graph_error(g));
        rc_graph_free(g);
        return INFINITY;
    }
    if (!y->grad) {
        rc_test_fail(__FILE__, __LINE__, "%s: output has no grad buffer", name);
        rc_graph_free(g);
        return INFINITY;
    }
    size_t ny = y->numel;
    double *r = malloc(ny * sizeof *r);
    rc_rng rr;
    rc_rng_seed(&rr, 12345);
    for (size_t i = 0; i < ny; i++) {
        r[i] = rc_rng_uniform(&rr) * 2 - 1;
        y->grad[i] = (rc_real)r[i];
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
            double f[2];
            for (int side = 0; side < 2; side++) {
                x->data[i] = (rc_real)((double)saved + (side ? -eps : eps));
                rc_graph_reset(g);
                *rc_graph_rng(g) = rng0;
                rc_tensor *yy = build(g, ctx);
                f[side] = yy ? weighted_sum(yy, r) : NAN;
            }
            x->data[i] = saved;
            double num = (f[0] - f[1]) / (2 * eps);
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
