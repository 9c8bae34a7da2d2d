/*
 * `recur lm train`: the data, batches and steps of the language model; the
 * loop itself (limits, validation, checkpoints) is the shared one of train.h.
 *
 * Batches: the training text is cut into B contiguous streams of S = ⌊N/B⌋
 * characters. Step k takes chunk c = k mod C (C = ⌊(S − 1)/T⌋ chunks per
 * epoch) of every stream: inputs at positions c·T .. c·T + T − 1 of the
 * stream, targets one character later. The recurrent state is carried from
 * chunk to chunk (a detached copy: gradients stop at the chunk's start) and
 * reset to zero when the streams wrap around, at each new epoch.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm.h"
#include "train.h"

typedef struct lm_run {
    lm_model model;
    lm_state state;    /* carried across steps, (L, B, H) */
    const int *train;  /* n_train ids */
    const int *valid;  /* n_valid ids, or NULL without a validation set */
    size_t n_train, n_valid;
    int T, B;
    size_t stream_len; /* S */
    int64_t chunks;    /* C: steps per epoch */
    int *in, *tgt;     /* (T, B) inputs and targets of the current step */
} lm_run;

static rc_status lm_step(void *self, rc_graph *g, int64_t step, double *loss)
{
    lm_run *r = self;
    int T = r->T, B = r->B;
    size_t p = (size_t)(step % r->chunks) * (size_t)T;
    if (p == 0) lm_state_zero(&r->state);
    for (int t = 0; t < T; t++) {
        for (int b = 0; b < B; b++) {
            size_t j = (size_t)b * r->stream_len + p + (size_t)t;
            r->in[t * B + b] = r->train[j];
            r->tgt[t * B + b] = r->train[j + 1];
        }
    }
    rc_tensor *logits = lm_forward(&r->model, g, r->in, T, B, &r->state);
    int flat[2] = {T * B, r->model.vocab_size};
    rc_tensor *l = rc_cross_entropy(g, rc_reshape(g, logits, 2, flat), r->tgt, -100, RC_REDUCTION_MEAN);
    if (!l) return rc_graph_status(g);
    *loss = l->data[0];
    return rc_graph_backward(g, l);
}

static rc_status lm_validate(void *self, rc_graph *g, double *loss, json_t *rec)
{
    lm_run *r = self;
    rc_status s = lm_evaluate(&r->model, g, r->valid, r->n_valid, r->B, r->T, loss);
    if (s == RC_OK) json_object_set_new(rec, "valid_bpc", json_real(*loss / log(2.0)));
    return s;
}

/* FNV-1a over the code points (4 bytes each, least significant first): a
 * fingerprint of the data for --resume. */
static uint64_t fingerprint(uint64_t h, const rc_text *text)
{
    for (size_t i = 0; i < text->n; i++) {
        unsigned char b[4];
        for (int k = 0; k < 4; k++) b[k] = (unsigned char)(text->cps[i] >> (8 * k));
        h = cli_fnv1a(h, b, 4);
    }
    return h;
}

/* The options a resumed run must share (the limits, --threads and the
 * checkpoint interval may change), the amount of training text and a
 * fingerprint of all the text. */
static json_t *run_identity(cli_table *t, size_t n_train, uint64_t hash)
{
    return cli_run_identity(t, LM_ARCH_OPTIONS " seq-len batch optimizer lr clip eval-every seed valid-fraction",
                            "train_chars", n_train, "text_fnv1a", hash);
}

/* The texts as ids: the training part of --data, and the validation text
 * (the tail of --data, or --valid), with the vocabulary of the training part. */
typedef struct lm_data {
    rc_text text, valid_text;
    rc_vocab *vocab;
    int *ids, *valid_ids;
    size_t n_train, n_valid;
} lm_data;

static rc_status load_data(lm_data *d, const cli_common *c)
{
    memset(d, 0, sizeof *d);
    rc_status s = lm_read_text(&d->text, c->data);
    if (s == RC_OK && c->valid) s = lm_read_text(&d->valid_text, c->valid);
    if (s != RC_OK) return s;
    size_t n = d->text.n, held = (size_t)((double)n * c->valid_fraction);
    d->n_train = n - held;
    d->n_valid = c->valid ? d->valid_text.n : held;
    s = rc_vocab_build(&d->vocab, d->text.cps, d->n_train);
    d->ids = malloc(n * sizeof *d->ids);
    d->valid_ids = c->valid ? malloc(d->n_valid * sizeof *d->valid_ids) : d->ids + d->n_train;
    if (s == RC_OK && (!d->ids || !d->valid_ids)) s = rc_error(RC_E_NOMEM, "out of memory for the text's ids");
    if (s != RC_OK) return s;
    rc_vocab_encode(d->vocab, d->text.cps, n, d->ids);
    if (c->valid) rc_vocab_encode(d->vocab, d->valid_text.cps, d->n_valid, d->valid_ids);
    return RC_OK;
}

static void free_data(lm_data *d, const cli_common *c)
{
    if (c->valid) free(d->valid_ids);
    free(d->ids);
    rc_vocab_free(d->vocab);
    rc_text_free(&d->text);
    rc_text_free(&d->valid_text);
}

