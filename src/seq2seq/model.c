/*
 * The seq2seq model: configuration checks, parameter creation in state_dict
 * order, and parameter naming.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq2seq/model.h"

static const char *const attention_names[] = {
    [RC_SEQ2SEQ_NO_ATTENTION] = "none",
    [RC_SEQ2SEQ_BAHDANAU] = "bahdanau",
    [RC_SEQ2SEQ_LUONG_DOT] = "luong_dot",
    [RC_SEQ2SEQ_LUONG_GENERAL] = "luong_general",
    [RC_SEQ2SEQ_LUONG_CONCAT] = "luong_concat",
    [RC_SEQ2SEQ_RULE1] = "rule1",
    [RC_SEQ2SEQ_SCALED_DOT] = "scaled_dot",
    [RC_SEQ2SEQ_MULTIHEAD] = "multihead",
};

_Static_assert(sizeof(attention_names) / sizeof(attention_names[0]) == RC_SEQ2SEQ_ATTENTION_COUNT,
               "attention_names must name every rc_seq2seq_attention");

const char *rc_seq2seq_attention_name(rc_seq2seq_attention a)
{
    return (int)a >= 0 && a < RC_SEQ2SEQ_ATTENTION_COUNT ? attention_names[a] : "unknown";
}

rc_seq2seq_config rc_seq2seq_config_default(rc_seq2seq_attention attention, int src_vocab, int tgt_vocab, int embed,
                                            int hidden)
{
    rc_rnn_config enc = rc_rnn_config_default(RC_GRU, embed, hidden);
    enc.bidirectional = true;
    return (rc_seq2seq_config){.src_vocab = src_vocab, .tgt_vocab = tgt_vocab, .src_pad = 0, .tgt_pad = 0,
                               .bos = 1, .eos = 2, .tgt_embed = embed, .encoder = enc, .decoder_mode = RC_GRU,
                               .decoder_hidden = hidden, .attention = attention, .attention_hidden = hidden,
                               .attention_heads = 1, .attention_positions = 0, .bridge = RC_SEQ2SEQ_BRIDGE_LINEAR};
}

/* Sizes are bounded, as the recurrent layers bound theirs, so that sums of
 * a few of them (the cell's input E_t + K) stay far from int overflow. */
#define MAX_SIZE (INT_MAX / 16)

static rc_status check_size(const char *name, int value)
{
    if (value >= 1 && value <= MAX_SIZE) return RC_OK;
    return rc_error(RC_E_INVALID, "seq2seq: config.%s = %d, expected 1 <= %s <= %d", name, value, name, MAX_SIZE);
}

/* The checks that need no encoder: ranges of the model's own fields (and
 * of the encoder's input size, which the source embedding uses first). */
