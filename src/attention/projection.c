/*
 * The Linear layers inside the attention modules, on strided rows so that a
 * layer over a concatenation [x; y] runs as two products over column blocks
 * of one weight matrix, without building the concatenation.
 */
#include "attention/family.h"

void rc_attn_proj_forward(rc_real *Y, int ldy, const rc_real *X, int ldx, const rc_real *W, int ldw,
                          const rc_real *b, int R, int I, int O, rc_real beta)
{
    /* X (R, I; ldx), W (O, I; ldw), b (O) or NULL, Y (R, O; ldy): Y = beta·Y + X Wᵀ + b */
    rc_gemm(false, true, R, O, I, 1, X, ldx, W, ldw, beta, Y, ldy);
    if (b)
        for (int r = 0; r < R; r++)
            for (int o = 0; o < O; o++) Y[(size_t)r * ldy + o] += b[o];
}

void rc_attn_proj_backward(rc_real *dX, rc_real *dW, rc_real *db, const rc_real *dY, int ldy, const rc_real *X,
                           int ldx, const rc_real *W, int ldw, int R, int I, int O)
{
    /* dY (R, O; ldy), dX as X, dW as W, db (O)
     * forward was Y = X Wᵀ + b, so dX += dY W, dW += dYᵀ X, db += Σ_r dY_r */
    if (dX) rc_gemm(false, false, R, I, O, 1, dY, ldy, W, ldw, 1, dX, ldx);
    if (dW) rc_gemm(true, false, O, I, R, 1, dY, ldy, X, ldx, 1, dW, ldw);
    if (db)
        for (int r = 0; r < R; r++)
            for (int o = 0; o < O; o++) db[o] += dY[(size_t)r * ldy + o];
}

void rc_attn_proj_cat_forward(rc_real *Y, const rc_real *X1, int I1, const rc_real *X2, int I2, const rc_real *W,
                              const rc_real *b, int R, int O)
{
    /* X1 (R, I1), X2 (R, I2), W (O, I1 + I2), b (O) or NULL, Y (R, O):
     * Y = X1 W[:, :I1]ᵀ + X2 W[:, I1:]ᵀ + b */
    rc_attn_proj_forward(Y, O, X1, I1, W, I1 + I2, b, R, I1, O, 0);
    rc_attn_proj_forward(Y, O, X2, I2, W + I1, I1 + I2, NULL, R, I2, O, 1);
}

void rc_attn_proj_cat_backward(rc_real *dX1, rc_real *dX2, rc_real *dW, rc_real *db, const rc_real *dY,
                               const rc_real *X1, int I1, const rc_real *X2, int I2, const rc_real *W, int R, int O)
{
    /* forward was Y = X1 W[:, :I1]ᵀ + X2 W[:, I1:]ᵀ + b */
    rc_attn_proj_backward(dX1, dW, db, dY, O, X1, I1, W, I1 + I2, R, I1, O);
    rc_attn_proj_backward(dX2, rc_attn_at(dW, (size_t)I1), NULL, dY, O, X2, I2, W + I1, I1 + I2, R, I2, O);
}
