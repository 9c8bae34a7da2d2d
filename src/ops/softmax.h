/*
 * Row kernels of softmax and log-softmax over the last dimension, shared by
 * the softmax ops, the fused cross-entropy loss and attention.
 *
 * Rows are max-subtracted, so finite inputs never overflow. A row whose
 * entries are all −∞ (every position masked) gives zeros from softmax and −∞
 * from log-softmax, and passes no gradient back. Backward kernels add into dx.
 */
#ifndef RC_OPS_SOFTMAX_H
#define RC_OPS_SOFTMAX_H

#include "recur/base.h"

/* x (rows, C), y (rows, C); y = e^(x − max x) / Σ e^(x − max x) */
void rc_softmax_rows(rc_real *y, const rc_real *x, size_t rows, int C);

/* forward was y = softmax(x), so dx += y ⊙ (dy − Σ dy ⊙ y) */
void rc_softmax_rows_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t rows, int C);

/* x (rows, C), y (rows, C); y = x − max x − log Σ e^(x − max x) */
void rc_log_softmax_rows(rc_real *y, const rc_real *x, size_t rows, int C);

/* forward was y = log_softmax(x), so dx += dy − e^y Σ dy */
void rc_log_softmax_rows_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t rows, int C);

#endif
