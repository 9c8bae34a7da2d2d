/*
 * The optimizer object: hyperparameter checks, per-parameter state tensors
 * and the step dispatch to the update kernels (sgd.c, adam.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "optim/update.h"

enum { MAX_STATE = 2 };

/* State tensors per parameter, under torch's state_dict names. */
static const char *const state_names[RC_OPTIM_KIND_COUNT][MAX_STATE] = {
    [RC_OPTIM_SGD] = {"momentum_buffer", NULL},
    [RC_OPTIM_ADAM] = {"exp_avg", "exp_avg_sq"},
    [RC_OPTIM_ADAMW] = {"exp_avg", "exp_avg_sq"},
};

struct rc_optim {
    rc_optim_config cfg;
    const rc_params *ps;
    size_t n;           /* parameters with a grad buffer */
    size_t *index;      /* their positions in ps */
    int n_state;        /* state tensors per parameter */
    rc_tensor **state;  /* n × n_state, parameter-major */
    int64_t steps;
};

static rc_tensor *param_at(const rc_optim *o, size_t i) { return rc_params_tensor(o->ps, o->index[i]); }

/* The n_state state tensors of the i-th optimized parameter. */
static rc_tensor **state_at(const rc_optim *o, size_t i) { return o->state + i * (size_t)o->n_state; }

rc_optim_config rc_optim_config_default(rc_optim_kind kind, rc_real lr)
{
    rc_optim_config c = {.kind = kind, .lr = lr};
    if (kind == RC_OPTIM_ADAM || kind == RC_OPTIM_ADAMW) {
        c.beta1 = (rc_real)0.9;
        c.beta2 = (rc_real)0.999;
        c.eps = (rc_real)1e-8;
    }
    if (kind == RC_OPTIM_ADAMW) c.weight_decay = (rc_real)1e-2;
    return c;
}

/* v finite and in [0, ∞), or in [0, 1) when below_one. */
static rc_status check_range(const char *field, rc_real v, bool below_one)
{
    if (v >= 0 && isfinite(v) && (!below_one || v < 1)) return RC_OK;
    return rc_error(RC_E_INVALID, "optim: %s must be %s, got %g", field, below_one ? "in [0, 1)" : "finite and >= 0",
                    (double)v);
}

static rc_status check_config(const rc_optim_config *c)
{
    if ((int)c->kind < 0 || c->kind >= RC_OPTIM_KIND_COUNT)
        return rc_error(RC_E_INVALID, "optim: unknown optimizer kind %d", (int)c->kind);
    rc_status s = check_range("lr", c->lr, false);
    if (s == RC_OK) s = check_range("weight_decay", c->weight_decay, false);
    if (c->kind == RC_OPTIM_SGD) return s == RC_OK ? check_range("momentum", c->momentum, false) : s;
    if (s == RC_OK) s = check_range("beta1", c->beta1, true);
    if (s == RC_OK) s = check_range("beta2", c->beta2, true);
    if (s == RC_OK) s = check_range("eps", c->eps, false);
    return s;
}

static rc_status alloc_state(rc_optim *o)
{
    o->index = malloc((o->n ? o->n : 1) * sizeof *o->index);
    o->state = calloc(o->n * (size_t)o->n_state + 1, sizeof *o->state);
    if (!o->index || !o->state) return rc_error(RC_E_NOMEM, "optim: out of memory");
    for (size_t i = 0, j = 0; i < rc_params_count(o->ps); i++) {
        const rc_tensor *p = rc_params_tensor(o->ps, i);
        if (!p->grad) continue;
        o->index[j] = i;
        for (int k = 0; k < o->n_state; k++) {
            rc_status s = rc_tensor_new(&state_at(o, j)[k], p->ndim, p->shape, false);
            if (s != RC_OK) return s;
        }
        j++;
    }
    return RC_OK;
}

rc_status rc_optim_create(rc_optim **out, const rc_optim_config *cfg, rc_params *ps)
{
    *out = NULL;
    rc_status s = check_config(cfg);
    if (s != RC_OK) return s;
    rc_optim *o = calloc(1, sizeof *o);
    if (!o) return rc_error(RC_E_NOMEM, "optim: out of memory");
    o->cfg = *cfg;
    o->ps = ps;
    for (size_t i = 0; i < rc_params_count(ps); i++) o->n += rc_params_tensor(ps, i)->grad != NULL;
    o->n_state = cfg->kind == RC_OPTIM_SGD ? (cfg->momentum != 0) : 2;
    s = o->n ? alloc_state(o) : rc_error(RC_E_INVALID, "optim: no tensor of the %zu in the list has a grad buffer",
                                         rc_params_count(ps));
    if (s != RC_OK) {
        rc_optim_free(o);
        return s;
    }
    *out = o;
    return RC_OK;
}

void rc_optim_free(rc_optim *o)
{
    if (!o) return;
    for (size_t i = 0; o->state && i < o->n * (size_t)o->n_state; i++) rc_tensor_free(o->state[i]);
    free(o->state);
    free(o->index);
    free(o);
}

rc_status rc_optim_step(rc_optim *o)
{
    o->steps++;
    if (o->cfg.kind == RC_OPTIM_SGD) {
        for (size_t i = 0; i < o->n; i++) {
            rc_tensor *p = param_at(o, i);
            rc_sgd_update(p->data, p->grad, o->n_state ? state_at(o, i)[0]->data : NULL, p->numel, &o->cfg);
        }
        return RC_OK;
    }
    rc_adam_coefs k = rc_adam_coefs_at(&o->cfg, o->steps);
    for (size_t i = 0; i < o->n; i++) {
        rc_tensor *p = param_at(o, i), **st = state_at(o, i);
        rc_adam_update(p->data, p->grad, st[0]->data, st[1]->data, p->numel, &k);
    }
    return RC_OK;
}

int64_t rc_optim_steps(const rc_optim *o) { return o->steps; }

rc_status rc_optim_set_steps(rc_optim *o, int64_t steps)
{
    if (steps < 0) return rc_error(RC_E_INVALID, "optim: the step count must be >= 0, got %lld", (long long)steps);
    o->steps = steps;
    return RC_OK;
}

rc_status rc_optim_add_state(rc_optim *o, rc_params *ps, const char *prefix)
{
    for (size_t i = 0; i < o->n; i++)
        for (int k = 0; k < o->n_state; k++) {
            /* Built before rc_params_add, which may move the names of ps when ps is the optimized list. */
            char name[RC_PARAM_NAME_MAX + 32];
            snprintf(name, sizeof name, "%s.%s", rc_params_name(o->ps, o->index[i]), state_names[o->cfg.kind][k]);
            rc_status s = rc_params_add(ps, prefix, name, state_at(o, i)[k]);
            if (s != RC_OK) return s;
        }
    return RC_OK;
}
