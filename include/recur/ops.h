/*
 * recur/ops.h — differentiable ops on the tape (see graph.h).
 *
 * Every op takes the graph first, returns a new graph tensor, and records a
 * backward node when some input has a grad buffer and gradients are enabled.
 * On a shape or range error it records a sticky error in the graph naming the
 * op, the argument and the expected versus actual shape, and returns NULL.
 *
 * Shapes follow PyTorch. "(..., I)" means any leading dimensions, flattened.
 * Index arrays (token ids, targets) are plain `const int *` in row-major order;
 * ops copy what their backward pass needs, so the caller may reuse them.
 *
 * Example: a two-layer perceptron's loss.
 *
 *     rc_tensor *h = rc_tanh(g, rc_linear(g, x, W1, b1));    // x (B, I) → (B, H)
 *     rc_tensor *logits = rc_linear(g, h, W2, b2);            // (B, C)
 *     rc_tensor *loss = rc_cross_entropy(g, logits, targets, -100, RC_REDUCTION_MEAN);
 */
#ifndef RECUR_OPS_H
#define RECUR_OPS_H

#include "recur/graph.h"

typedef enum rc_reduction {
    RC_REDUCTION_MEAN, /* mean over the counted elements (PyTorch's default) */
    RC_REDUCTION_SUM,
    RC_REDUCTION_COUNT
} rc_reduction;

/* ---- products ---------------------------------------------------------- */

/* y = x Wᵀ + b.  x (..., I), W (O, I), b (O) or NULL → y (..., O). */
rc_tensor *rc_linear(rc_graph *g, rc_tensor *x, rc_tensor *W, rc_tensor *b);

/* y = a b.  a (M, K), b (K, N) → (M, N). */
rc_tensor *rc_matmul(rc_graph *g, rc_tensor *a, rc_tensor *b);

/* Batched product, as torch.bmm.  a (B, M, K), b (B, K, N) → (B, M, N). */
rc_tensor *rc_bmm(rc_graph *g, rc_tensor *a, rc_tensor *b);

/* ---- elementwise ------------------------------------------------------- */

/* y = a + b. b has a's shape, or the shape of a's trailing dimensions (it is
 * then broadcast over the leading ones, e.g. a bias (H) over (T, B, H)). */
rc_tensor *rc_add(rc_graph *g, rc_tensor *a, rc_tensor *b);

/* y = a ⊙ b, with the same broadcasting rule as rc_add. */
rc_tensor *rc_mul(rc_graph *g, rc_tensor *a, rc_tensor *b);

/* y = s · x. */
rc_tensor *rc_scale(rc_graph *g, rc_tensor *x, rc_real s);

rc_tensor *rc_sigmoid(rc_graph *g, rc_tensor *x);                 /* 1 / (1 + e^-x) */
rc_tensor *rc_tanh(rc_graph *g, rc_tensor *x);
rc_tensor *rc_relu(rc_graph *g, rc_tensor *x);                    /* max(x, 0); gradient 0 at 0 */
rc_tensor *rc_leaky_relu(rc_graph *g, rc_tensor *x, rc_real slope); /* x if x > 0 else slope·x */

/* Softmax and log-softmax over the last dimension (x has >= 1 dimension),
 * max-subtracted so finite inputs never overflow. A row whose entries are all
 * −∞ (every position masked) gives zeros from rc_softmax and −∞ from
 * rc_log_softmax, and passes no gradient back (PyTorch gives NaN there). */
rc_tensor *rc_softmax(rc_graph *g, rc_tensor *x);
rc_tensor *rc_log_softmax(rc_graph *g, rc_tensor *x);

/* Inverted dropout: in training mode each element is zeroed with probability
 * p and the kept ones scaled by 1/(1-p), drawing from rc_graph_rng(g); in
 * evaluation mode, or with p == 0, y = x. p must be in [0, 1). */
rc_tensor *rc_dropout(rc_graph *g, rc_tensor *x, rc_real p);

/* ---- shape ------------------------------------------------------------- */

