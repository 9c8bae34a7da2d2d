/*
 * char_lm — a character-level LSTM language model (sizes are the defaults):
 *
 *     embedding (V → 32) → LSTM (hidden 128) → linear (128 → V)
 *
 * trained with Adam and gradient clipping on a UTF-8 text, the last part of
 * which is held out. The training text is cut into B contiguous streams read
 * T characters at a time; the LSTM state carries over from one chunk of a
 * stream to the next (truncated backpropagation through time: the state is
 * copied, so no gradient flows into the previous chunk). At the end it
 * reports the held-out cross-entropy in bits per character, prints a sample
 * and optionally saves the model as safetensors, with the vocabulary and
 * configuration in the metadata.
 *
 * Characters are Unicode code points. The vocabulary is the training text's
 * distinct code points in ascending order, after id 0, which stands for any
 * character the training text lacks (<unk>).
 *
 *     build/rel/examples/char_lm --seconds 60 --save build/char_lm.safetensors
 *     build/rel/examples/char_lm --help
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "recur.h"

#define UNK 0

/* ---- options: one table drives parsing and --help ------------------------ */

typedef struct options {
    const char *data, *save, *prime;
    double seconds, holdout, lr, clip, temperature;
    int steps, log_every, seq_len, batch, embed, hidden, sample, seed;
} options;

typedef enum opt_kind { OPT_STR, OPT_INT, OPT_REAL } opt_kind;

typedef struct opt_spec {
    const char *name, *help;
    opt_kind kind;
    size_t offset;
    double min; /* smallest accepted value for numbers */
} opt_spec;

static const opt_spec OPTS[] = {
    {"data", "UTF-8 text to train on", OPT_STR, offsetof(options, data), 0},
    {"seconds", "training time limit (0: none)", OPT_REAL, offsetof(options, seconds), 0},
    {"steps", "training step limit (0: none)", OPT_INT, offsetof(options, steps), 0},
    {"log-every", "print the mean training loss every N steps", OPT_INT, offsetof(options, log_every), 1},
    {"holdout", "fraction of the text held out (at its end)", OPT_REAL, offsetof(options, holdout), 0.001},
    {"seq-len", "characters per chunk (T)", OPT_INT, offsetof(options, seq_len), 1},
    {"batch", "parallel streams (B)", OPT_INT, offsetof(options, batch), 1},
    {"embed", "embedding size", OPT_INT, offsetof(options, embed), 1},
    {"hidden", "LSTM hidden size", OPT_INT, offsetof(options, hidden), 1},
    {"lr", "Adam learning rate", OPT_REAL, offsetof(options, lr), 1e-9},
    {"clip", "gradient norm limit", OPT_REAL, offsetof(options, clip), 1e-9},
    {"sample", "characters to sample after training", OPT_INT, offsetof(options, sample), 0},
    {"temperature", "sampling temperature", OPT_REAL, offsetof(options, temperature), 1e-3},
    {"prime", "text the sample starts from", OPT_STR, offsetof(options, prime), 0},
    {"seed", "random seed", OPT_INT, offsetof(options, seed), 0},
    {"save", "write the model to this safetensors file", OPT_STR, offsetof(options, save), 0},
};
#define N_OPTS (sizeof OPTS / sizeof OPTS[0])

static void usage(FILE *f, const options *defaults)
{
    fprintf(f, "usage: char_lm [--OPTION VALUE]...\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *field = (const char *)defaults + OPTS[i].offset;
        fprintf(f, "  --%-12s %s (default: ", OPTS[i].name, OPTS[i].help);
        switch (OPTS[i].kind) {
        case OPT_STR: fprintf(f, "\"%s\")\n", *(const char *const *)(const void *)field); break;
        case OPT_INT: fprintf(f, "%d)\n", *(const int *)(const void *)field); break;
        case OPT_REAL: fprintf(f, "%g)\n", *(const double *)(const void *)field); break;
        }
    }
}

static bool parse_number(const opt_spec *o, const char *s, void *field)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= o->min)) return false;
    if (o->kind == OPT_REAL) {
        *(double *)field = v;
        return true;
    }
    if (v != floor(v) || v > 1e9) return false;
    *(int *)field = (int)v;
    return true;
}

