/*
 * recur/seq2seq.h — encoder-decoder (seq2seq) models: an embedding and any
 * recurrent layer as encoder, a bridge from its final state to the decoder's
 * initial state, a step-wise decoder without attention, with Bahdanau
 * attention, with the tutorial's rule-1 attention, or with Luong attention
 * (dot, general, concat, scaled dot-product or multi-head scoring),
 * teacher-forced training with a padding-aware loss, and greedy, sampling
 * and beam-search decoding.
 *
 * Sizes: B batch, S source steps, T target steps, V_s and V_t the source and
 * target vocabularies, E_t the target embedding size, D = 2 if the encoder is
 * bidirectional else 1, L its layers, H_e its hidden size, P_e its output size
 * per direction (proj_size if set, else H_e), K = D·P_e the size of the
 * encoder's outputs, H_d the decoder's hidden size, A the attention size.
 *
 * Encoder (the whole source at once, packed-sequence semantics: steps past a
 * sequence's length are not computed):
 *
 *   e_j = encoder.embedding(x_j)            (V_s, E_s) with padding_idx src_pad
 *   h_1..h_S, final states = encoder.rnn(e)  any rc_rnn: mode, layers, direction
 *   k = [h_fwd; h_rev] of the LAST layer's final states   (B, K)
 *
 * The encoder's outputs h_j (B, S, K) are the attention's keys and values;
 * k is the fixed context vector c of the decoder without attention.
 *
 * Bridge (encoder final state → decoder initial state s_0, c_0):
 *
 *   LINEAR  s_0 = tanh(bridge.h(k))               bridge.h: Linear(K, H_d)
 *           c_0 = tanh(bridge.c([c_fwd; c_rev]))  bridge.c: Linear(D·H_e, H_d),
 *                 only when encoder and decoder are both LSTMs, else c_0 = 0
 *   SUM     s_0 = h_fwd + h_rev (= h_fwd when D = 1), needs P_e = H_d;
 *           c_0 = c_fwd + c_rev for two LSTMs (needs H_e = H_d), else 0
 *   ZERO    s_0 = 0, c_0 = 0
 *
 * Decoder: one recurrent cell (decoder.cell, an rc_rnn_cell of any mode; the
 * decoder is not stacked) stepped once per output token. y_0 is the start
 * token bos, y_{t−1} the previous token (gold or predicted), E(y) the
 * decoder.embedding row (padding_idx tgt_pad), α_t the attention weights over
 * the source steps j < length (padding is masked), c_t = Σ_j α_tj h_j:
 *
 *   NO_ATTENTION  s_t = cell([E(y_{t−1}); c], s_{t−1})        cell input E_t + K
 *                 logits_t = out(s_t)
 *                 (the tutorials' "N vs M" structure with the context fed at
 *                 every step; with a ZERO bridge, "1 vs N")
 *   BAHDANAU      α_t = additive(s_{t−1}, h)                   cell input E_t + K
 *                 s_t = cell([E(y_{t−1}); c_t], s_{t−1})
 *                 logits_t = out(s_t)
 *                 score_j = Va(tanh(Wa(s_{t−1}) + Ua(h_j)))   (PyTorch's
 *                 seq2seq tutorial AttnDecoderRNN)
 *   RULE1         α_t = softmax(attn([E(y_{t−1}); s_{t−1}]))   over P positions
 *                 x_t = relu(attn_combine([E(y_{t−1}); c_t]))   cell input E_t
 *                 s_t = cell(x_t, s_{t−1})
 *                 logits_t = out(s_t)
 *                 (the AttnDecoderRNN of PyTorch's older translation
 *                 tutorial, with the `Attn` class of attention.h's rule 1:
 *                 attn is Linear(E_t + H_d, P) and scores a fixed number P =
 *                 attention_positions of source positions, so sources may
 *                 have at most P steps; the encoder's outputs are padded with
 *                 zeros to P steps and positions past the length are masked,
 *                 so α_t and c_t are those of the S real steps)
 *   LUONG_*, SCALED_DOT, MULTIHEAD (Luong decoders with input feeding)
 *                 s_t = cell([E(y_{t−1}); h̃_{t−1}], s_{t−1})   cell input E_t + H_d
 *                 α_t = score(s_t, h)    DOT s_tᵀh_j (needs H_d = K),
 *                                        GENERAL s_tᵀ attn(h_j),
 *                                        CONCAT vᵀ tanh(attn([s_t; h_j])),
 *                                        SCALED_DOT s_tᵀh_j / √K (needs H_d = K)
 *                 c_t = Σ_j α_tj h_j, except MULTIHEAD (needs H_d = K, divisible
 *                 by attention_heads): c_t = nn.MultiheadAttention(K, heads)
 *                 (s_t, h, h), its out_proj applied, α_t the mean over heads
 *                 h̃_t = tanh(concat([c_t; s_t]))   concat: Linear(K + H_d, H_d)
 *                 logits_t = out(h̃_t)               h̃_0 = 0 (input feeding)
 *
 * For an LSTM decoder s_t is its h; c_t of the cell is carried alongside.
 * out is Linear(H_d, V_t).
 *
 * Parameters (state_dict names under the prefix given to
 * rc_seq2seq_add_params, in this order; all drawn from the rng in this order
 * with PyTorch's default inits, see nn.h, rnn.h and attention.h):
 *
 *   encoder.embedding.weight (V_s, E_s)    encoder.rnn.<rnn.h names>
 *   bridge.h.weight (H_d, K)  bridge.h.bias (H_d)            LINEAR
 *   bridge.c.weight (H_d, D·H_e)  bridge.c.bias (H_d)        LINEAR, LSTM → LSTM
 *   decoder.embedding.weight (V_t, E_t)
 *   decoder.cell.weight_ih (G·H_d, E_t + K or E_t + H_d)  decoder.cell.weight_hh,
 *   decoder.cell.bias_ih, decoder.cell.bias_hh
 *   decoder.attention.<attention.h names>     BAHDANAU: Wa (A, H_d), Ua (A, K),
 *                                             Va (1, A); LUONG_GENERAL: attn
 *                                             (H_d, K); LUONG_CONCAT: v, attn;
 *                                             RULE1: attn (P, E_t + H_d),
 *                                             attn_combine (E_t, E_t + K);
 *                                             MULTIHEAD: in_proj_weight (3K, K),
 *                                             in_proj_bias, out_proj (K, K)
 *   decoder.concat.weight (H_d, K + H_d)  decoder.concat.bias (H_d)   Luong decoders
 *   decoder.out.weight (V_t, H_d)  decoder.out.bias (V_t)
 *
 * Example (examples/seq2seq_reverse.c): train on a padded batch, then decode
 * with beam search.
 *
 *     rc_seq2seq_config cfg = rc_seq2seq_config_default(RC_SEQ2SEQ_BAHDANAU, 12, 12, 32, 64);
 *     rc_seq2seq *m;
 *     if (rc_seq2seq_create(&m, &cfg, &rng) != RC_OK) { puts(rc_last_error()); ... }
 *     rc_seq2seq_add_params(m, params, NULL);               // encoder.embedding.weight, ...
 *     rc_seq2seq_batch batch = {.src = {B, S, src_ids, src_lengths}, .tgt_len = T, .tgt = tgt_ids};
 *     rc_seq2seq_result r;
 *     rc_graph_reset(g);
 *     if (rc_seq2seq_forward(m, g, &batch, 1.0, NULL, &r) != RC_OK) ...
 *     rc_params_zero_grad(params);
 *     rc_graph_backward(g, r.loss);
 *     rc_optim_step(opt);
 *     ...
 *     rc_seq2seq_decode_config dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_BEAM, 30);
 *     rc_seq2seq_output out;
 *     if (rc_seq2seq_decode(m, &batch.src, &dc, &out) != RC_OK) ...
 *     // out.ids[(b·n_best + i)·max_len + t], out.lengths[b·n_best + i], out.scores[...]
 *     rc_seq2seq_output_free(&out);
 *     rc_seq2seq_free(m);
 */
