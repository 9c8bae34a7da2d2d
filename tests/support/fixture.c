#include "fixture.h"

#include <math.h>
#include <string.h>

#define KEY_MAX 256

/* "PREFIX.a.b" into key; false (and a failed check) if it does not fit. */
static bool key_of(const rc_fx *fx, char *key, const char *a, const char *b)
{
    int n = snprintf(key, KEY_MAX, "%s.%s%s", fx->prefix, a, b);
    RC_CHECK(n > 0 && n < KEY_MAX, "fixture key too long: %s.%s%s", fx->prefix, a, b);
    return n > 0 && n < KEY_MAX;
}

static json_t *parse_metadata(rc_fx *fx, const char *key)
{
    const char *text = rc_st_metadata(fx->file, key);
    RC_CHECK(text != NULL, "%s: no metadata \"%s\"", fx->path, key);
    if (!text) return NULL;
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    RC_CHECK(j != NULL, "%s: metadata \"%s\" is not JSON: %s", fx->path, key, err.text);
    return j;
}

bool rc_fx_open(rc_fx *fx, const char *path)
{
    memset(fx, 0, sizeof *fx);
    fx->path = path;
    rc_status s = rc_st_open(&fx->file, path);
    RC_CHECK(s == RC_OK, "%s (run the tests from the repository root)", rc_last_error());
    return s == RC_OK;
}

void rc_fx_close(rc_fx *fx)
{
    json_decref(fx->config);
    rc_st_close(fx->file);
    memset(fx, 0, sizeof *fx);
}

