/*
 * Learning check, not part of the default test run (it trains for about two
 * minutes on one core): a small seq2seq model learns to reverse random
 * strings of 5 to 15 symbols over a 10-symbol alphabet. The same model
 * (bidirectional GRU encoder, embeddings 32, encoder hidden 64, GRU decoder
 * hidden 128, batches of 64, Adam 2e-3, gradients clipped to norm 1,
 * teacher forcing 1) is trained with Bahdanau attention and without
 * attention (the fixed context vector fed at every step) for the same number
 * of steps (default 1000), and both are scored by exact match of greedy
 * decoding on 1000 fresh strings and on 1000 fresh strings of length 15.
 *
 *     make build/rel/bin/learn/reverse && OPENBLAS_NUM_THREADS=1 build/rel/bin/learn/reverse [steps]
 *
 * Exits 0 when the attention model reaches >= 99% exact match and the model
 * without attention does worse at length 15 by at least 10 points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recur.h"

enum { PAD = 0, BOS = 1, EOS = 2, FIRST = 3, ALPHABET = 10, V = FIRST + ALPHABET };
enum { MIN_LEN = 5, MAX_LEN = 15, BATCH = 64, EVAL = 1000 };

/* A batch of random strings and their reversals followed by eos. */
typedef struct task {
    int B;
    int src[EVAL * MAX_LEN], lengths[EVAL], tgt[EVAL * (MAX_LEN + 1)];
} task;

static void make_task(task *k, int B, int fixed_len, rc_rng *rng)
{
    k->B = B;
    for (int b = 0; b < B; b++) {
        int n = fixed_len ? fixed_len : MIN_LEN + (int)rc_rng_below(rng, MAX_LEN - MIN_LEN + 1);
        k->lengths[b] = n;
        for (int j = 0; j < MAX_LEN; j++)
            k->src[b * MAX_LEN + j] = j < n ? FIRST + (int)rc_rng_below(rng, ALPHABET) : PAD;
        for (int j = 0; j <= MAX_LEN; j++)
            k->tgt[b * (MAX_LEN + 1) + j] = j < n ? k->src[b * MAX_LEN + n - 1 - j] : j == n ? EOS : PAD;
    }
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Fraction of the task's strings that greedy decoding reverses exactly. */
static double exact_match(rc_seq2seq *m, const task *k)
{
    rc_seq2seq_source src = {k->B, MAX_LEN, k->src, k->lengths};
    rc_seq2seq_decode_config dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_GREEDY, MAX_LEN + 1);
    rc_seq2seq_output out;
    if (rc_seq2seq_decode(m, &src, &dc, &out) != RC_OK) {
        fprintf(stderr, "decode: %s\n", rc_last_error());
        return -1;
    }
    int right = 0;
    for (int b = 0; b < k->B; b++) {
        int n = k->lengths[b] + 1;
        right += out.lengths[b] == n && !memcmp(out.ids + (size_t)b * out.max_len, k->tgt + b * (MAX_LEN + 1),
                                                (size_t)n * sizeof(int));
    }
    rc_seq2seq_output_free(&out);
    return (double)right / k->B;
}

typedef struct result {
    double all, at15, secs;
} result;

static result train(rc_seq2seq_attention attention, int steps, const task *test, const task *test15)
{
    result res = {-1, -1, 0};
    rc_rng rng;
    rc_rng_seed(&rng, 2024);
    rc_seq2seq_config cfg = rc_seq2seq_config_default(attention, V, V, 32, 64);
    cfg.decoder_hidden = 128;
    rc_seq2seq *m = NULL;
    rc_params *ps = NULL;
    rc_graph *g = NULL;
    rc_optim *opt = NULL;
    rc_optim_config oc = rc_optim_config_default(RC_OPTIM_ADAM, 2e-3f);
    task *batch = malloc(sizeof *batch);
    if (!batch || rc_seq2seq_create(&m, &cfg, &rng) != RC_OK || rc_params_create(&ps) != RC_OK ||
        rc_seq2seq_add_params(m, ps, NULL) != RC_OK || rc_graph_create(&g) != RC_OK ||
        rc_optim_create(&opt, &oc, ps) != RC_OK) {
        fprintf(stderr, "setup: %s\n", rc_last_error());
        goto done;
    }
    printf("%s: %zu parameters\n", rc_seq2seq_attention_name(attention), rc_params_numel(ps));
    double t0 = seconds(), loss_sum = 0;
    for (int step = 1; step <= steps; step++) {
        make_task(batch, BATCH, 0, &rng);
        rc_seq2seq_batch b = {.src = {BATCH, MAX_LEN, batch->src, batch->lengths}, .tgt_len = MAX_LEN + 1,
                              .tgt = batch->tgt};
        rc_graph_reset(g);
        rc_seq2seq_result r;
        if (rc_seq2seq_forward(m, g, &b, 1.0, NULL, &r) != RC_OK) {
            fprintf(stderr, "forward: %s\n", rc_graph_error(g));
            goto done;
        }
        loss_sum += r.loss->data[0];
        rc_params_zero_grad(ps);
        rc_graph_backward(g, r.loss);
        rc_clip_grad_norm(ps, 1.0f);
        rc_optim_step(opt);
        if (step % 250 == 0) {
            printf("  step %5d  loss %.4f  exact match %.3f  (%.0f s)\n", step, loss_sum / 250,
                   exact_match(m, test), seconds() - t0);
            fflush(stdout);
            loss_sum = 0;
        }
    }
    res = (result){exact_match(m, test), exact_match(m, test15), seconds() - t0};
    printf("%s: exact match %.4f overall, %.4f at length 15, %.0f s\n", rc_seq2seq_attention_name(attention), res.all,
           res.at15, res.secs);
done:
    free(batch);
    rc_optim_free(opt);
    rc_graph_free(g);
    rc_params_free(ps);
    rc_seq2seq_free(m);
    return res;
}

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 1000;
    task *test = malloc(sizeof *test), *test15 = malloc(sizeof *test15);
    if (!test || !test15 || steps < 1) return 2;
    rc_rng rng;
    rc_rng_seed(&rng, 7);
    make_task(test, EVAL, 0, &rng);
    make_task(test15, EVAL, MAX_LEN, &rng);
    result att = train(RC_SEQ2SEQ_BAHDANAU, steps, test, test15);
    result none = train(RC_SEQ2SEQ_NO_ATTENTION, steps, test, test15);
    free(test);
    free(test15);
    bool ok = att.all >= 0.99 && none.at15 <= att.at15 - 0.10;
    printf("attention %.4f (length 15: %.4f), no attention %.4f (length 15: %.4f): %s\n", att.all, att.at15,
           none.all, none.at15, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