static void parse_options(options *opt, int argc, char **argv)
{
    const options defaults = *opt;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout, &defaults);
            exit(0);
        }
        const opt_spec *o = NULL;
        for (size_t k = 0; k < N_OPTS && !o; k++)
            if (!strncmp(argv[i], "--", 2) && !strcmp(argv[i] + 2, OPTS[k].name)) o = &OPTS[k];
        if (!o || i + 1 >= argc) {
            fprintf(stderr, "char_lm: %s '%s'\n", o ? "missing value for" : "unknown option", argv[i]);
            usage(stderr, &defaults);
            exit(2);
        }
        const char *value = argv[++i];
        void *field = (char *)opt + o->offset;
        if (o->kind == OPT_STR) {
            *(const char **)field = value;
        } else if (!parse_number(o, value, field)) {
            fprintf(stderr, "char_lm: --%s: '%s' is not %s >= %g\n", o->name, value,
                    o->kind == OPT_INT ? "an integer" : "a number", o->min);
            exit(2);
        }
    }
    if (opt->seconds <= 0 && opt->steps <= 0) {
        fprintf(stderr, "char_lm: give --seconds or --steps a positive value\n");
        exit(2);
    }
    if (opt->holdout >= 0.5) {
        fprintf(stderr, "char_lm: --holdout %g leaves too little to train on (it must be below 0.5)\n",
                opt->holdout);
        exit(2);
    }
}

/* ---- failure: a program, so report and exit ------------------------------ */

static void check(rc_status s, const char *what)
{
    if (s == RC_OK) return;
    fprintf(stderr, "char_lm: %s failed: %s: %s\n", what, rc_status_str(s), rc_last_error());
    exit(1);
}

static void check_graph(const rc_graph *g, const char *what)
{
    if (rc_graph_status(g) == RC_OK) return;
    fprintf(stderr, "char_lm: %s failed: %s: %s\n", what, rc_status_str(rc_graph_status(g)), rc_graph_error(g));
    exit(1);
}

