/*
 * recur/attention.h — attention modules: the tutorial's `Attn` class (rule 1),
 * additive (Bahdanau), Luong dot / general / concat, scaled dot-product and
 * nn.MultiheadAttention, batched, with padding and causal masks.
 *
 * Every module runs as one op on the tape with a fused backward pass. It
 * takes a query q, keys k and values v and returns the weights α and an
 * output. Shapes (B batch, Tq query steps, S key positions):
 *
 *   q        (B, Dq) — one decoder step — or (B, Tq, Dq) — a sequence
 *   k        (B, S, Dk)           (rule 1: one key per query, (B, Dk) or (B, Tq, Dk))
 *   v        (B, S, Dv)
 *   weights  (B, [Tq,] S)         (multi-head with per_head_weights: (B, H, [Tq,] S))
 *   output   (B, [Tq,] Dv)        the context c_i = Σ_j α_ij v_j
 *            (B, [Tq,] O)         rule 1: attn_combine([q; c]); multi-head: out_proj(c)
 * where [Tq,] is present exactly when q is a sequence.
 *
 * Scores, before the masked softmax α_i = softmax_j(score_ij) over the S keys:
 *
 *   RC_ATTN_TUTORIAL    score_i = attn([q_i; k_i])               (S = num_positions logits)
 *                       out_i   = attn_combine([q_i; c_i])
 *   RC_ATTN_ADDITIVE    score_ij = Va(tanh(Wa(q_i) + Ua(k_j)))   (Bahdanau)
 *   RC_ATTN_DOT         score_ij = q_iᵀ k_j                      (Luong dot; Dq = Dk)
 *   RC_ATTN_GENERAL     score_ij = q_iᵀ attn(k_j)                (Luong general)
 *   RC_ATTN_CONCAT      score_ij = vᵀ tanh(attn([q_i; k_j]))     (Luong concat)
 *   RC_ATTN_SCALED_DOT  score_ij = q_iᵀ k_j / √Dk                (Dq = Dk)
 *   RC_ATTN_MULTIHEAD   nn.MultiheadAttention(E, H, bias, batch_first=True):
 *                       per head h (size E/H): scaled dot-product of the
 *                       projections q W_qᵀ + b_q and k W_kᵀ + b_k, context
 *                       α (v W_vᵀ + b_v); heads concatenated, then out_proj
 * where name(x) is the Linear x Wᵀ + b of the parameters called name below.
 *
 * Parameters (state_dict names under the prefix; A = hidden_size,
 * S = num_positions, O = output_size, E = query_size). Linear-style
 * U(−1/√in, 1/√in) init unless noted. With bias = false the biases are absent.
 *
 *   TUTORIAL    attn.weight (S, Dq+Dk)    attn.bias (S)      — the tutorial's Attn class
 *               attn_combine.weight (O, Dq+Dv)   attn_combine.bias (O)
 *   ADDITIVE    Wa.weight (A, Dq)  Wa.bias (A)  Ua.weight (A, Dk)  Ua.bias (A)
 *               Va.weight (1, A)   Va.bias (1)  — BahdanauAttention of PyTorch's
 *               seq2seq translation tutorial (there Dq = Dk = A)
 *   GENERAL     attn.weight (Dq, Dk)  attn.bias (Dq)     — Luong's Attn of PyTorch's
 *   CONCAT      v (A)  attn.weight (A, Dq+Dk)  attn.bias (A)   chatbot tutorial
 *               (v ~ U(−1/√A, 1/√A); the tutorial leaves it uninitialised)
 *   DOT, SCALED_DOT   none
 *   MULTIHEAD   in_proj_weight (3E, E) xavier-uniform, rows q, k, v
 *               in_proj_bias (3E) zeros   out_proj.weight (E, E)   out_proj.bias (E) zeros
 * Biases that shift every score of a row equally (Va.bias, attn.bias of
 * GENERAL) cancel in the softmax and always get zero gradient; they exist so
 * that PyTorch state_dicts load.
 *
 * Masks (rc_attention_mask, all optional): key j is hidden from query i of
 * sequence b when j ≥ src_lengths[b], or causal and j > i (the top-left
 * aligned mask torch.ones(Tq, S).triu(1), the usual causal mask when Tq = S),
 * or attn_mask[b, i, j] is nonzero. Hidden keys get −∞ before a
 * max-subtracted softmax, so their weights are exactly 0. A row whose keys are
 * all hidden gets all-zero weights, a zero context and zero gradients;
 * PyTorch gives NaN there. (Only attn_mask can hide a whole row: lengths are
 * ≥ 1 and causal rows always see key 0.)
 *
 * Differences from nn.MultiheadAttention: keys and values have size E (no
 * kdim/vdim), no dropout, add_bias_kv or add_zero_attn; q, k, v are batch
 * first; a step query (B, E) stands for (B, 1, E). PyTorch scales q before the
 * product, recur scales the product: equal up to rounding.
 *
 * Example: Bahdanau attention of a decoder state over encoder outputs.
 *
 *     rc_attention_config cfg = rc_attention_config_default(RC_ATTN_ADDITIVE, 8, 8, 8);
 *     rc_attention *att;
 *     if (rc_attention_create(&att, &cfg, &rng) != RC_OK) { puts(rc_last_error()); ... }
 *     rc_attention_add_params(att, params, "attention");     // attention.Wa.weight, ...
 *     rc_attention_mask mask = {.src_lengths = lengths};     // B lengths in [1, S]
 *     rc_attention_result r;
 *     if (rc_attention_forward(att, g, h, enc_out, enc_out, &mask, &r) != RC_OK) ...
 *     // h (B, 8), enc_out (B, S, 8) → r.output (B, 8), r.weights (B, S)
 *     rc_attention_free(att);
 */
