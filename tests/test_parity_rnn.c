/*
 * nn.RNN (tanh, relu), nn.LSTM (with and without proj_size) and nn.GRU, and
 * their cells, against PyTorch: every fixture configuration (layers 1 and 2,
 * uni- and bidirectional, batch_first or not, with and without initial
 * states, equal and variable lengths, no bias, unbatched) is rebuilt with
 * recur's API from the fixture's config, its parameters are loaded by their
 * state_dict names, and the outputs, final states and the gradients of the
 * input, the initial states and every parameter are compared.
 *
 * Tolerances (tests/support/fixture.h): forward max abs error 1e-5;
 * gradients max abs error 1e-4 · max |PyTorch's gradient|.
 */
#include <string.h>

#include "fixture.h"

/* Configurations each layer fixture must hold: 2 layer counts × 2
 * directions × 2 layouts × with/without h0 × equal/variable lengths, plus
 * no-bias and two unbatched ones. */
#define RNN_CONFIGS (2 * 2 * 2 * 2 * 2 + 3)

static rc_rnn_mode mode_named(const char *name)
{
    for (int m = 0; m < RC_RNN_MODE_COUNT; m++)
        if (strcmp(rc_rnn_mode_name((rc_rnn_mode)m), name) == 0) return (rc_rnn_mode)m;
    RC_CHECK(false, "unknown mode \"%s\"", name);
    return RC_RNN_MODE_COUNT;
}

static rc_rnn_config layer_config(rc_fx *fx)
{
    rc_rnn_config cfg = rc_rnn_config_default(mode_named(rc_fx_str(fx, "mode")), rc_fx_int(fx, "input_size"),
                                              rc_fx_int(fx, "hidden_size"));
    cfg.num_layers = rc_fx_int(fx, "num_layers");
    cfg.bias = rc_fx_bool(fx, "bias");
    cfg.batch_first = rc_fx_bool(fx, "batch_first");
    cfg.bidirectional = rc_fx_bool(fx, "bidirectional");
    cfg.proj_size = rc_fx_int(fx, "proj_size");
    cfg.dropout = (rc_real)rc_fx_real(fx, "dropout");
    return cfg;
}

/* Loads the parameters and inputs, runs forward and backward, compares. */
static void run_layer(rc_fx *fx, rc_rnn *m, rc_params *ps, rc_graph *g)
{
    bool lstm = rc_rnn_get_config(m)->mode == RC_LSTM, has_h0 = rc_fx_bool(fx, "has_h0");
    if (rc_rnn_add_params(m, ps, NULL) != RC_OK || !rc_fx_load_params(fx, ps, "")) {
        RC_CHECK(false, "%s: parameters not loaded: %s", fx->prefix, rc_last_error());
        return;
    }
    int lengths[16];
    const int *lens = NULL;
    if (rc_fx_bool(fx, "has_lengths")) {
        int B = rc_fx_int(fx, "B");
        RC_CHECK(B > 0 && B <= 16, "batch %d", B);
        if (B <= 0 || B > 16 || !rc_fx_read_ints(fx, "lengths", lengths, (size_t)B)) return;
        lens = lengths;
    }
    rc_tensor *x = rc_fx_input(fx, g, "x", true);
    rc_tensor *h0 = has_h0 ? rc_fx_input(fx, g, "h0", true) : NULL;
    rc_tensor *c0 = has_h0 && lstm ? rc_fx_input(fx, g, "c0", true) : NULL;
    if (!x || (has_h0 && !h0) || (has_h0 && lstm && !c0)) return;

    rc_rnn_result r;
    rc_status s = rc_rnn_forward(m, g, x, h0, c0, lens, &r);
    RC_CHECK(s == RC_OK, "%s: forward: %s", fx->prefix, rc_last_error());
    if (s != RC_OK) return;
    RC_CHECK(lstm == (r.c_n != NULL), "%s: c_n is returned exactly for LSTM", fx->prefix);
    bool seeded = rc_fx_read_grad(fx, "d_output", r.output) && rc_fx_read_grad(fx, "d_h_n", r.h_n) &&
                  (!lstm || rc_fx_read_grad(fx, "d_c_n", r.c_n));
    if (!seeded) return;
    s = rc_graph_backward(g, NULL);
    RC_CHECK(s == RC_OK, "%s: backward: %s", fx->prefix, rc_last_error());
    if (s != RC_OK) return;

    rc_fx_check(fx, "output", r.output);
    rc_fx_check(fx, "h_n", r.h_n);
    if (lstm) rc_fx_check(fx, "c_n", r.c_n);
    rc_fx_check_grad(fx, "x", x);
    if (h0) rc_fx_check_grad(fx, "h0", h0);
    if (c0) rc_fx_check_grad(fx, "c0", c0);
    rc_fx_check_param_grads(fx, ps);
    rc_fx_end(fx);
}