/* Checks that the texts fit the batch shape and fills the batching fields. */
static rc_status plan_batches(lm_run *r, const lm_data *d, const cli_common *c, int T)
{
    r->T = T;
    r->B = c->batch;
    r->train = d->ids;
    r->n_train = d->n_train;
    r->stream_len = d->n_train / (size_t)c->batch;
    if (r->stream_len < (size_t)T + 1)
        return rc_error(RC_E_INVALID,
                        "'%s': %zu training characters are too few for --batch %d and --seq-len %d "
                        "(at least %zu are needed); use smaller values",
                        c->data, d->n_train, c->batch, T, (size_t)c->batch * ((size_t)T + 1));
    r->chunks = (int64_t)((r->stream_len - 1) / (size_t)T);
    bool has_valid = c->valid || c->valid_fraction > 0;
    if (has_valid && d->n_valid < 2)
        return rc_error(RC_E_INVALID, "the validation text has %zu characters, at least 2 are needed", d->n_valid);
    r->valid = has_valid ? d->valid_ids : NULL;
    r->n_valid = d->n_valid;
    r->in = malloc((size_t)T * (size_t)c->batch * sizeof *r->in);
    r->tgt = malloc((size_t)T * (size_t)c->batch * sizeof *r->tgt);
    return r->in && r->tgt ? RC_OK : rc_error(RC_E_NOMEM, "out of memory for batches");
}

static void log_start(const cli_table *t, const lm_run *r, const lm_data *d, const cli_common *c)
{
    cli_print_effective(t, stderr);
    fprintf(stderr, "%s: %zu training and %zu validation characters, vocabulary %d (with <unk>); %s %d x %d, %zu parameters; "
            "%lld steps per epoch\n",
            t->cmd, d->n_train, r->valid ? r->n_valid : 0, rc_vocab_size(d->vocab), rc_rnn_mode_name(cli_cell_mode(c)),
            c->layers, c->hidden, rc_params_numel(r->model.params), (long long)r->chunks);
}

int lm_train_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    int seq_len = LM_SEQ_LEN_DEFAULT;
    cli_table t;
    cli_table_init(&t, "recur lm train", "--data FILE --model OUT [options]",
                   "Trains a character-level language model on a UTF-8 text: embedding, recurrent layers, linear\n"
                   "output. The text is cut into --batch streams read --seq-len characters per step, the state\n"
                   "carried between steps. The best model on the validation text is written to OUT, a checkpoint\n"
                   "to OUT.ckpt. The same seed and --threads give a bit-identical model, --resume included.");
    cli_add_common_as(&t, &c, "data", NULL, "training text (UTF-8); its characters make the vocabulary", true);
    cli_add_common(&t, &c, "valid valid-fraction");
    cli_add_common_as(&t, &c, "model", "OUT", CLI_MODEL_OUT_HELP, true);
    cli_add_common(&t, &c, "resume " LM_ARCH_OPTIONS);
    lm_add_seq_len(&t, &seq_len);
    int rc = cli_parse_train(&t, &c, argc, argv);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;

    lm_data d;
    lm_run r = {.T = seq_len};
    rc_graph *g = NULL;
    json_t *identity = NULL;
    char *config = NULL, *vocab = NULL;
    rc_status s = load_data(&d, &c);
    if (s == RC_OK) s = plan_batches(&r, &d, &c, seq_len);
    if (s == RC_OK) s = lm_model_create(&r.model, &c, rc_vocab_size(d.vocab));
    if (s == RC_OK) s = lm_state_create(&r.state, &r.model, c.batch);
    if (s == RC_OK) s = rc_vocab_to_json(d.vocab, &vocab);
    if (s == RC_OK) s = rc_graph_create(&g);
    if (s == RC_OK) {
        config = lm_config_json(&r.model);
        identity = run_identity(&t, d.n_train, fingerprint(fingerprint(CLI_FNV1A_START, &d.text), &d.valid_text));
        if (!config || !identity) s = rc_error(RC_E_NOMEM, "out of memory");
    }
    if (s == RC_OK) {
        if (!c.quiet) log_start(&t, &r, &d, &c);
        rc_params *carried;
        s = rc_params_create(&carried);
        if (s == RC_OK) s = rc_params_add(carried, "state", "h", r.state.h);
        if (s == RC_OK && r.state.c) s = rc_params_add(carried, "state", "c", r.state.c);
        const rc_st_kv meta[2] = {{"config", config}, {"vocab", vocab}};
        cli_train_task task = {
            .cmd = t.cmd, .name = "lm", .self = &r, .params = r.model.params, .state = carried,
            .meta = meta, .n_meta = 2, .identity = identity, .steps_per_epoch = r.chunks,
            .tokens_per_step = (double)seq_len * c.batch, .has_valid = r.valid != NULL,
            .step = lm_step, .validate = lm_validate,
        };
        rc = s == RC_OK ? cli_train_run(&task, &c, g) : 1;
        rc_params_free(carried);
    }
    if (s != RC_OK) rc = cli_exit_status(&t, s);
    json_decref(identity);
    free(config);
    free(vocab);
    rc_graph_free(g);
    free(r.in);
    free(r.tgt);
    lm_state_free(&r.state);
    lm_model_free(&r.model);
    free_data(&d, &c);
    return rc;
}
