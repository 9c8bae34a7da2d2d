/*
 * recur/params.h — an ordered list of named tensors: a model's state_dict.
 *
 * Modules add their parameters under PyTorch's state_dict names with a
 * prefix ("encoder" + "weight_ih_l0" → "encoder.weight_ih_l0"). The list is
 * what optimizers update, what gradient clipping measures, and what
 * safetensors.h saves and loads. It borrows the tensors: freeing the list
 * never frees a tensor.
 *
 *     rc_params *ps;
 *     rc_params_create(&ps);
 *     rc_embedding_add_params(&emb, ps, "embed");   // embed.weight
 *     rc_rnn_add_params(lstm, ps, "lstm");          // lstm.weight_ih_l0, ...
 *     rc_linear_add_params(&head, ps, "head");      // head.weight, head.bias
 *     ...
 *     rc_params_free(ps);
 */
#ifndef RECUR_PARAMS_H
#define RECUR_PARAMS_H

#include "recur/tensor.h"

typedef struct rc_params rc_params;

#define RC_PARAM_NAME_MAX 128

rc_status rc_params_create(rc_params **out);
void rc_params_free(rc_params *ps);

/* Appends (prefix.name → t). prefix may be NULL or "" for a bare name.
 * Errors: RC_E_INVALID for a duplicate name or one longer than
 * RC_PARAM_NAME_MAX - 1 bytes, RC_E_NOMEM. */
rc_status rc_params_add(rc_params *ps, const char *prefix, const char *name, rc_tensor *t);

size_t rc_params_count(const rc_params *ps);
const char *rc_params_name(const rc_params *ps, size_t i);
rc_tensor *rc_params_tensor(const rc_params *ps, size_t i);

/* The tensor named `name`, or NULL. */
rc_tensor *rc_params_find(const rc_params *ps, const char *name);

/* Total number of values over all tensors. */
size_t rc_params_numel(const rc_params *ps);

/* Zeroes every grad buffer. */
void rc_params_zero_grad(rc_params *ps);

#endif
