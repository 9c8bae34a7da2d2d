/*
 * Optimizers and clipping against closed forms and against an independent
 * double-precision implementation of the textbook update rules.
 *
 * Tolerance: the library works in float, the reference in double. Each step
 * rounds a few times at the scale of |p| <= ~2 (ulp 2.4e-7), so five steps
 * stay well inside 1e-6 absolute; a wrong coefficient or order of updates
 * (bias correction, decay before or after the moments) is off by 1e-4 or more.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define TOL 1e-6

static void fill_grad(rc_tensor *t, rc_rng *r, double lo, double hi) { rc_rng_fill_uniform(r, t->grad, t->numel, lo, hi); }

/* One parameter with grad, from a list of values. */
static rc_tensor *param_of(int n, const rc_real *values)
{
    int shape[1] = {n};
    rc_tensor *t;
    if (rc_tensor_new(&t, 1, shape, true) != RC_OK) return NULL;
    memcpy(t->data, values, (size_t)n * sizeof *values);
    return t;
}

static void test_defaults(void)
{
    rc_optim_config a = rc_optim_config_default(RC_OPTIM_ADAM, 1e-3f);
    RC_CHECK(a.lr == 1e-3f && a.beta1 == 0.9f && a.beta2 == 0.999f && a.eps == 1e-8f && a.weight_decay == 0, "Adam");
    rc_optim_config w = rc_optim_config_default(RC_OPTIM_ADAMW, 1e-3f);
    RC_CHECK(w.beta1 == 0.9f && w.beta2 == 0.999f && w.eps == 1e-8f && w.weight_decay == 1e-2f, "AdamW");
    rc_optim_config s = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    RC_CHECK(s.lr == 0.1f && s.momentum == 0 && s.weight_decay == 0, "SGD");
}

static void expect_invalid(rc_optim_config c, rc_params *ps, const char *field)
{
    rc_optim *o = (rc_optim *)&o;
    RC_CHECK(rc_optim_create(&o, &c, ps) == RC_E_INVALID && o == NULL, "%s accepted", field);
    RC_CHECK(strstr(rc_last_error(), field) != NULL, "message '%s' lacks '%s'", rc_last_error(), field);
}

static void test_hyperparameter_validation(void)
{
    rc_real v[2] = {1, 2};
    rc_tensor *p = param_of(2, v);
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "p", p));
    rc_optim_config c;
    c = rc_optim_config_default(RC_OPTIM_SGD, -0.1f);
    expect_invalid(c, ps, "lr");
    c.lr = NAN;
    expect_invalid(c, ps, "lr");
    c.lr = INFINITY;
    expect_invalid(c, ps, "lr");
    c = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    c.momentum = -0.5f;
    expect_invalid(c, ps, "momentum");
    c = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    c.weight_decay = -1;
    expect_invalid(c, ps, "weight_decay");
    c = rc_optim_config_default(RC_OPTIM_ADAM, 0.1f);
    c.beta1 = 1;
    expect_invalid(c, ps, "beta1");
    c = rc_optim_config_default(RC_OPTIM_ADAMW, 0.1f);
    c.beta2 = -0.1f;
    expect_invalid(c, ps, "beta2");
    c.beta2 = 1.5f;
    expect_invalid(c, ps, "beta2");
    c = rc_optim_config_default(RC_OPTIM_ADAM, 0.1f);
    c.eps = -1e-8f;
    expect_invalid(c, ps, "eps");
    c.kind = (rc_optim_kind)7;
    expect_invalid(c, ps, "kind");

    /* Zero hyperparameters are valid. */
    rc_optim *o;
    c = rc_optim_config_default(RC_OPTIM_ADAM, 0);
    c.beta1 = c.beta2 = c.eps = 0;
    RC_CHECK_OK(rc_optim_create(&o, &c, ps));
    rc_optim_free(o);

    /* No tensor with a grad: refused like torch's empty parameter list. */
    rc_params *frozen;
    rc_tensor *f;
    int shape[1] = {2};
    RC_CHECK_OK(rc_tensor_new(&f, 1, shape, false));
    RC_CHECK_OK(rc_params_create(&frozen));
    RC_CHECK_OK(rc_params_add(frozen, NULL, "f", f));
    expect_invalid(rc_optim_config_default(RC_OPTIM_ADAM, 0.1f), frozen, "grad buffer");
    rc_params_free(frozen);
    rc_tensor_free(f);
    rc_params_free(ps);
    rc_tensor_free(p);
}

