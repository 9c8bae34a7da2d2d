/*
 * The translate task's network: its options, building it, its metadata and
 * loading it from a model file.
 */
#include <stdlib.h>
#include <string.h>

#include "model_file.h"
#include "translate.h"

static const char TASK[] = "translate";

static const char *const token_names[] = {"char", "space", NULL};
static const char *const encoder_names[] = {"bi", "uni", NULL};
/* Names and the decoder kinds they select, index for index. */
static const char *const attention_names[] = {"none",  "bahdanau",   "luong-dot", "luong-general", "luong-concat",
                                              "rule1", "scaled-dot", "multihead", NULL};
static const rc_seq2seq_attention attention_kinds[] = {
    RC_SEQ2SEQ_NO_ATTENTION, RC_SEQ2SEQ_BAHDANAU, RC_SEQ2SEQ_LUONG_DOT,   RC_SEQ2SEQ_LUONG_GENERAL,
    RC_SEQ2SEQ_LUONG_CONCAT, RC_SEQ2SEQ_RULE1,    RC_SEQ2SEQ_SCALED_DOT, RC_SEQ2SEQ_MULTIHEAD};

_Static_assert(sizeof attention_names / sizeof attention_names[0] == sizeof attention_kinds / sizeof attention_kinds[0] + 1,
               "every attention name selects a kind");
_Static_assert(TR_TOKEN_MODE_COUNT == 2, "every token mode has a name");

const tr_arch tr_arch_defaults = {
    .c = {.cell = 1, .layers = 1, .hidden = 128, .embed = 64},
    .src_tokens = TR_CHARS,
    .tgt_tokens = TR_CHARS,
    .encoder = 0,
    .decoder_hidden = 0,
    .attention = 1,
    .attention_hidden = 0,
    .heads = 4,
    .positions = 0,
};

bool tr_arch_has_attention(const tr_arch *a) { return attention_kinds[a->attention] != RC_SEQ2SEQ_NO_ATTENTION; }

bool tr_arch_has_positions(const tr_arch *a) { return attention_kinds[a->attention] == RC_SEQ2SEQ_RULE1; }

rc_status tr_check_positions(const tr_arch *a, const tr_texts *src, const char *path, const size_t *lines)
{
    for (size_t i = 0; tr_arch_has_positions(a) && i < src->n; i++)
        if (src->seqs[i].len > a->positions)
            return rc_error(RC_E_INVALID,
                            "'%s': line %zu: the source has %d tokens, more than the %d positions rule1 attention "
                            "scores (--positions)",
                            path, lines[i], src->seqs[i].len, a->positions);
    return RC_OK;
}

void tr_add_arch(cli_table *t, tr_arch *a)
{
    cli_add(t, (cli_opt){.name = "src-tokens", .type = CLI_CHOICE, .field = &a->src_tokens, .choices = token_names,
                         .help = "source tokens: characters, or words separated by spaces"});
    cli_add(t, (cli_opt){.name = "tgt-tokens", .type = CLI_CHOICE, .field = &a->tgt_tokens, .choices = token_names,
                         .help = "target tokens: characters, or words separated by spaces"});
    cli_add_common_as(t, &a->c, "cell", NULL, "recurrent cell of the encoder and the decoder", false);
    cli_add_common_as(t, &a->c, "layers", NULL, "stacked encoder layers", false);
    cli_add_common_as(t, &a->c, "hidden", NULL, "encoder hidden units per direction", false);
    cli_add_common_as(t, &a->c, "embed", NULL, "source and target embedding size", false);
    cli_add(t, (cli_opt){.name = "encoder", .type = CLI_CHOICE, .field = &a->encoder, .choices = encoder_names,
                         .help = "bidirectional or one-directional encoder"});
    cli_add(t, (cli_opt){.name = "decoder-hidden", .type = CLI_INT, .field = &a->decoder_hidden, .meta = "H", .min = 0,
                         .max = 65536, .help = "decoder hidden units (0: the encoder's output size, 2·hidden if bi)"});
    cli_add(t, (cli_opt){.name = "attention", .type = CLI_CHOICE, .field = &a->attention, .choices = attention_names,
                         .help = "the decoder's attention (docs/cli.md has the equations)"});
    cli_add(t, (cli_opt){.name = "attention-hidden", .type = CLI_INT, .field = &a->attention_hidden, .meta = "A",
                         .min = 0, .max = 65536,
                         .help = "bahdanau and luong-concat score layer size (0: the decoder's hidden size)"});
    cli_add(t, (cli_opt){.name = "heads", .type = CLI_INT, .field = &a->heads, .meta = "N", .min = 1, .max = 1024,
                         .help = "multihead: attention heads (dividing the encoder's output size)"});
    cli_add(t, (cli_opt){.name = "positions", .type = CLI_INT, .field = &a->positions, .meta = "P", .min = 0,
                         .max = TR_MAX_TOKENS,
                         .help = "rule1: source positions scored, the longest source accepted (0: the longest "
                                 "training source)"});
}

