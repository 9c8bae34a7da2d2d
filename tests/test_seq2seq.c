/*
 * seq2seq models (float build): PyTorch parity of the training loss, logits,
 * attention weights and every parameter gradient; the decoders without
 * fixtures against their equations evaluated independently; decoded
 * hypotheses checked against independent teacher-forced passes (their
 * tokens, scores and attention rows); the searches against each other;
 * stopping rules; errors.
 *
 * Tolerances:
 *   parity: logits and weights 1e-5 absolute and gradients 1e-4 relative to
 *     the tensor's max |PyTorch| (tests/support/fixture.h); the loss 1e-5
 *     relative; gradients that are exactly 0 in exact arithmetic (biases
 *     shifting every score of a softmax row) 1e-6 absolute, the size of
 *     float rounding in a sum of terms cancelling to 0.
 *   scores of decoded hypotheses against teacher forcing: 1e-4 absolute.
 *     Both sum the same float32 log-probabilities over ≤ 10 steps, but
 *     decoding encodes other batch shapes, so products round differently
 *     (~1e-6 per step).
 *   attention rows: 1e-5 absolute, for the same reason.
 */
#include <math.h>
#include <string.h>

#include "fixture.h"

#define SCORE_TOL 1e-4
#define WEIGHT_TOL 1e-5

enum { PAD = 0, BOS = 1, EOS = 2 };

/* ---- PyTorch parity ---------------------------------------------------- */

static rc_seq2seq_attention attention_named(const char *name)
{
    for (int a = 0; a < RC_SEQ2SEQ_ATTENTION_COUNT; a++)
        if (strcmp(rc_seq2seq_attention_name((rc_seq2seq_attention)a), name) == 0) return (rc_seq2seq_attention)a;
    RC_CHECK(false, "unknown attention \"%s\"", name);
    return RC_SEQ2SEQ_NO_ATTENTION;
}

static rc_rnn_mode mode_named(const char *name)
{
    for (int m = 0; m < RC_RNN_MODE_COUNT; m++)
        if (strcmp(rc_rnn_mode_name((rc_rnn_mode)m), name) == 0) return (rc_rnn_mode)m;
    RC_CHECK(false, "unknown mode \"%s\"", name);
    return RC_GRU;
}

static rc_seq2seq_config fixture_config(rc_fx *fx)
{
    rc_seq2seq_config c = rc_seq2seq_config_default(attention_named(rc_fx_str(fx, "attention")),
                                                    rc_fx_int(fx, "src_vocab"), rc_fx_int(fx, "tgt_vocab"),
                                                    rc_fx_int(fx, "src_embed"), rc_fx_int(fx, "encoder_hidden"));
    c.encoder.mode = mode_named(rc_fx_str(fx, "encoder_mode"));
    c.encoder.num_layers = rc_fx_int(fx, "num_layers");
    c.tgt_embed = rc_fx_int(fx, "tgt_embed");
    c.decoder_mode = mode_named(rc_fx_str(fx, "decoder_mode"));
    c.decoder_hidden = rc_fx_int(fx, "decoder_hidden");
    c.attention_hidden = rc_fx_int(fx, "attention_hidden");
    c.src_pad = c.tgt_pad = rc_fx_int(fx, "pad");
    c.bos = rc_fx_int(fx, "bos");
    c.eos = rc_fx_int(fx, "eos");
    return c;
}

/* Biases that shift every score of a softmax row equally: their gradient
 * is 0 in exact arithmetic. */
static bool cancels(const char *name)
{
    return strcmp(name, "decoder.attention.Va.bias") == 0 || strcmp(name, "decoder.attention.attn.bias") == 0;
}