/* Runs steps of cfg on one parameter with the given grads per step; returns it. */
static rc_tensor *run_steps(rc_optim_config cfg, const rc_real *p0, int n, const rc_real *grads, int steps)
{
    rc_tensor *p = param_of(n, p0);
    rc_params *ps;
    rc_optim *o;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "p", p));
    RC_CHECK_OK(rc_optim_create(&o, &cfg, ps));
    for (int s = 0; s < steps; s++) {
        memcpy(p->grad, grads + s * n, (size_t)n * sizeof *grads);
        RC_CHECK_OK(rc_optim_step(o));
    }
    RC_CHECK(rc_optim_steps(o) == steps, "step count %lld", (long long)rc_optim_steps(o));
    rc_optim_free(o);
    rc_params_free(ps);
    return p;
}

/* β1 = β2 = 0: m = g, v = g², no bias correction, so each step is p −= lr·g/(|g| + eps). */
static void test_adam_closed_form(void)
{
    rc_real p0[4] = {0.5f, -1.0f, 2.0f, 0.0f}, g[8] = {0.3f, -0.2f, 1e-4f, -2.0f, -0.7f, 0.05f, 0.0f, 1.0f};
    rc_optim_config c = rc_optim_config_default(RC_OPTIM_ADAM, 0.1f);
    c.beta1 = c.beta2 = 0;
    c.eps = 1e-3f;
    rc_tensor *p = run_steps(c, p0, 4, g, 2);
    rc_real want[4];
    for (int i = 0; i < 4; i++) {
        double x = p0[i];
        for (int s = 0; s < 2; s++) x -= 0.1 * g[s * 4 + i] / (fabs(g[s * 4 + i]) + 1e-3);
        want[i] = (rc_real)x;
    }
    rc_test_close("Adam beta=0, 2 steps", p->data, want, 4, TOL, 0);
    rc_tensor_free(p);

    /* AdamW with β = 0: p = p·(1 − lr·λ) − lr·g/(|g| + eps) */
    c.kind = RC_OPTIM_ADAMW;
    c.weight_decay = 0.5f;
    p = run_steps(c, p0, 4, g, 1);
    for (int i = 0; i < 4; i++) want[i] = (rc_real)(p0[i] * (1 - 0.1 * 0.5) - 0.1 * g[i] / (fabs(g[i]) + 1e-3));
    rc_test_close("AdamW beta=0, 1 step", p->data, want, 4, TOL, 0);
    rc_tensor_free(p);

    /* Adam with λ: the decay goes into g (and so into m and v): p −= lr·g'/(|g'| + eps), g' = g + λp */
    c.kind = RC_OPTIM_ADAM;
    p = run_steps(c, p0, 4, g, 1);
    for (int i = 0; i < 4; i++) {
        double gp = g[i] + 0.5 * p0[i];
        want[i] = (rc_real)(p0[i] - 0.1 * gp / (fabs(gp) + 1e-3));
    }
    rc_test_close("Adam beta=0 with weight decay", p->data, want, 4, TOL, 0);
    rc_tensor_free(p);

    /* The first step with the default β: bias correction makes m̂ = g and v̂ = g² exactly. */
    c = rc_optim_config_default(RC_OPTIM_ADAM, 0.01f);
    p = run_steps(c, p0, 4, g, 1);
    for (int i = 0; i < 4; i++) want[i] = (rc_real)(p0[i] - 0.01 * g[i] / (fabs(g[i]) + 1e-8));
    rc_test_close("Adam first step (bias corrected)", p->data, want, 4, TOL, 0);
    rc_tensor_free(p);
}