static void *xmalloc(size_t n, size_t size)
{
    void *p = n ? calloc(n, size) : NULL;
    if (n && !p) {
        fprintf(stderr, "char_lm: out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- UTF-8 text ---------------------------------------------------------- */

/* Decodes the sequence at s[0..n): returns its length and sets *cp, or
 * returns 0 if it is not well-formed UTF-8 (truncated, overlong, a
 * surrogate, beyond U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    if (len > 1) c &= 0x7Fu >> len;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min_cp[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return len;
}

/* Writes the UTF-8 encoding of c into out; returns its length. */
static size_t utf8_encode(uint32_t c, char out[4])
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    size_t len = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (size_t i = len - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (c & 0x3F));
        c >>= 6;
    }
    out[0] = (char)((0xF00u >> len) | c);
    return len;
}

/* Decodes n bytes of UTF-8 into code points (*n_out of them); exits naming
 * `what` on a malformed sequence. NUL is refused because the vocabulary
 * travels as a C string. */
static uint32_t *decode_text(const unsigned char *bytes, size_t n, const char *what, size_t *n_out)
{
    uint32_t *cps = xmalloc(n + 1, sizeof *cps);
    size_t m = 0;
    for (size_t i = 0; i < n; m++) {
        size_t len = utf8_decode(bytes + i, n - i, &cps[m]);
        if (len == 0 || cps[m] == 0) {
            fprintf(stderr, "char_lm: %s: %s at byte %zu\n", what, len ? "NUL character" : "invalid UTF-8", i);
            exit(1);
        }
        i += len;
    }
    *n_out = m;
    return cps;
}

/* Reads a whole UTF-8 file as code points; exits on any error. */
static uint32_t *read_text(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "char_lm: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 1 << 20, n = 0, got;
    unsigned char *bytes = xmalloc(cap, 1);
    while ((got = fread(bytes + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *grown = realloc(bytes, cap *= 2);
            if (!grown) {
                fprintf(stderr, "char_lm: %s: out of memory\n", path);
                exit(1);
            }
            bytes = grown;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "char_lm: reading %s failed: %s\n", path, strerror(errno));
        exit(1);
    }
    fclose(f);
    uint32_t *cps = decode_text(bytes, n, path, n_out);
    free(bytes);
    return cps;
}

/* ---- vocabulary ---------------------------------------------------------- */

typedef struct vocab {
    uint32_t *cp; /* cp[id] for id >= 1, ascending; cp[UNK] is unused */
    int size;
} vocab;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static vocab vocab_build(const uint32_t *text, size_t n)
{
    uint32_t *sorted = xmalloc(n, sizeof *sorted);
    memcpy(sorted, text, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    vocab v = {xmalloc(n + 1, sizeof *v.cp), 1};
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sorted[i] != sorted[i - 1]) v.cp[v.size++] = sorted[i];
    free(sorted);
    return v;
}

static int vocab_id(const vocab *v, uint32_t c)
{
    const uint32_t *hit = bsearch(&c, v->cp + 1, (size_t)v->size - 1, sizeof c, cmp_u32);
    return hit ? (int)(hit - v->cp) : UNK;
}

static int *encode(const vocab *v, const uint32_t *text, size_t n)
{
    int *ids = xmalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++) ids[i] = vocab_id(v, text[i]);
    return ids;
}

/* The vocabulary as one UTF-8 string, ids 1, 2, ... in order. */
static char *vocab_string(const vocab *v)
{
    char *s = xmalloc((size_t)v->size * 4 + 1, 1), *p = s;
    for (int id = 1; id < v->size; id++) p += utf8_encode(v->cp[id], p);
    *p = '\0';
    return s;
}

/* Entropy in bits of the distribution of ids over the text. */
static double unigram_bits(const int *ids, size_t n, int V)
{
    size_t *count = xmalloc((size_t)V, sizeof *count);
    for (size_t i = 0; i < n; i++) count[ids[i]]++;
    double h = 0;
    for (int k = 0; k < V; k++)
        if (count[k]) h -= (double)count[k] / (double)n * log2((double)count[k] / (double)n);
    free(count);
    return h;
}

/* ---- the model ----------------------------------------------------------- */

typedef struct model {
    rc_embedding_module embed;
    rc_rnn *lstm;
    rc_linear_module head;
    rc_params *params;
    int V, H;
} model;

static void model_init(model *m, int V, const options *opt, rc_rng *rng)
{
    memset(m, 0, sizeof *m);
    m->V = V;
    m->H = opt->hidden;
    rc_rnn_config cfg = rc_rnn_config_default(RC_LSTM, opt->embed, opt->hidden);
    check(rc_embedding_init(&m->embed, V, opt->embed, -1, rng), "creating the embedding");
    check(rc_rnn_create(&m->lstm, &cfg, rng), "creating the LSTM");
    check(rc_linear_init(&m->head, opt->hidden, V, true, rng), "creating the output layer");
    check(rc_params_create(&m->params), "creating the parameter list");
    check(rc_embedding_add_params(&m->embed, m->params, "embed"), "listing parameters");
    check(rc_rnn_add_params(m->lstm, m->params, "lstm"), "listing parameters");
    check(rc_linear_add_params(&m->head, m->params, "head"), "listing parameters");
}

static void model_free(model *m)
{
    rc_params_free(m->params);
    rc_linear_destroy(&m->head);
    rc_rnn_free(m->lstm);
    rc_embedding_destroy(&m->embed);
}

/* The LSTM state of B streams, (1, B, H) each, carried between chunks. */
typedef struct state {
    rc_tensor *h, *c;
} state;

static state state_new(int B, int H)
{
    int shape[3] = {1, B, H};
    state s;
    check(rc_tensor_new(&s.h, 3, shape, false), "allocating the LSTM state");
    check(rc_tensor_new(&s.c, 3, shape, false), "allocating the LSTM state");
    return s;
}

static void state_zero(state *s)
{
    memset(s->h->data, 0, s->h->numel * sizeof(rc_real));
    memset(s->c->data, 0, s->c->numel * sizeof(rc_real));
}

/* Keeps the final state's values only: the next chunk starts from them
 * without a path back into this chunk's graph. */
static void state_carry(state *s, const rc_rnn_result *r)
{
    memcpy(s->h->data, r->h_n->data, s->h->numel * sizeof(rc_real));
    memcpy(s->c->data, r->c_n->data, s->c->numel * sizeof(rc_real));
}

static void state_free(state *s)
{
    rc_tensor_free(s->h);
    rc_tensor_free(s->c);
}

/* Logits (T·B, V) for ids (T, B) from state s; r receives the LSTM's result. */
static rc_tensor *model_logits(model *m, rc_graph *g, const int *ids, int T, int B, state *s, rc_rnn_result *r)
{
    int ids_shape[2] = {T, B};
    rc_tensor *x = rc_embedding_forward(&m->embed, g, ids, 2, ids_shape); /* (T, B, E) */
    check_graph(g, "embedding");
    check(rc_rnn_forward(m->lstm, g, x, s->h, s->c, NULL, r), "LSTM forward");
    rc_tensor *logits = rc_linear_forward(&m->head, g, r->output); /* (T, B, V) */
    int flat[2] = {T * B, m->V};
    return rc_reshape(g, logits, 2, flat);
}

/* ---- training ------------------------------------------------------------ */

/* Stream b of the training text is ids[b·len .. (b+1)·len). Fills the chunk
 * at offset pos: x[t][b] = stream_b[pos + t], y[t][b] = stream_b[pos + t + 1]. */
static void stream_chunk(int *x, int *y, const int *ids, size_t len, size_t pos, int T, int B)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            const int *stream = ids + (size_t)b * len + pos + (size_t)t;
            x[t * B + b] = stream[0];
            y[t * B + b] = stream[1];
        }
}

