/*
 * recur/graph.h — the tape: records ops as they run and replays their
 * backward passes in reverse order.
 *
 * Build a computation by calling ops (ops.h, rnn.h, ...) with a graph. Each op
 * allocates its output in the graph's arena and, when gradients are enabled
 * and some input has a grad buffer, records a node holding what its backward
 * pass needs. rc_graph_backward() runs the nodes from last to first; every
 * backward pass adds (+=) into its inputs' grad buffers, so a tensor used
 * twice receives the sum of both gradients.
 *
 * Errors are sticky: when an op fails (bad shape, out-of-range index, no
 * memory) it records the status and message in the graph and returns NULL;
 * every later op given a NULL input or called on a failed graph returns NULL
 * at once. Check rc_graph_status() once after building, rather than after
 * every call. rc_graph_reset() clears the error.
 *
 * Memory: the arena grows in large blocks while the first step runs; after
 * rc_graph_reset() the same memory is reused, so a training loop of identical
 * steps stops allocating after its first step.
 *
 *     rc_graph *g;
 *     if (rc_graph_create(&g) != RC_OK) return 1;
 *     for (int step = 0; step < n_steps; step++) {
 *         rc_graph_reset(g);
 *         rc_tensor *loss = build_loss(g, ...);       // ops
 *         if (rc_graph_status(g) != RC_OK) { fprintf(stderr, "%s\n", rc_graph_error(g)); break; }
 *         rc_params_zero_grad(params);
 *         rc_graph_backward(g, loss);
 *         rc_optim_step(opt);
 *     }
 *     rc_graph_free(g);
 */
#ifndef RECUR_GRAPH_H
#define RECUR_GRAPH_H

#include "recur/rng.h"
#include "recur/tensor.h"

typedef struct rc_graph rc_graph;

/* Creates an empty graph: training mode on, gradients enabled, its random
 * generator seeded with 0. Errors: RC_E_NOMEM. Free with rc_graph_free(). */
rc_status rc_graph_create(rc_graph **out);

/* Frees the graph and every graph tensor it made. NULL is allowed. */
void rc_graph_free(rc_graph *g);

/* Forgets all recorded nodes and graph tensors (their pointers become
 * invalid), keeps the memory for reuse and clears the sticky error. Mode,
 * grad switch and random generator are kept. */
void rc_graph_reset(rc_graph *g);

/* Training mode enables dropout (default on). */
void rc_graph_set_training(rc_graph *g, bool training);
bool rc_graph_is_training(const rc_graph *g);

/* With gradients disabled ops record nothing and allocate no grad buffers
 * (inference). Default on. */
void rc_graph_set_grad_enabled(rc_graph *g, bool enabled);
bool rc_graph_grad_enabled(const rc_graph *g);

/* The generator dropout draws from; seed or save/restore it through this
 * pointer. Owned by the graph. */
rc_rng *rc_graph_rng(rc_graph *g);

/* RC_OK, or the first error an op recorded since the last reset. */
rc_status rc_graph_status(const rc_graph *g);

/* Message of the sticky error ("" if none). Valid until the next reset. */
const char *rc_graph_error(const rc_graph *g);

/* A zero-filled graph tensor (an input that lives as long as this step).
 * With requires_grad it gets a grad buffer. Returns NULL on error (sticky). */
rc_tensor *rc_graph_tensor(rc_graph *g, int ndim, const int *shape, bool requires_grad);

/* Runs the recorded backward passes from the last node to the first.
 * If root is non-NULL it must have one element and a grad buffer; its grad is
 * set to 1 first (d root / d root). If root is NULL, the caller has already
 * written upstream gradients into the grad buffers of the outputs of interest.
 * Errors: the sticky error if building failed, RC_E_SHAPE for a root with
 * more than one element, RC_E_INVALID for a root without grad. */
rc_status rc_graph_backward(rc_graph *g, rc_tensor *root);

/* Bytes held by the arena (for memory reports). */
size_t rc_graph_arena_bytes(const rc_graph *g);

#endif