/* SGD with momentum by hand: buf1 = g1, p1 = p0 − lr·g1; buf2 = μ·buf1 + g2, p2 = p1 − lr·buf2. */
static void test_sgd_closed_form(void)
{
    rc_real p0[2] = {1.0f, -2.0f}, g[4] = {0.5f, 0.25f, 1.0f, -0.5f};
    rc_optim_config c = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    c.momentum = 0.5f;
    rc_tensor *p = run_steps(c, p0, 2, g, 2);
    /* p0 = 1: buf1 = 0.5, p1 = 0.95; buf2 = 0.25 + 1 = 1.25, p2 = 0.825.
     * p0 = −2: buf1 = 0.25, p1 = −2.025; buf2 = 0.125 − 0.5 = −0.375, p2 = −1.9875. */
    rc_real want[2] = {0.825f, -1.9875f};
    rc_test_close("SGD momentum, 2 steps", p->data, want, 2, TOL, 0);
    rc_tensor_free(p);

    /* Plain SGD with weight decay (exact in binary): g' = 0.5 + 0.25·2 = 1, p = 2 − 0.5·1. */
    rc_real q0[1] = {2.0f}, gq[1] = {0.5f};
    c = rc_optim_config_default(RC_OPTIM_SGD, 0.5f);
    c.weight_decay = 0.25f;
    p = run_steps(c, q0, 1, gq, 1);
    RC_CHECK(p->data[0] == 1.5f, "SGD weight decay: %.9g, want 1.5", (double)p->data[0]);
    rc_tensor_free(p);
}

/* The textbook rules of optim.h in double, written without reference to the library's code. */
typedef struct ref_opt {
    double p[64], m[64], v[64];
} ref_opt;

static void ref_step(const rc_optim_config *c, int t, ref_opt *r, const double *g, int n)
{
    double lr = c->lr, wd = c->weight_decay, b1 = c->beta1, b2 = c->beta2, eps = c->eps, mu = c->momentum;
    for (int i = 0; i < n; i++) {
        double gi = g[i];
        if (c->kind == RC_OPTIM_SGD) {
            gi += wd * r->p[i];
            if (mu != 0) gi = r->m[i] = t == 1 ? gi : mu * r->m[i] + gi;
            r->p[i] -= lr * gi;
            continue;
        }
        if (c->kind == RC_OPTIM_ADAMW)
            r->p[i] *= 1 - lr * wd;
        else
            gi += wd * r->p[i];
        r->m[i] = b1 * r->m[i] + (1 - b1) * gi;
        r->v[i] = b2 * r->v[i] + (1 - b2) * gi * gi;
        double mhat = r->m[i] / (1 - pow(b1, t)), vhat = r->v[i] / (1 - pow(b2, t));
        r->p[i] -= lr * mhat / (sqrt(vhat) + eps);
    }
}

static void compare(const char *label, const char *what, const rc_tensor *t, const double *want)
{
    rc_real w[64];
    for (size_t i = 0; i < t->numel; i++) w[i] = (rc_real)want[i];
    char name[96];
    snprintf(name, sizeof name, "%s %s", label, what);
    rc_test_close(name, t->data, w, t->numel, TOL, 0);
}

