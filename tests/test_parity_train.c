/*
 * Training trajectories against PyTorch (tests/fixtures/train.safetensors):
 * nn.Embedding(13, 8) → nn.LSTM(8, 16) → nn.Linear(16, 13) as a next-token
 * language model on a fixed batch, CrossEntropyLoss, clip_grad_norm_ and
 * 20 steps of Adam, AdamW (weight decay 0.1) or SGD with momentum 0.9. The
 * model starts from PyTorch's initial state_dict; every step's loss and
 * gradient norm (clipping triggers on some steps) and the final parameters
 * are compared.
 *
 * Tolerances: losses, gradient norms and each final parameter tensor within
 * 1e-4 relative to their largest magnitude. Twenty float32 updates each add
 * rounding differences of ~1e-7 relative; Adam divides by √v̂ and so does not
 * amplify them for gradients well above eps. A wrong update rule, bias
 * correction or clipping factor is off by 1e-3 or more after a few steps.
 */
#include <string.h>

#include "fixture.h"

#define TRAJ_RTOL 1e-4
#define MAX_STEPS 64
#define MAX_TOKENS 1024

typedef struct lm {
    rc_embedding_module embed;
    rc_rnn *lstm;
    rc_linear_module head;
    rc_params *ps;
} lm;

static void lm_free(lm *m)
{
    rc_params_free(m->ps);
    rc_linear_destroy(&m->head);
    rc_rnn_free(m->lstm);
    rc_embedding_destroy(&m->embed);
}

/* The model with recur's own init; the fixture's values are loaded next. */
static bool lm_create(lm *m, int V, int E, int H)
{
    memset(m, 0, sizeof *m);
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, E, H);
    bool ok = rc_embedding_init(&m->embed, V, E, -1, &rng) == RC_OK && rc_rnn_create(&m->lstm, &cfg, &rng) == RC_OK &&
              rc_linear_init(&m->head, H, V, true, &rng) == RC_OK && rc_params_create(&m->ps) == RC_OK &&
              rc_embedding_add_params(&m->embed, m->ps, "embed") == RC_OK &&
              rc_rnn_add_params(m->lstm, m->ps, "lstm") == RC_OK &&
              rc_linear_add_params(&m->head, m->ps, "head") == RC_OK;
    RC_CHECK(ok, "model: %s", rc_last_error());
    return ok;
}

/* Mean cross-entropy of predicting tokens[t + 1] from tokens[0..t]; tokens
 * is (T + 1, B). */
static rc_tensor *lm_loss(lm *m, rc_graph *g, const int *tokens, int T, int B)
{
    int in_shape[2] = {T, B}, flat[2] = {T * B, m->head.out_features};
    rc_tensor *x = rc_embedding_forward(&m->embed, g, tokens, 2, in_shape);
    rc_rnn_result r;
    if (!x || rc_rnn_forward(m->lstm, g, x, NULL, NULL, NULL, &r) != RC_OK) return NULL;
    rc_tensor *logits = rc_reshape(g, rc_linear_forward(&m->head, g, r.output), 2, flat);
    return rc_cross_entropy(g, logits, tokens + B, -100, RC_REDUCTION_MEAN);
}

static rc_optim_kind optim_kind(const char *name)
{
    if (strcmp(name, "adamw") == 0) return RC_OPTIM_ADAMW;
    if (strcmp(name, "sgd") == 0) return RC_OPTIM_SGD;
    RC_CHECK(strcmp(name, "adam") == 0, "unknown optimizer \"%s\"", name);
    return RC_OPTIM_ADAM;
}

static rc_optim_config optim_config(rc_fx *fx)
{
    rc_optim_config oc = rc_optim_config_default(optim_kind(rc_fx_str(fx, "kind")), (rc_real)rc_fx_real(fx, "lr"));
    oc.weight_decay = (rc_real)rc_fx_real(fx, "weight_decay");
    oc.momentum = (rc_real)rc_fx_real(fx, "momentum");
    oc.beta1 = (rc_real)rc_fx_real(fx, "beta1");
    oc.beta2 = (rc_real)rc_fx_real(fx, "beta2");
    oc.eps = (rc_real)rc_fx_real(fx, "eps");
    return oc;
}

/* Trains for the fixture's steps, recording each step's loss (before the
 * update) and gradient norm (before clipping). */