json_t *rc_fx_configs(rc_fx *fx)
{
    json_t *j = parse_metadata(fx, "configs");
    if (j && !json_is_array(j)) {
        RC_CHECK(false, "%s: \"configs\" is not a JSON array", fx->path);
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *rc_fx_begin(rc_fx *fx, const char *prefix)
{
    json_decref(fx->config);
    fx->config = NULL;
    fx->fwd_err = fx->grad_err = 0;
    int n = snprintf(fx->prefix, sizeof fx->prefix, "%s", prefix);
    RC_CHECK(n > 0 && (size_t)n < sizeof fx->prefix, "prefix too long: %s", prefix);
    json_t *j = parse_metadata(fx, prefix);
    if (j && !json_is_object(j)) {
        RC_CHECK(false, "%s: configuration \"%s\" is not a JSON object", fx->path, prefix);
        json_decref(j);
        j = NULL;
    }
    fx->config = j;
    return j;
}

void rc_fx_end(rc_fx *fx)
{
    const char *base = strrchr(fx->path, '/');
    base = base ? base + 1 : fx->path;
    int len = (int)strcspn(base, ".");
    printf("parity %-10.*s %-26s fwd max abs err %.2e   grad max rel err %.2e\n", len, base, fx->prefix, fx->fwd_err,
           fx->grad_err);
}

static json_t *field(rc_fx *fx, const char *key)
{
    json_t *v = fx->config ? json_object_get(fx->config, key) : NULL;
    RC_CHECK(v != NULL, "%s: configuration \"%s\" has no field \"%s\"", fx->path, fx->prefix, key);
    return v;
}

int rc_fx_int(rc_fx *fx, const char *key)
{
    json_t *v = field(fx, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

bool rc_fx_bool(rc_fx *fx, const char *key)
{
    json_t *v = field(fx, key);
    return json_is_true(v);
}

double rc_fx_real(rc_fx *fx, const char *key)
{
    json_t *v = field(fx, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

const char *rc_fx_str(rc_fx *fx, const char *key)
{
    const char *s = json_string_value(field(fx, key));
    return s ? s : "";
}

bool rc_fx_has(const rc_fx *fx, const char *name)
{
    char key[KEY_MAX];
    rc_dtype dt;
    int ndim, shape[RC_MAX_DIMS];
    if (snprintf(key, sizeof key, "%s.%s", fx->prefix, name) >= KEY_MAX) return false;
    return rc_st_info(fx->file, key, &dt, &ndim, shape) == RC_OK;
}

bool rc_fx_read(rc_fx *fx, const char *name, rc_tensor *t)
{
    char key[KEY_MAX];
    if (!key_of(fx, key, name, "")) return false;
    rc_status s = rc_st_read(fx->file, key, t);
    RC_CHECK_OK(s);
    return s == RC_OK;
}

bool rc_fx_read_grad(rc_fx *fx, const char *name, rc_tensor *t)
{
    RC_CHECK(t != NULL && t->grad != NULL, "%s.%s: the tensor to seed has no grad buffer", fx->prefix, name);
    if (!t || !t->grad) return false;
    char key[KEY_MAX];
    if (!key_of(fx, key, name, "")) return false;
    rc_tensor *up;
    rc_status s = rc_st_read_new(fx->file, key, &up);
    RC_CHECK_OK(s);
    if (s != RC_OK) return false;
    bool ok = up->numel == t->numel;
    RC_CHECK(ok, "%s: %zu values stored, the tensor has %zu", key, up->numel, t->numel);
    if (ok) memcpy(t->grad, up->data, t->numel * sizeof *t->grad);
    rc_tensor_free(up);
    return ok;
}

bool rc_fx_read_ints(rc_fx *fx, const char *name, int *ids, size_t n)
{
    char key[KEY_MAX];
    if (!key_of(fx, key, name, "")) return false;
    rc_status s = rc_st_read_ints(fx->file, key, ids, n);
    RC_CHECK_OK(s);
    return s == RC_OK;
}

rc_tensor *rc_fx_input(rc_fx *fx, rc_graph *g, const char *name, bool requires_grad)
{
    char key[KEY_MAX];
    if (!key_of(fx, key, name, "")) return NULL;
    rc_dtype dt;
    int ndim, shape[RC_MAX_DIMS];
    rc_status s = rc_st_info(fx->file, key, &dt, &ndim, shape);
    RC_CHECK_OK(s);
    if (s != RC_OK) return NULL;
    rc_tensor *t = rc_graph_tensor(g, ndim, shape, requires_grad);
    RC_CHECK(t != NULL, "%s: %s", key, rc_graph_error(g));
    if (t && rc_st_read(fx->file, key, t) != RC_OK) {
        RC_CHECK(false, "%s", rc_last_error());
        return NULL;
    }
    return t;
}

bool rc_fx_load_params(rc_fx *fx, rc_params *ps, const char *key_prefix)
{
    json_t *names = field(fx, "params");
    size_t n = rc_params_count(ps);
    bool ok = json_is_array(names) && json_array_size(names) == n;
    RC_CHECK(ok, "%s: recur has %zu parameters, PyTorch's state_dict %zu", fx->prefix, n, json_array_size(names));
    for (size_t i = 0; ok && i < n; i++) {
        const char *want = json_string_value(json_array_get(names, i));
        const char *got = rc_params_name(ps, i);
        bool same = want && strcmp(want, got) == 0;
        RC_CHECK(same, "%s: parameter %zu is \"%s\", state_dict has \"%s\"", fx->prefix, i, got, want ? want : "?");
        char key[KEY_MAX];
        ok = same && key_of(fx, key, key_prefix, got);
        if (ok) {
            rc_status s = rc_st_read(fx->file, key, rc_params_tensor(ps, i));
            RC_CHECK_OK(s);
            ok = s == RC_OK;
        }
    }
    return ok;
}

/* Compares got with the stored tensor `key`; *abs_err and *rel_err receive the
 * max absolute error and that error over max |want|. */
static bool compare_key(rc_fx *fx, const char *key, const rc_real *got, size_t n, double atol, double rtol,
                        double *abs_err, double *rel_err)
{
    *abs_err = *rel_err = INFINITY;
    rc_tensor *want;
    rc_status s = rc_st_read_new(fx->file, key, &want);
    RC_CHECK_OK(s);
    if (s != RC_OK) return false;
    bool ok = want->numel == n;
    RC_CHECK(ok, "%s: %zu values expected, got %zu", key, want->numel, n);
    if (ok) {
        double err = 0, scale = 0;
        for (size_t i = 0; i < n; i++) {
            double e = fabs((double)got[i] - (double)want->data[i]);
            if (e > err || e != e) err = e;
            if (fabs((double)want->data[i]) > scale) scale = fabs((double)want->data[i]);
        }
        *abs_err = err;
        *rel_err = scale > 0 ? err / scale : err;
        ok = rc_test_close(key, got, want->data, n, atol, rtol);
    }
    rc_tensor_free(want);
    return ok;
}

bool rc_fx_compare(rc_fx *fx, const char *name, const rc_real *got, size_t n, double atol, double rtol,
                   double *rel_err)
{
    char key[KEY_MAX];
    double a, r;
    if (!key_of(fx, key, name, "")) return false;
    bool ok = compare_key(fx, key, got, n, atol, rtol, &a, &r);
    if (rel_err) *rel_err = r;
    return ok;
}

/* The stored shape of `key` equals t's. */
static bool same_shape(rc_fx *fx, const char *key, const rc_tensor *t)
{
    rc_dtype dt;
    int ndim, shape[RC_MAX_DIMS];
    rc_status s = rc_st_info(fx->file, key, &dt, &ndim, shape);
    RC_CHECK_OK(s);
    bool ok = s == RC_OK && rc_tensor_has_shape(t, ndim, shape);
    if (s == RC_OK && !ok) {
        char got[64], want[64];
        int len = snprintf(want, sizeof want, "(");
        for (int d = 0; d < ndim; d++)
            len += snprintf(want + len, sizeof want - (size_t)len, d ? ", %d" : "%d", shape[d]);
        snprintf(want + len, sizeof want - (size_t)len, ")");
        RC_CHECK(false, "%s: recur's shape %s, PyTorch's %s", key, rc_shape_str(t, got, sizeof got), want);
    }
    return ok;
}

bool rc_fx_check(rc_fx *fx, const char *name, const rc_tensor *got)
{
    char key[KEY_MAX];
    RC_CHECK(got != NULL, "%s.%s: recur gave no tensor", fx->prefix, name);
    if (!got || !key_of(fx, key, name, "") || !same_shape(fx, key, got)) return false;
    double a, r;
    bool ok = compare_key(fx, key, got->data, got->numel, RC_FX_FWD_ATOL, 0, &a, &r);
    if (!(a <= fx->fwd_err)) fx->fwd_err = a;
    return ok;
}

bool rc_fx_check_grad(rc_fx *fx, const char *name, const rc_tensor *got)
{
    char key[KEY_MAX];
    RC_CHECK(got != NULL && got->grad != NULL, "%s.%s: recur gave no gradient", fx->prefix, name);
    if (!got || !got->grad || !key_of(fx, key, "grad.", name) || !same_shape(fx, key, got)) return false;
    double a, r;
    bool ok = compare_key(fx, key, got->grad, got->numel, 0, RC_FX_GRAD_RTOL, &a, &r);
    if (!(r <= fx->grad_err)) fx->grad_err = r;
    return ok;
}

void rc_fx_check_param_grads(rc_fx *fx, const rc_params *ps)
{
    for (size_t i = 0; i < rc_params_count(ps); i++)
        rc_fx_check_grad(fx, rc_params_name(ps, i), rc_params_tensor(ps, i));
}