static void parity_config(rc_fx *fx, const char *prefix)
{
    if (!rc_fx_begin(fx, prefix)) return;
    rc_seq2seq_config cfg = fixture_config(fx);
    enum { MAX = 64 };
    int B = rc_fx_int(fx, "batch"), S = rc_fx_int(fx, "src_len"), T = rc_fx_int(fx, "tgt_len");
    int src[MAX], lengths[MAX], tgt[MAX];
    RC_CHECK(B * S <= MAX && B * T <= MAX, "fixture batch too large");
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_seq2seq *m = NULL;
    rc_params *ps = NULL;
    rc_graph *g = NULL;
    RC_CHECK_OK(rc_seq2seq_create(&m, &cfg, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_graph_create(&g));
    bool ok = m && ps && g && B * S <= MAX && B * T <= MAX && rc_seq2seq_add_params(m, ps, NULL) == RC_OK &&
              rc_fx_load_params(fx, ps, "params.") && rc_fx_read_ints(fx, "src", src, (size_t)B * S) &&
              rc_fx_read_ints(fx, "src_lengths", lengths, (size_t)B) && rc_fx_read_ints(fx, "tgt", tgt, (size_t)B * T);
    rc_seq2seq_batch batch = {.src = {B, S, src, lengths}, .tgt_len = T, .tgt = tgt};
    rc_seq2seq_result r;
    if (ok) {
        RC_CHECK_OK(rc_seq2seq_forward(m, g, &batch, 1.0, NULL, &r));
        ok = rc_graph_status(g) == RC_OK;
    }
    if (ok) {
        rc_params_zero_grad(ps);
        RC_CHECK_OK(rc_graph_backward(g, r.loss));
        rc_fx_check(fx, "logits", r.logits);
        if (rc_fx_has(fx, "attention")) rc_fx_check(fx, "attention", r.attention);
        RC_CHECK((r.attention != NULL) == rc_fx_has(fx, "attention"), "attention weights present or absent");
        rc_fx_compare(fx, "loss", r.loss->data, 1, 0, 1e-5, NULL);
        for (size_t i = 0; i < rc_params_count(ps); i++) {
            const char *name = rc_params_name(ps, i);
            rc_tensor *p = rc_params_tensor(ps, i);
            if (!cancels(name)) {
                rc_fx_check_grad(fx, name, p);
                continue;
            }
            char key[RC_PARAM_NAME_MAX + 8];
            snprintf(key, sizeof key, "grad.%s", name);
            rc_fx_compare(fx, key, p->grad, p->numel, 1e-6, 0, NULL);
        }
        rc_fx_end(fx);
    }
    rc_graph_free(g);
    rc_params_free(ps);
    rc_seq2seq_free(m);
}

static void test_parity(void)
{
    rc_fx fx;
    if (!rc_fx_open(&fx, "tests/fixtures/seq2seq.safetensors")) return;
    json_t *configs = rc_fx_configs(&fx);
    RC_CHECK(json_array_size(configs) == 3, "3 configurations, got %zu", json_array_size(configs));
    for (size_t i = 0; i < json_array_size(configs); i++)
        parity_config(&fx, json_string_value(json_array_get(configs, i)));
    json_decref(configs);
    rc_fx_close(&fx);
}

/* ---- small random models and sources ----------------------------------- */

enum { VS = 9, VT = 7, MAX_B = 4, MAX_S = 6, MAX_LEN = 12 };

typedef struct model {
    rc_seq2seq *m;
    rc_params *ps;
} model;

/* A model with ids pad 0, bos 1, eos 2, embeddings and hidden 4 (8 for the
 * dot-product and multi-head decoders, which must match the bidirectional
 * encoder's 2·4; two heads of 4), rule 1 over MAX_S + 1 positions (so
 * sources are always padded). */
static model make_model(rc_seq2seq_attention a, uint64_t seed)
{
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    rc_seq2seq_config c = rc_seq2seq_config_default(a, VS, VT, 4, 4);
    if (a == RC_SEQ2SEQ_LUONG_DOT || a == RC_SEQ2SEQ_SCALED_DOT || a == RC_SEQ2SEQ_MULTIHEAD) c.decoder_hidden = 8;
    c.attention_heads = 2;
    c.attention_positions = MAX_S + 1;
    model md = {NULL, NULL};
    RC_CHECK_OK(rc_seq2seq_create(&md.m, &c, &rng));
    RC_CHECK_OK(rc_params_create(&md.ps));
    if (md.m && md.ps) RC_CHECK_OK(rc_seq2seq_add_params(md.m, md.ps, NULL));
    return md;
}

static void free_model(model *md)
{
    rc_params_free(md->ps);
    rc_seq2seq_free(md->m);
}

/* Adds delta to the eos logit's bias, to make ending likelier or rarer. */
static void shift_eos(model *md, rc_real delta)
{
    rc_tensor *b = rc_params_find(md->ps, "decoder.out.bias");
    RC_CHECK(b != NULL, "decoder.out.bias exists");
    if (b) b->data[EOS] += delta;
}

/* A source batch of ids in [3, VS) with lengths in [1, S], from seed. */
typedef struct batch_src {
    int ids[MAX_B * MAX_S], lengths[MAX_B];
    rc_seq2seq_source src;
} batch_src;

static void make_source(batch_src *bs, int B, int S, uint64_t seed)
{
    rc_rng rng;
    rc_rng_seed(&rng, seed);
    for (int i = 0; i < B * S; i++) bs->ids[i] = 3 + (int)rc_rng_below(&rng, VS - 3);
    for (int b = 0; b < B; b++) bs->lengths[b] = 1 + (int)rc_rng_below(&rng, (uint64_t)S);
    bs->src = (rc_seq2seq_source){B, S, bs->ids, bs->lengths};
}

/* ---- checking a hypothesis by teacher forcing --------------------------- */

/* Row r of out (sentence b): well formed, its score and normalised score
 * equal the log-probabilities of a teacher-forced training pass over its
 * tokens, each token is that pass's argmax if `argmax` (or among its top_k
 * if top_k > 0), and its attention rows are that pass's weights. */
static void check_hypothesis(rc_seq2seq *m, const rc_seq2seq_source *src, int b, const rc_seq2seq_output *out, int r,
                             double alpha, bool argmax, int top_k)
{
    int n = out->lengths[r], L = out->max_len, S = src->len;
    const int *y = out->ids + (size_t)r * L;
    RC_CHECK(n >= 1 && n <= L, "row %d length %d in [1, %d]", r, n, L);
    if (n < 1 || n > L) return;
    for (int t = 0; t < L; t++) {
        if (t >= n) RC_CHECK(y[t] == PAD, "row %d token %d past the length is %d, expected pad", r, t, y[t]);
        if (t < n - 1) RC_CHECK(y[t] != EOS, "row %d has eos at %d before its end %d", r, t, n);
    }
    RC_CHECK(n == L || y[n - 1] == EOS, "row %d stopped at %d < max_len without eos", r, n);

    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_graph_set_grad_enabled(g, false);
    rc_seq2seq_batch one = {.src = {1, S, src->ids + (size_t)b * S, src->lengths + b}, .tgt_len = n, .tgt = y};
    rc_seq2seq_result res;
    RC_CHECK_OK(rc_seq2seq_forward(m, g, &one, 1.0, NULL, &res));
    if (rc_graph_status(g) == RC_OK) {
        int V = res.logits->shape[2];
        double score = 0;
        for (int t = 0; t < n; t++) {
            const rc_real *l = res.logits->data + (size_t)t * V;
            double mx = l[0], sum = 0;
            int best = 0, rank = 0;
            for (int v = 0; v < V; v++) {
                if (l[v] > mx) {
                    mx = l[v];
                    best = v;
                }
                if (l[v] > l[y[t]]) rank++;
            }
            for (int v = 0; v < V; v++) sum += exp((double)l[v] - mx);
            score += (double)l[y[t]] - mx - log(sum);
            /* a near tie may flip between two batch shapes */
            if (argmax && l[best] - l[y[t]] > 1e-5)
                RC_CHECK(y[t] == best, "row %d token %d is %d, argmax %d", r, t, y[t], best);
            if (top_k > 0) RC_CHECK(rank < top_k, "row %d token %d has rank %d, outside the top %d", r, t, rank, top_k);
        }
        RC_CHECK(fabs(score - out->scores[r]) <= SCORE_TOL, "row %d score %.8g, teacher forcing gives %.8g", r,
                 out->scores[r], score);
        double norm = out->scores[r] / pow(n, alpha);
        RC_CHECK(fabs(norm - out->norm_scores[r]) <= 1e-9 * (1 + fabs(norm)), "row %d normalised %.8g, expected %.8g",
                 r, out->norm_scores[r], norm);
        if (out->attention && res.attention) {
            for (int t = 0; t < L; t++) {
                const rc_real *w = out->attention + ((size_t)r * L + t) * S;
                double sum = 0;
                for (int j = 0; j < S; j++) {
                    double want = t < n && j < src->lengths[b] ? res.attention->data[(size_t)t * S + j] : 0;
                    RC_CHECK(fabs(w[j] - want) <= WEIGHT_TOL, "row %d attention[%d, %d] = %g, expected %g", r, t, j,
                             (double)w[j], want);
                    sum += w[j];
                }
                RC_CHECK(fabs(sum - (t < n ? 1 : 0)) <= WEIGHT_TOL, "row %d attention row %d sums to %g", r, t, sum);
            }
        }
    }
    rc_graph_free(g);
}

static rc_seq2seq_decode_config search_config(rc_seq2seq_search search, int max_len, double alpha)
{
    rc_seq2seq_decode_config c = rc_seq2seq_decode_config_default(search, max_len);
    c.length_alpha = alpha;
    return c;
}

/* ---- greedy decoding ---------------------------------------------------- */

static void test_greedy_is_teacher_forced_argmax(void)
{
    for (int a = 0; a < RC_SEQ2SEQ_ATTENTION_COUNT; a++) {
        model md = make_model((rc_seq2seq_attention)a, 100 + a);
        batch_src bs;
        make_source(&bs, 3, 5, 200 + a);
        rc_seq2seq_decode_config dc = search_config(RC_SEQ2SEQ_GREEDY, 8, 0.7);
        dc.attention = a != RC_SEQ2SEQ_NO_ATTENTION;
        rc_seq2seq_output out;
        RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &dc, &out));
        RC_CHECK(out.n_best == 1 && out.batch == 3 && out.max_len == 8 && out.src_len == 5, "output sizes");
        RC_CHECK((out.attention != NULL) == dc.attention, "attention weights returned exactly when asked");
        for (int b = 0; out.ids && b < 3; b++) check_hypothesis(md.m, &bs.src, b, &out, b, 0.7, true, 0);
        rc_seq2seq_output_free(&out);
        free_model(&md);
    }
}