#ifndef RECUR_ATTENTION_H
#define RECUR_ATTENTION_H

#include "recur/graph.h"
#include "recur/params.h"

typedef enum rc_attention_kind {
    RC_ATTN_TUTORIAL,
    RC_ATTN_ADDITIVE,
    RC_ATTN_DOT,
    RC_ATTN_GENERAL,
    RC_ATTN_CONCAT,
    RC_ATTN_SCALED_DOT,
    RC_ATTN_MULTIHEAD,
    RC_ATTN_KIND_COUNT
} rc_attention_kind;

/* "tutorial", "additive", "dot", "general", "concat", "scaled_dot", "multihead". */
const char *rc_attention_kind_name(rc_attention_kind kind);

typedef struct rc_attention_config {
    rc_attention_kind kind;
    int query_size;        /* Dq (multi-head: the embedding size E) */
    int key_size;          /* Dk (equal to Dq for DOT, SCALED_DOT; to E for MULTIHEAD) */
    int value_size;        /* Dv (equal to E for MULTIHEAD) */
    int hidden_size;       /* A: ADDITIVE and CONCAT score layer size */
    int num_positions;     /* S: TUTORIAL only, the fixed number of positions (value_size1) */
    int output_size;       /* O: TUTORIAL only, attn_combine's output size */
    int num_heads;         /* H: MULTIHEAD only, dividing E */
    bool bias;             /* the Linear layers have biases */
    bool per_head_weights; /* MULTIHEAD: weights (B, H, [Tq,] S) instead of their mean over heads */
} rc_attention_config;

/* hidden_size = output_size = query_size, num_positions = 0 (TUTORIAL must
 * set it), num_heads = 1, bias on, weights averaged over heads. */
rc_attention_config rc_attention_config_default(rc_attention_kind kind, int query_size, int key_size,
                                                int value_size);

typedef struct rc_attention rc_attention;

/* Creates a module with the init described above, drawn from rng.
 * Errors: RC_E_INVALID naming the bad field (a size < 1 where it is used,
 * Dq ≠ Dk for DOT and SCALED_DOT, sizes ≠ E or E not divisible by num_heads
 * for MULTIHEAD), RC_E_NOMEM. Free with rc_attention_free(). */
rc_status rc_attention_create(rc_attention **out, const rc_attention_config *cfg, rc_rng *rng);
void rc_attention_free(rc_attention *m);
const rc_attention_config *rc_attention_get_config(const rc_attention *m);

/* Adds every parameter (none for DOT and SCALED_DOT) under its state_dict
 * name, in PyTorch's order. */
rc_status rc_attention_add_params(const rc_attention *m, rc_params *ps, const char *prefix);

typedef struct rc_attention_mask {
    const int *src_lengths;         /* NULL, or B lengths in [1, S] */
    bool causal;                    /* sequence queries only */
    const unsigned char *attn_mask; /* NULL, or B·Tq·S flags (B·S for a step query),
                                       row-major (B, Tq, S); nonzero hides the key
                                       (PyTorch's boolean attn_mask, given per sequence) */
} rc_attention_mask;

typedef struct rc_attention_result {
    rc_tensor *output;  /* see the shapes above */
    rc_tensor *weights;
} rc_attention_result;

/* Runs the module. mask may be NULL (every key visible). The results are
 * graph tensors; both may feed a loss (weights too, e.g. for coverage
 * penalties). q, k and v may be the same tensor.
 * Errors (also recorded in the graph, whose earlier error is returned
 * unchanged): RC_E_SHAPE naming the module, the tensor and its expected
 * versus actual shape; RC_E_INVALID for a length outside [1, S] (naming b) or
 * causal with a step query; RC_E_NOMEM. */
rc_status rc_attention_forward(rc_attention *m, rc_graph *g, rc_tensor *q, rc_tensor *k, rc_tensor *v,
                               const rc_attention_mask *mask, rc_attention_result *out);

/* Self-attention: rc_attention_forward(m, g, x, x, x, mask, out). */
rc_status rc_attention_self(rc_attention *m, rc_graph *g, rc_tensor *x, const rc_attention_mask *mask,
                            rc_attention_result *out);

#endif
