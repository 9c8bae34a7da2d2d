/*
 * Builds a small language-model body in recur — nn.Embedding(11, 6,
 * padding_idx=0) → nn.LSTM(6, 7, num_layers=2, batch_first=True,
 * bidirectional=True) → nn.Linear(14, 11) — runs it on a fixed batch of
 * token ids and saves everything PyTorch needs to check it:
 *
 *     export_lstm OUT.safetensors [SEED]
 *
 * The file holds the parameters under their state_dict names ("embed.weight",
 * "lstm.weight_ih_l0", ..., "head.bias"), so `model.load_state_dict(...,
 * strict=True)` takes them as they are, plus the input and recur's results
 * under "io." ("io.ids" as floats, "io.logits", "io.h_n", "io.c_n") and the
 * configuration in the metadata. scripts/check_torch_interop.py runs the
 * same model in PyTorch and compares.
 */
#include <stdio.h>
#include <stdlib.h>

#include "recur.h"

enum { V = 11, E = 6, H = 7, L = 2, B = 2, T = 6, PAD = 0 };

typedef struct model {
    rc_embedding_module embed;
    rc_rnn *lstm;
    rc_linear_module head;
} model;

static rc_status model_init(model *m, uint64_t seed)
{
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, E, H);
    cfg.num_layers = L;
    cfg.batch_first = true;
    cfg.bidirectional = true;
    rc_status s = rc_embedding_init(&m->embed, V, E, PAD, &rng);
    if (s == RC_OK) s = rc_rnn_create(&m->lstm, &cfg, &rng);
    if (s == RC_OK) s = rc_linear_init(&m->head, 2 * H, V, true, &rng);
    return s;
}

static void model_destroy(model *m)
{
    rc_linear_destroy(&m->head);
    rc_rnn_free(m->lstm);
    rc_embedding_destroy(&m->embed);
}

/* The model's parameters, then the input and results under "io.". */
static rc_status collect(const model *m, rc_params *ps, rc_tensor *ids, rc_tensor *logits,
                         const rc_rnn_result *r)
{
    rc_status s = rc_embedding_add_params(&m->embed, ps, "embed");
    if (s == RC_OK) s = rc_rnn_add_params(m->lstm, ps, "lstm");
    if (s == RC_OK) s = rc_linear_add_params(&m->head, ps, "head");
    if (s == RC_OK) s = rc_params_add(ps, "io", "ids", ids);
    if (s == RC_OK) s = rc_params_add(ps, "io", "logits", logits);
    if (s == RC_OK) s = rc_params_add(ps, "io", "h_n", r->h_n);
    if (s == RC_OK) s = rc_params_add(ps, "io", "c_n", r->c_n);
    return s;
}

static int run(model *m, rc_graph *g, rc_params *ps, const char *path, uint64_t seed)
{
    /* Two sequences; the second ends in padding. */
    static const int ids[B * T] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, PAD, PAD};
    int shape[2] = {B, T};
    rc_graph_set_grad_enabled(g, false);
    rc_graph_set_training(g, false);
    rc_tensor *x = rc_embedding_forward(&m->embed, g, ids, 2, shape);
    rc_rnn_result r;
    if (!x || rc_rnn_forward(m->lstm, g, x, NULL, NULL, NULL, &r) != RC_OK) {
        fprintf(stderr, "export_lstm: forward: %s\n", rc_graph_error(g));
        return 1;
    }
    rc_tensor *logits = rc_linear_forward(&m->head, g, r.output);
    rc_tensor *ids_f = rc_graph_tensor(g, 2, shape, false);
    if (!logits || !ids_f) {
        fprintf(stderr, "export_lstm: %s\n", rc_graph_error(g));
        return 1;
    }
    for (int i = 0; i < B * T; i++) ids_f->data[i] = (rc_real)ids[i];

    char seed_str[32], config[160];
    snprintf(seed_str, sizeof seed_str, "%llu", (unsigned long long)seed);
    snprintf(config, sizeof config,
             "{\"vocab\":%d,\"embed\":%d,\"hidden\":%d,\"num_layers\":%d,\"padding_idx\":%d,"
             "\"batch_first\":true,\"bidirectional\":true}",
             V, E, H, L, PAD);
    const rc_st_kv meta[] = {{"config", config}, {"seed", seed_str}};
    rc_status s = collect(m, ps, ids_f, logits, &r);
    if (s == RC_OK) s = rc_st_save_params(path, ps, meta, sizeof meta / sizeof meta[0]);
    if (s != RC_OK) {
        fprintf(stderr, "export_lstm: %s\n", rc_last_error());
        return 1;
    }
    printf("wrote %s: %zu tensors (logits %d x %d x %d)\n", path, rc_params_count(ps), B, T, V);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s OUT.safetensors [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t seed = argc == 3 ? strtoull(argv[2], NULL, 10) : 1;
    model m = {0};
    rc_graph *g = NULL;
    rc_params *ps = NULL;
    int rc = 1;
    if (model_init(&m, seed) != RC_OK || rc_graph_create(&g) != RC_OK || rc_params_create(&ps) != RC_OK)
        fprintf(stderr, "export_lstm: %s\n", rc_last_error());
    else
        rc = run(&m, g, ps, argv[1], seed);
    rc_params_free(ps);
    rc_graph_free(g);
    model_destroy(&m);
    return rc;
}
