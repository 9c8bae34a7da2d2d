/*
 * The parameters of one direction of a recurrent layer (or of a cell):
 * creation with PyTorch's default init and state_dict naming.
 */
#include <math.h>
#include <stdio.h>

#include "rnn/sequence.h"

static const char *const param_names[RC_SEQ_N_PARAMS] = {
    [RC_SEQ_W_IH] = "weight_ih", [RC_SEQ_W_HH] = "weight_hh", [RC_SEQ_B_IH] = "bias_ih",
    [RC_SEQ_B_HH] = "bias_hh",   [RC_SEQ_W_HR] = "weight_hr",
};

rc_status rc_seq_params_create(rc_seq_params *p, int G, int I, int H, int P, bool bias, rc_rng *rng)
{
    int shapes[RC_SEQ_N_PARAMS][2] = {
        [RC_SEQ_W_IH] = {G * H, I}, [RC_SEQ_W_HH] = {G * H, P}, [RC_SEQ_B_IH] = {G * H, 1},
        [RC_SEQ_B_HH] = {G * H, 1}, [RC_SEQ_W_HR] = {P, H},
    };
    bool present[RC_SEQ_N_PARAMS] = {true, true, bias, bias, P < H};
    double bound = 1 / sqrt((double)H);
    *p = (rc_seq_params){{NULL}};
    /* PyTorch draws every parameter in state_dict order from one stream */
    for (int k = 0; k < RC_SEQ_N_PARAMS; k++) {
        if (!present[k]) continue;
        bool vector = k == RC_SEQ_B_IH || k == RC_SEQ_B_HH;
        rc_status s = rc_tensor_new(&p->t[k], vector ? 1 : 2, shapes[k], true);
        if (s != RC_OK) {
            rc_seq_params_free(p);
            return s;
        }
        rc_rng_fill_uniform(rng, p->t[k]->data, p->t[k]->numel, -bound, bound);
    }
    return RC_OK;
}

void rc_seq_params_free(rc_seq_params *p)
{
    for (int k = 0; k < RC_SEQ_N_PARAMS; k++) {
        rc_tensor_free(p->t[k]);
        p->t[k] = NULL;
    }
}

rc_status rc_seq_params_add(const rc_seq_params *p, rc_params *ps, const char *prefix, const char *suffix)
{
    for (int k = 0; k < RC_SEQ_N_PARAMS; k++) {
        if (!p->t[k]) continue;
        char name[RC_PARAM_NAME_MAX];
        int len = snprintf(name, sizeof name, "%s%s", param_names[k], suffix);
        if (len < 0 || (size_t)len >= sizeof name)
            return rc_error(RC_E_INVALID, "params: name '%s%s' is longer than %d bytes", param_names[k], suffix,
                            RC_PARAM_NAME_MAX - 1);
        rc_status s = rc_params_add(ps, prefix, name, p->t[k]);
        if (s != RC_OK) return s;
    }
    return RC_OK;
}
