/*
 * The lm task: a character-level language model.
 *
 *   embed (nn.Embedding V×E) → rnn (nn.LSTM/GRU/RNN, L layers, H units,
 *   dropout between layers) → dropout → head (nn.Linear H→V)
 *
 * trained to predict each character of a UTF-8 text from the ones before it.
 * Id 0 of the vocabulary is <unk> (characters not seen in training).
 */
#ifndef RECUR_TOOL_LM_H
#define RECUR_TOOL_LM_H

#include "common.h"
#include "recur.h"

/* `recur lm SUBCOMMAND ...`: argv[0] is the subcommand. Returns the exit
 * status. */
int lm_main(int argc, char **argv);

int lm_train_main(int argc, char **argv);
int lm_eval_main(int argc, char **argv);
int lm_sample_main(int argc, char **argv);

/* Reads the UTF-8 text at path as code points. Errors: those of
 * rc_text_read, and RC_E_FORMAT naming the line and column of a NUL byte. */
rc_status lm_read_text(rc_text *text, const char *path);

/* The options that define the network, stored in a model's "config". */
#define LM_ARCH_OPTIONS "cell layers hidden embed dropout"

typedef struct lm_model {
    cli_common arch; /* the LM_ARCH_OPTIONS fields it was built with */
    int vocab_size;
    rc_embedding_module embed;
    rc_rnn *rnn;
    rc_linear_module head;
    rc_params *params; /* embed.weight, rnn.weight_ih_l0, ..., head.weight, head.bias */
} lm_model;

/* Builds a model with PyTorch's default init, drawn from the INIT stream of
 * c->seed. Errors: those of the modules; *m is then empty (safe to free). */
rc_status lm_model_create(lm_model *m, const cli_common *c, int vocab_size);

/* Loads a model file written by `recur lm train` and its vocabulary.
 * Errors: RC_E_IO, RC_E_FORMAT naming the file. */
rc_status lm_model_load(lm_model *m, rc_vocab **vocab, const char *path);

void lm_model_free(lm_model *m);

/* The "config" metadata of m (JSON text; the caller frees it), or NULL when
 * out of memory. */
char *lm_config_json(lm_model *m);

/* The recurrent state carried from one chunk of text to the next: h (and c
 * for an LSTM), each (L, B, H). */
typedef struct lm_state {
    rc_tensor *h, *c;
} lm_state;

rc_status lm_state_create(lm_state *s, const lm_model *m, int batch);
void lm_state_zero(lm_state *s);
void lm_state_free(lm_state *s);

/* Logits (T, B, V) of the characters following ids (T, B), starting from
 * state st, which then holds the state after the last step (copied out of
 * the graph, so the next chunk starts from a detached leaf). Returns NULL
 * with the graph's sticky error on failure. */
rc_tensor *lm_forward(lm_model *m, rc_graph *g, const int *ids, int T, int B, lm_state *st);

/* Mean cross-entropy (nats per character) of predicting ids[1..n) from the
 * characters before them: the text is cut into at most B contiguous streams,
 * each run in chunks of T with its state carried (a stream starts from the
 * zero state). g must be in evaluation mode without gradients.
 * Errors: RC_E_INVALID for n < 2, the graph's errors. */
rc_status lm_evaluate(lm_model *m, rc_graph *g, const int *ids, size_t n, int B, int T, double *loss);

/* Adds the lm task's --seq-len option (the field's value is its default). */
#define LM_SEQ_LEN_DEFAULT 100
void lm_add_seq_len(cli_table *t, int *seq_len);

#endif