static rc_status check_fields(const rc_seq2seq_config *c)
{
    const char *size_names[5] = {"src_vocab", "tgt_vocab", "encoder.input_size", "tgt_embed", "decoder_hidden"};
    const int sizes[5] = {c->src_vocab, c->tgt_vocab, c->encoder.input_size, c->tgt_embed, c->decoder_hidden};
    for (int i = 0; i < 5; i++) {
        rc_status s = check_size(size_names[i], sizes[i]);
        if (s != RC_OK) return s;
    }
    if (c->src_pad < -1 || c->src_pad >= c->src_vocab)
        return rc_error(RC_E_INVALID, "seq2seq: config.src_pad = %d, expected -1 (none) or 0 <= src_pad < %d",
                        c->src_pad, c->src_vocab);
    const int *ids[3] = {&c->tgt_pad, &c->bos, &c->eos};
    const char *names[3] = {"tgt_pad", "bos", "eos"};
    for (int i = 0; i < 3; i++)
        if (*ids[i] < 0 || *ids[i] >= c->tgt_vocab)
            return rc_error(RC_E_INVALID, "seq2seq: config.%s = %d, expected 0 <= %s < tgt_vocab = %d", names[i],
                            *ids[i], names[i], c->tgt_vocab);
    if (c->bos == c->tgt_pad || c->eos == c->tgt_pad)
        return rc_error(RC_E_INVALID, "seq2seq: config.%s = tgt_pad = %d, expected bos and eos to differ from tgt_pad",
                        c->bos == c->tgt_pad ? "bos" : "eos", c->tgt_pad);
    if ((int)c->decoder_mode < 0 || c->decoder_mode >= RC_RNN_MODE_COUNT)
        return rc_error(RC_E_INVALID, "seq2seq: config.decoder_mode = %d is not an rc_rnn_mode", (int)c->decoder_mode);
    if ((int)c->attention < 0 || c->attention >= RC_SEQ2SEQ_ATTENTION_COUNT)
        return rc_error(RC_E_INVALID, "seq2seq: config.attention = %d is not an rc_seq2seq_attention",
                        (int)c->attention);
    rc_status s = RC_OK;
    if (c->attention == RC_SEQ2SEQ_BAHDANAU || c->attention == RC_SEQ2SEQ_LUONG_CONCAT)
        s = check_size("attention_hidden", c->attention_hidden);
    if (c->attention == RC_SEQ2SEQ_MULTIHEAD) s = check_size("attention_heads", c->attention_heads);
    if (c->attention == RC_SEQ2SEQ_RULE1) s = check_size("attention_positions", c->attention_positions);
    if (s != RC_OK) return s;
    if ((int)c->bridge < 0 || c->bridge >= RC_SEQ2SEQ_BRIDGE_COUNT)
        return rc_error(RC_E_INVALID, "seq2seq: config.bridge = %d is not an rc_seq2seq_bridge", (int)c->bridge);
    return RC_OK;
}

static bool lstm_to_lstm(const rc_seq2seq_config *c)
{
    return c->encoder.mode == RC_LSTM && c->decoder_mode == RC_LSTM;
}

/* The checks between the encoder's output sizes (P per direction, K in
 * all) and the decoder's. */
static rc_status check_sizes(const rc_seq2seq_config *c, int P, int K)
{
    if (c->bridge == RC_SEQ2SEQ_BRIDGE_SUM && P != c->decoder_hidden)
        return rc_error(RC_E_INVALID,
                        "seq2seq: the SUM bridge needs the encoder's output size per direction (%d) to equal "
                        "config.decoder_hidden = %d",
                        P, c->decoder_hidden);
    if (c->bridge == RC_SEQ2SEQ_BRIDGE_SUM && lstm_to_lstm(c) && c->encoder.hidden_size != c->decoder_hidden)
        return rc_error(RC_E_INVALID,
                        "seq2seq: the SUM bridge between LSTMs needs config.encoder.hidden_size = %d to equal "
                        "config.decoder_hidden = %d",
                        c->encoder.hidden_size, c->decoder_hidden);
    bool square = c->attention == RC_SEQ2SEQ_LUONG_DOT || c->attention == RC_SEQ2SEQ_SCALED_DOT ||
                  c->attention == RC_SEQ2SEQ_MULTIHEAD;
    if (square && c->decoder_hidden != K)
        return rc_error(RC_E_INVALID,
                        "seq2seq: %s attention needs config.decoder_hidden = %d to equal the encoder's output "
                        "size K = %d",
                        rc_seq2seq_attention_name(c->attention), c->decoder_hidden, K);
    if (c->attention == RC_SEQ2SEQ_MULTIHEAD && K % c->attention_heads != 0)
        return rc_error(RC_E_INVALID,
                        "seq2seq: multihead attention needs config.attention_heads = %d to divide the encoder's "
                        "output size K = %d",
                        c->attention_heads, K);
    return RC_OK;
}

/* The attention module of each decoder kind: Luong's query is s_t (H_d)
 * over keys and values h (K); Bahdanau's is s_{t−1}; rule 1's query is the
 * embedded previous token, its one key s_{t−1}, its values h padded to P
 * steps and its output the cell's input (E_t). */
