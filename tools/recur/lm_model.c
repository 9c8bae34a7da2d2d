/*
 * The lm task's network: building it, loading it from a model file, its
 * carried state, and the forward pass over one chunk of text.
 */
#include <stdlib.h>
#include <string.h>

#include "lm.h"
#include "model_file.h"

static const char TASK[] = "lm";

/* A table of the network's options bound to c, for its JSON form. */
static void arch_table(cli_table *t, cli_common *c)
{
    cli_table_init(t, "config", "", "");
    cli_add_common(t, c, LM_ARCH_OPTIONS);
}

rc_status lm_model_create(lm_model *m, const cli_common *c, int vocab_size)
{
    memset(m, 0, sizeof *m);
    m->arch = *c;
    m->vocab_size = vocab_size;
    rc_rng rng;
    rc_rng_seed(&rng, cli_stream_seed(c, CLI_STREAM_INIT));
    rc_rnn_config rc = rc_rnn_config_default(cli_cell_mode(c), c->embed, c->hidden);
    rc.num_layers = c->layers;
    rc.dropout = (rc_real)c->dropout;
    rc_status s = rc_embedding_init(&m->embed, vocab_size, c->embed, -1, &rng);
    if (s == RC_OK) s = rc_rnn_create(&m->rnn, &rc, &rng);
    if (s == RC_OK) s = rc_linear_init(&m->head, c->hidden, vocab_size, true, &rng);
    if (s == RC_OK) s = rc_params_create(&m->params);
    if (s == RC_OK) s = rc_embedding_add_params(&m->embed, m->params, "embed");
    if (s == RC_OK) s = rc_rnn_add_params(m->rnn, m->params, "rnn");
    if (s == RC_OK) s = rc_linear_add_params(&m->head, m->params, "head");
    if (s != RC_OK) lm_model_free(m);
    return s;
}

void lm_model_free(lm_model *m)
{
    rc_params_free(m->params);
    rc_linear_destroy(&m->head);
    rc_rnn_free(m->rnn);
    rc_embedding_destroy(&m->embed);
    memset(m, 0, sizeof *m);
}

char *lm_config_json(lm_model *m)
{
    cli_table t;
    arch_table(&t, &m->arch);
    return cli_json_text(cli_to_json(&t, LM_ARCH_OPTIONS));
}

/* Reads the configuration and vocabulary of an open model file. */
static rc_status read_meta(const rc_st_file *f, const char *path, cli_common *arch, rc_vocab **vocab)
{
    cli_table t;
    *arch = cli_common_defaults;
    arch_table(&t, arch);
    rc_status s = cli_model_config(f, path, &t, LM_ARCH_OPTIONS);
    return s == RC_OK ? cli_model_vocab(f, path, vocab) : s;
}

/* The parameter values of the network (see lm.h). */
static uint64_t param_values(const cli_common *c, int vocab_size)
{
    uint64_t v = (uint64_t)vocab_size;
    return v * (uint64_t)c->embed + cli_rnn_values(cli_cell_mode(c), c->embed, c->hidden, c->layers, false) +
           v * (uint64_t)c->hidden + v;
}

rc_status lm_model_load(lm_model *m, rc_vocab **vocab, const char *path)
{
    memset(m, 0, sizeof *m);
    *vocab = NULL;
    rc_st_file *f;
    rc_status s = cli_model_open(&f, path, TASK);
    if (s != RC_OK) return s;
    cli_common arch;
    s = read_meta(f, path, &arch, vocab);
    if (s == RC_OK) s = cli_model_fits(f, path, param_values(&arch, rc_vocab_size(*vocab)));
    rc_st_close(f);
    if (s == RC_OK) s = lm_model_create(m, &arch, rc_vocab_size(*vocab));
    if (s == RC_OK) s = rc_st_load_params(path, m->params, true);
    if (s != RC_OK) {
        lm_model_free(m);
        rc_vocab_free(*vocab);
        *vocab = NULL;
    }
    return s;
}

rc_status lm_state_create(lm_state *s, const lm_model *m, int batch)
{
    int shape[3] = {m->arch.layers, batch, m->arch.hidden};
    s->h = s->c = NULL;
    rc_status st = rc_tensor_new(&s->h, 3, shape, false);
    if (st == RC_OK && cli_cell_mode(&m->arch) == RC_LSTM) st = rc_tensor_new(&s->c, 3, shape, false);
    if (st != RC_OK) lm_state_free(s);
    return st;
}

void lm_state_zero(lm_state *s)
{
    memset(s->h->data, 0, s->h->numel * sizeof *s->h->data);
    if (s->c) memset(s->c->data, 0, s->c->numel * sizeof *s->c->data);
}

void lm_state_free(lm_state *s)
{
    rc_tensor_free(s->h);
    rc_tensor_free(s->c);
    s->h = s->c = NULL;
}

/* A graph leaf holding a copy of the carried state t (NULL stays NULL). */
static rc_tensor *state_leaf(rc_graph *g, const rc_tensor *t)
{
    if (!t) return NULL;
    rc_tensor *x = rc_graph_tensor(g, t->ndim, t->shape, false);
    if (x) memcpy(x->data, t->data, t->numel * sizeof *t->data);
    return x;
}

static void state_store(rc_tensor *dst, const rc_tensor *src)
{
    if (dst) memcpy(dst->data, src->data, dst->numel * sizeof *dst->data);
}

rc_tensor *lm_forward(lm_model *m, rc_graph *g, const int *ids, int T, int B, lm_state *st)
{
    int shape[2] = {T, B};
    rc_tensor *x = rc_embedding_forward(&m->embed, g, ids, 2, shape);
    rc_tensor *h0 = state_leaf(g, st->h), *c0 = state_leaf(g, st->c);
    if (!x || !h0 || (st->c && !c0)) return NULL;
    rc_rnn_result r;
    if (rc_rnn_forward(m->rnn, g, x, h0, c0, NULL, &r) != RC_OK) return NULL;
    state_store(st->h, r.h_n);
    state_store(st->c, r.c_n);
    rc_tensor *y = rc_dropout(g, r.output, (rc_real)m->arch.dropout);
    return rc_linear_forward(&m->head, g, y);
}

void lm_add_seq_len(cli_table *t, int *seq_len)
{
    cli_add(t, (cli_opt){.name = "seq-len", .type = CLI_INT, .field = seq_len, .meta = "T", .min = 1, .max = 1 << 20,
                         .help = "characters per chunk (backpropagation through time spans one chunk)"});
}
