#include "encoder.h"

#include <stddef.h>
#include <string.h>

#include "model_file.h"

const enc_opts enc_opts_defaults = {
    .bidirectional = true,
    .max_len = 400,
    .min_count = 1,
    .char_features = false,
    .char_embed = 25,
    .char_hidden = 25,
};

typedef struct enc_entry {
    cli_opt opt; /* field unset: bound at offset */
    size_t offset;
} enc_entry;

#define ENTRY(member, ...) {{__VA_ARGS__}, offsetof(enc_opts, member)}

static const enc_entry entries[] = {
    ENTRY(bidirectional, .name = "bidirectional", .type = CLI_FLAG,
          .help = "bidirectional recurrent layers (D = 2 directions)"),
    ENTRY(max_len, .name = "max-len", .type = CLI_INT, .meta = "N", .min = 1, .max = 100000,
          .help = "tokens per sequence: longer ones are cut"),
    ENTRY(min_count, .name = "min-count", .type = CLI_INT, .meta = "N", .min = 1, .max = 1000000,
          .help = "keep the tokens seen at least N times in the training data; others read as <unk>"),
    ENTRY(word_dropout, .name = "word-dropout", .type = CLI_REAL, .meta = "P", .min = 0, .max = 0.95,
          .help = "in training, read each token as <unk> with probability P"),
    ENTRY(char_features, .name = "char-features", .type = CLI_FLAG,
          .help = "add each word's character-level BiRNN states to its embedding"),
    ENTRY(char_embed, .name = "char-embed", .type = CLI_INT, .meta = "E", .min = 1, .max = 65536,
          .help = "character embedding size of the char features"),
    ENTRY(char_hidden, .name = "char-hidden", .type = CLI_INT, .meta = "H", .min = 1, .max = 65536,
          .help = "hidden units per direction of the char features' RNN"),
};

void enc_add_opts(cli_table *t, enc_opts *o, const char *names)
{
    char name[CLI_NAME_MAX];
    for (const char *p = names; cli_next_word(&p, name, sizeof name);) {
        size_t i = 0;
        while (i < sizeof entries / sizeof entries[0] && strcmp(entries[i].opt.name, name) != 0) i++;
        RC_ASSERT(i < sizeof entries / sizeof entries[0]);
        cli_opt opt = entries[i].opt;
        opt.field = (char *)o + entries[i].offset;
        cli_add(t, opt);
    }
}

void enc_add_train_opts(cli_table *t, cli_common *c, enc_opts *o)
{
    enc_add_opts(t, o, "min-count max-len word-dropout");
    cli_add_common(t, c, "cell layers hidden embed dropout");
    enc_add_opts(t, o, "bidirectional char-features char-embed char-hidden");
}

static rc_status add_params(const encoder *e, rc_params *ps)
{
    rc_status s = rc_embedding_add_params(&e->embed, ps, "embed");
    if (s == RC_OK && e->char_rnn) s = rc_embedding_add_params(&e->char_embed, ps, "char_embed");
    if (s == RC_OK && e->char_rnn) s = rc_rnn_add_params(e->char_rnn, ps, "char_rnn");
    if (s == RC_OK) s = rc_rnn_add_params(e->rnn, ps, "rnn");
    return s;
}

