/*
 * `recur tag predict`: tags for the sentences of standard input, one a line,
 * tokens separated by whitespace; read and answered --batch lines at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "seqrun.h"
#include "tag.h"

/* Up to cap lines of input. The words of all of them are copied, each
 * NUL-terminated, into text; word k starts at word_at[k]. */
typedef struct sentence_batch {
    size_t lines, cap;   /* lines read, at most cap */
    size_t *n_words;     /* per line */
    char *text;
    size_t text_len, text_cap;
    size_t *word_at;
    size_t words, words_cap;
} sentence_batch;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return false;
    *p = q;
    *cap = c;
    return true;
}

static rc_status add_line(sentence_batch *sb, const char *line, size_t len)
{
    size_t n = rc_tokenize(line, len, RC_TOKENS_WORD, NULL, 0);
    void *text = sb->text, *at = sb->word_at;
    bool ok = grow(&text, &sb->text_cap, sb->text_len + len + n + 1, 1);
    sb->text = text;
    ok = ok && grow(&at, &sb->words_cap, sb->words + n + 1, sizeof *sb->word_at);
    sb->word_at = at;
    if (!ok) return rc_error(RC_E_NOMEM, "out of memory");
    for (size_t i = 0; i < len;) {
        rc_str w;
        if (rc_tokenize(line + i, len - i, RC_TOKENS_WORD, &w, 1) == 0) break;
        sb->word_at[sb->words++] = sb->text_len;
        memcpy(sb->text + sb->text_len, w.s, w.n);
        sb->text[sb->text_len + w.n] = '\0';
        sb->text_len += w.n + 1;
        i = (size_t)(w.s - line) + w.n;
    }
    sb->n_words[sb->lines++] = n;
    return RC_OK;
}

/* Reads up to sb->cap lines; sb->lines is 0 at the end of the input. */
static rc_status read_lines(sentence_batch *sb, rc_line_reader *r)
{
    sb->lines = sb->words = sb->text_len = 0;
    while (sb->lines < sb->cap) {
        const char *line;
        size_t len;
        rc_status s = rc_line_reader_next(r, &line, &len);
        if (s != RC_OK) return s;
        if (!line) break;
        s = add_line(sb, line, len);
        if (s != RC_OK) return s;
    }
    return RC_OK;
}

/* The non-empty lines as sentences without tags (starts and words owned by
 * the caller, freed with free()). */
static rc_status as_sentences(const sentence_batch *sb, rc_tagged *d)
{
    memset(d, 0, sizeof *d);
    d->starts = malloc((sb->lines + 1) * sizeof *d->starts);
    d->words = malloc((sb->words + 1) * sizeof *d->words);
    if (!d->starts || !d->words) return rc_error(RC_E_NOMEM, "out of memory");
    d->starts[0] = 0;
    for (size_t i = 0; i < sb->lines; i++)
        if (sb->n_words[i] > 0) {
            d->n_tokens += sb->n_words[i];
            d->starts[++d->n_sentences] = d->n_tokens;
        }
    for (size_t k = 0; k < sb->words; k++) d->words[k] = sb->text + sb->word_at[k];
    return RC_OK;
}

/* word/TAG for each word, a line per input line (empty for an empty one). */
static rc_status print_batch(const tag_model *m, const sentence_batch *sb, const rc_tagged *d, const int *pred, bool json)
{
    size_t k = 0;
    for (size_t i = 0; i < sb->lines; i++) {
        size_t n = sb->n_words[i];
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

static rc_status predict_batch(tag_model *m, rc_graph *g, const sentence_batch *sb, int batch, bool json)
{
    rc_tagged d;
    seq_data sd = {0};
    seq_output out = {0};
    size_t unknown;
    rc_status s = as_sentences(sb, &d);
    if (s == RC_OK && d.n_tokens > 0) {
        seq_runner runner = {.model = m, .forward = tag_forward, .per_token = true, .batch = batch};
        s = tag_encode(m, &d, &sd, &unknown);
        if (s == RC_OK) s = seq_output_alloc(&out, &sd, true);
        if (s == RC_OK) s = seq_predict(&runner, g, &sd, &out);
    }
    if (s == RC_OK) s = print_batch(m, sb, &d, out.pred, json);
    seq_output_free(&out);
    seq_data_free(&sd);
    free(d.starts);
    free(d.words);
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
    rc_graph *g = NULL;
    rc_line_reader *r = NULL;
    sentence_batch sb = {.cap = (size_t)c.batch};
    sb.n_words = malloc(sb.cap * sizeof *sb.n_words);
    rc_status s = sb.n_words ? tag_model_load(&m, c.model) : rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = rc_graph_create(&g);
    if (s == RC_OK) s = rc_line_reader_create(&r, stdin, "stdin", RC_LINE_MAX_BYTES);
    while (s == RC_OK && (s = read_lines(&sb, r)) == RC_OK && sb.lines > 0) s = predict_batch(&m, g, &sb, c.batch, c.json);
    rc = cli_exit_status(&t, s);
    free(sb.n_words);
    free(sb.text);
    free(sb.word_at);
    rc_line_reader_free(r);
    rc_graph_free(g);
    tag_model_free(&m);
    return rc;
}
