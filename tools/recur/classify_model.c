/*
 * The classify task's network: options, building, loading, metadata, the
 * forward pass with its four poolings, and the encoding of examples.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "model_file.h"

static const char *const token_names[] = {"word", "char", NULL};
static const char *const pool_names[] = {"last", "mean", "max", "attention", NULL};
_Static_assert(sizeof pool_names / sizeof pool_names[0] == POOL_COUNT + 1, "a name per pooling");
_Static_assert(sizeof token_names / sizeof token_names[0] == RC_TOKEN_KIND_COUNT + 1, "a name per token kind");

classify_arch classify_arch_defaults(void)
{
    classify_arch a = {.c = cli_common_defaults, .e = enc_opts_defaults, .tokens = RC_TOKENS_WORD, .pool = POOL_MEAN};
    a.c.layers = 1;
    a.c.hidden = 128;
    a.c.embed = 100;
    a.c.dropout = 0.5;
    /* A few thousand sentences overfit a 100-wide embedding within a few
     * epochs: rare words as <unk> and word dropout were worth 2 points of
     * validation accuracy on sentence polarity (README). */
    a.e.min_count = 2;
    a.e.word_dropout = 0.3;
    return a;
}

void classify_add_opts(cli_table *t, classify_arch *a)
{
    cli_add(t, (cli_opt){.name = "tokens", .type = CLI_CHOICE, .field = &a->tokens, .choices = token_names,
                         .help = "split texts into words (at whitespace) or characters"});
    cli_add(t, (cli_opt){.name = "pool", .type = CLI_CHOICE, .field = &a->pool, .choices = pool_names,
                         .help = "summary of the encoder's outputs: final states, mean, max, or attention"});
}

/* A table of the network's options bound to a, for its JSON form. */
static void arch_table(cli_table *t, classify_arch *a)
{
    cli_table_init(t, "config", "", "");
    cli_add_common(t, &a->c, "cell layers hidden embed dropout");
    enc_add_opts(t, &a->e, "bidirectional max-len");
    classify_add_opts(t, a);
    enc_add_opts(t, &a->e, "char-features char-embed char-hidden");
}

static rc_status create_pool(classify_model *m, rc_rng *rng)
{
    int D = m->enc.out_size;
    rc_attention_config ac = rc_attention_config_default(RC_ATTN_ADDITIVE, D, D, D);
    int shape[1] = {D};
    rc_status s = rc_attention_create(&m->attn, &ac, rng);
    if (s == RC_OK) s = rc_tensor_new(&m->query, 1, shape, true);
    if (s == RC_OK) rc_rng_fill_uniform(rng, m->query->data, (size_t)D, -1 / sqrt(D), 1 / sqrt(D));
    if (s == RC_OK) s = rc_params_add(m->params, "pool", "query", m->query);
    if (s == RC_OK) s = rc_attention_add_params(m->attn, m->params, "pool");
    return s;
}

rc_status classify_model_create(classify_model *m, const classify_arch *a, seq_vocabs v)
{
    memset(m, 0, sizeof *m);
    m->arch = *a;
    m->v = v;
    rc_rng rng;
    rc_rng_seed(&rng, cli_stream_seed(&a->c, CLI_STREAM_INIT));
    rc_status s = rc_params_create(&m->params);
    if (s == RC_OK) s = encoder_create(&m->enc, &a->c, &a->e, &v, &rng, m->params);
    if (s == RC_OK && a->pool == POOL_ATTENTION) s = create_pool(m, &rng);
    if (s == RC_OK) s = rc_linear_init(&m->head, m->enc.out_size, rc_token_vocab_size(v.classes), true, &rng);
    if (s == RC_OK) s = rc_linear_add_params(&m->head, m->params, "head");
    if (s != RC_OK) classify_model_free(m);
    return s;
}

void classify_model_free(classify_model *m)
{
    rc_params_free(m->params);
    rc_linear_destroy(&m->head);
    rc_attention_free(m->attn);
    rc_tensor_free(m->query);
    encoder_free(&m->enc);
    seq_vocabs_free(&m->v);
    memset(m, 0, sizeof *m);
}