/* Greedy decoding feeds back its own argmax: so does a training pass with
 * teacher forcing 0, whose logits must then pick the same tokens. */
static void test_teacher_forcing_zero_is_greedy(void)
{
    model md = make_model(RC_SEQ2SEQ_BAHDANAU, 7);
    shift_eos(&md, -30); /* no sentence ends: every step of the pass is compared */
    batch_src bs;
    make_source(&bs, 3, 5, 8);
    rc_seq2seq_decode_config dc = search_config(RC_SEQ2SEQ_GREEDY, 6, 1);
    rc_seq2seq_output out;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &dc, &out));
    int tgt[3 * 6] = {0};
    rc_seq2seq_batch batch = {.src = bs.src, .tgt_len = 6, .tgt = tgt};
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_seq2seq_result r;
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 0.0, NULL, &r));
    for (int t = 0; out.ids && rc_graph_status(g) == RC_OK && t < 6; t++)
        for (int b = 0; b < 3; b++) {
            const rc_real *l = r.logits->data + ((size_t)t * 3 + b) * VT;
            int best = 0;
            for (int v = 1; v < VT; v++)
                if (l[v] > l[best]) best = v;
            RC_CHECK(out.ids[b * 6 + t] == best, "step %d sentence %d: greedy %d, teacher forcing 0 argmax %d", t, b,
                     out.ids[b * 6 + t], best);
        }
    rc_graph_free(g);
    rc_seq2seq_output_free(&out);
    free_model(&md);
}

/* ---- beam search -------------------------------------------------------- */

static void test_beam_one_is_greedy(void)
{
    for (int a = 0; a < RC_SEQ2SEQ_ATTENTION_COUNT; a++)
        for (int seed = 0; seed < 3; seed++) {
            model md = make_model((rc_seq2seq_attention)a, 300 + 10 * a + seed);
            batch_src bs;
            make_source(&bs, 4, 6, 400 + 10 * a + seed);
            rc_seq2seq_decode_config gc = search_config(RC_SEQ2SEQ_GREEDY, 9, 0.5), bc = gc;
            bc.search = RC_SEQ2SEQ_BEAM;
            bc.beam_size = 1;
            rc_seq2seq_output go, bo;
            RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &gc, &go));
            RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &bc, &bo));
            for (int b = 0; go.ids && bo.ids && b < 4; b++) {
                RC_CHECK(go.lengths[b] == bo.lengths[b], "kind %d sentence %d: lengths %d, %d", a, b, go.lengths[b],
                         bo.lengths[b]);
                RC_CHECK(!memcmp(go.ids + b * 9, bo.ids + b * 9, 9 * sizeof(int)), "kind %d sentence %d: ids differ", a,
                         b);
                RC_CHECK(fabs(go.scores[b] - bo.scores[b]) <= SCORE_TOL, "kind %d sentence %d: scores %.8g, %.8g", a,
                         b, go.scores[b], bo.scores[b]);
            }
            rc_seq2seq_output_free(&go);
            rc_seq2seq_output_free(&bo);
            free_model(&md);
        }
}

/* Property over random small models: beam search's best never scores below
 * greedy decoding's under the same normalisation, and every n-best
 * hypothesis is a distinct, well-formed hypothesis whose scores teacher
 * forcing confirms, ranked best first. */
static void test_beam_not_below_greedy(void)
{
    const double alphas[3] = {0, 0.5, 1};
    int compared = 0;
    for (int a = 0; a < RC_SEQ2SEQ_ATTENTION_COUNT; a++)
        for (int seed = 0; seed < 4; seed++) {
            model md = make_model((rc_seq2seq_attention)a, 500 + 10 * a + seed);
            batch_src bs;
            make_source(&bs, 3, 5, 600 + 10 * a + seed);
            for (int ai = 0; ai < 3; ai++) {
                rc_seq2seq_decode_config gc = search_config(RC_SEQ2SEQ_GREEDY, 8, alphas[ai]), bc = gc;
                bc.search = RC_SEQ2SEQ_BEAM;
                bc.beam_size = 3;
                bc.n_best = 3;
                bc.attention = a != RC_SEQ2SEQ_NO_ATTENTION;
                rc_seq2seq_output go, bo;
                RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &gc, &go));
                RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &bc, &bo));
                for (int b = 0; go.ids && bo.ids && b < 3; b++) {
                    compared++;
                    RC_CHECK(bo.norm_scores[b * 3] >= go.norm_scores[b] - SCORE_TOL,
                             "kind %d seed %d alpha %g sentence %d: beam %.8g below greedy %.8g", a, seed, alphas[ai],
                             b, bo.norm_scores[b * 3], go.norm_scores[b]);
                    for (int i = 0; i < 3; i++) {
                        int r = b * 3 + i;
                        if (bo.lengths[r] == 0) continue; /* fewer hypotheses than n_best */
                        check_hypothesis(md.m, &bs.src, b, &bo, r, alphas[ai], false, 0);
                        if (i > 0)
                            RC_CHECK(bo.norm_scores[r] <= bo.norm_scores[r - 1], "n-best not sorted at row %d", r);
                        for (int j = 0; j < i; j++)
                            RC_CHECK(bo.lengths[r] != bo.lengths[b * 3 + j] ||
                                         memcmp(bo.ids + (size_t)r * 8, bo.ids + (size_t)(b * 3 + j) * 8,
                                                8 * sizeof(int)),
                                     "rows %d and %d are the same hypothesis", r, b * 3 + j);
                    }
                }
                rc_seq2seq_output_free(&go);
                rc_seq2seq_output_free(&bo);
            }
            free_model(&md);
        }
    printf("  beam >= greedy over %d sentences\n", compared);
}

/* ---- sampling ----------------------------------------------------------- */

