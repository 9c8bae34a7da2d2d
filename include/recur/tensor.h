/*
 * recur/tensor.h — dense row-major tensors of rc_real, up to 4 dimensions.
 *
 * A tensor is a transparent view: `data` holds `numel` values in row-major
 * order (last dimension contiguous, PyTorch's order), `grad` is NULL or a
 * buffer of the same size that backward passes accumulate into (+=). A tensor
 * takes part in autograd exactly when `grad` is non-NULL.
 *
 * Two kinds exist:
 *   - owned tensors from rc_tensor_new(): parameters and long-lived inputs,
 *     freed with rc_tensor_free();
 *   - graph tensors made by ops (graph.h): they live in the graph's arena and
 *     are released all at once by rc_graph_reset() or rc_graph_free().
 *
 * Example (examples/tensor_basics.c):
 *
 *     int shape[2] = {2, 3};
 *     rc_tensor *w;
 *     if (rc_tensor_new(&w, 2, shape, true) != RC_OK) {
 *         fprintf(stderr, "%s\n", rc_last_error());
 *         return 1;
 *     }
 *     w->data[0 * 3 + 2] = 1.0f;   // w[0, 2]
 *     rc_tensor_zero_grad(w);
 *     rc_tensor_free(w);
 */
#ifndef RECUR_TENSOR_H
#define RECUR_TENSOR_H

#include "recur/base.h"

#define RC_MAX_DIMS 4

typedef struct rc_tensor {
    rc_real *data;            /* numel values, row-major */
    rc_real *grad;            /* NULL, or numel accumulated gradients */
    size_t numel;             /* product of shape[0..ndim-1]; 1 for a scalar */
    int ndim;                 /* 0 (scalar) .. RC_MAX_DIMS */
    int shape[RC_MAX_DIMS];   /* sizes; entries past ndim are 1 */
    bool owned;               /* true for rc_tensor_new() tensors */
} rc_tensor;

/* Allocates a zero-filled tensor of the given shape (every size >= 1). With
 * requires_grad a zero-filled grad buffer is allocated too.
 * Errors: RC_E_SHAPE for ndim outside 0..4 or a size < 1, RC_E_NOMEM.
 * Ownership: the caller frees *out with rc_tensor_free(). */
rc_status rc_tensor_new(rc_tensor **out, int ndim, const int *shape, bool requires_grad);

/* Frees an owned tensor and its buffers. NULL is allowed; graph tensors are
 * ignored (their graph owns them). */
void rc_tensor_free(rc_tensor *t);

/* Sets grad to zero, if the tensor has one. */
void rc_tensor_zero_grad(rc_tensor *t);

/* Product of the first ndim sizes, or 0 if a size is < 1 or the product
 * overflows size_t. */
size_t rc_shape_numel(int ndim, const int *shape);

/* Writes "(2, 3, 4)" into buf (always NUL-terminated). Returns buf, so it
 * can be used inline in error messages. */
char *rc_shape_str(const rc_tensor *t, char *buf, size_t n);

/* True if t has exactly this shape. */
bool rc_tensor_has_shape(const rc_tensor *t, int ndim, const int *shape);

#endif
