/*
 * The encoder shared by the classify and tag tasks, and its options:
 *
 *   embed (nn.Embedding V×E, padding_idx 0)
 *   [char features: each word's characters → char_embed (nn.Embedding Vc×Ec,
 *    padding_idx 0) → char_rnn (one bidirectional layer of --cell, Hc units);
 *    the final forward and backward states, 2·Hc values, are concatenated to
 *    the word's embedding]
 *   → dropout P → rnn (nn.LSTM/GRU/RNN, L layers, H units, batch_first,
 *   bidirectional or not, dropout P between layers)
 *
 * over padded batches with their lengths (the recurrent layers skip the
 * padding, as PyTorch's packed sequences do). The output is (B, T, D·H)
 * with D = 2 when bidirectional, zero past each length.
 */
#ifndef RECUR_TOOL_ENCODER_H
#define RECUR_TOOL_ENCODER_H

#include "batch.h"
#include "common.h"
#include "recur.h"

/* Options of the sequence tasks beyond the shared ones of common.h. */
typedef struct enc_opts {
    bool bidirectional;
    int max_len, min_count;
    double word_dropout;
    bool char_features;
    int char_embed, char_hidden;
} enc_opts;

extern const enc_opts enc_opts_defaults;

/* Adds the named entries (bidirectional max-len min-count word-dropout
 * char-features char-embed char-hidden) bound to o. */
void enc_add_opts(cli_table *t, enc_opts *o, const char *names);

/* Adds the options of a classify or tag train command that shape its data
 * and encoder, in their order in --help: min-count max-len word-dropout
 * (bound to o), cell layers hidden embed dropout (to c), bidirectional
 * char-features char-embed char-hidden (to o). */
void enc_add_train_opts(cli_table *t, cli_common *c, enc_opts *o);

typedef struct encoder {
    cli_common arch; /* cell, layers, hidden, embed, dropout */
    enc_opts opts;
    rc_embedding_module embed, char_embed;
    rc_rnn *char_rnn, *rnn;
    int out_size; /* D·H */
} encoder;

/* Builds the network with PyTorch's default init drawn from rng, for the
 * tokens of v and (with char features, which need v->chars) their
 * characters, and adds its parameters to ps: embed.weight,
 * [char_embed.weight, char_rnn.*,] rnn.*. Errors: those of the modules;
 * *e is then safe to free. */
rc_status encoder_create(encoder *e, const cli_common *c, const enc_opts *o, const seq_vocabs *v, rc_rng *rng,
                         rc_params *ps);

/* The parameter values encoder_create allocates for these options and v's
 * sizes (for cli_model_fits). */
uint64_t encoder_values(const cli_common *c, const enc_opts *o, const seq_vocabs *v);

void encoder_free(encoder *e);

/* Runs the encoder over batch b: out->output (B, T, D·H) and out->h_n
 * (D·L, B, H). Errors: the graph's. */
rc_status encoder_forward(encoder *e, rc_graph *g, const seq_batch *b, rc_rnn_result *out);

#endif