/* Five steps on two tensors with fresh random grads each step; params and state compared. */
static void check_against_reference(const char *label, rc_optim_config cfg)
{
    int sw[2] = {3, 4}, sb[1] = {4};
    rc_tensor *w, *b;
    RC_CHECK_OK(rc_tensor_new(&w, 2, sw, true));
    RC_CHECK_OK(rc_tensor_new(&b, 1, sb, true));
    rc_tensor *ts[2] = {w, b};
    rc_params *ps, *state;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_create(&state));
    RC_CHECK_OK(rc_params_add(ps, NULL, "w", w));
    RC_CHECK_OK(rc_params_add(ps, NULL, "b", b));
    rc_rng rng;
    rc_rng_seed(&rng, 2024);
    ref_opt ref[2];
    memset(ref, 0, sizeof ref);
    for (int k = 0; k < 2; k++) {
        rc_rng_fill_uniform(&rng, ts[k]->data, ts[k]->numel, -1, 1);
        for (size_t i = 0; i < ts[k]->numel; i++) ref[k].p[i] = ts[k]->data[i];
    }
    rc_optim *o;
    RC_CHECK_OK(rc_optim_create(&o, &cfg, ps));
    RC_CHECK_OK(rc_optim_add_state(o, state, NULL));
    for (int t = 1; t <= 5; t++) {
        for (int k = 0; k < 2; k++) {
            /* grads of varied scale, so v̂ is not simply g² */
            fill_grad(ts[k], &rng, -1, 1);
            double g[64];
            for (size_t i = 0; i < ts[k]->numel; i++) g[i] = ts[k]->grad[i] * (t % 2 ? 1 : 0.1);
            for (size_t i = 0; i < ts[k]->numel; i++) ts[k]->grad[i] = (rc_real)g[i];
            for (size_t i = 0; i < ts[k]->numel; i++) g[i] = ts[k]->grad[i];
            ref_step(&cfg, t, &ref[k], g, (int)ts[k]->numel);
        }
        RC_CHECK_OK(rc_optim_step(o));
    }
    const char *names[2] = {"w", "b"};
    for (int k = 0; k < 2; k++) {
        char what[64];
        snprintf(what, sizeof what, "%s after 5 steps", names[k]);
        compare(label, what, ts[k], ref[k].p);
        if (cfg.kind == RC_OPTIM_SGD && cfg.momentum == 0) continue;
        snprintf(what, sizeof what, "%s.%s", names[k], cfg.kind == RC_OPTIM_SGD ? "momentum_buffer" : "exp_avg");
        compare(label, what, rc_params_find(state, what), ref[k].m);
        if (cfg.kind == RC_OPTIM_SGD) continue;
        snprintf(what, sizeof what, "%s.exp_avg_sq", names[k]);
        compare(label, what, rc_params_find(state, what), ref[k].v);
    }
    rc_optim_free(o);
    rc_params_free(ps);
    rc_params_free(state);
    rc_tensor_free(w);
    rc_tensor_free(b);
}

static void test_against_double_reference(void)
{
    rc_optim_config c = rc_optim_config_default(RC_OPTIM_ADAM, 1e-2f);
    check_against_reference("Adam", c);
    c.weight_decay = 0.1f;
    check_against_reference("Adam wd", c);
    /* β1 < 0.5 takes torch's other lerp branch */
    c.beta1 = 0.3f;
    c.beta2 = 0.6f;
    c.eps = 1e-3f;
    check_against_reference("Adam small betas", c);
    c = rc_optim_config_default(RC_OPTIM_ADAMW, 1e-2f);
    c.weight_decay = 0.1f;
    check_against_reference("AdamW", c);
    c = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    check_against_reference("SGD", c);
    c.momentum = 0.9f;
    c.weight_decay = 0.01f;
    check_against_reference("SGD momentum wd", c);
}

static double sum_sq(const rc_tensor *t)
{
    double s = 0;
    for (size_t i = 0; i < t->numel; i++) s += (double)t->grad[i] * t->grad[i];
    return s;
}

