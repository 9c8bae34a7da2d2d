/* A two-layer LSTM learns to echo its input one step late: y[t] = x[t-1].
 * Each step: forward, loss, backward, gradient clipping, Adam. */
#include <stdio.h>

#include "recur.h"

#define TRY(call) \
    do { \
        if ((status = (call)) != RC_OK) goto fail; \
    } while (0)

enum { T = 12, B = 8, H = 16, STEPS = 300 };

int main(void)
{
    rc_status status = RC_OK;
    rc_rng rng;
    rc_rng_seed(&rng, 42);
    rc_rnn *lstm = NULL;
    rc_linear_module head = {0};
    rc_params *ps = NULL;
    rc_optim *opt = NULL;
    rc_graph *g = NULL;
    rc_tensor *x = NULL, *y = NULL;
    double first = 0, last = 0;

    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, 1, H); /* nn.LSTM(1, 16, num_layers=2) */
    cfg.num_layers = 2;
    TRY(rc_rnn_create(&lstm, &cfg, &rng));
    TRY(rc_linear_init(&head, H, 1, true, &rng)); /* nn.Linear(16, 1) */
    TRY(rc_params_create(&ps));
    TRY(rc_rnn_add_params(lstm, ps, "lstm")); /* lstm.weight_ih_l0, ... */
    TRY(rc_linear_add_params(&head, ps, "head"));
    rc_optim_config oc = rc_optim_config_default(RC_OPTIM_ADAM, 1e-2f);
    TRY(rc_optim_create(&opt, &oc, ps));
    TRY(rc_graph_create(&g));
    int shape[3] = {T, B, 1}; /* (T, B, I): PyTorch's default layout */
    TRY(rc_tensor_new(&x, 3, shape, false));
    TRY(rc_tensor_new(&y, 3, shape, false));

    for (int step = 0; step < STEPS; step++) {
        rc_rng_fill_uniform(&rng, x->data, x->numel, -1.0, 1.0);
        for (int i = 0; i < T * B; i++) y->data[i] = i < B ? 0 : x->data[i - B];

        rc_graph_reset(g);
        rc_rnn_result r;
        TRY(rc_rnn_forward(lstm, g, x, NULL, NULL, NULL, &r));      /* h0 = c0 = 0 */
        rc_tensor *pred = rc_linear_forward(&head, g, r.output);     /* (T, B, 1) */
        rc_tensor *loss = rc_mse_loss(g, pred, y, RC_REDUCTION_MEAN);
        TRY(rc_graph_status(g)); /* ops record the first error; check once */

        rc_params_zero_grad(ps);
        TRY(rc_graph_backward(g, loss));
        rc_clip_grad_norm(ps, 1.0f);
        TRY(rc_optim_step(opt));

        last = loss->data[0];
        if (step == 0) first = last;
        if (step % 50 == 0 || step == STEPS - 1) printf("step %3d  mse %.5f\n", step, last);
    }
    printf("mse fell from %.4f to %.4f\n", first, last);

fail:
    if (status != RC_OK) fprintf(stderr, "%s: %s\n", rc_status_str(status), rc_last_error());
    rc_tensor_free(y);
    rc_tensor_free(x);
    rc_graph_free(g);
    rc_optim_free(opt);
    rc_params_free(ps);
    rc_linear_destroy(&head);
    rc_rnn_free(lstm);
    return status != RC_OK || !(last < first / 10); /* fail unless it learned */
}