static void test_sampling(void)
{
    model md = make_model(RC_SEQ2SEQ_LUONG_GENERAL, 21);
    batch_src bs;
    make_source(&bs, 4, 5, 22);
    rc_rng rng;
    rc_rng_seed(&rng, 23);
    rc_seq2seq_decode_config gc = search_config(RC_SEQ2SEQ_GREEDY, 8, 1), sc = gc;
    sc.search = RC_SEQ2SEQ_SAMPLE;
    sc.rng = &rng;
    sc.top_k = 1;
    sc.temperature = 2.5;
    rc_seq2seq_output go, so;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &gc, &go));
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &sc, &so));
    for (int b = 0; go.ids && so.ids && b < 4; b++) {
        RC_CHECK(go.lengths[b] == so.lengths[b] && !memcmp(go.ids + b * 8, so.ids + b * 8, 8 * sizeof(int)),
                 "top_k 1 sampling differs from greedy at sentence %d", b);
        RC_CHECK(go.scores[b] == so.scores[b], "sentence %d: scores %.9g, %.9g", b, go.scores[b], so.scores[b]);
    }
    rc_seq2seq_output_free(&so);

    /* top_k 2: every token among the two likeliest, and the scores are the
     * model's (untempered) log-probabilities */
    sc.top_k = 2;
    sc.temperature = 0.7;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &sc, &so));
    for (int b = 0; so.ids && b < 4; b++) check_hypothesis(md.m, &bs.src, b, &so, b, 1, false, 2);
    rc_seq2seq_output_free(&so);

    /* without top-k at a high temperature some sentence leaves greedy's path */
    sc.top_k = 0;
    sc.temperature = 5;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &sc, &so));
    bool differs = false;
    for (int b = 0; so.ids && b < 4; b++) {
        check_hypothesis(md.m, &bs.src, b, &so, b, 1, false, 0);
        differs |= memcmp(go.ids + b * 8, so.ids + b * 8, 8 * sizeof(int)) != 0;
    }
    RC_CHECK(differs, "sampling at temperature 5 reproduced greedy decoding exactly");
    rc_seq2seq_output_free(&so);
    rc_seq2seq_output_free(&go);
    free_model(&md);
}

/* ---- lengths and stopping ----------------------------------------------- */

static void decode_all(model *md, const rc_seq2seq_source *src, int max_len, bool attention)
{
    rc_rng rng;
    rc_rng_seed(&rng, 5);
    for (int s = 0; s < RC_SEQ2SEQ_SEARCH_COUNT; s++) {
        rc_seq2seq_decode_config dc = search_config((rc_seq2seq_search)s, max_len, 1);
        dc.attention = attention;
        dc.rng = &rng;
        if (s == RC_SEQ2SEQ_BEAM) dc.n_best = 2;
        rc_seq2seq_output out;
        RC_CHECK_OK(rc_seq2seq_decode(md->m, src, &dc, &out));
        for (int b = 0; out.ids && b < src->batch; b++)
            for (int i = 0; i < out.n_best; i++)
                if (out.lengths[b * out.n_best + i])
                    check_hypothesis(md->m, src, b, &out, b * out.n_best + i, 1, s == RC_SEQ2SEQ_GREEDY, 0);
        rc_seq2seq_output_free(&out);
    }
}

static void test_source_of_length_one(void)
{
    model md = make_model(RC_SEQ2SEQ_BAHDANAU, 31);
    batch_src bs;
    make_source(&bs, 3, 4, 32);
    bs.lengths[1] = 1;
    decode_all(&md, &bs.src, 6, true);
    /* S = 1: all weight on the one source step */
    rc_seq2seq_source one = {2, 1, bs.ids, (int[]){1, 1}};
    rc_seq2seq_decode_config dc = search_config(RC_SEQ2SEQ_GREEDY, 5, 1);
    dc.attention = true;
    rc_seq2seq_output out;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &one, &dc, &out));
    for (int b = 0; out.ids && b < 2; b++)
        for (int t = 0; t < out.lengths[b]; t++)
            RC_CHECK(out.attention[b * 5 + t] == 1, "S = 1: weight %g", (double)out.attention[b * 5 + t]);
    decode_all(&md, &one, 5, true);
    rc_seq2seq_output_free(&out);
    free_model(&md);
}

/* Cross-entropy of logits (T, B, V) against tgt (B, T), mean over non-pad
 * targets, computed here in double. */
static double reference_loss(const rc_tensor *logits, const int *tgt, int B, int T)
{
    int V = logits->shape[2], count = 0;
    double sum = 0;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            int y = tgt[b * T + t];
            if (y == PAD) continue;
            const rc_real *l = logits->data + ((size_t)t * B + b) * V;
            double mx = l[0], z = 0;
            for (int v = 1; v < V; v++)
                if (l[v] > mx) mx = l[v];
            for (int v = 0; v < V; v++) z += exp((double)l[v] - mx);
            sum += mx + log(z) - l[y];
            count++;
        }
    return count ? sum / count : 0;
}

static void test_target_longer_than_source(void)
{
    for (int a = 0; a < RC_SEQ2SEQ_ATTENTION_COUNT; a++) {
        model md = make_model((rc_seq2seq_attention)a, 41 + a);
        int src[2 * 2] = {3, 4, 5, 0}, lengths[2] = {2, 1};
        int tgt[2 * 7] = {3, 4, 5, 6, 3, 4, EOS, 6, 5, 4, EOS, PAD, PAD, PAD};
        rc_seq2seq_batch batch = {.src = {2, 2, src, lengths}, .tgt_len = 7, .tgt = tgt};
        rc_graph *g;
        RC_CHECK_OK(rc_graph_create(&g));
        rc_seq2seq_result r;
        RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 1.0, NULL, &r));
        if (rc_graph_status(g) == RC_OK) {
            int lshape[3] = {7, 2, VT}, wshape[3] = {7, 2, 2};
            RC_CHECK(rc_tensor_has_shape(r.logits, 3, lshape), "logits (T, B, V)");
            RC_CHECK(a == RC_SEQ2SEQ_NO_ATTENTION ? r.attention == NULL : rc_tensor_has_shape(r.attention, 3, wshape),
                     "attention (T, B, S) exactly with attention");
            double want = reference_loss(r.logits, tgt, 2, 7);
            RC_CHECK(fabs(r.loss->data[0] - want) <= 1e-5 * want, "loss %.8g, reference %.8g", (double)r.loss->data[0],
                     want);
            rc_params_zero_grad(md.ps);
            RC_CHECK_OK(rc_graph_backward(g, r.loss));
        }
        rc_graph_free(g);
        decode_all(&md, &batch.src, 10, a != RC_SEQ2SEQ_NO_ATTENTION);
        free_model(&md);
    }
}

static void test_max_length_stop(void)
{
    model md = make_model(RC_SEQ2SEQ_LUONG_CONCAT, 51);
    shift_eos(&md, -40);
    batch_src bs;
    make_source(&bs, 3, 5, 52);
    rc_rng rng;
    rc_rng_seed(&rng, 53);
    for (int s = 0; s < RC_SEQ2SEQ_SEARCH_COUNT; s++) {
        rc_seq2seq_decode_config dc = search_config((rc_seq2seq_search)s, 4, 1);
        dc.rng = &rng;
        if (s == RC_SEQ2SEQ_BEAM) dc.n_best = 3;
        rc_seq2seq_output out;
        RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &dc, &out));
        for (int r = 0; out.ids && r < 3 * out.n_best; r++) {
            RC_CHECK(out.lengths[r] == 4, "search %d row %d: length %d, expected max_len 4", s, r, out.lengths[r]);
            check_hypothesis(md.m, &bs.src, r / out.n_best, &out, r, 1, false, 0);
        }
        rc_seq2seq_output_free(&out);
    }
    free_model(&md);
}