static void train(model *m, rc_graph *g, const int *ids, size_t n, const options *opt)
{
    const int T = opt->seq_len, B = opt->batch;
    const size_t len = n / (size_t)B;
    if (len < (size_t)T + 1) {
        fprintf(stderr, "char_lm: %zu training characters are too few for %d streams of %d + 1\n", n, B, T);
        exit(1);
    }
    rc_optim_config oc = rc_optim_config_default(RC_OPTIM_ADAM, (rc_real)opt->lr);
    rc_optim *adam;
    check(rc_optim_create(&adam, &oc, m->params), "creating Adam");
    int *x = xmalloc((size_t)T * B, sizeof *x), *y = xmalloc((size_t)T * B, sizeof *y);
    state s = state_new(B, m->H);
    rc_graph_set_grad_enabled(g, true);
    rc_graph_set_training(g, true);

    printf("training: %zu characters in %d streams of %zu, chunks of %d; Adam lr %g, clip %g\n", n, B, len, T,
           opt->lr, opt->clip);
    const double t0 = now_s();
    double loss_sum = 0;
    int loss_n = 0, epoch = 0;
    size_t pos = 0;
    for (int step = 1;; step++) {
        if (pos + (size_t)T + 1 > len) { /* a stream ran out: start the next epoch from zero state */
            pos = 0;
            epoch++;
            state_zero(&s);
        }
        stream_chunk(x, y, ids, len, pos, T, B);
        pos += (size_t)T;

        rc_graph_reset(g);
        rc_rnn_result r;
        rc_tensor *logits = model_logits(m, g, x, T, B, &s, &r);
        rc_tensor *loss = rc_cross_entropy(g, logits, y, -100, RC_REDUCTION_MEAN);
        check_graph(g, "building the loss");
        rc_params_zero_grad(m->params);
        check(rc_graph_backward(g, loss), "backward");
        rc_real norm = rc_clip_grad_norm(m->params, (rc_real)opt->clip);
        if (!isfinite(norm)) {
            fprintf(stderr, "char_lm: step %d: gradient norm is %g\n", step, (double)norm);
            exit(1);
        }
        check(rc_optim_step(adam), "Adam step");
        state_carry(&s, &r);

        loss_sum += loss->data[0];
        loss_n++;
        const double elapsed = now_s() - t0;
        const bool done = (opt->steps > 0 && step >= opt->steps) || (opt->seconds > 0 && elapsed >= opt->seconds);
        if (step % opt->log_every == 0 || done) {
            const double mean = loss_sum / loss_n;
            printf("step %5d  epoch %d  loss %.4f nats = %.3f bits/char  %6.1f s  %6.0f chars/s\n", step,
                   epoch, mean, mean / log(2.0), elapsed, (double)step * T * B / elapsed);
            fflush(stdout);
            loss_sum = 0;
            loss_n = 0;
        }
        if (done) break;
    }
    state_free(&s);
    free(y);
    free(x);
    rc_optim_free(adam);
}

