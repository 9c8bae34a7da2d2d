#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur/tensor.h"

size_t rc_shape_numel(int ndim, const int *shape)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 1) return 0;
        if (n > SIZE_MAX / (size_t)shape[i]) return 0;
        n *= (size_t)shape[i];
    }
    return n;
}

rc_status rc_tensor_new(rc_tensor **out, int ndim, const int *shape, bool requires_grad)
{
    *out = NULL;
    if (ndim < 0 || ndim > RC_MAX_DIMS)
        return rc_error(RC_E_SHAPE, "tensor: %d dimensions requested, at most %d supported", ndim, RC_MAX_DIMS);
    size_t n = rc_shape_numel(ndim, shape);
    if (n == 0 || n > SIZE_MAX / sizeof(rc_real) / 2)
        return rc_error(RC_E_SHAPE, "tensor: invalid shape (every size must be >= 1 and the total must fit in memory)");
    rc_tensor *t = calloc(1, sizeof *t);
    if (!t) return rc_error(RC_E_NOMEM, "tensor: out of memory");
    t->data = calloc(n, sizeof(rc_real));
    t->grad = requires_grad ? calloc(n, sizeof(rc_real)) : NULL;
    if (!t->data || (requires_grad && !t->grad)) {
        free(t->data);
        free(t->grad);
        free(t);
        return rc_error(RC_E_NOMEM, "tensor: out of memory allocating %zu values", n);
    }
    t->numel = n;
    t->ndim = ndim;
    for (int i = 0; i < RC_MAX_DIMS; i++) t->shape[i] = i < ndim ? shape[i] : 1;
    t->owned = true;
    *out = t;
    return RC_OK;
}

void rc_tensor_free(rc_tensor *t)
{
    if (!t || !t->owned) return;
    free(t->data);
    free(t->grad);
    free(t);
}

void rc_tensor_zero_grad(rc_tensor *t)
{
    if (t && t->grad) memset(t->grad, 0, t->numel * sizeof(rc_real));
}

char *rc_shape_str(const rc_tensor *t, char *buf, size_t n)
{
    if (n == 0) return buf;
    if (!t) {
        snprintf(buf, n, "(null)");
        return buf;
    }
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < t->ndim && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %d" : "%d", t->shape[i]);
    if (used < n) snprintf(buf + used, n - used, t->ndim == 1 ? ",)" : ")");
    return buf;
}

bool rc_tensor_has_shape(const rc_tensor *t, int ndim, const int *shape)
{
    if (!t || t->ndim != ndim) return false;
    for (int i = 0; i < ndim; i++)
        if (t->shape[i] != shape[i]) return false;
    return true;
}
