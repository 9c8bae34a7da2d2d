/*
 * Finite-difference checks (double build) of the whole seq2seq training loss
 * with respect to sampled entries of every parameter tensor: each decoder
 * kind (rule 1 over more positions than the source has, so that its padded
 * positions are masked) behind a bidirectional encoder, with each bridge,
 * GRU, LSTM (with and
 * without projection) and RNN parts, on a padded batch with padded targets and
 * teacher forcing 1.0. Tolerance 1e-6 relative: central differences with
 * eps = 1e-6 in double are accurate to about 1e-8 on this smooth loss.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

enum { B = 3, S = 5, T = 4, VS = 7, VT = 8, PAD = 0, EOS = 2 };

/* Lengths 5, 2, 4: positions past a length hold junk the encoder must skip. */
static const int src_ids[B * S] = {1, 3, 5, 6, 2, 4, 6, 0, 0, 0, 5, 5, 1, 3, 6};
static const int src_lengths[B] = {5, 2, 4};
/* Targets ending with eos then padding, and one ending at T without eos. */
static const int tgt_ids[B * T] = {3, 4, EOS, PAD, 5, EOS, PAD, PAD, 6, 7, 3, 1};

typedef struct gc_model {
    rc_seq2seq *m;
    rc_seq2seq_batch batch;
} gc_model;

static rc_tensor *build(rc_graph *g, void *ctx)
{
    gc_model *c = ctx;
    rc_seq2seq_result r;
    if (rc_seq2seq_forward(c->m, g, &c->batch, 1.0, NULL, &r) != RC_OK) return NULL;
    return r.loss;
}

/* Source embedding 4, encoder hidden 3 (K = 6), target embedding 3,
 * decoder hidden 5 (6 = K where the scores are products of s_t and h_j),
 * attention 4, two heads of 3, rule 1 over S + 2 positions. */
static rc_seq2seq_config config(rc_seq2seq_attention a, rc_rnn_mode enc, rc_rnn_mode dec)
{
    rc_seq2seq_config c = rc_seq2seq_config_default(a, VS, VT, 4, 3);
    c.encoder.mode = enc;
    c.tgt_embed = 3;
    c.decoder_mode = dec;
    bool square = a == RC_SEQ2SEQ_LUONG_DOT || a == RC_SEQ2SEQ_SCALED_DOT || a == RC_SEQ2SEQ_MULTIHEAD;
    c.decoder_hidden = square ? 6 : 5;
    c.attention_hidden = 4;
    c.attention_heads = 2;
    c.attention_positions = S + 2;
    return c;
}

/* A gradient check passes trivially for a parameter the loss ignores, so
 * every parameter must also receive some gradient, except the biases that
 * shift every score of a softmax row (their gradient is 0). */
static void check_every_part_learns(gc_model *c, rc_params *ps)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_params_zero_grad(ps);
    rc_tensor *loss = build(g, c);
    RC_CHECK_OK(loss ? rc_graph_backward(g, loss) : rc_graph_status(g));
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        const char *name = rc_params_name(ps, i);
        const rc_tensor *p = rc_params_tensor(ps, i);
        double mx = 0;
        for (size_t j = 0; j < p->numel; j++) mx = fmax(mx, fabs((double)p->grad[j]));
        bool cancels = strstr(name, "Va.bias") || (c->m && rc_seq2seq_get_config(c->m)->attention ==
                                                               RC_SEQ2SEQ_LUONG_GENERAL && strstr(name, "attn.bias"));
        if (cancels)
            RC_CHECK(mx < 1e-12, "%s: gradient %g, expected 0", name, mx);
        else
            RC_CHECK(mx > 1e-8, "%s gets no gradient", name);
    }
    rc_graph_free(g);
}