static void test_clip_grad_norm(void)
{
    int sw[2] = {2, 3}, sb[1] = {4};
    rc_tensor *w, *b, *frozen;
    RC_CHECK_OK(rc_tensor_new(&w, 2, sw, true));
    RC_CHECK_OK(rc_tensor_new(&b, 1, sb, true));
    RC_CHECK_OK(rc_tensor_new(&frozen, 1, sb, false));
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "w", w));
    RC_CHECK_OK(rc_params_add(ps, NULL, "frozen", frozen));
    RC_CHECK_OK(rc_params_add(ps, NULL, "b", b));
    rc_rng rng;
    rc_rng_seed(&rng, 9);
    fill_grad(w, &rng, -3, 3);
    fill_grad(b, &rng, -3, 3);
    double total = sqrt(sum_sq(w) + sum_sq(b));
    rc_real gw[6], gb[4];
    memcpy(gw, w->grad, sizeof gw);
    memcpy(gb, b->grad, sizeof gb);

    /* Below the norm: untouched, bit for bit. */
    rc_real got = rc_clip_grad_norm(ps, (rc_real)(total * 2));
    RC_CHECK(fabs(got - total) <= TOL * total, "total %.9g, want %.9g", (double)got, total);
    RC_CHECK(memcmp(gw, w->grad, sizeof gw) == 0 && memcmp(gb, b->grad, sizeof gb) == 0, "no scaling below max_norm");

    /* Above: every grad times max_norm / (total + 1e-6). */
    double max_norm = total / 3;
    got = rc_clip_grad_norm(ps, (rc_real)max_norm);
    RC_CHECK(fabs(got - total) <= TOL * total, "total %.9g, want %.9g", (double)got, total);
    double coef = (double)(rc_real)max_norm / (total + 1e-6);
    rc_real ww[6], wb[4];
    for (int i = 0; i < 6; i++) ww[i] = (rc_real)(gw[i] * coef);
    for (int i = 0; i < 4; i++) wb[i] = (rc_real)(gb[i] * coef);
    rc_test_close("clipped w", w->grad, ww, 6, 0, TOL);
    rc_test_close("clipped b", b->grad, wb, 4, 0, TOL);
    double after = sqrt(sum_sq(w) + sum_sq(b));
    RC_CHECK(fabs(after - max_norm) <= 1e-5 * max_norm, "norm after clipping %.9g, want %.9g", after, max_norm);

    /* Non-finite grads: the total says so and nothing is scaled. */
    memcpy(w->grad, gw, sizeof gw);
    b->grad[2] = NAN;
    memcpy(gb, b->grad, sizeof gb);
    got = rc_clip_grad_norm(ps, 1);
    RC_CHECK(isnan(got), "NaN total, got %g", (double)got);
    RC_CHECK(memcmp(gw, w->grad, sizeof gw) == 0 && memcmp(gb, b->grad, sizeof gb) == 0, "NaN: grads unscaled");
    b->grad[2] = INFINITY;
    got = rc_clip_grad_norm(ps, 1);
    RC_CHECK(isinf(got) && got > 0 && memcmp(gw, w->grad, sizeof gw) == 0 && b->grad[0] == gb[0], "Inf: unscaled");

    /* A bad max_norm. */
    b->grad[2] = 0;
    got = rc_clip_grad_norm(ps, -1);
    RC_CHECK(isnan(got) && strstr(rc_last_error(), "max_norm"), "negative max_norm: %s", rc_last_error());
    RC_CHECK(memcmp(gw, w->grad, sizeof gw) == 0, "bad max_norm: grads unscaled");

    /* All-zero grads: total 0, nothing to scale. */
    rc_params_zero_grad(ps);
    RC_CHECK(rc_clip_grad_norm(ps, 1) == 0 && w->grad[0] == 0, "zero grads");
    rc_params_free(ps);
    rc_tensor_free(w);
    rc_tensor_free(b);
    rc_tensor_free(frozen);
}