#ifndef RECUR_SEQ2SEQ_H
#define RECUR_SEQ2SEQ_H

#include "recur/graph.h"
#include "recur/params.h"
#include "recur/rnn.h"

typedef enum rc_seq2seq_attention {
    RC_SEQ2SEQ_NO_ATTENTION, /* fixed context c fed at every step */
    RC_SEQ2SEQ_BAHDANAU,     /* additive attention with s_{t−1} */
    RC_SEQ2SEQ_LUONG_DOT,    /* Luong attention with s_t, input feeding */
    RC_SEQ2SEQ_LUONG_GENERAL,
    RC_SEQ2SEQ_LUONG_CONCAT,
    RC_SEQ2SEQ_RULE1,        /* the tutorial's Attn over P positions, with s_{t−1} */
    RC_SEQ2SEQ_SCALED_DOT,   /* Luong decoder, scaled dot-product scores */
    RC_SEQ2SEQ_MULTIHEAD,    /* Luong decoder, multi-head attention */
    RC_SEQ2SEQ_ATTENTION_COUNT
} rc_seq2seq_attention;

/* "none", "bahdanau", "luong_dot", "luong_general", "luong_concat", "rule1",
 * "scaled_dot", "multihead". */
const char *rc_seq2seq_attention_name(rc_seq2seq_attention a);

