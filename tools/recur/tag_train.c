/*
 * `recur tag train`: the sentences, vocabularies and model of a tagger;
 * batches and steps are those of seqrun.h, the loop the shared one of
 * train.h.
 */
#include <stdlib.h>
#include <string.h>

#include "seqrun.h"
#include "tag.h"

/* The training sentences and the validation ones: the last sentences of
 * --data or --valid. The two parts are views of the files' sentences. */
typedef struct tag_data {
    rc_tagged all, valid_all;
    rc_tagged train, valid; /* views: own only their starts */
} tag_data;

/* A view of sentences [a, b) of d. */
static rc_status slice(rc_tagged *view, const rc_tagged *d, size_t a, size_t b)
{
    memset(view, 0, sizeof *view);
    size_t first = d->starts[a];
    view->starts = malloc((b - a + 1) * sizeof *view->starts);
    if (!view->starts) return rc_error(RC_E_NOMEM, "out of memory");
    for (size_t i = a; i <= b; i++) view->starts[i - a] = d->starts[i] - first;
    view->n_sentences = b - a;
    view->n_tokens = d->starts[b] - first;
    view->words = d->words + first;
    view->tags = d->tags + first;
    view->lines = d->lines + a;
    view->format = d->format;
    return RC_OK;
}

static rc_status load_sentences(tag_data *d, const cli_common *c, rc_tagged_format format)
{
    memset(d, 0, sizeof *d);
    rc_status s = rc_tagged_read(&d->all, c->data, format);
    if (s == RC_OK && c->valid) s = rc_tagged_read(&d->valid_all, c->valid, format);
    if (s != RC_OK) return s;
    size_t n = d->all.n_sentences, held = (size_t)((double)n * c->valid_fraction);
    if (c->valid_fraction > 0 && held == 0)
        return rc_error(RC_E_INVALID, "'%s': %zu sentences are too few to hold out --valid-fraction %g for validation; "
                        "give --valid FILE or --valid-fraction 0", c->data, n, c->valid_fraction);
    s = slice(&d->train, &d->all, 0, n - held);
    if (s == RC_OK && c->valid) s = slice(&d->valid, &d->valid_all, 0, d->valid_all.n_sentences);
    else if (s == RC_OK) s = slice(&d->valid, &d->all, n - held, n);
    return s;
}

static void free_sentences(tag_data *d)
{
    free(d->train.starts);
    free(d->valid.starts);
    rc_tagged_free(&d->all);
    rc_tagged_free(&d->valid_all);
}

/* The vocabularies of the training sentences: words, characters, tags. */
static rc_status build_vocabs(const rc_tagged *train, const tag_arch *a, seq_vocabs *v)
{
    seq_tokens tk;
    memset(v, 0, sizeof *v);
    rc_status s = seq_tokens_from_tagged(&tk, train, a->e.max_len);
    if (s != RC_OK) return s;
    s = seq_vocabs_build(v, &tk, a->e.min_count, a->e.char_features, train->tags, train->n_tokens);
    seq_tokens_free(&tk);
    return s;
}

/* A fingerprint of every sentence read, for --resume. */
static uint64_t fingerprint(const tag_data *d)
{
    uint64_t h = CLI_FNV1A_START;
    const rc_tagged *sets[2] = {&d->all, &d->valid_all};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sets[k]->n_tokens; i++) {
            h = cli_fnv1a(h, sets[k]->words[i], strlen(sets[k]->words[i]) + 1);
            h = cli_fnv1a(h, sets[k]->tags[i], strlen(sets[k]->tags[i]) + 1);
        }
        h = cli_fnv1a(h, sets[k]->starts, sets[k]->n_sentences * sizeof *sets[k]->starts);
    }
    return h;
}