static void test_state_names_and_steps(void)
{
    rc_real v[3] = {1, 2, 3};
    rc_tensor *w = param_of(3, v), *b = param_of(2, v), *frozen;
    int s2[1] = {2};
    RC_CHECK_OK(rc_tensor_new(&frozen, 1, s2, false));
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, "enc", "w", w));
    RC_CHECK_OK(rc_params_add(ps, "enc", "frozen", frozen));
    RC_CHECK_OK(rc_params_add(ps, NULL, "b", b));

    rc_optim_config c = rc_optim_config_default(RC_OPTIM_ADAM, 0.1f);
    c.beta1 = c.beta2 = 0;
    rc_optim *o;
    RC_CHECK_OK(rc_optim_create(&o, &c, ps));
    rc_params *st;
    RC_CHECK_OK(rc_params_create(&st));
    RC_CHECK_OK(rc_optim_add_state(o, st, "optim"));
    const char *want[4] = {"optim.enc.w.exp_avg", "optim.enc.w.exp_avg_sq", "optim.b.exp_avg", "optim.b.exp_avg_sq"};
    RC_CHECK(rc_params_count(st) == 4, "%zu state tensors", rc_params_count(st));
    for (size_t i = 0; i < 4 && i < rc_params_count(st); i++)
        RC_CHECK(strcmp(rc_params_name(st, i), want[i]) == 0, "state %zu is %s, want %s", i, rc_params_name(st, i), want[i]);
    rc_real g[3] = {0.5f, -0.25f, 2.0f};
    memcpy(w->grad, g, sizeof g);
    memcpy(b->grad, g, 2 * sizeof *g);
    RC_CHECK_OK(rc_optim_step(o));
    /* β = 0: exp_avg = g and exp_avg_sq = g² exactly (dyadic values) */
    rc_tensor *m = rc_params_find(st, "optim.enc.w.exp_avg"), *vv = rc_params_find(st, "optim.enc.w.exp_avg_sq");
    RC_CHECK(m && m->numel == 3 && m->data[0] == 0.5f && m->data[1] == -0.25f && m->data[2] == 2.0f, "exp_avg = g");
    RC_CHECK(vv && vv->data[0] == 0.25f && vv->data[1] == 0.0625f && vv->data[2] == 4.0f, "exp_avg_sq = g^2");
    RC_CHECK(frozen->data[0] == 0 && frozen->data[1] == 0, "a tensor without grad is not optimized");

    RC_CHECK(rc_optim_steps(o) == 1, "steps");
    RC_CHECK_OK(rc_optim_set_steps(o, 7));
    RC_CHECK(rc_optim_steps(o) == 7, "set_steps");
    RC_CHECK(rc_optim_set_steps(o, -1) == RC_E_INVALID && rc_optim_steps(o) == 7, "negative steps refused");
    RC_CHECK(rc_optim_add_state(o, st, "optim") == RC_E_INVALID, "adding the same state twice is a duplicate");
    rc_optim_free(o);
    rc_params_free(st);

    /* SGD: momentum_buffer only with momentum; no prefix gives bare names. */
    c = rc_optim_config_default(RC_OPTIM_SGD, 0.1f);
    RC_CHECK_OK(rc_optim_create(&o, &c, ps));
    RC_CHECK_OK(rc_params_create(&st));
    RC_CHECK_OK(rc_optim_add_state(o, st, NULL));
    RC_CHECK(rc_params_count(st) == 0, "plain SGD has no state");
    rc_optim_free(o);
    c.momentum = 0.9f;
    RC_CHECK_OK(rc_optim_create(&o, &c, ps));
    RC_CHECK_OK(rc_optim_add_state(o, st, NULL));
    RC_CHECK(rc_params_count(st) == 2 && strcmp(rc_params_name(st, 0), "enc.w.momentum_buffer") == 0 &&
                 strcmp(rc_params_name(st, 1), "b.momentum_buffer") == 0,
             "momentum buffers named");
    rc_optim_free(o);
    rc_params_free(st);
    rc_params_free(ps);
    rc_tensor_free(w);
    rc_tensor_free(b);
    rc_tensor_free(frozen);
}