static void test_end_token_stop(void)
{
    /* eos certain: every search returns [eos] */
    model md = make_model(RC_SEQ2SEQ_BAHDANAU, 61);
    shift_eos(&md, 40);
    batch_src bs;
    make_source(&bs, 4, 6, 62);
    decode_all(&md, &bs.src, 7, true);
    rc_seq2seq_decode_config dc = search_config(RC_SEQ2SEQ_BEAM, 7, 1);
    rc_seq2seq_output out;
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &dc, &out));
    for (int b = 0; out.ids && b < 4; b++)
        RC_CHECK(out.lengths[b] == 1 && out.ids[b * 7] == EOS, "sentence %d: length %d first %d", b, out.lengths[b],
                 out.ids[b * 7]);
    rc_seq2seq_output_free(&out);
    free_model(&md);

    /* eos likely but not certain: sentences of one batch end at different
     * steps, and each equals its own decoding alone */
    md = make_model(RC_SEQ2SEQ_BAHDANAU, 65);
    shift_eos(&md, 0.5);
    make_source(&bs, 4, 6, 64);
    dc = search_config(RC_SEQ2SEQ_GREEDY, 12, 1);
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &bs.src, &dc, &out));
    int shortest = 12, longest = 0;
    for (int b = 0; out.ids && b < 4; b++) {
        check_hypothesis(md.m, &bs.src, b, &out, b, 1, true, 0);
        if (out.lengths[b] < shortest) shortest = out.lengths[b];
        if (out.lengths[b] > longest) longest = out.lengths[b];
        rc_seq2seq_source one = {1, 6, bs.ids + b * 6, bs.lengths + b};
        rc_seq2seq_output alone;
        RC_CHECK_OK(rc_seq2seq_decode(md.m, &one, &dc, &alone));
        bool same = alone.ids && alone.lengths[0] == out.lengths[b] &&
                    !memcmp(alone.ids, out.ids + b * 12, 12 * sizeof(int));
        RC_CHECK(same, "sentence %d decoded alone differs", b);
        rc_seq2seq_output_free(&alone);
    }
    printf("  greedy lengths in the batch: %d .. %d of max 12\n", shortest, longest);
    RC_CHECK(shortest < longest && shortest < 12, "sentences should stop at different steps (%d .. %d)", shortest,
             longest);
    rc_seq2seq_output_free(&out);
    free_model(&md);
}

/* ---- teacher forcing ---------------------------------------------------- */

static void test_teacher_forcing_draws(void)
{
    model md = make_model(RC_SEQ2SEQ_LUONG_DOT, 71);
    batch_src bs;
    make_source(&bs, 2, 4, 72);
    int tgt[2 * 5] = {3, 4, 5, EOS, PAD, 6, 6, 3, 4, EOS};
    rc_seq2seq_batch batch = {.src = bs.src, .tgt_len = 5, .tgt = tgt};
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_seq2seq_result r;
    rc_rng rng, copy;
    rc_rng_seed(&rng, 73);
    copy = rng;
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 1.0, &rng, &r));
    RC_CHECK(!memcmp(&rng, &copy, sizeof rng), "ratio 1 draws nothing");
    double loss_gold = rc_graph_status(g) == RC_OK ? r.loss->data[0] : NAN;

    /* ratio 0.5: one draw per step after the first, from the rng given... */
    rc_graph_reset(g);
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 0.5, &rng, &r));
    for (int t = 1; t < 5; t++) rc_rng_uniform(&copy);
    RC_CHECK(!memcmp(&rng, &copy, sizeof rng), "ratio 0.5 draws T - 1 = 4 numbers");
    /* ...or from the graph's generator */
    rc_graph_reset(g);
    copy = *rc_graph_rng(g);
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 0.5, NULL, &r));
    for (int t = 1; t < 5; t++) rc_rng_uniform(&copy);
    RC_CHECK(!memcmp(rc_graph_rng(g), &copy, sizeof copy), "the graph's generator gave the draws");

    /* ratio 0 feeds predictions: the loss differs from teacher forcing's */
    rc_graph_reset(g);
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 0.0, NULL, &r));
    if (rc_graph_status(g) == RC_OK)
        RC_CHECK(fabs(r.loss->data[0] - loss_gold) > 1e-4, "ratio 0 loss %g equals ratio 1 loss %g",
                 (double)r.loss->data[0], loss_gold);
    rc_graph_free(g);
    free_model(&md);
}

/* ---- decoders recomputed from their equations --------------------------- */

/* The decoders without PyTorch fixtures (rule 1, scaled dot-product and
 * multi-head) against the equations of seq2seq.h, evaluated here: the
 * encoder, the decoder cell and the multi-head module run as separate
 * modules (each with its own PyTorch parity tests) given the model's
 * weights, the rest in plain loops in double. Tolerance 1e-5 absolute on
 * logits and weights: float rounding of the same sums in another order. */

/* A module's parameters, copied by name from the model's. */
static void copy_params(rc_params *dst, const rc_params *src)
{
    for (size_t i = 0; i < rc_params_count(dst); i++) {
        rc_tensor *d = rc_params_tensor(dst, i), *s = rc_params_find(src, rc_params_name(dst, i));
        RC_CHECK(s && s->numel == d->numel, "%s in the model", rc_params_name(dst, i));
        if (s && s->numel == d->numel) memcpy(d->data, s->data, d->numel * sizeof *d->data);
    }
}

/* y (O) = W x + b for W (O, I) of the model's parameter "name.weight". */
static void linear_ref(const rc_params *ps, const char *name, const double *x, int I, double *y)
{
    char wn[64], bn[64];
    snprintf(wn, sizeof wn, "%s.weight", name);
    snprintf(bn, sizeof bn, "%s.bias", name);
    const rc_tensor *W = rc_params_find(ps, wn), *b = rc_params_find(ps, bn);
    RC_ASSERT(W && b && W->shape[1] == I);
    for (int o = 0; o < W->shape[0]; o++) {
        double sum = b->data[o];
        for (int i = 0; i < I; i++) sum += (double)W->data[(size_t)o * I + i] * x[i];
        y[o] = sum;
    }
}

/* α (S) = softmax of scores over the first len positions, 0 past them. */
static void softmax_ref(const double *scores, int len, int S, double *alpha)
{
    double mx = scores[0], z = 0;
    for (int j = 1; j < len; j++) mx = fmax(mx, scores[j]);
    for (int j = 0; j < S; j++) z += alpha[j] = j < len ? exp(scores[j] - mx) : 0;
    for (int j = 0; j < S; j++) alpha[j] /= z;
}

