#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/tape.h"

struct rc_graph {
    rc_arena arena;
    rc_node *last;        /* most recently recorded node */
    bool training, grad_enabled;
    rc_rng rng;
    rc_status status;
    char error[1024];
};

rc_status rc_graph_create(rc_graph **out)
{
    rc_graph *g = calloc(1, sizeof *g);
    *out = g;
    if (!g) return rc_error(RC_E_NOMEM, "graph: out of memory");
    g->training = true;
    g->grad_enabled = true;
    rc_rng_seed(&g->rng, 0);
    return RC_OK;
}

void rc_graph_free(rc_graph *g)
{
    if (!g) return;
    rc_arena_free(&g->arena);
    free(g);
}

void rc_graph_reset(rc_graph *g)
{
    rc_arena_reset(&g->arena);
    g->last = NULL;
    g->status = RC_OK;
    g->error[0] = '\0';
}

void rc_graph_set_training(rc_graph *g, bool training) { g->training = training; }
bool rc_graph_is_training(const rc_graph *g) { return g->training; }
void rc_graph_set_grad_enabled(rc_graph *g, bool enabled) { g->grad_enabled = enabled; }
bool rc_graph_grad_enabled(const rc_graph *g) { return g->grad_enabled; }
rc_rng *rc_graph_rng(rc_graph *g) { return &g->rng; }
rc_status rc_graph_status(const rc_graph *g) { return g->status; }
const char *rc_graph_error(const rc_graph *g) { return g->error; }
size_t rc_graph_arena_bytes(const rc_graph *g) { return g->arena.capacity; }

static void set_sticky(rc_graph *g, rc_status s, const char *msg)
{
    if (g->status != RC_OK) return;
    g->status = s;
    snprintf(g->error, sizeof g->error, "%s", msg);
}

void *rc_tape_fail(rc_graph *g, rc_status s, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rc_error(s, "%s", msg);
    set_sticky(g, s, msg);
    return NULL;
}

rc_status rc_tape_fail_status(rc_graph *g, rc_status s)
{
    set_sticky(g, s, rc_last_error());
    return s;
}

bool rc_tape_check(rc_graph *g, const char *op, int n, rc_tensor *const *ts)
{
    if (g->status != RC_OK) return false;
    for (int i = 0; i < n; i++)
        if (!ts[i]) {
            rc_tape_fail(g, RC_E_INVALID, "%s: input %d is NULL (did an earlier op fail?)", op, i);
            return false;
        }
    return true;
}

bool rc_tape_needs_grad(const rc_graph *g, int n, rc_tensor *const *ts)
{
    if (!g->grad_enabled) return false;
    for (int i = 0; i < n; i++)
        if (ts[i] && ts[i]->grad) return true;
    return false;
}

void *rc_tape_alloc(rc_graph *g, size_t bytes)
{
    void *p = rc_arena_alloc(&g->arena, bytes);
    if (!p) rc_tape_fail(g, RC_E_NOMEM, "graph: out of memory allocating %zu bytes", bytes);
    return p;
}

rc_tensor *rc_tape_tensor(rc_graph *g, int ndim, const int *shape, bool with_grad)
{
    if (g->status != RC_OK) return NULL;
    if (ndim < 0 || ndim > RC_MAX_DIMS)
        return rc_tape_fail(g, RC_E_SHAPE, "graph: %d dimensions requested, at most %d supported", ndim, RC_MAX_DIMS);
    size_t n = rc_shape_numel(ndim, shape);
    if (n == 0 || n > SIZE_MAX / sizeof(rc_real) / 4)
        return rc_tape_fail(g, RC_E_SHAPE, "graph: invalid tensor shape (sizes must be >= 1)");
    rc_tensor *t = rc_tape_alloc(g, sizeof *t);
    if (!t) return NULL;
    t->data = rc_tape_alloc(g, n * sizeof(rc_real));
    t->grad = with_grad ? rc_tape_alloc(g, n * sizeof(rc_real)) : NULL;
    if (!t->data || (with_grad && !t->grad)) return NULL;
    if (with_grad) memset(t->grad, 0, n * sizeof(rc_real));
    t->numel = n;
    t->ndim = ndim;
    for (int i = 0; i < RC_MAX_DIMS; i++) t->shape[i] = i < ndim ? shape[i] : 1;
    t->owned = false;
    return t;
}

rc_tensor *rc_graph_tensor(rc_graph *g, int ndim, const int *shape, bool requires_grad)
{
    rc_tensor *t = rc_tape_tensor(g, ndim, shape, requires_grad && g->grad_enabled);
    if (t) memset(t->data, 0, t->numel * sizeof(rc_real));
    return t;
}

rc_node *rc_tape_record(rc_graph *g, rc_op op, rc_backward_fn bw, int n_in, rc_tensor *const *in,
                        int n_out, rc_tensor *const *out, size_t ctx_bytes)
{
    RC_ASSERT(bw != NULL && n_in >= 0 && n_out >= 1);
    rc_node *n = rc_tape_alloc(g, sizeof *n);
    rc_tensor **ins = rc_tape_alloc(g, sizeof(rc_tensor *) * (size_t)(n_in ? n_in : 1));
    rc_tensor **outs = rc_tape_alloc(g, sizeof(rc_tensor *) * (size_t)n_out);
    void *ctx = ctx_bytes ? rc_tape_alloc(g, ctx_bytes) : NULL;
    if (!n || !ins || !outs || (ctx_bytes && !ctx)) return NULL;
    if (n_in) memcpy(ins, in, sizeof(rc_tensor *) * (size_t)n_in);
    memcpy(outs, out, sizeof(rc_tensor *) * (size_t)n_out);
    if (ctx) memset(ctx, 0, ctx_bytes);
    *n = (rc_node){.op = op, .backward = bw, .n_in = n_in, .n_out = n_out,
                   .in = ins, .out = outs, .ctx = ctx, .prev = g->last};
    g->last = n;
    return n;
}

rc_status rc_graph_backward(rc_graph *g, rc_tensor *root)
{
    if (g->status != RC_OK) return rc_error(g->status, "%s", g->error);
    if (root) {
        if (root->numel != 1) {
            char s[64];
            return rc_error(RC_E_SHAPE, "backward: root must have one element, got shape %s",
                            rc_shape_str(root, s, sizeof s));
        }
        if (!root->grad) return rc_error(RC_E_INVALID, "backward: root has no grad buffer (nothing it depends on requires grad)");
        root->grad[0] = 1;
    }
    for (rc_node *n = g->last; n; n = n->prev) n->backward(n);
    return RC_OK;
}