/* State added to the very list being optimized: the list grows (and moves) while names are read from it. */
static void test_state_into_own_list(void)
{
    enum { N = 12 };
    rc_tensor *ts[N];
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    rc_real v[2] = {1, 2};
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        ts[i] = param_of(2, v);
        RC_CHECK_OK(rc_params_add(ps, NULL, name, ts[i]));
    }
    rc_optim_config c = rc_optim_config_default(RC_OPTIM_ADAMW, 0.1f);
    rc_optim *o;
    RC_CHECK_OK(rc_optim_create(&o, &c, ps));
    RC_CHECK_OK(rc_optim_add_state(o, ps, "opt"));
    RC_CHECK(rc_params_count(ps) == 3 * N, "%zu entries", rc_params_count(ps));
    RC_CHECK(rc_params_find(ps, "opt.p11.exp_avg_sq") != NULL, "last state name");
    RC_CHECK_OK(rc_optim_step(o));
    rc_optim_free(o);
    rc_params_free(ps);
    for (int i = 0; i < N; i++) rc_tensor_free(ts[i]);
}

/* A checkpoint of params, state and step count through safetensors resumes
 * training bit for bit (without the step count the bias corrections differ). */
static void test_checkpoint_resumes_exactly(void)
{
    rc_real v[4] = {0.5f, -1, 0.25f, 2};
    rc_tensor *a = param_of(4, v), *b = param_of(4, v);
    rc_params *pa, *pb, *ca, *cb;
    RC_CHECK_OK(rc_params_create(&pa));
    RC_CHECK_OK(rc_params_create(&pb));
    RC_CHECK_OK(rc_params_add(pa, NULL, "w", a));
    RC_CHECK_OK(rc_params_add(pb, NULL, "w", b));
    rc_optim_config c = rc_optim_config_default(RC_OPTIM_ADAM, 0.05f);
    rc_optim *oa, *ob;
    RC_CHECK_OK(rc_optim_create(&oa, &c, pa));
    RC_CHECK_OK(rc_optim_create(&ob, &c, pb));
    RC_CHECK_OK(rc_params_create(&ca));
    RC_CHECK_OK(rc_params_create(&cb));
    RC_CHECK_OK(rc_params_add(ca, NULL, "w", a));
    RC_CHECK_OK(rc_params_add(cb, NULL, "w", b));
    RC_CHECK_OK(rc_optim_add_state(oa, ca, "optim"));
    RC_CHECK_OK(rc_optim_add_state(ob, cb, "optim"));

    rc_rng rng;
    rc_rng_seed(&rng, 5);
    for (int t = 0; t < 3; t++) {
        fill_grad(a, &rng, -1, 1);
        RC_CHECK_OK(rc_optim_step(oa));
    }
    char path[300];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/recur_optim_%ld.safetensors", base && base[0] ? base : "/tmp", (long)getpid());
    RC_CHECK_OK(rc_st_save_params(path, ca, NULL, 0));
    RC_CHECK_OK(rc_st_load_params(path, cb, true));
    RC_CHECK_OK(rc_optim_set_steps(ob, rc_optim_steps(oa)));
    remove(path);
    for (int t = 0; t < 2; t++) {
        fill_grad(a, &rng, -1, 1);
        memcpy(b->grad, a->grad, 4 * sizeof *a->grad);
        RC_CHECK_OK(rc_optim_step(oa));
        RC_CHECK_OK(rc_optim_step(ob));
    }
    RC_CHECK(memcmp(a->data, b->data, 4 * sizeof *a->data) == 0, "resumed run matches bit for bit");
    rc_optim_free(oa);
    rc_optim_free(ob);
    rc_params_free(pa);
    rc_params_free(pb);
    rc_params_free(ca);
    rc_params_free(cb);
    rc_tensor_free(a);
    rc_tensor_free(b);
}

int main(void)
{
    RC_RUN(test_defaults);
    RC_RUN(test_hyperparameter_validation);
    RC_RUN(test_adam_closed_form);
    RC_RUN(test_sgd_closed_form);
    RC_RUN(test_against_double_reference);
    RC_RUN(test_clip_grad_norm);
    RC_RUN(test_state_names_and_steps);
    RC_RUN(test_state_into_own_list);
    RC_RUN(test_checkpoint_resumes_exactly);
    return rc_test_finish();
}