/* A table of the network's options bound to a, for its JSON form. */
static void arch_table(cli_table *t, tr_arch *a)
{
    cli_table_init(t, "config", "", "");
    tr_add_arch(t, a);
}

static rc_seq2seq_config net_config(const tr_arch *a, int src_vocab, int tgt_vocab)
{
    rc_seq2seq_config c = rc_seq2seq_config_default(attention_kinds[a->attention], src_vocab, tgt_vocab, a->c.embed,
                                                    a->c.hidden);
    c.src_pad = c.tgt_pad = TR_PAD;
    c.bos = TR_BOS;
    c.eos = TR_EOS;
    c.encoder.mode = c.decoder_mode = cli_cell_mode(&a->c);
    c.encoder.num_layers = a->c.layers;
    c.encoder.bidirectional = a->encoder == 0;
    c.decoder_hidden = a->decoder_hidden;
    c.attention_hidden = a->attention_hidden;
    c.attention_heads = a->heads;
    c.attention_positions = a->positions;
    return c;
}

rc_status tr_model_create(tr_model *m, const tr_arch *arch, const cli_common *c)
{
    m->arch = *arch;
    m->net = NULL;
    m->params = NULL;
    rc_rng rng;
    rc_rng_seed(&rng, cli_stream_seed(c, CLI_STREAM_INIT));
    rc_seq2seq_config cfg = net_config(arch, m->src_vocab.size, m->tgt_vocab.size);
    rc_status s = rc_seq2seq_create(&m->net, &cfg, &rng);
    if (s == RC_OK) s = rc_params_create(&m->params);
    if (s == RC_OK) s = rc_seq2seq_add_params(m->net, m->params, NULL);
    return s;
}

void tr_model_free(tr_model *m)
{
    rc_params_free(m->params);
    rc_seq2seq_free(m->net);
    tr_vocab_free(&m->src_vocab);
    tr_vocab_free(&m->tgt_vocab);
    memset(m, 0, sizeof *m);
}

/* JSON text of j (stolen), or NULL. */
static char *dump(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(j);
    return text;
}

rc_status tr_model_meta(const tr_model *m, char **config, char **vocab)
{
    cli_table t;
    tr_arch a = m->arch;
    arch_table(&t, &a);
    *config = dump(cli_to_json(&t, TR_ARCH_OPTIONS));
    *vocab = dump(json_pack("{s:o, s:o}", "source", tr_vocab_json(&m->src_vocab), "target", tr_vocab_json(&m->tgt_vocab)));
    if (*config && *vocab) return RC_OK;
    free(*config);
    free(*vocab);
    *config = *vocab = NULL;
    return rc_error(RC_E_NOMEM, "out of memory for the model's metadata");
}