enum { EB = 2, ES = 3, ET = 3, EMAX = 64 };

typedef struct eq_case {
    rc_seq2seq *m;
    rc_params *ps;
    rc_rnn *enc;
    rc_rnn_cell *cell;
    rc_attention *att; /* multi-head only */
    rc_params *mods;
    rc_graph *g;
    const int *src, *lengths, *tgt;
} eq_case;

/* The encoder's outputs h (B, S, K) and k = [h_fwd; h_rev] (B, K). */
static void encode_ref(eq_case *e, double *h, double *k, int K)
{
    int H = K / 2;
    rc_tensor *x = rc_graph_tensor(e->g, 3, (int[]){EB, ES, 4}, false);
    const rc_tensor *E = rc_params_find(e->ps, "encoder.embedding.weight");
    for (int i = 0; x && i < EB * ES; i++)
        memcpy(x->data + (size_t)i * 4, E->data + (size_t)e->src[i] * 4, 4 * sizeof(rc_real));
    rc_rnn_result r;
    RC_CHECK_OK(rc_rnn_forward(e->enc, e->g, x, NULL, NULL, e->lengths, &r));
    if (rc_graph_status(e->g) != RC_OK) return;
    for (int i = 0; i < EB * ES * K; i++) h[i] = r.output->data[i];
    for (int b = 0; b < EB; b++)
        for (int d = 0; d < 2; d++)
            for (int u = 0; u < H; u++) k[b * K + d * H + u] = r.h_n->data[((size_t)d * EB + b) * H + u];
}

/* One cell step: s (B, Hd) ← cell(x (B, I), s). */
static void cell_ref(eq_case *e, const double *x, int I, double *s, int Hd)
{
    rc_tensor *xt = rc_graph_tensor(e->g, 2, (int[]){EB, I}, false);
    rc_tensor *st = rc_graph_tensor(e->g, 2, (int[]){EB, Hd}, false);
    if (!xt || !st) return;
    for (int i = 0; i < EB * I; i++) xt->data[i] = (rc_real)x[i];
    for (int i = 0; i < EB * Hd; i++) st->data[i] = (rc_real)s[i];
    rc_tensor *h;
    RC_CHECK_OK(rc_rnn_cell_forward(e->cell, e->g, xt, st, NULL, &h, NULL));
    for (int i = 0; h && i < EB * Hd; i++) s[i] = h->data[i];
}

/* Multi-head context (B, K) and mean weights (B, S) of queries q (B, K). */
static void multihead_ref(eq_case *e, const double *q, const double *h, int K, double *c, double *alpha)
{
    rc_tensor *qt = rc_graph_tensor(e->g, 2, (int[]){EB, K}, false);
    rc_tensor *ht = rc_graph_tensor(e->g, 3, (int[]){EB, ES, K}, false);
    if (!qt || !ht) return;
    for (int i = 0; i < EB * K; i++) qt->data[i] = (rc_real)q[i];
    for (int i = 0; i < EB * ES * K; i++) ht->data[i] = (rc_real)h[i];
    rc_attention_mask mask = {.src_lengths = e->lengths};
    rc_attention_result r;
    RC_CHECK_OK(rc_attention_forward(e->att, e->g, qt, ht, ht, &mask, &r));
    for (int i = 0; r.output && i < EB * K; i++) c[i] = r.output->data[i];
    for (int i = 0; r.weights && i < EB * ES; i++) alpha[i] = r.weights->data[i];
}

/* Runs the decoder's equations over the gold targets: logits (T, B, V) and
 * weights (T, B, S). */
static void decode_ref(eq_case *e, double *logits, double *weights)
{
    const rc_seq2seq_config *c = rc_seq2seq_get_config(e->m);
    int K = 8, Hd = c->decoder_hidden, Et = c->tgt_embed, V = c->tgt_vocab, P = c->attention_positions;
    double h[EB * ES * 8], k[EB * 8], s[EB * EMAX], feed[EB * EMAX] = {0}, x[EB * EMAX], ctx[EB * EMAX];
    double alpha[EB * EMAX], tmp[EMAX], cat[EMAX];
    encode_ref(e, h, k, K);
    for (int b = 0; b < EB; b++) {
        linear_ref(e->ps, "bridge.h", k + b * K, K, s + b * Hd);
        for (int u = 0; u < Hd; u++) s[b * Hd + u] = tanh(s[b * Hd + u]);
    }
    const rc_tensor *E = rc_params_find(e->ps, "decoder.embedding.weight");
    for (int t = 0; t < ET; t++) {
        double emb[EB * EMAX];
        for (int b = 0; b < EB; b++) {
            int y = t == 0 ? BOS : e->tgt[b * ET + t - 1];
            for (int i = 0; i < Et; i++) emb[b * Et + i] = E->data[(size_t)y * Et + i];
        }
        if (c->attention == RC_SEQ2SEQ_RULE1) {
            for (int b = 0; b < EB; b++) {
                /* α = softmax(attn([e; s_{t−1}])) over P, masked past the length */
                memcpy(cat, emb + b * Et, (size_t)Et * sizeof *cat);
                memcpy(cat + Et, s + b * Hd, (size_t)Hd * sizeof *cat);
                linear_ref(e->ps, "decoder.attention.attn", cat, Et + Hd, tmp);
                softmax_ref(tmp, e->lengths[b], P, alpha + b * P);
                /* x = relu(attn_combine([e; Σ α_j h_j])) */
                for (int u = 0; u < K; u++) {
                    double sum = 0;
                    for (int j = 0; j < ES; j++) sum += alpha[b * P + j] * h[(b * ES + j) * K + u];
                    cat[Et + u] = sum;
                }
                linear_ref(e->ps, "decoder.attention.attn_combine", cat, Et + K, x + b * Et);
                for (int i = 0; i < Et; i++) x[b * Et + i] = fmax(x[b * Et + i], 0);
                for (int j = 0; j < ES; j++) weights[(t * EB + b) * ES + j] = alpha[b * P + j];
            }
            cell_ref(e, x, Et, s, Hd);
            for (int b = 0; b < EB; b++) linear_ref(e->ps, "decoder.out", s + b * Hd, Hd, logits + (t * EB + b) * V);
            continue;
        }
        /* Luong: s_t = cell([e; h̃_{t−1}], s_{t−1}), then attention with s_t */
        for (int b = 0; b < EB; b++) {
            memcpy(x + b * (Et + Hd), emb + b * Et, (size_t)Et * sizeof *x);
            memcpy(x + b * (Et + Hd) + Et, feed + b * Hd, (size_t)Hd * sizeof *x);
        }
        cell_ref(e, x, Et + Hd, s, Hd);
        if (c->attention == RC_SEQ2SEQ_MULTIHEAD) multihead_ref(e, s, h, K, ctx, alpha);
        for (int b = 0; c->attention == RC_SEQ2SEQ_SCALED_DOT && b < EB; b++) {
            for (int j = 0; j < ES; j++) {
                double dot = 0;
                for (int u = 0; u < K; u++) dot += s[b * Hd + u] * h[(b * ES + j) * K + u];
                tmp[j] = dot / sqrt(K);
            }
            softmax_ref(tmp, e->lengths[b], ES, alpha + b * ES);
            for (int u = 0; u < K; u++) {
                double sum = 0;
                for (int j = 0; j < ES; j++) sum += alpha[b * ES + j] * h[(b * ES + j) * K + u];
                ctx[b * K + u] = sum;
            }
        }
        for (int b = 0; b < EB; b++) {
            /* h̃_t = tanh(concat([c_t; s_t])), logits = out(h̃_t) */
            memcpy(cat, ctx + b * K, (size_t)K * sizeof *cat);
            memcpy(cat + K, s + b * Hd, (size_t)Hd * sizeof *cat);
            linear_ref(e->ps, "decoder.concat", cat, K + Hd, feed + b * Hd);
            for (int u = 0; u < Hd; u++) feed[b * Hd + u] = tanh(feed[b * Hd + u]);
            linear_ref(e->ps, "decoder.out", feed + b * Hd, Hd, logits + (t * EB + b) * V);
            for (int j = 0; j < ES; j++) weights[(t * EB + b) * ES + j] = alpha[b * ES + j];
        }
    }
}