static rc_attention_config attention_config(const rc_seq2seq_config *c, int K)
{
    int Hd = c->decoder_hidden;
    rc_attention_config ac;
    switch (c->attention) {
    case RC_SEQ2SEQ_BAHDANAU:
        ac = rc_attention_config_default(RC_ATTN_ADDITIVE, Hd, K, K);
        ac.hidden_size = c->attention_hidden;
        break;
    case RC_SEQ2SEQ_LUONG_DOT: ac = rc_attention_config_default(RC_ATTN_DOT, Hd, K, K); break;
    case RC_SEQ2SEQ_LUONG_GENERAL: ac = rc_attention_config_default(RC_ATTN_GENERAL, Hd, K, K); break;
    case RC_SEQ2SEQ_LUONG_CONCAT:
        ac = rc_attention_config_default(RC_ATTN_CONCAT, Hd, K, K);
        ac.hidden_size = c->attention_hidden;
        break;
    case RC_SEQ2SEQ_RULE1:
        ac = rc_attention_config_default(RC_ATTN_TUTORIAL, c->tgt_embed, Hd, K);
        ac.num_positions = c->attention_positions;
        ac.output_size = c->tgt_embed;
        break;
    case RC_SEQ2SEQ_SCALED_DOT: ac = rc_attention_config_default(RC_ATTN_SCALED_DOT, Hd, K, K); break;
    default:
        ac = rc_attention_config_default(RC_ATTN_MULTIHEAD, Hd, K, K);
        ac.num_heads = c->attention_heads;
        break;
    }
    return ac;
}

/* The decoder cell's input size: the embedding and what is fed with it. */
static int cell_input(const rc_seq2seq_config *c, int K)
{
    if (c->attention == RC_SEQ2SEQ_RULE1) return c->tgt_embed;
    return c->tgt_embed + (rc_s2s_is_luong(c->attention) ? c->decoder_hidden : K);
}

/* Creates the parts in state_dict order, each drawing from rng. */
static rc_status create_parts(rc_seq2seq *m, rc_rng *rng)
{
    const rc_seq2seq_config *c = &m->cfg;
    rc_status s = rc_embedding_init(&m->src_embed, c->src_vocab, c->encoder.input_size, c->src_pad, rng);
    if (s == RC_OK) s = rc_rnn_create(&m->encoder, &c->encoder, rng);
    if (s != RC_OK) return s;
    /* the encoder's sizes are valid from here on */
    int P = c->encoder.proj_size > 0 ? c->encoder.proj_size : c->encoder.hidden_size;
    m->D = c->encoder.bidirectional ? 2 : 1;
    m->K = m->D * P;
    int Hd = c->decoder_hidden, K = m->K;
    s = check_sizes(c, P, K);
    if (s == RC_OK && c->bridge == RC_SEQ2SEQ_BRIDGE_LINEAR) {
        s = rc_linear_init(&m->bridge_h, K, Hd, true, rng);
        if (s == RC_OK && lstm_to_lstm(c))
            s = rc_linear_init(&m->bridge_c, m->D * c->encoder.hidden_size, Hd, true, rng);
    }
    if (s == RC_OK) s = rc_embedding_init(&m->tgt_embed, c->tgt_vocab, c->tgt_embed, c->tgt_pad, rng);
    if (s == RC_OK) s = rc_rnn_cell_create(&m->cell, c->decoder_mode, cell_input(c, K), Hd, true, rng);
    if (s == RC_OK && c->attention != RC_SEQ2SEQ_NO_ATTENTION) {
        rc_attention_config ac = attention_config(c, K);
        s = rc_attention_create(&m->attention, &ac, rng);
    }
    if (s == RC_OK && rc_s2s_is_luong(c->attention)) s = rc_linear_init(&m->concat, K + Hd, Hd, true, rng);
    if (s == RC_OK) s = rc_linear_init(&m->out, Hd, c->tgt_vocab, true, rng);
    return s;
}

rc_status rc_seq2seq_create(rc_seq2seq **out, const rc_seq2seq_config *cfg, rc_rng *rng)
{
    RC_ASSERT(out != NULL && cfg != NULL && rng != NULL);
    *out = NULL;
    rc_status s = check_fields(cfg);
    if (s != RC_OK) return s;
    rc_seq2seq *m = calloc(1, sizeof *m);
    if (!m) return rc_error(RC_E_NOMEM, "seq2seq: out of memory");
    m->cfg = *cfg;
    m->cfg.encoder.batch_first = true;
    s = create_parts(m, rng);
    if (s != RC_OK) {
        rc_seq2seq_free(m);
        return s;
    }
    *out = m;
    return RC_OK;
}

