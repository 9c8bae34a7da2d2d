/*
 * recur/nn.h — the small modules around the recurrent layers: nn.Linear and
 * nn.Embedding with PyTorch's parameter names, shapes and default inits.
 *
 * Modules are plain structs holding owned parameter tensors:
 *
 *     rc_rng rng; rc_rng_seed(&rng, 1);
 *     rc_linear_module head;
 *     if (rc_linear_init(&head, 256, 83, true, &rng) != RC_OK) ...
 *     rc_tensor *logits = rc_linear_forward(&head, g, h);   // (..., 256) → (..., 83)
 *     rc_linear_destroy(&head);
 */
#ifndef RECUR_NN_H
#define RECUR_NN_H

#include "recur/ops.h"
#include "recur/params.h"

/* nn.Linear(in_features, out_features, bias).
 * weight (out, in), bias (out): both U(-1/√in, 1/√in), PyTorch's default. */
typedef struct rc_linear_module {
    int in_features, out_features;
    rc_tensor *weight, *bias; /* bias is NULL without bias */
} rc_linear_module;

/* Allocates the parameters (with grad buffers) and draws them from rng.
 * Errors: RC_E_INVALID naming a size < 1, RC_E_NOMEM; *m is then empty. */
rc_status rc_linear_init(rc_linear_module *m, int in_features, int out_features, bool bias, rc_rng *rng);
/* Frees the parameters and zeroes *m. */
void rc_linear_destroy(rc_linear_module *m);
rc_tensor *rc_linear_forward(const rc_linear_module *m, rc_graph *g, rc_tensor *x);
/* Adds "prefix.weight" and, with bias, "prefix.bias". */
rc_status rc_linear_add_params(const rc_linear_module *m, rc_params *ps, const char *prefix);

/* nn.Embedding(num_embeddings, embedding_dim, padding_idx).
 * weight (V, E) ~ N(0, 1); row padding_idx is zeroed and gets no gradient.
 * padding_idx < 0 means none. */
typedef struct rc_embedding_module {
    int num_embeddings, embedding_dim, padding_idx;
    rc_tensor *weight;
} rc_embedding_module;

/* Errors: RC_E_INVALID naming a size < 1 or a padding_idx >= num_embeddings,
 * RC_E_NOMEM; *m is then empty. A negative padding_idx is stored as -1. */
rc_status rc_embedding_init(rc_embedding_module *m, int num_embeddings, int embedding_dim, int padding_idx,
                            rc_rng *rng);
/* Frees the weight and zeroes *m. */
void rc_embedding_destroy(rc_embedding_module *m);
/* ids (shape `ndim, shape`) → (shape..., E). */
rc_tensor *rc_embedding_forward(const rc_embedding_module *m, rc_graph *g, const int *ids, int ndim,
                                const int *shape);
/* Adds "prefix.weight". */
rc_status rc_embedding_add_params(const rc_embedding_module *m, rc_params *ps, const char *prefix);

#endif
