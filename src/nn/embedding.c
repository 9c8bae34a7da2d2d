/* nn.Embedding: an owned table (V, E) around rc_embedding. */
#include <string.h>

#include "recur/nn.h"

rc_status rc_embedding_init(rc_embedding_module *m, int num_embeddings, int embedding_dim, int padding_idx,
                            rc_rng *rng)
{
    memset(m, 0, sizeof *m);
    if (num_embeddings < 1)
        return rc_error(RC_E_INVALID, "embedding: num_embeddings = %d, expected >= 1", num_embeddings);
    if (embedding_dim < 1) return rc_error(RC_E_INVALID, "embedding: embedding_dim = %d, expected >= 1", embedding_dim);
    if (padding_idx >= num_embeddings)
        return rc_error(RC_E_INVALID, "embedding: padding_idx = %d, expected < num_embeddings = %d (or < 0 for none)",
                        padding_idx, num_embeddings);
    int shape[2] = {num_embeddings, embedding_dim};
    rc_status s = rc_tensor_new(&m->weight, 2, shape, true);
    if (s != RC_OK) return s;
    m->num_embeddings = num_embeddings;
    m->embedding_dim = embedding_dim;
    m->padding_idx = padding_idx < 0 ? -1 : padding_idx;
    rc_rng_fill_normal(rng, m->weight->data, m->weight->numel, 0, 1);
    if (padding_idx >= 0)
        memset(m->weight->data + (size_t)padding_idx * (size_t)embedding_dim, 0, (size_t)embedding_dim * sizeof(rc_real));
    return RC_OK;
}

void rc_embedding_destroy(rc_embedding_module *m)
{
    rc_tensor_free(m->weight);
    memset(m, 0, sizeof *m);
}

rc_tensor *rc_embedding_forward(const rc_embedding_module *m, rc_graph *g, const int *ids, int ndim, const int *shape)
{
    return rc_embedding(g, m->weight, ids, ndim, shape, m->padding_idx);
}

rc_status rc_embedding_add_params(const rc_embedding_module *m, rc_params *ps, const char *prefix)
{
    return rc_params_add(ps, prefix, "weight", m->weight);
}