typedef enum rc_seq2seq_bridge {
    RC_SEQ2SEQ_BRIDGE_LINEAR, /* s_0 = tanh(bridge.h(k)) */
    RC_SEQ2SEQ_BRIDGE_SUM,    /* s_0 = h_fwd + h_rev */
    RC_SEQ2SEQ_BRIDGE_ZERO,   /* s_0 = 0 */
    RC_SEQ2SEQ_BRIDGE_COUNT
} rc_seq2seq_bridge;

typedef struct rc_seq2seq_config {
    int src_vocab, tgt_vocab; /* V_s, V_t >= 1 */
    int src_pad;              /* encoder embedding padding_idx in [0, V_s), or -1 for none */
    int tgt_pad;              /* in [0, V_t): decoder padding_idx and the loss's ignore_index */
    int bos, eos;             /* start and end tokens in [0, V_t), both != tgt_pad */
    int tgt_embed;            /* E_t >= 1 */
    rc_rnn_config encoder;    /* input_size is the source embedding size E_s;
                                 batch_first is ignored (the model sets it) */
    rc_rnn_mode decoder_mode;
    int decoder_hidden;       /* H_d >= 1 */
    rc_seq2seq_attention attention;
    int attention_hidden;     /* A >= 1, used by BAHDANAU and LUONG_CONCAT */
    int attention_heads;      /* MULTIHEAD: >= 1, dividing K */
    int attention_positions;  /* RULE1: P >= 1, the most source steps a batch may have */
    rc_seq2seq_bridge bridge;
} rc_seq2seq_config;

/* A bidirectional one-layer GRU encoder (E_s = embed, H_e = hidden) and a GRU
 * decoder (E_t = embed, H_d = A = hidden), LINEAR bridge, ids pad 0, bos 1,
 * eos 2 in both vocabularies (src_pad = 0), one attention head and no
 * positions (RULE1 must set attention_positions). */
rc_seq2seq_config rc_seq2seq_config_default(rc_seq2seq_attention attention, int src_vocab, int tgt_vocab, int embed,
                                            int hidden);

typedef struct rc_seq2seq rc_seq2seq;

/* Creates a model with every parameter drawn from rng (see above).
 * Errors: RC_E_INVALID naming the config field and its allowed range (a size
 * < 1, an id out of range, SUM with P_e ≠ H_d, LUONG_DOT, SCALED_DOT or
 * MULTIHEAD with H_d ≠ K, MULTIHEAD with K not divisible by attention_heads,
 * the encoder's own fields as rc_rnn_create reports them), RC_E_NOMEM.
 * Free with rc_seq2seq_free(). */
rc_status rc_seq2seq_create(rc_seq2seq **out, const rc_seq2seq_config *cfg, rc_rng *rng);
void rc_seq2seq_free(rc_seq2seq *m);
const rc_seq2seq_config *rc_seq2seq_get_config(const rc_seq2seq *m);

/* Adds every parameter under the names above, prefixed by "prefix." unless
 * prefix is NULL or "". Errors as rc_params_add. */
rc_status rc_seq2seq_add_params(const rc_seq2seq *m, rc_params *ps, const char *prefix);

/* A padded batch of source sentences. */
typedef struct rc_seq2seq_source {
    int batch;          /* B >= 1 */
    int len;            /* S >= 1 (RULE1: S <= attention_positions) */
    const int *ids;     /* (B, S) row-major; ids[b, j] for j >= lengths[b] are never read */
    const int *lengths; /* B lengths in [1, S] */
} rc_seq2seq_source;

/* Sources with their gold targets. Row b of tgt holds y_1 .. y_n, then eos,
 * then tgt_pad up to T (a row may also stop at T without eos); bos is not
 * part of it. Positions holding tgt_pad count for nothing in the loss. */
typedef struct rc_seq2seq_batch {
    rc_seq2seq_source src;
    int tgt_len;    /* T >= 1 */
    const int *tgt; /* (B, T) row-major, ids in [0, V_t) */
} rc_seq2seq_batch;

typedef struct rc_seq2seq_result {
    rc_tensor *loss;      /* scalar: mean cross-entropy over the non-pad target tokens */
    rc_tensor *logits;    /* (T, B, V_t) */
    rc_tensor *attention; /* (T, B, S) the weights α_t, or NULL without attention */
} rc_seq2seq_result;

/* The training forward pass: encodes the batch and runs the decoder for T
 * steps. The input at step t > 0 is the gold y_{t−1} (teacher forcing) or the
 * argmax of the previous logits; one draw per step, shared by the batch,
 * chooses gold with probability teacher_forcing in [0, 1] (1 = always gold).
 * Draws come from rng, or from rc_graph_rng(g) if rng is NULL, and only when
 * 0 < teacher_forcing < 1. The loss is
 *   mean over (t, b) with tgt[b, t] ≠ tgt_pad of −log softmax(logits_t[b])[tgt[b, t]]
 * (0 when every target is padding), so rc_graph_backward(g, r.loss) trains
 * every parameter. Results are graph tensors.
 * Errors (also recorded in the graph): RC_E_INVALID naming a bad size,
 * length or id (with its position [b, t]) or teacher_forcing outside [0, 1];
 * the errors of the underlying ops; RC_E_NOMEM. */