void rc_seq2seq_free(rc_seq2seq *m)
{
    if (!m) return;
    rc_embedding_destroy(&m->src_embed);
    rc_rnn_free(m->encoder);
    rc_linear_destroy(&m->bridge_h);
    rc_linear_destroy(&m->bridge_c);
    rc_embedding_destroy(&m->tgt_embed);
    rc_rnn_cell_free(m->cell);
    rc_attention_free(m->attention);
    rc_linear_destroy(&m->concat);
    rc_linear_destroy(&m->out);
    free(m);
}

const rc_seq2seq_config *rc_seq2seq_get_config(const rc_seq2seq *m) { return &m->cfg; }

/* "prefix.name", or "name" without a prefix. */
static rc_status join(char *buf, const char *prefix, const char *name)
{
    bool bare = !prefix || !*prefix;
    int n = snprintf(buf, RC_PARAM_NAME_MAX, "%s%s%s", bare ? "" : prefix, bare ? "" : ".", name);
    if (n < 0 || n >= RC_PARAM_NAME_MAX)
        return rc_error(RC_E_INVALID, "seq2seq: parameter prefix \"%s.%s\" is longer than %d bytes", prefix, name,
                        RC_PARAM_NAME_MAX - 1);
    return RC_OK;
}

/* Each part's parameters under prefix.name; absent parts add nothing. */
static rc_status add_embedding(const rc_embedding_module *e, rc_params *ps, const char *prefix, const char *name)
{
    char p[RC_PARAM_NAME_MAX];
    rc_status s = join(p, prefix, name);
    return s == RC_OK ? rc_embedding_add_params(e, ps, p) : s;
}

static rc_status add_linear(const rc_linear_module *l, rc_params *ps, const char *prefix, const char *name)
{
    char p[RC_PARAM_NAME_MAX];
    rc_status s = l->weight ? join(p, prefix, name) : RC_OK;
    return s == RC_OK && l->weight ? rc_linear_add_params(l, ps, p) : s;
}

static rc_status add_rnn(const rc_rnn *r, rc_params *ps, const char *prefix, const char *name)
{
    char p[RC_PARAM_NAME_MAX];
    rc_status s = join(p, prefix, name);
    return s == RC_OK ? rc_rnn_add_params(r, ps, p) : s;
}

static rc_status add_attention(const rc_attention *a, rc_params *ps, const char *prefix, const char *name)
{
    char p[RC_PARAM_NAME_MAX];
    rc_status s = a ? join(p, prefix, name) : RC_OK;
    return s == RC_OK && a ? rc_attention_add_params(a, ps, p) : s;
}

static rc_status add_cell(const rc_rnn_cell *c, rc_params *ps, const char *prefix, const char *name)
{
    char p[RC_PARAM_NAME_MAX];
    rc_status s = join(p, prefix, name);
    return s == RC_OK ? rc_rnn_cell_add_params(c, ps, p) : s;
}

rc_status rc_seq2seq_add_params(const rc_seq2seq *m, rc_params *ps, const char *prefix)
{
    rc_status s = add_embedding(&m->src_embed, ps, prefix, "encoder.embedding");
    if (s == RC_OK) s = add_rnn(m->encoder, ps, prefix, "encoder.rnn");
    if (s == RC_OK) s = add_linear(&m->bridge_h, ps, prefix, "bridge.h");
    if (s == RC_OK) s = add_linear(&m->bridge_c, ps, prefix, "bridge.c");
    if (s == RC_OK) s = add_embedding(&m->tgt_embed, ps, prefix, "decoder.embedding");
    if (s == RC_OK) s = add_cell(m->cell, ps, prefix, "decoder.cell");
    if (s == RC_OK) s = add_attention(m->attention, ps, prefix, "decoder.attention");
    if (s == RC_OK) s = add_linear(&m->concat, ps, prefix, "decoder.concat");
    if (s == RC_OK) s = add_linear(&m->out, ps, prefix, "decoder.out");
    return s;
}
