#include "seqrun.h"

#include "common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NO_TARGET = -100 };

static size_t n_targets(const seq_data *d, bool per_token) { return per_token ? d->start[d->n] : d->n; }

rc_status seq_output_alloc(seq_output *o, const seq_data *d, bool per_token)
{
    size_t n = n_targets(d, per_token);
    memset(o, 0, sizeof *o);
    o->pred = malloc((n ? n : 1) * sizeof *o->pred);
    o->prob = malloc((n ? n : 1) * sizeof *o->prob);
    if (!o->pred || !o->prob) {
        seq_output_free(o);
        return rc_error(RC_E_NOMEM, "out of memory for %zu predictions", n);
    }
    return RC_OK;
}

void seq_output_free(seq_output *o)
{
    free(o->pred);
    free(o->prob);
    memset(o, 0, sizeof *o);
}

/* Row z of C logits: the most likely class, its probability, and the
 * cross-entropy of target (added to o when target is a class). */
static void score_row(const rc_real *z, int C, int target, seq_output *o, int *pred, float *prob)
{
    int best = 0;
    for (int c = 1; c < C; c++)
        if (z[c] > z[best]) best = c;
    /* log Σ exp z = z_max + log Σ exp(z − z_max) */
    double sum = 0;
    for (int c = 0; c < C; c++) sum += exp((double)z[c] - (double)z[best]);
    double lse = (double)z[best] + log(sum);
    *pred = best;
    *prob = (float)(1 / sum);
    if (target >= 0 && target < C) {
        o->loss_sum += lse - (double)z[target];
        o->counted++;
    }
}

/* Scores every real position (or sequence) of batch b into o. */
static void score_batch(const seq_runner *r, const seq_data *d, const seq_batch *b, const size_t *idx,
                        const rc_tensor *logits, seq_output *o)
{
    int C = logits->shape[1];
    for (int i = 0; i < b->B; i++) {
        if (!r->per_token) {
            score_row(logits->data + (size_t)i * C, C, b->targets[i], o, &o->pred[idx[i]], &o->prob[idx[i]]);
            continue;
        }
        size_t at = d->start[idx[i]];
        for (int t = 0; t < b->lengths[i]; t++) {
            size_t row = (size_t)i * b->T + (size_t)t;
            score_row(logits->data + row * C, C, b->targets[row], o, &o->pred[at + (size_t)t], &o->prob[at + (size_t)t]);
        }
    }
}

rc_status seq_predict(const seq_runner *r, rc_graph *g, const seq_data *d, seq_output *out)
{
    out->loss_sum = 0;
    out->counted = 0;
    seq_plan plan;
    seq_batch b;
    rc_status s = seq_plan_alloc(&plan, d->n, r->batch);
    if (s != RC_OK) return s;
    s = seq_batch_alloc(&b, d, r->batch, r->per_token);
    if (s != RC_OK) {
        seq_plan_free(&plan);
        return s;
    }
    bool training = rc_graph_is_training(g), grad = rc_graph_grad_enabled(g);
    rc_graph_set_training(g, false);
    rc_graph_set_grad_enabled(g, false);
    seq_plan_sorted(&plan, d, r->batch);
    for (size_t k = 0; s == RC_OK && k < plan.n_batches; k++) {
        const size_t *idx = plan.order + plan.bounds[k];
        seq_batch_fill(&b, d, idx, (int)(plan.bounds[k + 1] - plan.bounds[k]), r->per_token);
        rc_graph_reset(g);
        rc_tensor *logits = r->forward(r->model, g, &b);
        if (!logits) s = rc_graph_status(g);
        else score_batch(r, d, &b, idx, logits, out);
    }
    rc_graph_set_training(g, training);
    rc_graph_set_grad_enabled(g, grad);
    seq_batch_free(&b);
    seq_plan_free(&plan);
    return s;
}

/* Replaces each token of the batch by <unk> with probability p (its
 * characters stay: the char features still see the word). */
static void drop_words(seq_batch *b, double p, rc_rng *rng)
{
    for (int i = 0; i < b->B; i++)
        for (int t = 0; t < b->lengths[i]; t++)
            if (rc_rng_uniform(rng) < p) b->ids[i * b->T + t] = RC_TOKEN_UNK;
}

double seq_accuracy(const seq_data *d, bool per_token, const int *pred)
{
    size_t n = n_targets(d, per_token), right = 0;
    for (size_t i = 0; i < n; i++) right += pred[i] == d->targets[i];
    return n ? (double)right / (double)n : 0;
}

