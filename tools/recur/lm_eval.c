/*
 * `recur lm eval`: the mean cross-entropy of a model over a text, in nats
 * per character, with its perplexity and bits per character.
 */
#include <math.h>
#include <stdlib.h>

#include "lm.h"
#include "metrics.h"

/* Fills the (T, B) inputs and targets of chunk position p: stream b predicts
 * targets j = b·S + p + t (ids[j + 1] from ids[j]) while j < M; positions
 * past the end of the text are padding, ignored by the loss. */
static void fill_eval_chunk(int *in, int *tgt, const int *ids, size_t M, size_t S, size_t p, int T, int B)
{
    for (int t = 0; t < T; t++) {
        for (int b = 0; b < B; b++) {
            size_t j = (size_t)b * S + p + (size_t)t;
            in[t * B + b] = j < M ? ids[j] : RC_VOCAB_UNK;
            tgt[t * B + b] = j < M ? ids[j + 1] : -100;
        }
    }
}

rc_status lm_evaluate(lm_model *m, rc_graph *g, const int *ids, size_t n, int B, int T, double *loss)
{
    if (n < 2) return rc_error(RC_E_INVALID, "a text of %zu characters has nothing to predict (at least 2 needed)", n);
    size_t M = n - 1, S = (M + (size_t)B - 1) / (size_t)B;
    int streams = (int)((M + S - 1) / S);
    lm_state st;
    rc_status s = lm_state_create(&st, m, streams);
    int *in = malloc((size_t)T * (size_t)streams * sizeof *in), *tgt = malloc((size_t)T * (size_t)streams * sizeof *tgt);
    if (s == RC_OK && (!in || !tgt)) s = rc_error(RC_E_NOMEM, "out of memory for evaluation batches");
    double sum = 0;
    for (size_t p = 0; s == RC_OK && p < S; p += (size_t)T) {
        int Tc = S - p < (size_t)T ? (int)(S - p) : T;
        fill_eval_chunk(in, tgt, ids, M, S, p, Tc, streams);
        rc_graph_reset(g);
        rc_tensor *logits = lm_forward(m, g, in, Tc, streams, &st);
        int flat[2] = {Tc * streams, m->vocab_size};
        rc_tensor *l = rc_cross_entropy(g, rc_reshape(g, logits, 2, flat), tgt, -100, RC_REDUCTION_SUM);
        if (!l) s = rc_graph_status(g);
        else sum += l->data[0];
    }
    free(in);
    free(tgt);
    lm_state_free(&st);
    *loss = sum / (double)M;
    return s;
}

int lm_eval_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    int seq_len = LM_SEQ_LEN_DEFAULT;
    cli_table t;
    cli_table_init(&t, "recur lm eval", "--model FILE --data FILE [options]",
                   "Evaluates a language model on a UTF-8 text: the mean cross-entropy of predicting each character\n"
                   "from the ones before it (loss, in nats per character), perplexity = exp(loss) and bits per\n"
                   "character = loss / ln 2. The text is cut into --batch streams that start from a zero state.");
    cli_add_common_as(&t, &c, "model", NULL, "the model file to evaluate", true);
    cli_add_common_as(&t, &c, "data", NULL, "the text to evaluate on", true);
    cli_add_common(&t, &c, "batch");
    lm_add_seq_len(&t, &seq_len);
    cli_add_common(&t, &c, "threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    lm_model m;
    rc_vocab *vocab = NULL;
    rc_text text = {0};
    rc_graph *g = NULL;
    int *ids = NULL;
    double loss = 0;
    rc_status s = lm_model_load(&m, &vocab, c.model);
    if (s == RC_OK) s = lm_read_text(&text, c.data);
    if (s == RC_OK && !(ids = malloc(text.n * sizeof *ids))) s = rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = rc_graph_create(&g);
    size_t unknown = 0;
    if (s == RC_OK) {
        unknown = rc_vocab_encode(vocab, text.cps, text.n, ids);
        rc_graph_set_training(g, false);
        rc_graph_set_grad_enabled(g, false);
        s = lm_evaluate(&m, g, ids, text.n, c.batch, seq_len, &loss);
    }
    if (s == RC_OK) {
        s = cli_emit(json_pack("{s:f, s:f, s:f, s:I, s:I}", "loss", loss, "perplexity", exp(loss), "bits_per_char",
                               loss / log(2.0), "chars", (json_int_t)text.n, "unknown_chars", (json_int_t)unknown),
                     c.json, stdout);
    }
    rc = cli_exit_status(&t, s);
    rc_graph_free(g);
    free(ids);
    rc_text_free(&text);
    rc_vocab_free(vocab);
    lm_model_free(&m);
    return rc;
}