static void log_start(const seq_train_run *r, size_t steps_per_epoch)
{
    const tag_model *m = r->runner.model;
    const tag_arch *a = &m->arch;
    const tag_data *d = r->data;
    const char *cmd = r->t->cmd;
    fprintf(stderr, "%s: %zu training sentences (%zu tokens, %s format) and %zu validation ones (%zu tokens",
            cmd, d->train.n_sentences, d->train.n_tokens, rc_tagged_format_name(d->all.format),
            d->valid.n_sentences, d->valid.n_tokens);
    if (r->valid) fprintf(stderr, ", %zu of them unknown words", r->valid->unknown);
    fprintf(stderr, "); vocabulary %d words (with <pad> and <unk>)", rc_token_vocab_size(m->v.tokens));
    if (m->v.chars) fprintf(stderr, " and %d characters", rc_token_vocab_size(m->v.chars));
    fprintf(stderr, "; %d tags\n%s: %s%s %d x %d%s, %zu parameters; %zu steps per epoch\n", rc_token_vocab_size(m->v.classes),
            cmd, a->e.bidirectional ? "bidirectional " : "", rc_rnn_mode_name(cli_cell_mode(&a->c)), a->c.layers,
            a->c.hidden, a->e.char_features ? " with char features" : "", rc_params_numel(m->params),
            steps_per_epoch);
}

/* Builds the data and model, and trains. */
static int train(cli_table *t, tag_arch *a, rc_tagged_format format)
{
    const cli_common *c = &a->c;
    tag_data d;
    tag_model m = {0};
    seq_meta meta = {0};
    seq_data train = {0}, valid = {0};
    seq_vocabs v;
    size_t unknown;
    rc_status s = load_sentences(&d, c, format);
    if (s == RC_OK) s = build_vocabs(&d.train, a, &v);
    if (s == RC_OK) s = tag_model_create(&m, a, v);
    if (s == RC_OK) s = tag_encode(&m, &d.train, &train, &unknown);
    bool has_valid = d.valid.n_sentences > 0;
    if (s == RC_OK && has_valid) s = tag_encode(&m, &d.valid, &valid, &unknown);
    if (s == RC_OK) s = tag_meta_make(&meta, &m);
    seq_train_run r = {
        .t = t, .task = "tag", .count_key = "train_sentences", .count = d.train.n_sentences,
        .fingerprint = fingerprint(&d),
        .identity = TAG_ARCH " min-count word-dropout format batch optimizer lr clip eval-every seed valid-fraction",
        .runner = {.model = &m, .forward = tag_forward, .per_token = true, .batch = c->batch,
                   .word_dropout = a->e.word_dropout},
        .train = &train, .valid = has_valid ? &valid : NULL, .params = m.params, .meta = meta.kv, .n_meta = meta.n,
        .log = log_start, .data = &d,
    };
    int rc = s == RC_OK ? seq_train(&r, c) : cli_exit_status(t, s);
    seq_meta_free(&meta);
    seq_data_free(&train);
    seq_data_free(&valid);
    tag_model_free(&m);
    free_sentences(&d);
    return rc;
}

int tag_train_main(int argc, char **argv)
{
    tag_arch a = tag_arch_defaults();
    cli_common *c = &a.c;
    int format = RC_TAGGED_AUTO;
    c->steps = 2500;
    c->eval_every = 250;
    c->checkpoint_every = 250;
    cli_table t;
    cli_table_init(&t, "recur tag train", "--data FILE --model OUT [options]",
                   "Trains a tagger on tagged sentences (word/TAG lines or CoNLL columns): word embeddings with\n"
                   "character-level features, recurrent layers, a linear output at every token. Each epoch draws\n"
                   "shuffled batches of sentences of similar lengths. The model with the lowest validation loss is\n"
                   "written to OUT, a checkpoint to OUT.ckpt. The same seed and --threads give a bit-identical\n"
                   "model, --resume included.");
    cli_add_common_as(&t, c, "data", NULL, "training sentences: word/TAG lines or CoNLL columns", true);
    cli_add_common(&t, c, "valid valid-fraction");
    tag_add_format(&t, &format);
    cli_add_common_as(&t, c, "model", "OUT", CLI_MODEL_OUT_HELP, true);
    cli_add_common(&t, c, "resume");
    enc_add_train_opts(&t, c, &a.e);
    int rc = cli_parse_train(&t, c, argc, argv);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    return train(&t, &a, (rc_tagged_format)format);
}