/* The state of a run between the loop's calls. */
typedef struct seq_fit {
    seq_runner runner;
    const seq_data *train, *valid;
    uint64_t seed;
    seq_plan plan;
    int64_t epoch; /* of plan, -1 before the first */
    seq_batch batch;
    seq_output out;
} seq_fit;

static rc_status fit_init(seq_fit *f, const seq_runner *r, const seq_data *train, const seq_data *valid, const cli_common *c)
{
    memset(f, 0, sizeof *f);
    f->runner = *r;
    f->train = train;
    f->valid = valid;
    f->seed = cli_stream_seed(c, CLI_STREAM_SHUFFLE);
    f->epoch = -1;
    rc_status s = seq_plan_alloc(&f->plan, train->n, r->batch);
    if (s == RC_OK) s = seq_batch_alloc(&f->batch, train, r->batch, r->per_token);
    if (s == RC_OK && valid) s = seq_output_alloc(&f->out, valid, r->per_token);
    return s;
}

static void fit_free(seq_fit *f)
{
    seq_plan_free(&f->plan);
    seq_batch_free(&f->batch);
    seq_output_free(&f->out);
}

/* Step `step` of the loop: the next batch of the epoch's plan, the mean
 * cross-entropy in *loss and its gradients accumulated by a backward pass.
 * Word dropout draws from the graph's generator (saved in checkpoints). */
static rc_status fit_step(void *self, rc_graph *g, int64_t step, double *loss)
{
    seq_fit *f = self;
    const seq_runner *r = &f->runner;
    int64_t nb = (int64_t)f->plan.n_batches, epoch = step / nb;
    size_t k = (size_t)(step % nb);
    if (epoch != f->epoch) {
        seq_plan_epoch(&f->plan, f->train, r->batch, f->seed, epoch);
        f->epoch = epoch;
    }
    const size_t *order = f->plan.order + f->plan.bounds[k];
    seq_batch_fill(&f->batch, f->train, order, (int)(f->plan.bounds[k + 1] - f->plan.bounds[k]), r->per_token);
    if (r->word_dropout > 0) drop_words(&f->batch, r->word_dropout, rc_graph_rng(g));
    rc_tensor *logits = r->forward(r->model, g, &f->batch);
    rc_tensor *l = rc_cross_entropy(g, logits, f->batch.targets, NO_TARGET, RC_REDUCTION_MEAN);
    if (!l) return rc_graph_status(g);
    *loss = l->data[0];
    return rc_graph_backward(g, l);
}

static rc_status fit_validate(void *self, rc_graph *g, double *loss, json_t *rec)
{
    seq_fit *f = self;
    rc_status s = seq_predict(&f->runner, g, f->valid, &f->out);
    if (s != RC_OK) return s;
    *loss = f->out.counted ? f->out.loss_sum / (double)f->out.counted : 0;
    json_object_set_new(rec, "valid_accuracy", json_real(seq_accuracy(f->valid, f->runner.per_token, f->out.pred)));
    return RC_OK;
}

int seq_train(const seq_train_run *r, const cli_common *c)
{
    seq_fit fit;
    rc_graph *g = NULL;
    json_t *identity = NULL;
    rc_status s = fit_init(&fit, &r->runner, r->train, r->valid, c);
    if (s == RC_OK) s = rc_graph_create(&g);
    if (s == RC_OK) {
        identity = cli_run_identity(r->t, r->identity, r->count_key, r->count, "data_fnv1a", r->fingerprint);
        if (!identity) s = rc_error(RC_E_NOMEM, "out of memory");
    }
    int rc = cli_exit_status(r->t, s);
    if (s == RC_OK) {
        if (!c->quiet) {
            cli_print_effective(r->t, stderr);
            r->log(r, fit.plan.n_batches);
        }
        cli_train_task task = {
            .cmd = r->t->cmd, .name = r->task, .self = &fit, .params = r->params, .meta = r->meta, .n_meta = r->n_meta,
            .identity = identity, .steps_per_epoch = (int64_t)fit.plan.n_batches,
            .tokens_per_step = (double)r->train->start[r->train->n] / (double)fit.plan.n_batches,
            .has_valid = r->valid != NULL, .step = fit_step, .validate = fit_validate,
        };
        rc = cli_train_run(&task, c, g);
    }
    json_decref(identity);
    rc_graph_free(g);
    fit_free(&fit);
    return rc;
}
