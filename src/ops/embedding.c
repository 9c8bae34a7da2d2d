/*
 * Embedding lookup: rows of a table W (V, E) selected by integer ids. The ids
 * are copied into the graph's arena for the backward pass, which scatters
 * each output row's gradient back into the row it came from.
 */
#include <string.h>

#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

/* W (V, E), ids (n) in [0, V), y (n, E) */
/* y[i] = W[ids[i]] */
static void embedding_forward(rc_real *y, const rc_real *W, const int *ids, size_t n, int E)
{
    for (size_t i = 0; i < n; i++) memcpy(y + i * (size_t)E, W + (size_t)ids[i] * (size_t)E, (size_t)E * sizeof *y);
}

/* forward was y[i] = W[ids[i]], so dW[ids[i]] += dy[i], except for the padding row */
static void embedding_backward(rc_real *dW, const rc_real *dy, const int *ids, size_t n, int E, int padding_idx)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == padding_idx) continue;
        rc_real *row = dW + (size_t)ids[i] * (size_t)E;
        for (int e = 0; e < E; e++) row[e] += dy[i * (size_t)E + e];
    }
}

typedef struct embedding_ctx {
    int *ids;
    int padding_idx;
} embedding_ctx;

static void embedding_node_backward(rc_node *n)
{
    rc_tensor *W = n->in[0], *y = n->out[0];
    const embedding_ctx *c = n->ctx;
    int E = W->shape[1];
    if (W->grad) embedding_backward(W->grad, y->grad, c->ids, y->numel / (size_t)E, E, c->padding_idx);
}

rc_tensor *rc_embedding(rc_graph *g, rc_tensor *W, const int *ids, int ndim, const int *shape, int padding_idx)
{
    if (!rc_tape_check(g, "embedding", 1, &W) || !rc_check_ndim(g, "embedding", "W", W, 2)) return NULL;
    int V = W->shape[0], E = W->shape[1];
    if (ndim < 0 || ndim >= RC_MAX_DIMS || (ndim && !shape))
        return rc_tape_fail(g, RC_E_SHAPE, "embedding: ids have %d dimensions, expected 0..%d with a shape", ndim,
                            RC_MAX_DIMS - 1);
    int out_shape[RC_MAX_DIMS];
    for (int i = 0; i < ndim; i++) out_shape[i] = shape[i];
    out_shape[ndim] = E;
    size_t n = rc_shape_numel(ndim, shape);
    if (n == 0) return rc_tape_fail(g, RC_E_SHAPE, "embedding: ids have a size < 1, expected every size >= 1");
    if (!ids) return rc_tape_fail(g, RC_E_INVALID, "embedding: ids is NULL, expected %zu ids", n);
    if (padding_idx >= V)
        return rc_tape_fail(g, RC_E_INVALID, "embedding: padding_idx = %d, expected < V = %d (or < 0 for none)",
                            padding_idx, V);
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= V)
            return rc_tape_fail(g, RC_E_INVALID, "embedding: ids[%zu] = %d is outside [0, V) with V = %d", i, ids[i],
                                V);
    bool rec = rc_tape_needs_grad(g, 1, &W);
    rc_tensor *y = rc_tape_tensor(g, ndim + 1, out_shape, rec);
    if (!y) return NULL;
    embedding_forward(y->data, W->data, ids, n, E);
    if (rec) {
        int *saved = rc_tape_alloc(g, n * sizeof *saved);
        rc_node *node = saved ? rc_tape_record(g, RC_OP_EMBEDDING, embedding_node_backward, 1, &W, 1, &y,
                                               sizeof(embedding_ctx))
                              : NULL;
        if (!node) return NULL;
        memcpy(saved, ids, n * sizeof *saved);
        *(embedding_ctx *)node->ctx = (embedding_ctx){.ids = saved, .padding_idx = padding_idx};
    }
    return y;
}
