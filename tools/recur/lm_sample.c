/*
 * `recur lm sample`: generates text from a language model, one character at
 * a time, with temperature and top-k sampling from a seeded generator.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lm.h"
#include "metrics.h"

typedef struct candidate {
    rc_real logit;
    int id;
} candidate;

/* Highest logit first; equal logits by id, so the order is deterministic. */
static int by_logit(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->logit != y->logit) return x->logit > y->logit ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Draws the next id from a row of V logits: never <unk>; temperature 0 takes
 * the most likely character, otherwise p_i ∝ exp(z_i / temperature) over the
 * top_k most likely (all if 0). cand and w hold V entries. */
static int draw(const rc_real *logits, int V, double temperature, int top_k, rc_rng *rng, candidate *cand, double *w)
{
    int n = V - 1;
    for (int id = 1; id < V; id++) cand[id - 1] = (candidate){logits[id], id};
    qsort(cand, (size_t)n, sizeof *cand, by_logit);
    if (temperature == 0) return cand[0].id;
    if (top_k > 0 && top_k < n) n = top_k;
    /* p_i = exp((z_i − z_max) / temperature) / Σ, shifted by the maximum so that exp cannot overflow */
    double total = 0;
    for (int i = 0; i < n; i++) total += w[i] = exp(((double)cand[i].logit - (double)cand[0].logit) / temperature);
    double u = rc_rng_uniform(rng) * total;
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i]) return cand[i].id;
        u -= w[i];
    }
    return cand[n - 1].id;
}

typedef struct sample_opts {
    const char *prime;
    int length, top_k;
    double temperature;
} sample_opts;

/* Appends the UTF-8 form of the character of id to out at *len. */
static void append_char(const rc_vocab *v, int id, char *out, size_t *len)
{
    int k = rc_utf8_encode(rc_vocab_char(v, id), out + *len);
    *len += (size_t)k;
}

/* Runs the model over the prime and then samples o->length characters into
 * out (4 bytes per character, NUL-terminated), writing each to stream as
 * it comes when stream is non-NULL. */
static rc_status generate(lm_model *m, const rc_vocab *v, const int *prime, int n_prime, const sample_opts *o,
                          rc_rng *rng, char *out, FILE *stream)
{
    rc_graph *g;
    lm_state st = {0};
    int V = m->vocab_size;
    candidate *cand = malloc((size_t)V * sizeof *cand);
    double *w = malloc((size_t)V * sizeof *w);
    rc_status s = rc_graph_create(&g);
    if (s == RC_OK) s = lm_state_create(&st, m, 1);
    if (s == RC_OK && (!cand || !w)) s = rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK && V < 2) s = rc_error(RC_E_FORMAT, "the model's vocabulary has no characters to sample");
    if (s == RC_OK) {
        rc_graph_set_training(g, false);
        rc_graph_set_grad_enabled(g, false);
    }
    size_t len = 0;
    const int *ids = prime;
    int n = n_prime, id;
    for (int i = 0; s == RC_OK && i < o->length; i++) {
        rc_graph_reset(g);
        rc_tensor *logits = lm_forward(m, g, ids, n, 1, &st);
        if (!logits) {
            s = rc_graph_status(g);
            break;
        }
        id = draw(logits->data + (size_t)(n - 1) * (size_t)V, V, o->temperature, o->top_k, rng, cand, w);
        size_t at = len;
        append_char(v, id, out, &len);
        if (stream) {
            fwrite(out + at, 1, len - at, stream);
            if (isatty(fileno(stream))) fflush(stream);
        }
        ids = &id;
        n = 1;
    }
    out[len] = '\0';
    free(cand);
    free(w);
    lm_state_free(&st);
    rc_graph_free(g);
    return s;
}

int lm_sample_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    sample_opts o = {.prime = "\n", .length = 500, .top_k = 0, .temperature = 1};
    cli_table t;
    cli_table_init(&t, "recur lm sample", "--model FILE [options]",
                   "Generates text from a language model: the model reads --prime, then draws --length characters,\n"
                   "each from softmax(logits / temperature) restricted to the --top-k most likely characters.\n"
                   "Prints the prime followed by the sample (with --json: {\"prime\": ..., \"text\": ...}).");
    cli_add_common_as(&t, &c, "model", NULL, "the model file to sample from", true);
    cli_add(&t, (cli_opt){.name = "prime", .type = CLI_STRING, .field = &o.prime, .meta = "TEXT",
                          .help = "text the sample continues"});
    cli_add(&t, (cli_opt){.name = "length", .type = CLI_INT, .field = &o.length, .meta = "N", .min = 0, .max = 100000000,
                          .help = "characters to generate"});
    cli_add(&t, (cli_opt){.name = "temperature", .type = CLI_REAL, .field = &o.temperature, .meta = "X", .min = 0,
                          .max = 100, .help = "sampling temperature (0: always the most likely character)"});
    cli_add(&t, (cli_opt){.name = "top-k", .type = CLI_INT, .field = &o.top_k, .meta = "K", .min = 0, .max = RC_VOCAB_MAX,
                          .help = "sample among the K most likely characters (0: all)"});
    cli_add_common(&t, &c, "seed threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    rc_text prime;
    if (rc_text_decode(&prime, "--prime", o.prime, strlen(o.prime)) != RC_OK)
        return cli_usage_error(&t, stderr, "%s", rc_last_error());
    if (prime.n == 0 || prime.n > (size_t)(1 << 20)) {
        rc_text_free(&prime);
        return cli_usage_error(&t, stderr, "--prime: needs 1 to %d characters", 1 << 20);
    }
    cli_apply_threads(&c);

    lm_model m = {.vocab_size = 0};
    rc_vocab *vocab = NULL;
    int *ids = malloc(prime.n * sizeof *ids);
    char *out = malloc((size_t)o.length * 4 + 1);
    rc_status s = ids && out ? lm_model_load(&m, &vocab, c.model) : rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) {
        size_t unknown = rc_vocab_encode(vocab, prime.cps, prime.n, ids);
        if (unknown && !c.quiet)
            fprintf(stderr, "%s: %zu characters of --prime are not in the model's vocabulary (read as <unk>)\n", t.cmd,
                    unknown);
        rc_rng rng;
        rc_rng_seed(&rng, cli_stream_seed(&c, CLI_STREAM_SAMPLE));
        if (!c.json) fputs(o.prime, stdout);
        s = generate(&m, vocab, ids, (int)prime.n, &o, &rng, out, c.json ? NULL : stdout);
    }
    if (s == RC_OK && c.json) s = cli_emit(json_pack("{s:s, s:s}", "prime", o.prime, "text", out), true, stdout);
    else if (s == RC_OK) fputc('\n', stdout);
    rc = cli_exit_status(&t, s);
    lm_model_free(&m);
    rc_vocab_free(vocab);
    free(ids);
    free(out);
    rc_text_free(&prime);
    return rc;
}
