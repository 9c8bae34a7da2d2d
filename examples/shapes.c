/*
 * The shape demonstrations of the classic PyTorch RNN tutorial, run with
 * recur: nn.RNN(5, 6, 1), nn.LSTM(5, 6, 2) and nn.GRU(5, 6, 2) on an input of
 * sequence length 1, batch 3 and 5 features, with random initial states.
 * Prints each session as PyTorch would, with the shapes as torch.Size lines,
 * and exits non-zero unless every shape is PyTorch's and, as the sequence has
 * one step, output equals the last layer of h_n.
 */
#include <math.h>
#include <stdio.h>

#include "recur.h"

enum { T = 1, B = 3, I = 5, H = 6 };

typedef struct demo {
    const char *ctor; /* the PyTorch constructor it mirrors */
    rc_rnn_mode mode;
    int num_layers;
} demo;

static void print_size(const char *name, const rc_tensor *t)
{
    printf(">>> %s.shape\ntorch.Size([", name);
    for (int d = 0; d < t->ndim; d++) printf("%s%d", d ? ", " : "", t->shape[d]);
    printf("])\n");
}

static int check_shape(const char *name, const rc_tensor *t, int d0, int d1, int d2)
{
    int want[3] = {d0, d1, d2};
    if (rc_tensor_has_shape(t, 3, want)) return 0;
    char got[64];
    fprintf(stderr, "FAIL: %s is %s, PyTorch gives (%d, %d, %d)\n", name, rc_shape_str(t, got, sizeof got), d0, d1,
            d2);
    return 1;
}

static rc_status new_randn(rc_tensor **t, int L, int d1, int d2, rc_rng *rng)
{
    int shape[3] = {L, d1, d2};
    rc_status s = rc_tensor_new(t, 3, shape, false);
    if (s == RC_OK) rc_rng_fill_normal(rng, (*t)->data, (*t)->numel, 0.0, 1.0);
    return s;
}

/* Number of failed checks, or -1 if a call failed. */
static int run(const demo *d, rc_graph *g, rc_rng *rng)
{
    const int L = d->num_layers;
    const bool lstm = d->mode == RC_LSTM;
    rc_rnn_config cfg = rc_rnn_config_default(d->mode, I, H);
    cfg.num_layers = L;
    rc_rnn *m = NULL;
    rc_tensor *x = NULL, *h0 = NULL, *c0 = NULL;
    int fails = -1;
    if (rc_rnn_create(&m, &cfg, rng) != RC_OK || new_randn(&x, T, B, I, rng) != RC_OK ||
        new_randn(&h0, L, B, H, rng) != RC_OK || (lstm && new_randn(&c0, L, B, H, rng) != RC_OK))
        goto done;

    printf(">>> rnn = %s(%d, %d, %d)\n", d->ctor, I, H, L);
    printf(">>> input = torch.randn(%d, %d, %d)\n", T, B, I);
    printf(">>> h0 = torch.randn(%d, %d, %d)\n", L, B, H);
    if (lstm) printf(">>> c0 = torch.randn(%d, %d, %d)\n", L, B, H);
    printf(lstm ? ">>> output, (hn, cn) = rnn(input, (h0, c0))\n" : ">>> output, hn = rnn(input, h0)\n");

    rc_graph_reset(g);
    rc_rnn_result r;
    if (rc_rnn_forward(m, g, x, h0, c0, NULL, &r) != RC_OK) goto done;
    print_size("output", r.output);
    print_size("hn", r.h_n);
    if (lstm) print_size("cn", r.c_n);

    fails = check_shape("output", r.output, T, B, H) + check_shape("hn", r.h_n, L, B, H);
    if (lstm) fails += r.c_n ? check_shape("cn", r.c_n, L, B, H) : 1;
    if (fails == 0) {
        /* One step: output[0] is the top layer's final state, h_n[L - 1]. */
        const rc_real *top = r.h_n->data + (size_t)(L - 1) * B * H;
        double diff = 0;
        for (int i = 0; i < B * H; i++) diff = fmax(diff, fabs((double)r.output->data[i] - top[i]));
        printf("max |output[0] - hn[%d]| = %g\n\n", L - 1, diff);
        if (diff != 0) {
            fprintf(stderr, "FAIL: output[0] differs from hn[%d]\n", L - 1);
            fails++;
        }
    }
done:
    if (fails < 0) fprintf(stderr, "%s: %s\n", d->ctor, rc_last_error());
    rc_tensor_free(c0);
    rc_tensor_free(h0);
    rc_tensor_free(x);
    rc_rnn_free(m);
    return fails;
}

int main(void)
{
    static const demo demos[] = {
        {"nn.RNN", RC_RNN_TANH, 1},
        {"nn.LSTM", RC_LSTM, 2},
        {"nn.GRU", RC_GRU, 2},
    };
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_graph *g;
    if (rc_graph_create(&g) != RC_OK) {
        fprintf(stderr, "%s\n", rc_last_error());
        return 1;
    }
    int bad = 0;
    for (size_t i = 0; i < sizeof demos / sizeof demos[0]; i++) bad |= run(&demos[i], g, &rng) != 0;
    rc_graph_free(g);
    return bad;
}