static void check(const char *label, const rc_seq2seq_config *cfg)
{
    rc_rng rng;
    rc_rng_seed(&rng, 11);
    gc_model c = {.batch = {.src = {B, S, src_ids, src_lengths}, .tgt_len = T, .tgt = tgt_ids}};
    rc_params *ps = NULL;
    RC_CHECK_OK(rc_seq2seq_create(&c.m, cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    if (c.m && ps && rc_seq2seq_add_params(c.m, ps, NULL) == RC_OK) {
        enum { MAX_PARAMS = 40 };
        rc_tensor *inputs[MAX_PARAMS];
        int n = (int)rc_params_count(ps);
        RC_CHECK(n <= MAX_PARAMS, "%d parameters", n);
        if (n > MAX_PARAMS) n = MAX_PARAMS;
        printf("  %s inputs:", label);
        for (int i = 0; i < n; i++) {
            inputs[i] = rc_params_tensor(ps, i);
            printf(" %d=%s", i, rc_params_name(ps, i));
        }
        printf("\n");
        check_every_part_learns(&c, ps);
        rc_gradcheck(label, build, &c, inputs, n, 1e-6, 5, 1e-6);
    }
    rc_params_free(ps);
    rc_seq2seq_free(c.m);
}

static void test_no_attention(void)
{
    rc_seq2seq_config c = config(RC_SEQ2SEQ_NO_ATTENTION, RC_GRU, RC_GRU);
    check("none gru-gru linear", &c);
    c = config(RC_SEQ2SEQ_NO_ATTENTION, RC_GRU, RC_GRU);
    c.bridge = RC_SEQ2SEQ_BRIDGE_ZERO;
    check("none gru-gru zero", &c);
    c = config(RC_SEQ2SEQ_NO_ATTENTION, RC_LSTM, RC_LSTM);
    c.bridge = RC_SEQ2SEQ_BRIDGE_SUM;
    c.decoder_hidden = 3;
    check("none lstm-lstm sum", &c);
}

static void test_bahdanau(void)
{
    rc_seq2seq_config c = config(RC_SEQ2SEQ_BAHDANAU, RC_GRU, RC_GRU);
    c.encoder.num_layers = 2;
    check("bahdanau 2-layer gru-gru", &c);
    c = config(RC_SEQ2SEQ_BAHDANAU, RC_LSTM, RC_LSTM);
    c.encoder.proj_size = 2;
    check("bahdanau lstm(proj)-lstm", &c);
}

static void test_luong(void)
{
    rc_seq2seq_config c = config(RC_SEQ2SEQ_LUONG_GENERAL, RC_LSTM, RC_LSTM);
    check("luong general lstm-lstm", &c);
    c = config(RC_SEQ2SEQ_LUONG_DOT, RC_RNN_TANH, RC_LSTM);
    check("luong dot rnn-lstm", &c);
    c = config(RC_SEQ2SEQ_LUONG_CONCAT, RC_GRU, RC_RNN_TANH);
    c.bridge = RC_SEQ2SEQ_BRIDGE_SUM;
    c.decoder_hidden = 3;
    check("luong concat gru-rnn sum", &c);
}

static void test_more_attention(void)
{
    rc_seq2seq_config c = config(RC_SEQ2SEQ_RULE1, RC_GRU, RC_GRU);
    check("rule1 gru-gru", &c);
    c = config(RC_SEQ2SEQ_RULE1, RC_LSTM, RC_LSTM);
    c.attention_positions = S;
    check("rule1 lstm-lstm, positions = S", &c);
    c = config(RC_SEQ2SEQ_SCALED_DOT, RC_GRU, RC_GRU);
    check("scaled dot gru-gru", &c);
    c = config(RC_SEQ2SEQ_MULTIHEAD, RC_GRU, RC_LSTM);
    check("multihead gru-lstm", &c);
}

int main(void)
{
    RC_RUN(test_no_attention);
    RC_RUN(test_bahdanau);
    RC_RUN(test_luong);
    RC_RUN(test_more_attention);
    return rc_test_finish();
}
