#include "ops/check.h"

#include <limits.h>

#include "core/tape.h"

bool rc_check_ndim(rc_graph *g, const char *op, const char *name, const rc_tensor *t, int ndim)
{
    if (t->ndim == ndim) return true;
    char s[RC_SHAPE_STR_MAX];
    rc_tape_fail(g, RC_E_SHAPE, "%s: %s is %s, expected %d dimensions", op, name, rc_shape_str(t, s, sizeof s), ndim);
    return false;
}

bool rc_check_has_dims(rc_graph *g, const char *op, const char *name, const rc_tensor *t)
{
    if (t->ndim >= 1) return true;
    rc_tape_fail(g, RC_E_SHAPE, "%s: %s is a scalar (), expected at least 1 dimension", op, name);
    return false;
}

bool rc_check_same_shape(rc_graph *g, const char *op, const char *a_name, const rc_tensor *a, const char *b_name,
                         const rc_tensor *b)
{
    if (rc_tensor_has_shape(b, a->ndim, a->shape)) return true;
    char sa[RC_SHAPE_STR_MAX], sb[RC_SHAPE_STR_MAX];
    rc_tape_fail(g, RC_E_SHAPE, "%s: %s is %s, expected %s's shape %s", op, b_name, rc_shape_str(b, sb, sizeof sb),
                 a_name, rc_shape_str(a, sa, sizeof sa));
    return false;
}

bool rc_check_dim(rc_graph *g, const char *op, const char *name, const rc_tensor *t, int dim)
{
    if (dim >= 0 && dim < t->ndim) return true;
    char s[RC_SHAPE_STR_MAX];
    rc_tape_fail(g, RC_E_INVALID, "%s: dim %d is out of range for %s %s, expected 0 <= dim < %d", op, dim, name,
                 rc_shape_str(t, s, sizeof s), t->ndim);
    return false;
}

bool rc_check_reduction(rc_graph *g, const char *op, rc_reduction red)
{
    if (red == RC_REDUCTION_MEAN || red == RC_REDUCTION_SUM) return true;
    rc_tape_fail(g, RC_E_INVALID, "%s: reduction %d, expected RC_REDUCTION_MEAN or RC_REDUCTION_SUM", op, (int)red);
    return false;
}

bool rc_check_rows(rc_graph *g, const char *op, const char *name, size_t n)
{
    if (n <= INT_MAX) return true;
    rc_tape_fail(g, RC_E_SHAPE, "%s: %s has %zu rows, at most %d supported", op, name, n, INT_MAX);
    return false;
}