static void check_equations(rc_seq2seq_attention a)
{
    model md = make_model(a, 900 + a);
    const rc_seq2seq_config *c = rc_seq2seq_get_config(md.m);
    int src[EB * ES] = {3, 4, 5, 6, 7, 0}, lengths[EB] = {3, 2}, tgt[EB * ET] = {3, 4, EOS, 5, EOS, PAD};
    eq_case e = {.m = md.m, .ps = md.ps, .src = src, .lengths = lengths, .tgt = tgt};
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    rc_rnn_config ec = c->encoder;
    RC_CHECK_OK(rc_rnn_create(&e.enc, &ec, &rng));
    int in = a == RC_SEQ2SEQ_RULE1 ? c->tgt_embed : c->tgt_embed + c->decoder_hidden;
    RC_CHECK_OK(rc_rnn_cell_create(&e.cell, c->decoder_mode, in, c->decoder_hidden, true, &rng));
    RC_CHECK_OK(rc_params_create(&e.mods));
    RC_CHECK_OK(rc_rnn_add_params(e.enc, e.mods, "encoder.rnn"));
    RC_CHECK_OK(rc_rnn_cell_add_params(e.cell, e.mods, "decoder.cell"));
    if (a == RC_SEQ2SEQ_MULTIHEAD) {
        rc_attention_config ac = rc_attention_config_default(RC_ATTN_MULTIHEAD, 8, 8, 8);
        ac.num_heads = c->attention_heads;
        RC_CHECK_OK(rc_attention_create(&e.att, &ac, &rng));
        RC_CHECK_OK(rc_attention_add_params(e.att, e.mods, "decoder.attention"));
    }
    copy_params(e.mods, md.ps);
    RC_CHECK_OK(rc_graph_create(&e.g));
    rc_graph_set_grad_enabled(e.g, false);
    double logits[ET * EB * VT], weights[ET * EB * ES];
    decode_ref(&e, logits, weights);

    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_seq2seq_batch batch = {.src = {EB, ES, src, lengths}, .tgt_len = ET, .tgt = tgt};
    rc_seq2seq_result r;
    RC_CHECK_OK(rc_seq2seq_forward(md.m, g, &batch, 1.0, NULL, &r));
    if (rc_graph_status(g) == RC_OK && rc_graph_status(e.g) == RC_OK) {
        double dl = 0, dw = 0;
        for (int i = 0; i < ET * EB * VT; i++) dl = fmax(dl, fabs(r.logits->data[i] - logits[i]));
        for (int i = 0; i < ET * EB * ES; i++) dw = fmax(dw, fabs(r.attention->data[i] - weights[i]));
        printf("  %-10s max |logits - equations| %.2e, weights %.2e\n", rc_seq2seq_attention_name(a), dl, dw);
        RC_CHECK(dl <= 1e-5 && dw <= 1e-5, "%s: logits differ by %g, weights by %g", rc_seq2seq_attention_name(a),
                 dl, dw);
    }
    rc_graph_free(g);
    rc_graph_free(e.g);
    rc_params_free(e.mods);
    rc_attention_free(e.att);
    rc_rnn_cell_free(e.cell);
    rc_rnn_free(e.enc);
    free_model(&md);
}

static void test_decoders_follow_their_equations(void)
{
    check_equations(RC_SEQ2SEQ_RULE1);
    check_equations(RC_SEQ2SEQ_SCALED_DOT);
    check_equations(RC_SEQ2SEQ_MULTIHEAD);
}

/* ---- names and errors --------------------------------------------------- */

static void test_param_names(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 81);
    rc_seq2seq_config c = rc_seq2seq_config_default(RC_SEQ2SEQ_BAHDANAU, 11, 13, 4, 5);
    c.tgt_embed = 3;
    c.decoder_hidden = 6;
    c.attention_hidden = 7;
    rc_seq2seq *m;
    rc_params *ps;
    RC_CHECK_OK(rc_seq2seq_create(&m, &c, &rng));
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_seq2seq_add_params(m, ps, "model"));
    /* K = 2·5 = 10 encoder outputs; the GRU decoder has 3 gates */
    const struct {
        const char *name;
        int ndim, shape[2];
    } want[] = {
        {"model.encoder.embedding.weight", 2, {11, 4}},   {"model.encoder.rnn.weight_ih_l0", 2, {15, 4}},
        {"model.encoder.rnn.weight_hh_l0", 2, {15, 5}},   {"model.encoder.rnn.bias_ih_l0", 1, {15}},
        {"model.encoder.rnn.bias_hh_l0", 1, {15}},        {"model.encoder.rnn.weight_ih_l0_reverse", 2, {15, 4}},
        {"model.encoder.rnn.weight_hh_l0_reverse", 2, {15, 5}}, {"model.encoder.rnn.bias_ih_l0_reverse", 1, {15}},
        {"model.encoder.rnn.bias_hh_l0_reverse", 1, {15}}, {"model.bridge.h.weight", 2, {6, 10}},
        {"model.bridge.h.bias", 1, {6}},                  {"model.decoder.embedding.weight", 2, {13, 3}},
        {"model.decoder.cell.weight_ih", 2, {18, 13}},    {"model.decoder.cell.weight_hh", 2, {18, 6}},
        {"model.decoder.cell.bias_ih", 1, {18}},          {"model.decoder.cell.bias_hh", 1, {18}},
        {"model.decoder.attention.Wa.weight", 2, {7, 6}}, {"model.decoder.attention.Wa.bias", 1, {7}},
        {"model.decoder.attention.Ua.weight", 2, {7, 10}}, {"model.decoder.attention.Ua.bias", 1, {7}},
        {"model.decoder.attention.Va.weight", 2, {1, 7}}, {"model.decoder.attention.Va.bias", 1, {1}},
        {"model.decoder.out.weight", 2, {13, 6}},         {"model.decoder.out.bias", 1, {13}},
    };
    size_t n = sizeof want / sizeof want[0];
    RC_CHECK(rc_params_count(ps) == n, "%zu parameters, expected %zu", rc_params_count(ps), n);
    for (size_t i = 0; i < n && i < rc_params_count(ps); i++) {
        RC_CHECK(!strcmp(rc_params_name(ps, i), want[i].name), "parameter %zu is %s, expected %s", i,
                 rc_params_name(ps, i), want[i].name);
        RC_CHECK(rc_tensor_has_shape(rc_params_tensor(ps, i), want[i].ndim, want[i].shape), "%s shape", want[i].name);
    }
    rc_params_free(ps);
    rc_seq2seq_free(m);
}