/* The encoder's and the head's parameter values: a lower bound of the
 * network's that grows with every size (the attention pooling and the
 * character features, left out, are a few times the size of the encoder's
 * last layer at most). */
static uint64_t param_values(const cli_common *c, const enc_opts *e, const seq_vocabs *v)
{
    enc_opts o = *e;
    o.char_features = false;
    uint64_t out = (uint64_t)(o.bidirectional ? 2 : 1) * (uint64_t)c->hidden, n = (uint64_t)rc_token_vocab_size(v->classes);
    return encoder_values(c, &o, v) + n * out + n;
}

static const seq_model_kind KIND = {"classify", CLASSIFY_ARCH, "labels", param_values};

rc_status classify_model_load(classify_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    classify_arch a = classify_arch_defaults();
    cli_table t;
    arch_table(&t, &a);
    seq_vocabs v;
    rc_status s = seq_model_read(&v, path, &KIND, &t, &a.c, &a.e);
    if (s == RC_OK) s = classify_model_create(m, &a, v);
    if (s == RC_OK) s = rc_st_load_params(path, m->params, true);
    if (s != RC_OK) classify_model_free(m);
    return s;
}

rc_status classify_meta_make(seq_meta *meta, classify_model *m)
{
    cli_table t;
    arch_table(&t, &m->arch);
    return seq_meta_make(meta, &t, &m->v, &KIND);
}

/* (B, D·H): the final states of the last layer, forward direction first. */
static rc_tensor *last_states(classify_model *m, rc_graph *g, const rc_rnn_result *r, int B)
{
    int D = m->arch.e.bidirectional ? 2 : 1, L = m->arch.c.layers, flat[2] = {B, m->enc.out_size};
    rc_tensor *h = rc_slice(g, r->h_n, 0, (L - 1) * D, L * D);
    return rc_reshape(g, rc_transpose(g, h, 0, 1), 2, flat);
}

/* (B, D·H): the learned query's attention over the outputs. */
static rc_tensor *attention(classify_model *m, rc_graph *g, const rc_rnn_result *r, const seq_batch *b)
{
    int shape[2] = {b->B, m->enc.out_size};
    rc_tensor *q = rc_add(g, rc_graph_tensor(g, 2, shape, false), m->query);
    rc_attention_mask mask = {.src_lengths = b->lengths};
    rc_attention_result a;
    if (!q || rc_attention_forward(m->attn, g, q, r->output, r->output, &mask, &a) != RC_OK) return NULL;
    return a.output;
}

rc_tensor *classify_forward(void *model, rc_graph *g, const seq_batch *b)
{
    classify_model *m = model;
    rc_rnn_result r;
    if (encoder_forward(&m->enc, g, b, &r) != RC_OK) return NULL;
    rc_tensor *h;
    switch (m->arch.pool) {
    case POOL_LAST: h = last_states(m, g, &r, b->B); break;
    case POOL_MEAN: h = rc_pool_time(g, r.output, b->lengths, RC_POOL_MEAN); break;
    case POOL_MAX: h = rc_pool_time(g, r.output, b->lengths, RC_POOL_MAX); break;
    default: h = attention(m, g, &r, b); break;
    }
    return rc_linear_forward(&m->head, g, rc_dropout(g, h, (rc_real)m->arch.c.dropout));
}

rc_status classify_encode(const classify_model *m, char *const *texts, char *const *labels, const size_t *lines,
                          size_t n, const char *name, seq_data *out, size_t *unknown_labels)
{
    memset(out, 0, sizeof *out);
    seq_tokens tk;
    rc_status s = seq_tokens_from_texts(&tk, texts, lines, n, (rc_token_kind)m->arch.tokens, m->arch.e.max_len, name);
    if (s == RC_OK) s = seq_data_encode(out, &tk, &m->v);
    seq_tokens_free(&tk);
    if (s == RC_OK) s = seq_data_targets(out, m->v.classes, labels, n, unknown_labels);
    if (s != RC_OK) seq_data_free(out);
    return s;
}
