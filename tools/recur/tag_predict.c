/*
 * `recur tag predict`: tags for the sentences of standard input, one a line,
 * tokens separated by whitespace; read and answered --batch lines at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "linebatch.h"
#include "metrics.h"
#include "tag.h"

/* The words of a batch of lines as sentences without tags: the words of
 * line i, NUL-terminated copies in text, are n_words[i] of d.words; a line
 * without words is no sentence. */
typedef struct sentences {
    rc_tagged d;
    size_t *n_words;
    char *text;
} sentences;

static void sentences_free(sentences *st)
{
    free(st->d.starts);
    free(st->d.words);
    free(st->n_words);
    free(st->text);
}

static rc_status split_lines(sentences *st, const line_batch *lb)
{
    memset(st, 0, sizeof *st);
    size_t words = 0, bytes = 0;
    for (size_t i = 0; i < lb->n; i++) {
        size_t len = strlen(lb->texts[i]);
        words += rc_tokenize(lb->texts[i], len, RC_TOKENS_WORD, NULL, 0);
        bytes += len + 1;
    }
    rc_tagged *d = &st->d;
    d->starts = malloc((lb->n + 1) * sizeof *d->starts);
    d->words = malloc((words + 1) * sizeof *d->words);
    st->n_words = malloc((lb->n ? lb->n : 1) * sizeof *st->n_words);
    st->text = malloc(bytes + 1);
    if (!d->starts || !d->words || !st->n_words || !st->text) return rc_error(RC_E_NOMEM, "out of memory");
    d->starts[0] = 0;
    char *at = st->text;
    for (size_t i = 0; i < lb->n; i++) {
        const char *line = lb->texts[i];
        size_t len = strlen(line), n = 0;
        for (size_t k = 0; k < len;) {
            rc_str w;
            if (rc_tokenize(line + k, len - k, RC_TOKENS_WORD, &w, 1) == 0) break;
            memcpy(at, w.s, w.n);
            at[w.n] = '\0';
            d->words[d->n_tokens + n++] = at;
            at += w.n + 1;
            k = (size_t)(w.s - line) + w.n;
        }
        st->n_words[i] = n;
        if (n > 0) {
            d->n_tokens += n;
            d->starts[++d->n_sentences] = d->n_tokens;
        }
    }
    return RC_OK;
}

/* word/TAG for each word, a line per input line (empty for an empty one). */
static rc_status print_batch(const tag_model *m, const sentences *st, size_t lines, const int *pred, bool json)
{
    const rc_tagged *d = &st->d;
    size_t k = 0;
    for (size_t i = 0; i < lines; i++) {
        size_t n = st->n_words[i];
        if (json) {
            json_t *tokens = json_array(), *tags = json_array();
            for (size_t j = k; j < k + n; j++) {
                json_array_append_new(tokens, json_string(d->words[j]));
                json_array_append_new(tags, json_string(rc_token_vocab_token(m->v.classes, pred[j])));
            }
            rc_status s = cli_emit(json_pack("{s:o, s:o}", "tokens", tokens, "tags", tags), true, stdout);
            if (s != RC_OK) return s;
        } else {
            for (size_t j = k; j < k + n; j++)
                printf("%s%s/%s", j > k ? " " : "", d->words[j], rc_token_vocab_token(m->v.classes, pred[j]));
            putchar('\n');
        }
        k += n;
    }
    fflush(stdout);
    return RC_OK;
}

static rc_status answer(const seq_runner *r, rc_graph *g, const line_batch *lb, bool json)
{
    const tag_model *m = r->model;
    sentences st;
    seq_data sd = {0};
    seq_output out = {0};
    size_t unknown;
    rc_status s = split_lines(&st, lb);
    if (s == RC_OK && st.d.n_tokens > 0) {
        s = tag_encode(m, &st.d, &sd, &unknown);
        if (s == RC_OK) s = seq_output_alloc(&out, &sd, true);
        if (s == RC_OK) s = seq_predict(r, g, &sd, &out);
    }
    if (s == RC_OK) s = print_batch(m, &st, lb->n, out.pred, json);
    seq_output_free(&out);
    seq_data_free(&sd);
    sentences_free(&st);
    return s;
}

int tag_predict_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    cli_table t;
    cli_table_init(&t, "recur tag predict", "--model FILE [options] < SENTENCES",
                   "Tags each line of standard input, a sentence of tokens separated by whitespace, and prints it\n"
                   "as word/TAG tokens separated by spaces (an empty line stays empty; with --json: {\"tokens\":\n"
                   "[...], \"tags\": [...]}).");
    cli_add_common_as(&t, &c, "model", NULL, "the model file", true);
    cli_add_common(&t, &c, "batch threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    tag_model m = {0};
    seq_runner runner = {.model = &m, .forward = tag_forward, .per_token = true, .batch = c.batch};
    rc_status s = tag_model_load(&m, c.model);
    if (s == RC_OK) s = line_batches_answer(&runner, c.json, answer);
    rc = cli_exit_status(&t, s);
    tag_model_free(&m);
    return rc;
}