static void check_layer(rc_fx *fx, const char *prefix)
{
    if (!rc_fx_begin(fx, prefix)) return;
    rc_rnn_config cfg = layer_config(fx);
    if (cfg.mode == RC_RNN_MODE_COUNT) return;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn *m = NULL;
    rc_params *ps = NULL;
    rc_graph *g = NULL;
    RC_CHECK_OK(rc_rnn_create(&m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_graph_create(&g));
    if (m && ps && g) run_layer(fx, m, ps, g);
    rc_graph_free(g);
    rc_params_free(ps);
    rc_rnn_free(m);
}

static void check_layer_file(const char *path)
{
    rc_fx fx;
    if (!rc_fx_open(&fx, path)) return;
    json_t *configs = rc_fx_configs(&fx);
    if (configs) {
        RC_CHECK(json_array_size(configs) == RNN_CONFIGS, "%s: %zu configurations, expected %d", path,
                 json_array_size(configs), RNN_CONFIGS);
        for (size_t i = 0; i < json_array_size(configs); i++) {
            const char *prefix = json_string_value(json_array_get(configs, i));
            if (prefix) check_layer(&fx, prefix);
        }
    }
    json_decref(configs);
    rc_fx_close(&fx);
}

static void test_rnn_tanh(void) { check_layer_file("tests/fixtures/rnn_tanh.safetensors"); }
static void test_rnn_relu(void) { check_layer_file("tests/fixtures/rnn_relu.safetensors"); }
static void test_lstm(void) { check_layer_file("tests/fixtures/lstm.safetensors"); }
static void test_lstm_proj(void) { check_layer_file("tests/fixtures/lstm_proj.safetensors"); }
static void test_gru(void) { check_layer_file("tests/fixtures/gru.safetensors"); }

/* One step of RNNCell, LSTMCell or GRUCell: load, forward, backward, compare. */
static void run_cell(rc_fx *fx, rc_rnn_cell *cell, rc_params *ps, rc_graph *g)
{
    bool lstm = rc_rnn_cell_mode(cell) == RC_LSTM, has_state = rc_fx_bool(fx, "has_state");
    if (rc_rnn_cell_add_params(cell, ps, NULL) != RC_OK || !rc_fx_load_params(fx, ps, "")) {
        RC_CHECK(false, "%s: parameters not loaded: %s", fx->prefix, rc_last_error());
        return;
    }
    rc_tensor *x = rc_fx_input(fx, g, "x", true);
    rc_tensor *h = has_state ? rc_fx_input(fx, g, "h", true) : NULL;
    rc_tensor *c = has_state && lstm ? rc_fx_input(fx, g, "c", true) : NULL;
    if (!x || (has_state && !h) || (has_state && lstm && !c)) return;
    rc_tensor *h1 = NULL, *c1 = NULL;
    rc_status s = rc_rnn_cell_forward(cell, g, x, h, c, &h1, lstm ? &c1 : NULL);
    RC_CHECK(s == RC_OK, "%s: forward: %s", fx->prefix, rc_last_error());
    if (s != RC_OK) return;
    if (!rc_fx_read_grad(fx, "d_h_out", h1) || (lstm && !rc_fx_read_grad(fx, "d_c_out", c1))) return;
    s = rc_graph_backward(g, NULL);
    RC_CHECK(s == RC_OK, "%s: backward: %s", fx->prefix, rc_last_error());
    if (s != RC_OK) return;

    rc_fx_check(fx, "h_out", h1);
    if (lstm) rc_fx_check(fx, "c_out", c1);
    rc_fx_check_grad(fx, "x", x);
    if (h) rc_fx_check_grad(fx, "h", h);
    if (c) rc_fx_check_grad(fx, "c", c);
    rc_fx_check_param_grads(fx, ps);
    rc_fx_end(fx);
}

static void check_cell(rc_fx *fx, const char *prefix)
{
    if (!rc_fx_begin(fx, prefix)) return;
    rc_rnn_mode mode = mode_named(rc_fx_str(fx, "mode"));
    if (mode == RC_RNN_MODE_COUNT) return;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_cell *cell = NULL;
    rc_params *ps = NULL;
    rc_graph *g = NULL;
    RC_CHECK_OK(rc_rnn_cell_create(&cell, mode, rc_fx_int(fx, "input_size"), rc_fx_int(fx, "hidden_size"), true, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_graph_create(&g));
    if (cell && ps && g) run_cell(fx, cell, ps, g);
    rc_graph_free(g);
    rc_params_free(ps);
    rc_rnn_cell_free(cell);
}

static void test_cells(void)
{
    rc_fx fx;
    if (!rc_fx_open(&fx, "tests/fixtures/cells.safetensors")) return;
    json_t *configs = rc_fx_configs(&fx);
    /* 4 cells × with and without an initial state */
    RC_CHECK(json_array_size(configs) == 8, "%zu cell configurations, expected 8", json_array_size(configs));
    for (size_t i = 0; i < json_array_size(configs); i++) {
        const char *prefix = json_string_value(json_array_get(configs, i));
        if (prefix) check_cell(&fx, prefix);
    }
    json_decref(configs);
    rc_fx_close(&fx);
}

int main(void)
{
    RC_RUN(test_rnn_tanh);
    RC_RUN(test_rnn_relu);
    RC_RUN(test_lstm);
    RC_RUN(test_lstm_proj);
    RC_RUN(test_gru);
    RC_RUN(test_cells);
    return rc_test_finish();
}
