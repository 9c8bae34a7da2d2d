/* nn.Linear: an owned weight (out, in) and optional bias (out) around rc_linear. */
#include <math.h>
#include <string.h>

#include "recur/nn.h"

rc_status rc_linear_init(rc_linear_module *m, int in_features, int out_features, bool bias, rc_rng *rng)
{
    memset(m, 0, sizeof *m);
    if (in_features < 1) return rc_error(RC_E_INVALID, "linear: in_features = %d, expected >= 1", in_features);
    if (out_features < 1) return rc_error(RC_E_INVALID, "linear: out_features = %d, expected >= 1", out_features);
    int wshape[2] = {out_features, in_features};
    rc_status s = rc_tensor_new(&m->weight, 2, wshape, true);
    if (s == RC_OK && bias) s = rc_tensor_new(&m->bias, 1, &out_features, true);
    if (s != RC_OK) {
        rc_linear_destroy(m);
        return s;
    }
    m->in_features = in_features;
    m->out_features = out_features;
    /* PyTorch's default: kaiming_uniform(a = √5) for the weight reduces to the same bound as the bias. */
    double k = 1 / sqrt((double)in_features);
    rc_rng_fill_uniform(rng, m->weight->data, m->weight->numel, -k, k);
    if (m->bias) rc_rng_fill_uniform(rng, m->bias->data, m->bias->numel, -k, k);
    return RC_OK;
}

void rc_linear_destroy(rc_linear_module *m)
{
    rc_tensor_free(m->weight);
    rc_tensor_free(m->bias);
    memset(m, 0, sizeof *m);
}

rc_tensor *rc_linear_forward(const rc_linear_module *m, rc_graph *g, rc_tensor *x)
{
    return rc_linear(g, x, m->weight, m->bias);
}

rc_status rc_linear_add_params(const rc_linear_module *m, rc_params *ps, const char *prefix)
{
    rc_status s = rc_params_add(ps, prefix, "weight", m->weight);
    if (s == RC_OK && m->bias) s = rc_params_add(ps, prefix, "bias", m->bias);
    return s;
}
