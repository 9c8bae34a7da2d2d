/*
 * A seq2seq model with Luong attention learns to reverse short strings of
 * letters, then beam search decodes a few of them and prints the n-best
 * hypotheses with their scores and the best one's attention heatmap:
 *
 *     seq2seq_reverse [STEPS]        (default 400, a few seconds)
 *
 * The heatmap's rows are output tokens, its columns source letters; a
 * reversal shows as an anti-diagonal.
 */
#include <stdio.h>
#include <stdlib.h>

#include "recur.h"

enum { PAD = 0, BOS = 1, EOS = 2, FIRST = 3, LETTERS = 6, V = FIRST + LETTERS };
enum { B = 32, S = 6, T = S + 1, SHOW = 3 };

/* Random strings of 2..S letters into src (B, S) and their reversals + eos into tgt (B, T). */
static void make_batch(int *src, int *lengths, int *tgt, int n, rc_rng *rng)
{
    for (int b = 0; b < n; b++) {
        int len = 2 + (int)rc_rng_below(rng, S - 1);
        lengths[b] = len;
        for (int j = 0; j < S; j++) src[b * S + j] = j < len ? FIRST + (int)rc_rng_below(rng, LETTERS) : PAD;
        for (int j = 0; j < T; j++) tgt[b * T + j] = j < len ? src[b * S + len - 1 - j] : j == len ? EOS : PAD;
    }
}

static char letter(int id) { return id >= FIRST ? (char)('a' + id - FIRST) : id == EOS ? '$' : '?'; }

static int train(rc_seq2seq *m, rc_params *ps, int steps, rc_rng *rng)
{
    rc_graph *g;
    rc_optim *opt;
    rc_optim_config oc = rc_optim_config_default(RC_OPTIM_ADAM, 5e-3f);
    if (rc_graph_create(&g) != RC_OK) return 1;
    if (rc_optim_create(&opt, &oc, ps) != RC_OK) {
        rc_graph_free(g);
        return 1;
    }
    int src[B * S], lengths[B], tgt[B * T];
    for (int step = 1; step <= steps; step++) {
        make_batch(src, lengths, tgt, B, rng);
        rc_seq2seq_batch batch = {.src = {B, S, src, lengths}, .tgt_len = T, .tgt = tgt};
        rc_seq2seq_result r;
        rc_graph_reset(g);
        if (rc_seq2seq_forward(m, g, &batch, 1.0, NULL, &r) != RC_OK) {
            fprintf(stderr, "%s\n", rc_graph_error(g));
            break;
        }
        rc_params_zero_grad(ps);
        rc_graph_backward(g, r.loss);
        rc_clip_grad_norm(ps, 1.0f);
        rc_optim_step(opt);
        if (step % 100 == 0) printf("step %d  loss %.4f\n", step, (double)r.loss->data[0]);
    }
    rc_optim_free(opt);
    rc_graph_free(g);
    return 0;
}

static void show(const rc_seq2seq_output *out, const int *src, const int *lengths)
{
    for (int b = 0; b < out->batch; b++) {
        printf("\nsource ");
        for (int j = 0; j < lengths[b]; j++) putchar(letter(src[b * S + j]));
        putchar('\n');
        for (int i = 0; i < out->n_best; i++) {
            int r = b * out->n_best + i;
            printf("  %d. ", i + 1);
            for (int t = 0; t < out->lengths[r]; t++) putchar(letter(out->ids[r * out->max_len + t]));
            printf("   score %.4f  normalised %.4f\n", out->scores[r], out->norm_scores[r]);
        }
        int best = b * out->n_best;
        for (int t = 0; t < out->lengths[best]; t++) {
            printf("     %c |", letter(out->ids[best * out->max_len + t]));
            for (int j = 0; j < lengths[b]; j++) {
                rc_real w = out->attention[((size_t)best * out->max_len + t) * out->src_len + j];
                putchar(" .:-=+*#%@"[(int)(w * 9.99)]);
            }
            printf("|\n");
        }
    }
}

int main(int argc, char **argv)
{
    int steps = argc > 1 ? atoi(argv[1]) : 400;
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_seq2seq_config cfg = rc_seq2seq_config_default(RC_SEQ2SEQ_LUONG_GENERAL, V, V, 16, 32);
    cfg.encoder.mode = cfg.decoder_mode = RC_LSTM;
    rc_seq2seq *m;
    rc_params *ps;
    if (rc_seq2seq_create(&m, &cfg, &rng) != RC_OK || rc_params_create(&ps) != RC_OK) {
        fprintf(stderr, "%s\n", rc_last_error());
        return 1;
    }
    int status = rc_seq2seq_add_params(m, ps, NULL) != RC_OK || train(m, ps, steps, &rng);

    int src[SHOW * S], lengths[SHOW], tgt[SHOW * T];
    make_batch(src, lengths, tgt, SHOW, &rng);
    rc_seq2seq_source source = {SHOW, S, src, lengths};
    rc_seq2seq_decode_config dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_BEAM, T);
    dc.beam_size = 4;
    dc.n_best = 2;
    dc.attention = true;
    rc_seq2seq_output out;
    if (!status && rc_seq2seq_decode(m, &source, &dc, &out) == RC_OK) {
        show(&out, src, lengths);
        rc_seq2seq_output_free(&out);
    } else {
        fprintf(stderr, "%s\n", rc_last_error());
        status = 1;
    }
    rc_params_free(ps);
    rc_seq2seq_free(m);
    return status;
}