/* Joins n >= 1 tensors of equal rank along dim (0 <= dim < ndim); all other
 * sizes must match. */
rc_tensor *rc_concat(rc_graph *g, int n, rc_tensor *const *xs, int dim);

/* x[..., start:end, ...] along dim (0 <= dim < ndim), 0 <= start < end <= size. */
rc_tensor *rc_slice(rc_graph *g, rc_tensor *x, int dim, int start, int end);

/* The same values with another shape of equal element count. The result
 * shares x's data and grad buffers (a view: writing one writes the other), so
 * it records no node; it has no grad buffer when x has none or gradients are
 * disabled. */
rc_tensor *rc_reshape(rc_graph *g, rc_tensor *x, int ndim, const int *shape);

/* Swaps dimensions d0 and d1, each in [0, ndim) (a copy, row-major again). */
rc_tensor *rc_transpose(rc_graph *g, rc_tensor *x, int d0, int d1);

/* Sum and mean of all elements → a scalar (ndim 0). */
rc_tensor *rc_sum(rc_graph *g, rc_tensor *x);
rc_tensor *rc_mean(rc_graph *g, rc_tensor *x);

/* ---- pooling over time --------------------------------------------------- */

typedef enum rc_pool {
    RC_POOL_MEAN, /* y[b] = (1 / L_b) Σ_{t < L_b} x[b, t] */
    RC_POOL_MAX,  /* y[b, d] = max_{t < L_b} x[b, t, d]; the gradient goes to the first maximal step */
    RC_POOL_COUNT
} rc_pool;

/* Pools x (B, T, D) (batch first) over the steps of each sequence: with
 * lengths (B values in [1, T]) only the steps t < lengths[b] count, so the
 * padding of a batch never does; NULL lengths count all T. → (B, D). In
 * PyTorch, with mask[b, t] = t < lengths[b]: (x * mask[..., None]).sum(1) /
 * lengths[:, None] and x.masked_fill(~mask[..., None], -inf).max(1).values.
 * A length outside [1, T] is an RC_E_INVALID error naming b. */
rc_tensor *rc_pool_time(rc_graph *g, rc_tensor *x, const int *lengths, rc_pool kind);

/* ---- lookup ------------------------------------------------------------ */

/* Rows of W (V, E) selected by ids (shape `ndim, shape`, ndim <= 3, values in
 * [0, V)) → (shape..., E). Row padding_idx (or none if < 0; it must be < V) is
 * looked up as usual but receives no gradient, as in nn.Embedding. An id
 * outside [0, V) is an RC_E_INVALID error naming its flat row-major position,
 * its value and V. */
rc_tensor *rc_embedding(rc_graph *g, rc_tensor *W, const int *ids, int ndim, const int *shape, int padding_idx);

/* ---- losses (each returns a scalar) ------------------------------------ */

/* Cross-entropy of logits (N, C) against class ids target (N), fused with
 * log-softmax. Targets equal to ignore_index (PyTorch's default is -100)
 * count for nothing; any other target outside [0, C) is an error. MEAN
 * divides by the number of counted targets; when none is counted the loss is
 * 0 with zero gradients (PyTorch returns NaN there). */
rc_tensor *rc_cross_entropy(rc_graph *g, rc_tensor *logits, const int *target, int ignore_index, rc_reduction red);

/* Negative log-likelihood of log-probabilities logp (N, C); same rules. */
rc_tensor *rc_nll_loss(rc_graph *g, rc_tensor *logp, const int *target, int ignore_index, rc_reduction red);

/* Mean (or sum) of (x - y)² over all elements; x and y have equal shapes and
 * both may require grad. */
rc_tensor *rc_mse_loss(rc_graph *g, rc_tensor *x, rc_tensor *y, rc_reduction red);

/* Binary cross-entropy of logits x against targets y in [0, 1] (equal
 * shapes), computed stably as max(x,0) - x·y + log(1 + e^-|x|). */
rc_tensor *rc_bce_with_logits(rc_graph *g, rc_tensor *x, rc_tensor *y, rc_reduction red);

#endif
