/*
 * `recur classify train`: the examples, vocabularies and model of a text
 * classifier; batches and steps are those of seqrun.h, the loop the shared
 * one of train.h.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "seqrun.h"

/* The training examples and the validation ones: the tail of --data or
 * --valid. */
typedef struct classify_data {
    rc_labeled ex, valid_ex;
    const rc_labeled *vex; /* where the validation examples are */
    size_t n_train, v_first, n_valid;
} classify_data;

static rc_status load_examples(classify_data *d, const cli_common *c)
{
    memset(d, 0, sizeof *d);
    rc_status s = rc_labeled_read(&d->ex, c->data);
    if (s == RC_OK && c->valid) s = rc_labeled_read(&d->valid_ex, c->valid);
    if (s != RC_OK) return s;
    size_t held = (size_t)((double)d->ex.n * c->valid_fraction);
    if (c->valid_fraction > 0 && held == 0)
        return rc_error(RC_E_INVALID, "'%s': %zu examples are too few to hold out --valid-fraction %g for validation; "
                        "give --valid FILE or --valid-fraction 0", c->data, d->ex.n, c->valid_fraction);
    d->n_train = d->ex.n - held;
    d->vex = c->valid ? &d->valid_ex : &d->ex;
    d->v_first = c->valid ? 0 : d->n_train;
    d->n_valid = c->valid ? d->valid_ex.n : held;
    return RC_OK;
}

static void free_examples(classify_data *d)
{
    rc_labeled_free(&d->ex);
    rc_labeled_free(&d->valid_ex);
}

/* The vocabularies of the training part: its tokens, their characters (with
 * char features) and its labels. */
static rc_status build_vocabs(const classify_data *d, const classify_arch *a, const char *name, seq_vocabs *v)
{
    seq_tokens tk;
    memset(v, 0, sizeof *v);
    rc_status s = seq_tokens_from_texts(&tk, d->ex.texts, d->ex.lines, d->n_train, (rc_token_kind)a->tokens,
                                        a->e.max_len, name);
    if (s == RC_OK) s = seq_vocabs_build(v, &tk, a->e.min_count, a->e.char_features, d->ex.labels, d->n_train);
    seq_tokens_free(&tk);
    return s;
}

/* A fingerprint of every example read, for --resume. */
static uint64_t fingerprint(const classify_data *d)
{
    uint64_t h = CLI_FNV1A_START;
    const rc_labeled *sets[2] = {&d->ex, &d->valid_ex};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sets[k]->n; i++) {
            h = cli_fnv1a(h, sets[k]->labels[i], strlen(sets[k]->labels[i]) + 1);
            h = cli_fnv1a(h, sets[k]->texts[i], strlen(sets[k]->texts[i]) + 1);
        }
    return h;
}

static void log_start(const seq_train_run *r, size_t steps_per_epoch)
{
    const classify_model *m = r->runner.model;
    const classify_arch *a = &m->arch;
    const seq_data *train = r->train, *valid = r->valid;
    const rc_token_vocab *labels = m->v.classes;
    const char *cmd = r->t->cmd;
    fprintf(stderr, "%s: %zu training and %zu validation examples; %zu %s tokens, vocabulary %d (with <pad> and <unk>)",
            cmd, train->n, valid ? valid->n : 0, train->start[train->n], rc_token_kind_name((rc_token_kind)a->tokens),
            rc_token_vocab_size(m->v.tokens));
    if (valid) fprintf(stderr, ", %zu of %zu validation tokens unknown", valid->unknown, valid->start[valid->n]);
    fprintf(stderr, "; %d labels:", rc_token_vocab_size(labels));
    for (int i = 0; i < rc_token_vocab_size(labels) && i < 10; i++) fprintf(stderr, " %s", rc_token_vocab_token(labels, i));
    fprintf(stderr, "%s\n%s: %s%s %d x %d, %zu parameters; %zu steps per epoch\n",
            rc_token_vocab_size(labels) > 10 ? " ..." : "", cmd, a->e.bidirectional ? "bidirectional " : "",
            rc_rnn_mode_name(cli_cell_mode(&a->c)), a->c.layers, a->c.hidden, rc_params_numel(m->params),
            steps_per_epoch);
}

/* Builds the data and model, and trains. */
static int train(cli_table *t, classify_arch *a)
{
    const cli_common *c = &a->c;
    classify_data d;
    classify_model m = {0};
    seq_meta meta = {0};
    seq_data train = {0}, valid = {0};
    seq_vocabs v;
    size_t unknown;
    char name[512];
    snprintf(name, sizeof name, "'%s'", c->data);
    rc_status s = load_examples(&d, c);
    if (s == RC_OK) s = build_vocabs(&d, a, name, &v);
    if (s == RC_OK) s = classify_model_create(&m, a, v);
    if (s == RC_OK) s = classify_encode(&m, d.ex.texts, d.ex.labels, d.ex.lines, d.n_train, name, &train, &unknown);
    if (s == RC_OK && d.n_valid) {
        snprintf(name, sizeof name, "'%s'", c->valid ? c->valid : c->data);
        s = classify_encode(&m, d.vex->texts + d.v_first, d.vex->labels + d.v_first, d.vex->lines + d.v_first,
                            d.n_valid, name, &valid, &unknown);
    }
    if (s == RC_OK) s = classify_meta_make(&meta, &m);
    seq_train_run r = {
        .t = t, .task = "classify", .count_key = "train_examples", .count = d.n_train, .fingerprint = fingerprint(&d),
        .identity = CLASSIFY_ARCH " min-count word-dropout batch optimizer lr clip eval-every seed valid-fraction",
        .runner = {.model = &m, .forward = classify_forward, .per_token = false, .batch = c->batch,
                   .word_dropout = a->e.word_dropout},
        .train = &train, .valid = d.n_valid ? &valid : NULL, .params = m.params, .meta = meta.kv, .n_meta = meta.n,
        .log = log_start,
    };
    int rc = s == RC_OK ? seq_train(&r, c) : cli_exit_status(t, s);
    seq_meta_free(&meta);
    seq_data_free(&train);
    seq_data_free(&valid);
    classify_model_free(&m);
    free_examples(&d);
    return rc;
}

int classify_train_main(int argc, char **argv)
{
    classify_arch a = classify_arch_defaults();
    cli_common *c = &a.c;
    c->steps = 1000;
    c->eval_every = 100;
    c->checkpoint_every = 100;
    cli_table t;
    cli_table_init(&t, "recur classify train", "--data TSV --model OUT [options]",
                   "Trains a text classifier on LABEL<TAB>TEXT lines: token embeddings, recurrent layers, pooling\n"
                   "over the steps of each text, linear output. Each epoch draws shuffled batches of texts of\n"
                   "similar lengths. The model with the lowest validation loss is written to OUT, a checkpoint to\n"
                   "OUT.ckpt. The same seed and --threads give a bit-identical model, --resume included.");
    cli_add_common_as(&t, c, "data", "TSV", "training examples: LABEL<TAB>TEXT lines", true);
    cli_add_common(&t, c, "valid valid-fraction");
    cli_add_common_as(&t, c, "model", "OUT", CLI_MODEL_OUT_HELP, true);
    cli_add_common(&t, c, "resume");
    classify_add_opts(&t, &a);
    enc_add_train_opts(&t, c, &a.e);
    int rc = cli_parse_train(&t, c, argc, argv);
    if (rc == CLI_OK && a.e.char_features && a.tokens == RC_TOKENS_CHAR)
        rc = cli_usage_error(&t, stderr, "--char-features reads the characters of words: it needs --tokens word");
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    return train(&t, &a);
}