/* Expects status s with a message containing `what`. */
static void expect_error(rc_status got, rc_status want, const char *what)
{
    RC_CHECK(got == want, "status %s, expected %s (%s)", rc_status_str(got), rc_status_str(want), what);
    RC_CHECK(strstr(rc_last_error(), what) != NULL, "message \"%s\" does not name \"%s\"", rc_last_error(), what);
    printf("  refused: %s\n", rc_last_error());
}

static void test_config_errors(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 91);
    rc_seq2seq *m;
    rc_seq2seq_config c = rc_seq2seq_config_default(RC_SEQ2SEQ_LUONG_DOT, 9, 7, 4, 4);
    expect_error(rc_seq2seq_create(&m, &c, &rng), RC_E_INVALID, "luong_dot");
    c = rc_seq2seq_config_default(RC_SEQ2SEQ_NO_ATTENTION, 9, 7, 4, 4);
    c.bridge = RC_SEQ2SEQ_BRIDGE_SUM;
    c.decoder_hidden = 5;
    expect_error(rc_seq2seq_create(&m, &c, &rng), RC_E_INVALID, "SUM bridge");
    c = rc_seq2seq_config_default(RC_SEQ2SEQ_NO_ATTENTION, 9, 7, 4, 4);
    c.eos = 0;
    expect_error(rc_seq2seq_create(&m, &c, &rng), RC_E_INVALID, "config.eos");
    c.eos = 7;
    expect_error(rc_seq2seq_create(&m, &c, &rng), RC_E_INVALID, "config.eos = 7");
    c = rc_seq2seq_config_default(RC_SEQ2SEQ_BAHDANAU, 9, 7, 4, 4);
    c.encoder.hidden_size = 0;
    expect_error(rc_seq2seq_create(&m, &c, &rng), RC_E_INVALID, "hidden_size");
    RC_CHECK(m == NULL, "no model on error");
}

static void test_forward_errors(void)
{
    model md = make_model(RC_SEQ2SEQ_BAHDANAU, 95);
    int src[2 * 3] = {3, 4, 5, 6, 0, 0}, lengths[2] = {3, 1}, tgt[2 * 2] = {3, EOS, 4, EOS};
    rc_seq2seq_batch batch = {.src = {2, 3, src, lengths}, .tgt_len = 2, .tgt = tgt};
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_seq2seq_result r;
    tgt[3] = VT;
    expect_error(rc_seq2seq_forward(md.m, g, &batch, 1.0, NULL, &r), RC_E_INVALID, "tgt[1, 1] = 7");
    RC_CHECK(r.loss == NULL && rc_graph_status(g) == RC_E_INVALID, "the error is the graph's");
    rc_graph_reset(g);
    tgt[3] = EOS;
    expect_error(rc_seq2seq_forward(md.m, g, &batch, 1.5, NULL, &r), RC_E_INVALID, "teacher_forcing = 1.5");
    rc_graph_reset(g);
    src[1] = -1;
    expect_error(rc_seq2seq_forward(md.m, g, &batch, 1.0, NULL, &r), RC_E_INVALID, "src.ids[0, 1] = -1");
    rc_graph_free(g);
    free_model(&md);
}

static void test_decode_errors(void)
{
    model md = make_model(RC_SEQ2SEQ_NO_ATTENTION, 97);
    int src[2 * 3] = {3, 4, 5, 6, 99, 0}, lengths[2] = {3, 1};
    rc_seq2seq_source s = {2, 3, src, lengths};
    rc_seq2seq_output out;
    rc_seq2seq_decode_config dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_BEAM, 5);
    RC_CHECK_OK(rc_seq2seq_decode(md.m, &s, &dc, &out)); /* 99 lies past sentence 1's length */
    rc_seq2seq_output_free(&out);
    lengths[1] = 2;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "src.ids[1, 1] = 99");
    RC_CHECK(out.ids == NULL && out.lengths == NULL, "no output on error");
    lengths[1] = 0;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "src.lengths[1] = 0");
    lengths[1] = 4;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "src.lengths[1] = 4");
    lengths[1] = 1;
    dc.beam_size = 0;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "beam_size = 0");
    dc.beam_size = 2;
    dc.n_best = 3;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "n_best = 3");
    dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_GREEDY, 0);
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "max_len = 0");
    dc.max_len = 5;
    dc.attention = true;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "without attention");
    dc = rc_seq2seq_decode_config_default(RC_SEQ2SEQ_SAMPLE, 5);
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "rng is NULL");
    rc_rng rng;
    rc_rng_seed(&rng, 1);
    dc.rng = &rng;
    dc.temperature = 0;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "temperature = 0");
    dc.temperature = 1;
    dc.top_k = -1;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "top_k = -1");
    dc.top_k = 0;
    dc.length_alpha = -1;
    expect_error(rc_seq2seq_decode(md.m, &s, &dc, &out), RC_E_INVALID, "length_alpha = -1");
    free_model(&md);
}

int main(void)
{
    RC_RUN(test_parity);
    RC_RUN(test_greedy_is_teacher_forced_argmax);
    RC_RUN(test_teacher_forcing_zero_is_greedy);
    RC_RUN(test_beam_one_is_greedy);
    RC_RUN(test_beam_not_below_greedy);
    RC_RUN(test_sampling);
    RC_RUN(test_source_of_length_one);
    RC_RUN(test_target_longer_than_source);
    RC_RUN(test_max_length_stop);
    RC_RUN(test_end_token_stop);
    RC_RUN(test_teacher_forcing_draws);
    RC_RUN(test_decoders_follow_their_equations);
    RC_RUN(test_param_names);
    RC_RUN(test_config_errors);
    RC_RUN(test_forward_errors);
    RC_RUN(test_decode_errors);
    return rc_test_finish();
}