/* ---- evaluation ---------------------------------------------------------- */

/* Mean cross-entropy, in bits, of predicting ids[i + 1] from ids[0..i] for
 * every i < n - 1. The n - 1 predictions are split into B contiguous streams
 * (each starting from zero state) run T steps at a time; positions past a
 * stream's end get target -100, which the loss ignores. */
static double evaluate(model *m, rc_graph *g, const int *ids, size_t n, int T, int B)
{
    const size_t n_pred = n - 1, len = (n_pred + (size_t)B - 1) / (size_t)B;
    int *x = xmalloc((size_t)T * B, sizeof *x), *y = xmalloc((size_t)T * B, sizeof *y);
    state s = state_new(B, m->H);
    rc_graph_set_grad_enabled(g, false);
    rc_graph_set_training(g, false);
    double nats = 0;
    size_t counted = 0;
    for (size_t pos = 0; pos < len; pos += (size_t)T) {
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++) {
                const size_t i = (size_t)b * len + pos + (size_t)t;
                const bool in = pos + (size_t)t < len && i < n_pred;
                x[t * B + b] = in ? ids[i] : UNK;
                y[t * B + b] = in ? ids[i + 1] : -100;
                counted += in;
            }
        rc_graph_reset(g);
        rc_rnn_result r;
        rc_tensor *logits = model_logits(m, g, x, T, B, &s, &r);
        rc_tensor *loss = rc_cross_entropy(g, logits, y, -100, RC_REDUCTION_SUM);
        check_graph(g, "evaluating");
        nats += loss->data[0];
        state_carry(&s, &r);
    }
    state_free(&s);
    free(y);
    free(x);
    return nats / (double)counted / log(2.0);
}

/* ---- sampling ------------------------------------------------------------ */

/* Draws an id from softmax(logits / temperature), never <unk>. */
static int draw(const rc_real *logits, int V, double temperature, rc_rng *rng)
{
    double mx = -INFINITY, total = 0;
    for (int k = 1; k < V; k++) mx = fmax(mx, logits[k]);
    for (int k = 1; k < V; k++) total += exp((logits[k] - mx) / temperature);
    double u = rc_rng_uniform(rng) * total;
    for (int k = 1; k < V; k++) {
        u -= exp((logits[k] - mx) / temperature);
        if (u < 0) return k;
    }
    return V - 1;
}

static void put_char(const vocab *v, int id)
{
    char buf[4];
    fwrite(buf, 1, utf8_encode(v->cp[id], buf), stdout);
}

/* Feeds the prime, then draws characters one at a time, each fed back. */
static void sample(model *m, rc_graph *g, const vocab *v, const options *opt, rc_rng *rng)
{
    size_t n_prime;
    uint32_t *prime = decode_text((const unsigned char *)opt->prime, strlen(opt->prime), "--prime", &n_prime);
    if (n_prime == 0) {
        fprintf(stderr, "char_lm: --prime must not be empty\n");
        exit(1);
    }
    int *ids = encode(v, prime, n_prime);
    free(prime);
    state s = state_new(1, m->H);
    rc_graph_set_grad_enabled(g, false);
    rc_graph_set_training(g, false);

    printf("\nsample (temperature %g):\n", opt->temperature);
    fputs(opt->prime, stdout);
    const int *in = ids;
    int T = (int)n_prime, next;
    for (int k = 0; k < opt->sample; k++) {
        rc_graph_reset(g);
        rc_rnn_result r;
        const rc_tensor *logits = model_logits(m, g, in, T, 1, &s, &r);
        check_graph(g, "sampling");
        state_carry(&s, &r);
        next = draw(logits->data + (size_t)(T - 1) * m->V, m->V, opt->temperature, rng);
        put_char(v, next);
        in = &next;
        T = 1;
    }
    printf("\n");
    state_free(&s);
    free(ids);
}

