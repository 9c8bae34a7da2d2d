/*
 * nn.RNNCell, nn.LSTMCell and nn.GRUCell: one step of the shared loop
 * (sequence.c with T = 1), recorded as one tape node.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "rnn/sequence.h"

struct rc_rnn_cell {
    rc_rnn_mode mode;
    int input_size, hidden_size;
    rc_seq_params w;
};

/* Sizes are bounded so that G·H stays far from int overflow. */
#define MAX_SIZE (INT_MAX / 16)

rc_status rc_rnn_cell_create(rc_rnn_cell **out, rc_rnn_mode mode, int input_size, int hidden_size, bool bias,
                             rc_rng *rng)
{
    RC_ASSERT(out != NULL && rng != NULL);
    *out = NULL;
    if ((int)mode < 0 || mode >= RC_RNN_MODE_COUNT)
        return rc_error(RC_E_INVALID, "rnn cell: mode = %d is not an rc_rnn_mode", (int)mode);
    const char *name = rc_rnn_mode_name(mode);
    if (input_size < 1 || input_size > MAX_SIZE)
        return rc_error(RC_E_INVALID, "%s cell: input_size = %d, expected 1 <= input_size <= %d", name, input_size,
                        MAX_SIZE);
    if (hidden_size < 1 || hidden_size > MAX_SIZE)
        return rc_error(RC_E_INVALID, "%s cell: hidden_size = %d, expected 1 <= hidden_size <= %d", name,
                        hidden_size, MAX_SIZE);
    rc_rnn_cell *c = calloc(1, sizeof *c);
    if (!c) return rc_error(RC_E_NOMEM, "%s cell: out of memory", name);
    *c = (rc_rnn_cell){.mode = mode, .input_size = input_size, .hidden_size = hidden_size};
    rc_status s = rc_seq_params_create(&c->w, rc_rnn_mode_gates(mode), input_size, hidden_size, hidden_size, bias, rng);
    if (s != RC_OK) {
        free(c);
        return s;
    }
    *out = c;
    return RC_OK;
}

void rc_rnn_cell_free(rc_rnn_cell *c)
{
    if (!c) return;
    rc_seq_params_free(&c->w);
    free(c);
}

rc_rnn_mode rc_rnn_cell_mode(const rc_rnn_cell *c) { return c->mode; }
int rc_rnn_cell_hidden_size(const rc_rnn_cell *c) { return c->hidden_size; }

rc_status rc_rnn_cell_add_params(const rc_rnn_cell *c, rc_params *ps, const char *prefix)
{
    return rc_seq_params_add(&c->w, ps, prefix, "");
}

static rc_real *data_of(rc_tensor *t) { return t ? t->data : NULL; }
static rc_real *grad_of(rc_tensor *t) { return t ? t->grad : NULL; }

/* in: x, h, c, then the parameters; out: h', c' (cell state only) */
static void cell_node_backward(rc_node *n)
{
    rc_seq *s = n->ctx;
    rc_tensor *x = n->in[0];
    rc_seq_io gio = {.x = x->grad, .h0 = grad_of(n->in[1]), .c0 = grad_of(n->in[2]), .h_n = n->out[0]->grad,
                     .c_n = n->n_out > 1 ? n->out[1]->grad : NULL};
    rc_seq_backward(s, x->data, &gio);
}

/* RC_OK if t (when given) is (B, H), or (H) unbatched; else RC_E_SHAPE naming it. */
static rc_status check_state(const char *op, const char *name, const rc_tensor *t, bool batched, int B, int H)
{
    if (!t || (batched ? rc_tensor_has_shape(t, 2, (int[]){B, H}) : rc_tensor_has_shape(t, 1, &H))) return RC_OK;
    char s[64];
    if (batched)
        return rc_error(RC_E_SHAPE, "%s cell: %s has shape %s, expected (%d, %d)", op, name,
                        rc_shape_str(t, s, sizeof s), B, H);
    return rc_error(RC_E_SHAPE, "%s cell: %s has shape %s, expected (%d,) for unbatched x", op, name,
                    rc_shape_str(t, s, sizeof s), H);
}

static rc_status check_inputs(const rc_rnn_cell *cell, const rc_tensor *x, const rc_tensor *h, const rc_tensor *c)
{
    const char *op = rc_rnn_mode_name(cell->mode);
    int I = cell->input_size, H = cell->hidden_size;
    char s[64];
    if ((x->ndim != 1 && x->ndim != 2) || x->shape[x->ndim - 1] != I)
        return rc_error(RC_E_SHAPE, "%s cell: x has shape %s, expected (B, %d) or unbatched (%d,)", op,
                        rc_shape_str(x, s, sizeof s), I, I);
    bool batched = x->ndim == 2;
    int B = batched ? x->shape[0] : 1;
    rc_status st = check_state(op, "h", h, batched, B, H);
    if (st != RC_OK) return st;
    if (c && cell->mode != RC_LSTM)
        return rc_error(RC_E_INVALID, "%s cell: c given, but %s has no cell state (c must be NULL)", op, op);
    return check_state(op, "c", c, batched, B, H);
}

rc_status rc_rnn_cell_forward(rc_rnn_cell *cell, rc_graph *g, rc_tensor *x, rc_tensor *h, rc_tensor *c,
                              rc_tensor **h_out, rc_tensor **c_out)
{
    RC_ASSERT(cell != NULL && g != NULL && h_out != NULL);
    *h_out = NULL;
    if (c_out) *c_out = NULL;
    if (!rc_tape_check(g, rc_rnn_mode_name(cell->mode), 1, &x)) return rc_graph_status(g);
    rc_status st = check_inputs(cell, x, h, c);
    if (st != RC_OK) return rc_tape_fail_status(g, st);

    rc_tensor *in[3 + RC_SEQ_N_PARAMS] = {x, h, c};
    memcpy(in + 3, cell->w.t, sizeof cell->w.t);
    bool rec = rc_tape_needs_grad(g, 3 + RC_SEQ_N_PARAMS, in);
    bool has_c = cell->mode == RC_LSTM;
    int H = cell->hidden_size, B = x->ndim == 2 ? x->shape[0] : 1;
    int state_shape[2] = {B, H};
    if (x->ndim == 1) state_shape[0] = H;
    rc_tensor *out[2] = {rc_tape_tensor(g, x->ndim, state_shape, rec), NULL};
    if (has_c) out[1] = rc_tape_tensor(g, x->ndim, state_shape, rec);
    if (!out[0] || (has_c && !out[1])) return rc_graph_status(g);

    rc_seq s = {.cell = rc_cell_of(cell->mode), .T = 1, .B = B, .I = cell->input_size, .H = H, .P = H,
                .w = cell->w, .keep = rec};
    if (!rc_seq_alloc(&s, g)) return rc_graph_status(g);
    rc_seq_io io = {.x = x->data, .h0 = data_of(h), .c0 = data_of(c), .h_n = out[0]->data, .c_n = data_of(out[1])};
    rc_seq_forward(&s, &io);
    if (rec) {
        rc_node *n = rc_tape_record(g, RC_OP_RNN_CELL, cell_node_backward, 3 + RC_SEQ_N_PARAMS, in, has_c ? 2 : 1,
                                    out, sizeof s);
        if (!n) return rc_graph_status(g);
        memcpy(n->ctx, &s, sizeof s);
    }
    *h_out = out[0];
    if (c_out) *c_out = out[1];
    return RC_OK;
}
