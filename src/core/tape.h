/*
 * What an op implementation needs from the graph: arena allocation, output
 * tensors, node recording and the sticky error. Public users see graph.h only.
 *
 * The shape of an op (see src/ops/activation.c for the simplest one):
 *
 *     rc_tensor *rc_tanh(rc_graph *g, rc_tensor *x)
 *     {
 *         if (!rc_tape_check(g, "tanh", 1, &x)) return NULL;
 *         bool rec = rc_tape_needs_grad(g, 1, &x);
 *         rc_tensor *y = rc_tape_tensor(g, x->ndim, x->shape, rec);
 *         if (!y) return NULL;
 *         rc_tanh_forward(y->data, x->data, x->numel);
 *         if (rec && !rc_tape_record(g, RC_OP_TANH, tanh_backward, 1, &x, 1, &y, 0))
 *             return NULL;
 *         return y;
 *     }
 *
 * A backward function reads n->out[k]->grad and adds into n->in[k]->grad for
 * every input whose grad is non-NULL.
 */
#ifndef RC_CORE_TAPE_H
#define RC_CORE_TAPE_H

#include "core/op.h"
#include "recur/graph.h"

typedef struct rc_node rc_node;
typedef void (*rc_backward_fn)(rc_node *n);

struct rc_node {
    rc_op op;
    rc_backward_fn backward;
    int n_in, n_out;
    rc_tensor **in;   /* n_in inputs (entries may be NULL for optional inputs) */
    rc_tensor **out;  /* n_out outputs */
    void *ctx;        /* ctx_bytes of op-private saved state, zero-filled, 64-byte aligned */
    rc_node *prev;    /* the node recorded before this one */
};

/* False (and a sticky error naming `op`) if the graph has already failed or
 * any of the n tensors is NULL. Optional inputs are not passed here. */
bool rc_tape_check(rc_graph *g, const char *op, int n, rc_tensor *const *ts);

/* True if gradients are enabled and any of the n tensors (NULL allowed) has a
 * grad buffer: the op must then record a node and give its outputs grads. */
bool rc_tape_needs_grad(const rc_graph *g, int n, rc_tensor *const *ts);

/* A graph tensor with uninitialised data (zero grad if with_grad); NULL and a
 * sticky RC_E_SHAPE/RC_E_NOMEM on failure. */
rc_tensor *rc_tape_tensor(rc_graph *g, int ndim, const int *shape, bool with_grad);

/* Arena memory for saved state: 64-byte aligned, uninitialised, lives until
 * reset. NULL and a sticky RC_E_NOMEM on failure. */
void *rc_tape_alloc(rc_graph *g, size_t bytes);

/* Records a node (copying the in/out pointer arrays) with a zero-filled ctx of
 * ctx_bytes. Returns the node, or NULL with a sticky RC_E_NOMEM. */
rc_node *rc_tape_record(rc_graph *g, rc_op op, rc_backward_fn bw, int n_in, rc_tensor *const *in,
                        int n_out, rc_tensor *const *out, size_t ctx_bytes);

/* Records a sticky error (the first one wins) and returns NULL, so an op can
 * `return rc_tape_fail(g, RC_E_SHAPE, "linear: x is %s, expected (..., %d)", ...);`.
 * The message is also what rc_last_error() returns on this thread. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
void *rc_tape_fail(rc_graph *g, rc_status s, const char *fmt, ...);

/* Records an error status that a helper already described with rc_error()
 * (rc_last_error()) as the graph's sticky error, and returns it. */
rc_status rc_tape_fail_status(rc_graph *g, rc_status s);

#endif
