/*
 * The tag task's network: options, building, loading, metadata, the forward
 * pass and the encoding of sentences.
 */
#include <stdlib.h>
#include <string.h>

#include "model_file.h"
#include "tag.h"

static const char *const format_names[] = {"auto", "slash", "conll", NULL};
_Static_assert(sizeof format_names / sizeof format_names[0] == RC_TAGGED_FORMAT_COUNT + 1, "a name per format");

tag_arch tag_arch_defaults(void)
{
    tag_arch a = {.c = cli_common_defaults, .e = enc_opts_defaults};
    a.c.layers = 1;
    a.c.hidden = 128;
    a.c.embed = 100;
    a.c.dropout = 0.3;
    a.e.min_count = 2;
    a.e.char_features = true;
    return a;
}

void tag_add_format(cli_table *t, int *format)
{
    cli_add(t, (cli_opt){.name = "format", .type = CLI_CHOICE, .field = format, .choices = format_names,
                         .help = "word/TAG lines (slash), CoNLL columns, or detected from the first line"});
}

static void arch_table(cli_table *t, tag_arch *a)
{
    cli_table_init(t, "config", "", "");
    cli_add_common(t, &a->c, "cell layers hidden embed dropout");
    enc_add_opts(t, &a->e, "bidirectional char-features char-embed char-hidden max-len");
}

rc_status tag_model_create(tag_model *m, const tag_arch *a, seq_vocabs v)
{
    memset(m, 0, sizeof *m);
    m->arch = *a;
    m->v = v;
    rc_rng rng;
    rc_rng_seed(&rng, cli_stream_seed(&a->c, CLI_STREAM_INIT));
    rc_status s = rc_params_create(&m->params);
    if (s == RC_OK) s = encoder_create(&m->enc, &a->c, &a->e, &v, &rng, m->params);
    if (s == RC_OK) s = rc_linear_init(&m->head, m->enc.out_size, rc_token_vocab_size(v.classes), true, &rng);
    if (s == RC_OK) s = rc_linear_add_params(&m->head, m->params, "head");
    if (s != RC_OK) tag_model_free(m);
    return s;
}

void tag_model_free(tag_model *m)
{
    rc_params_free(m->params);
    rc_linear_destroy(&m->head);
    encoder_free(&m->enc);
    seq_vocabs_free(&m->v);
    memset(m, 0, sizeof *m);
}

/* The parameter values of the network: the encoder's and the head's. */
static uint64_t param_values(const cli_common *c, const enc_opts *e, const seq_vocabs *v)
{
    uint64_t out = (uint64_t)(e->bidirectional ? 2 : 1) * (uint64_t)c->hidden, n = (uint64_t)rc_token_vocab_size(v->classes);
    return encoder_values(c, e, v) + n * out + n;
}

static const seq_model_kind KIND = {"tag", TAG_ARCH, "tags", param_values};

rc_status tag_model_load(tag_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    tag_arch a = tag_arch_defaults();
    cli_table t;
    arch_table(&t, &a);
    seq_vocabs v;
    rc_status s = seq_model_read(&v, path, &KIND, &t, &a.c, &a.e);
    if (s == RC_OK) s = tag_model_create(m, &a, v);
    if (s == RC_OK) s = rc_st_load_params(path, m->params, true);
    if (s != RC_OK) tag_model_free(m);
    return s;
}

rc_status tag_meta_make(seq_meta *meta, tag_model *m)
{
    cli_table t;
    arch_table(&t, &m->arch);
    return seq_meta_make(meta, &t, &m->v, &KIND);
}

rc_tensor *tag_forward(void *model, rc_graph *g, const seq_batch *b)
{
    tag_model *m = model;
    rc_rnn_result r;
    if (encoder_forward(&m->enc, g, b, &r) != RC_OK) return NULL;
    rc_tensor *logits = rc_linear_forward(&m->head, g, rc_dropout(g, r.output, (rc_real)m->arch.c.dropout));
    int flat[2] = {b->B * b->T, rc_token_vocab_size(m->v.classes)};
    return rc_reshape(g, logits, 2, flat);
}

rc_status tag_encode(const tag_model *m, const rc_tagged *d, seq_data *out, size_t *unknown_tags)
{
    memset(out, 0, sizeof *out);
    seq_tokens tk;
    rc_status s = seq_tokens_from_tagged(&tk, d, m->arch.e.max_len);
    if (s == RC_OK) s = seq_data_encode(out, &tk, &m->v);
    seq_tokens_free(&tk);
    if (s == RC_OK) s = seq_data_targets(out, m->v.classes, d->tags, d->n_tokens, unknown_tags);
    if (s != RC_OK) seq_data_free(out);
    return s;
}