/* Reads the configuration and the vocabularies of an open model file. */
static rc_status read_meta(const rc_st_file *f, const char *path, tr_model *m)
{
    json_t *config, *vocab = NULL;
    rc_status s = cli_model_json(f, path, "config", &config);
    if (s != RC_OK) return s;
    cli_table t;
    m->arch = tr_arch_defaults;
    arch_table(&t, &m->arch);
    char what[600];
    snprintf(what, sizeof what, "'%s': metadata \"config\"", path);
    s = cli_from_json(&t, config, TR_ARCH_OPTIONS, what);
    json_decref(config);
    if (s == RC_OK) s = cli_model_json(f, path, "vocab", &vocab);
    if (s == RC_OK && !json_is_object(vocab))
        s = rc_error(RC_E_FORMAT, "'%s': metadata \"vocab\" is not an object {\"source\": [...], \"target\": [...]}",
                     path);
    if (s == RC_OK) {
        snprintf(what, sizeof what, "'%s': metadata \"vocab\".source", path);
        s = tr_vocab_from_json(&m->src_vocab, json_object_get(vocab, "source"), m->arch.src_tokens, what);
    }
    if (s == RC_OK) {
        snprintf(what, sizeof what, "'%s': metadata \"vocab\".target", path);
        s = tr_vocab_from_json(&m->tgt_vocab, json_object_get(vocab, "target"), m->arch.tgt_tokens, what);
    }
    json_decref(vocab);
    return s;
}

/* A lower bound of the parameter values of the network of c (see
 * recur/seq2seq.h) that grows with every size: embeddings, encoder,
 * decoder cell, output layer and the attention's sized layers. */
static uint64_t net_values(const rc_seq2seq_config *c)
{
    uint64_t e_s = (uint64_t)c->encoder.input_size, e_t = (uint64_t)c->tgt_embed, h_d = (uint64_t)c->decoder_hidden;
    uint64_t k = (uint64_t)(c->encoder.bidirectional ? 2 : 1) * (uint64_t)c->encoder.hidden_size;
    uint64_t v_t = (uint64_t)c->tgt_vocab, g = (uint64_t)rc_rnn_mode_gates(c->decoder_mode);
    uint64_t n = (uint64_t)c->src_vocab * e_s + v_t * e_t + g * h_d * (e_t + h_d) + v_t * h_d + v_t +
                 cli_rnn_values(c->encoder.mode, c->encoder.input_size, c->encoder.hidden_size, c->encoder.num_layers,
                                c->encoder.bidirectional);
    if (c->attention == RC_SEQ2SEQ_BAHDANAU || c->attention == RC_SEQ2SEQ_LUONG_CONCAT)
        n += (uint64_t)c->attention_hidden * (h_d + k);
    if (c->attention == RC_SEQ2SEQ_RULE1) n += (uint64_t)c->attention_positions * (e_t + h_d);
    return n;
}

rc_status tr_model_load(tr_model *m, const char *path)
{
    memset(m, 0, sizeof *m);
    rc_st_file *f;
    rc_status s = cli_model_open(&f, path, TASK);
    if (s != RC_OK) return s;
    s = read_meta(f, path, m);
    if (s == RC_OK) {
        rc_seq2seq_config c = net_config(&m->arch, m->src_vocab.size, m->tgt_vocab.size);
        s = cli_model_fits(f, path, net_values(&c));
    }
    rc_st_close(f);
    if (s == RC_OK) {
        cli_common seed = cli_common_defaults;
        s = tr_model_create(m, &m->arch, &seed);
    }
    if (s == RC_E_INVALID) {
        /* options that each pass the table but not together (heads not dividing K, a 0 never resolved) */
        char why[512];
        snprintf(why, sizeof why, "%s", rc_last_error());
        s = rc_error(RC_E_FORMAT, "'%s': metadata \"config\": %s", path, why);
    }
    if (s == RC_OK) s = rc_st_load_params(path, m->params, true);
    if (s != RC_OK) tr_model_free(m);
    return s;
}