rc_status rc_seq2seq_forward(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_batch *batch, double teacher_forcing,
                             rc_rng *rng, rc_seq2seq_result *out);

/* ---- decoding -----------------------------------------------------------
 *
 * Every search stops a hypothesis at eos (which is kept as its last token)
 * or after max_len tokens. Scores are log-probabilities under the model
 * (log softmax of the logits, temperature and top-k aside):
 *   score = Σ_t log p(y_t | y_<t, x)      normalised = score / length^alpha
 * where length counts the hypothesis's tokens, eos included.
 *
 *   GREEDY  y_t = argmax (the lowest id on ties), the batch decoded together.
 *   SAMPLE  y_t ~ softmax(logits / temperature) over the top_k most likely
 *           tokens (all if top_k = 0), drawn from rng; top_k = 1 is greedy.
 *   BEAM    per sentence, beam_size hypotheses ranked by score. Of the 2·beam
 *           best extensions of the live hypotheses, an extension by eos
 *           among the first beam_size is finished, the others fill the next
 *           beam up to beam_size. The search ends when beam_size hypotheses
 *           have finished, when none is live, or after max_len steps (the
 *           live ones then finish unended). Plain beam search can end below
 *           greedy decoding (the greedy prefix can fall out of the beam; with
 *           length normalisation the search can stop before a longer, better
 *           normalised hypothesis appears), so the sentence's greedy
 *           hypothesis joins the finished ones (unless the beam found it
 *           too): the best returned never scores below greedy's. Finished
 *           hypotheses are ranked by normalised score and the best n_best
 *           returned; with fewer than n_best (tiny vocabularies, short
 *           max_len) the missing rows have length 0 and scores −∞.
 *           beam_size 1 is greedy decoding.
 *
 * The default length_alpha is 1: the mean log-probability per token.
 */
typedef enum rc_seq2seq_search {
    RC_SEQ2SEQ_GREEDY,
    RC_SEQ2SEQ_SAMPLE,
    RC_SEQ2SEQ_BEAM,
    RC_SEQ2SEQ_SEARCH_COUNT
} rc_seq2seq_search;

typedef struct rc_seq2seq_decode_config {
    rc_seq2seq_search search;
    int max_len;           /* >= 1 tokens per hypothesis, eos included */
    double temperature;    /* SAMPLE: > 0 */
    int top_k;             /* SAMPLE: >= 0, 0 = every token */
    rc_rng *rng;           /* SAMPLE: the generator (required) */
    int beam_size;         /* BEAM: >= 1 */
    int n_best;            /* hypotheses returned per sentence: BEAM 1..beam_size, else 1 */
    double length_alpha;   /* >= 0 */
    bool attention;        /* return the attention weights (models with attention only) */
} rc_seq2seq_decode_config;

/* max_len as given, temperature 1, top_k 0, no rng, beam_size 5, n_best 1,
 * length_alpha 1, no attention weights. */
rc_seq2seq_decode_config rc_seq2seq_decode_config_default(rc_seq2seq_search search, int max_len);

/* Decoded hypotheses, n_best per sentence, best first. Hypothesis i of
 * sentence b is row r = b·n_best + i. Owned: free with rc_seq2seq_output_free. */
typedef struct rc_seq2seq_output {
    int batch, n_best, max_len, src_len;
    int *ids;             /* (B·n_best, max_len) tokens; tgt_pad past each length */
    int *lengths;         /* (B·n_best) in [1, max_len], eos included (0: no hypothesis) */
    double *scores;       /* (B·n_best) Σ log p */
    double *norm_scores;  /* (B·n_best) score / length^alpha */
    rc_real *attention;   /* (B·n_best, max_len, S): row t holds α over the source for
                             token t (a heatmap of length × S_b); zero past the
                             length and past the source length. NULL unless asked */
} rc_seq2seq_output;

/* Decodes a batch of sources (in evaluation mode, without gradients; the
 * model's parameters are only read).
 * Errors: RC_E_INVALID naming the bad field or id (search, max_len,
 * temperature, top_k, rng, beam_size, n_best, length_alpha, attention
 * weights asked of a model without attention, a source size, length or id
 * with its position), RC_E_NOMEM. On error *out is empty. */
rc_status rc_seq2seq_decode(rc_seq2seq *m, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                            rc_seq2seq_output *out);

/* Frees the arrays and zeroes *out. */
void rc_seq2seq_output_free(rc_seq2seq_output *out);

#endif
