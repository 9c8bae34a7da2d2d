/*
 * Argument checks shared by the ops. Each returns true when the argument is
 * acceptable; otherwise it records a sticky error in the graph whose message
 * names the op, the argument and the expected versus actual shape or value,
 * and returns false.
 */
#ifndef RC_OPS_CHECK_H
#define RC_OPS_CHECK_H

#include "recur/ops.h"

/* Shape strings are at most "(2147483647, ...)" for four sizes. */
#define RC_SHAPE_STR_MAX 64

/* t has exactly ndim dimensions. */
bool rc_check_ndim(rc_graph *g, const char *op, const char *name, const rc_tensor *t, int ndim);

/* t has at least one dimension (ops over "the last dimension"). */
bool rc_check_has_dims(rc_graph *g, const char *op, const char *name, const rc_tensor *t);

/* a and b have equal shapes. */
bool rc_check_same_shape(rc_graph *g, const char *op, const char *a_name, const rc_tensor *a, const char *b_name,
                         const rc_tensor *b);

/* 0 <= dim < t->ndim. */
bool rc_check_dim(rc_graph *g, const char *op, const char *name, const rc_tensor *t, int dim);

/* red is RC_REDUCTION_MEAN or RC_REDUCTION_SUM. */
bool rc_check_reduction(rc_graph *g, const char *op, rc_reduction red);

/* n fits the int sizes rc_gemm takes (row counts of flattened tensors). */
bool rc_check_rows(rc_graph *g, const char *op, const char *name, size_t n);

#endif