/* ---- saving -------------------------------------------------------------- */

/* The parameters under PyTorch's state_dict names, and in the metadata what
 * is needed to use them: the vocabulary, the sizes, and how the held-out
 * text was cut and evaluated. */
static void save(const model *m, const vocab *v, const options *opt)
{
    char num[6][32];
    snprintf(num[0], sizeof num[0], "%d", v->size);
    snprintf(num[1], sizeof num[1], "%d", opt->embed);
    snprintf(num[2], sizeof num[2], "%d", opt->hidden);
    snprintf(num[3], sizeof num[3], "%g", opt->holdout);
    snprintf(num[4], sizeof num[4], "%d", opt->batch);
    snprintf(num[5], sizeof num[5], "%d", opt->seq_len);
    char *chars = vocab_string(v);
    const rc_st_kv meta[] = {
        {"model", "char_lm: embed (nn.Embedding) -> lstm (nn.LSTM) -> head (nn.Linear)"},
        {"vocab_size", num[0]},
        {"unk_id", "0"},
        {"vocab", chars}, /* the characters of ids 1, 2, ... */
        {"embed_dim", num[1]},
        {"hidden_size", num[2]},
        {"num_layers", "1"},
        {"data", opt->data},
        {"holdout", num[3]},
        {"batch", num[4]},
        {"seq_len", num[5]},
    };
    check(rc_st_save_params(opt->save, m->params, meta, sizeof meta / sizeof meta[0]), "saving the model");
    printf("saved %zu parameters to %s\n", rc_params_numel(m->params), opt->save);
    free(chars);
}

int main(int argc, char **argv)
{
    options opt = {
        .data = "data/moby_dick.txt",
        .save = "",
        .prime = "Call me Ishmael. ",
        .seconds = 60,
        .holdout = 0.1,
        .lr = 2e-3,
        .clip = 5,
        .temperature = 0.8,
        .steps = 0,
        .log_every = 100,
        .seq_len = 64,
        .batch = 16,
        .embed = 32,
        .hidden = 128,
        .sample = 300,
        .seed = 1,
    };
    parse_options(&opt, argc, argv);

    size_t n;
    uint32_t *text = read_text(opt.data, &n);
    const size_t n_held = (size_t)((double)n * opt.holdout), n_train = n - n_held;
    if (n_held < 2) {
        fprintf(stderr, "char_lm: %s has %zu characters: too few to hold %g out\n", opt.data, n, opt.holdout);
        return 1;
    }
    vocab v = vocab_build(text, n_train);
    int *ids = encode(&v, text, n);
    free(text);
    size_t unseen = 0;
    for (size_t i = n_train; i < n; i++) unseen += ids[i] == UNK;
    printf("%s: %zu characters, %zu for training, %zu held out (%zu not in the vocabulary)\n", opt.data, n,
           n_train, n_held, unseen);

    rc_rng rng;
    rc_rng_seed(&rng, (uint64_t)opt.seed);
    model m;
    model_init(&m, v.size, &opt, &rng);
    printf("model: vocabulary %d (with <unk>), embedding %d, LSTM hidden %d: %zu parameters\n", v.size, opt.embed,
           opt.hidden, rc_params_numel(m.params));
    rc_graph *g;
    check(rc_graph_create(&g), "creating the graph");
    rc_rng_seed(rc_graph_rng(g), (uint64_t)opt.seed);

    train(&m, g, ids, n_train, &opt);
    const double t0 = now_s();
    const double bits = evaluate(&m, g, ids + n_train, n_held, opt.seq_len, opt.batch);
    printf("held-out: %.4f bits/char over %zu characters (%.1f s); unigram entropy of the training text: %.3f\n",
           bits, n_held - 1, now_s() - t0, unigram_bits(ids, n_train, v.size));
    sample(&m, g, &v, &opt, &rng);
    if (opt.save[0]) save(&m, &v, &opt);

    rc_graph_free(g);
    model_free(&m);
    free(ids);
    free(v.cp);
    return 0;
}