static bool train(rc_fx *fx, lm *m, rc_optim *opt, rc_graph *g, const int *tokens, rc_real *losses, rc_real *norms)
{
    int T = rc_fx_int(fx, "T"), B = rc_fx_int(fx, "B"), steps = rc_fx_int(fx, "steps");
    rc_real max_norm = (rc_real)rc_fx_real(fx, "max_norm");
    for (int step = 0; step < steps; step++) {
        rc_graph_reset(g);
        rc_tensor *loss = lm_loss(m, g, tokens, T, B);
        RC_CHECK(loss != NULL, "%s step %d: %s", fx->prefix, step, rc_graph_error(g));
        if (!loss) return false;
        losses[step] = loss->data[0];
        rc_params_zero_grad(m->ps);
        rc_status s = rc_graph_backward(g, loss);
        RC_CHECK(s == RC_OK, "%s step %d: backward: %s", fx->prefix, step, rc_last_error());
        if (s != RC_OK) return false;
        norms[step] = rc_clip_grad_norm(m->ps, max_norm);
        s = rc_optim_step(opt);
        RC_CHECK(s == RC_OK, "%s step %d: optimizer: %s", fx->prefix, step, rc_last_error());
        if (s != RC_OK) return false;
    }
    return true;
}

static void run_trajectory(rc_fx *fx, lm *m, rc_graph *g)
{
    int T = rc_fx_int(fx, "T"), B = rc_fx_int(fx, "B"), steps = rc_fx_int(fx, "steps");
    int tokens[MAX_TOKENS];
    size_t n_tokens = (size_t)(T + 1) * (size_t)B;
    RC_CHECK(steps > 0 && steps <= MAX_STEPS && T > 0 && B > 0 && n_tokens <= MAX_TOKENS, "%s: %d steps of (%d, %d)",
             fx->prefix, steps, T, B);
    if (steps <= 0 || steps > MAX_STEPS || n_tokens > MAX_TOKENS || !rc_fx_read_ints(fx, "tokens", tokens, n_tokens))
        return;
    if (!rc_fx_load_params(fx, m->ps, "init.")) return;

    rc_optim_config oc = optim_config(fx);
    rc_optim *opt = NULL;
    RC_CHECK_OK(rc_optim_create(&opt, &oc, m->ps));
    rc_real losses[MAX_STEPS], norms[MAX_STEPS];
    bool trained = opt && train(fx, m, opt, g, tokens, losses, norms);
    rc_optim_free(opt);
    if (!trained) return;

    double loss_err, norm_err, param_err = 0;
    rc_fx_compare(fx, "losses", losses, (size_t)steps, 0, TRAJ_RTOL, &loss_err);
    rc_fx_compare(fx, "grad_norms", norms, (size_t)steps, 0, TRAJ_RTOL, &norm_err);
    for (size_t i = 0; i < rc_params_count(m->ps); i++) {
        char key[RC_PARAM_NAME_MAX + 8];
        rc_tensor *t = rc_params_tensor(m->ps, i);
        double e;
        snprintf(key, sizeof key, "final.%s", rc_params_name(m->ps, i));
        rc_fx_compare(fx, key, t->data, t->numel, 0, TRAJ_RTOL, &e);
        if (!(e <= param_err)) param_err = e;
    }
    printf("parity train      %-26s loss max rel err %.2e   grad norm %.2e   final params %.2e\n", fx->prefix,
           loss_err, norm_err, param_err);
}

static void test_trajectories(void)
{
    rc_fx fx;
    if (!rc_fx_open(&fx, "tests/fixtures/train.safetensors")) return;
    json_t *configs = rc_fx_configs(&fx);
    /* Adam, AdamW and SGD with momentum */
    RC_CHECK(json_array_size(configs) == 3, "%zu trajectories, expected 3", json_array_size(configs));
    for (size_t i = 0; i < json_array_size(configs); i++) {
        const char *prefix = json_string_value(json_array_get(configs, i));
        if (!prefix || !rc_fx_begin(&fx, prefix)) continue;
        lm m;
        rc_graph *g = NULL;
        RC_CHECK_OK(rc_graph_create(&g));
        if (lm_create(&m, rc_fx_int(&fx, "vocab"), rc_fx_int(&fx, "embed"), rc_fx_int(&fx, "hidden")) && g)
            run_trajectory(&fx, &m, g);
        lm_free(&m);
        rc_graph_free(g);
    }
    json_decref(configs);
    rc_fx_close(&fx);
}

int main(void)
{
    RC_RUN(test_trajectories);
    return rc_test_finish();
}