rc_status encoder_create(encoder *e, const cli_common *c, const enc_opts *o, const seq_vocabs *v, rc_rng *rng,
                         rc_params *ps)
{
    memset(e, 0, sizeof *e);
    RC_ASSERT(!o->char_features || v->chars);
    e->arch = *c;
    e->opts = *o;
    int in = c->embed;
    rc_status s = rc_embedding_init(&e->embed, rc_token_vocab_size(v->tokens), c->embed, RC_TOKEN_PAD, rng);
    if (s == RC_OK && o->char_features) {
        rc_rnn_config cc = rc_rnn_config_default(cli_cell_mode(c), o->char_embed, o->char_hidden);
        cc.batch_first = true;
        cc.bidirectional = true;
        s = rc_embedding_init(&e->char_embed, rc_token_vocab_size(v->chars), o->char_embed, RC_TOKEN_PAD, rng);
        if (s == RC_OK) s = rc_rnn_create(&e->char_rnn, &cc, rng);
        in += 2 * o->char_hidden;
    }
    rc_rnn_config rc = rc_rnn_config_default(cli_cell_mode(c), in, c->hidden);
    rc.num_layers = c->layers;
    rc.dropout = (rc_real)c->dropout;
    rc.batch_first = true;
    rc.bidirectional = o->bidirectional;
    if (s == RC_OK) s = rc_rnn_create(&e->rnn, &rc, rng);
    e->out_size = (o->bidirectional ? 2 : 1) * c->hidden;
    if (s != RC_OK) encoder_free(e);
    return s == RC_OK ? add_params(e, ps) : s;
}

uint64_t encoder_values(const cli_common *c, const enc_opts *o, const seq_vocabs *v)
{
    rc_rnn_mode mode = cli_cell_mode(c);
    uint64_t n = (uint64_t)rc_token_vocab_size(v->tokens) * (uint64_t)c->embed;
    int in = c->embed;
    if (o->char_features) {
        n += (uint64_t)rc_token_vocab_size(v->chars) * (uint64_t)o->char_embed +
             cli_rnn_values(mode, o->char_embed, o->char_hidden, 1, true);
        in += 2 * o->char_hidden;
    }
    return n + cli_rnn_values(mode, in, c->hidden, c->layers, o->bidirectional);
}

void encoder_free(encoder *e)
{
    rc_rnn_free(e->rnn);
    rc_rnn_free(e->char_rnn);
    rc_embedding_destroy(&e->char_embed);
    rc_embedding_destroy(&e->embed);
    memset(e, 0, sizeof *e);
}

/* (n, 2·Hc): the final states of the char RNN over n words of len characters,
 * the forward state, then the backward one. */
static rc_tensor *word_states(encoder *e, rc_graph *g, const int *chars, int n, int len)
{
    int cs[2] = {n, len}, flat[2] = {n, 2 * e->opts.char_hidden};
    rc_tensor *x = rc_embedding_forward(&e->char_embed, g, chars, 2, cs);
    rc_rnn_result r;
    if (!x || rc_rnn_forward(e->char_rnn, g, x, NULL, NULL, NULL, &r) != RC_OK) return NULL;
    /* h_n (2, n, Hc) → (n, 2, Hc) → (n, 2·Hc) */
    return rc_reshape(g, rc_transpose(g, r.h_n, 0, 1), 2, flat);
}

/* (B, T, 2·Hc): the char features of each position's word. */
static rc_tensor *char_features(encoder *e, rc_graph *g, const seq_batch *b)
{
    rc_tensor *parts[SEQ_WORD_CHARS];
    const int *chars = b->chars;
    for (int k = 0; k < b->groups; k++) {
        parts[k] = word_states(e, g, chars, b->group_size[k], b->group_len[k]);
        if (!parts[k]) return NULL;
        chars += (size_t)b->group_size[k] * (size_t)b->group_len[k];
    }
    int ws[2] = {b->B, b->T};
    rc_tensor *words = b->groups > 1 ? rc_concat(g, b->groups, parts, 0) : parts[0];
    return rc_embedding(g, words, b->word_of, 2, ws, -1);
}

rc_status encoder_forward(encoder *e, rc_graph *g, const seq_batch *b, rc_rnn_result *out)
{
    int shape[2] = {b->B, b->T};
    rc_tensor *x = rc_embedding_forward(&e->embed, g, b->ids, 2, shape);
    if (e->char_rnn) {
        rc_tensor *parts[2] = {x, char_features(e, g, b)};
        x = parts[0] && parts[1] ? rc_concat(g, 2, parts, 2) : NULL;
    }
    x = rc_dropout(g, x, (rc_real)e->arch.dropout);
    if (!x) return rc_graph_status(g);
    return rc_rnn_forward(e->rnn, g, x, NULL, NULL, b->lengths, out);
}
