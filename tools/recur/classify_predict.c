/*
 * `recur classify predict`: a label for each line of standard input, read
 * and answered --batch lines at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "metrics.h"
#include "seqrun.h"

/* Up to cap lines of input, copied (the reader reuses its buffer). */
typedef struct line_batch {
    char **texts;
    size_t *lines;
    size_t n, cap;
} line_batch;

static void clear(line_batch *lb)
{
    for (size_t i = 0; i < lb->n; i++) free(lb->texts[i]);
    lb->n = 0;
}

/* Reads up to lb->cap lines; lb->n is 0 at the end of the input. */
static rc_status read_lines(line_batch *lb, rc_line_reader *r)
{
    clear(lb);
    while (lb->n < lb->cap) {
        const char *line;
        size_t len;
        rc_status s = rc_line_reader_next(r, &line, &len);
        if (s != RC_OK) return s;
        if (!line) break;
        char *copy = malloc(len + 1);
        if (!copy) return rc_error(RC_E_NOMEM, "out of memory");
        memcpy(copy, line, len + 1);
        lb->texts[lb->n] = copy;
        lb->lines[lb->n++] = rc_line_reader_line(r);
    }
    return RC_OK;
}

static rc_status print_batch(const classify_model *m, const seq_output *out, size_t n, bool json)
{
    rc_status s = RC_OK;
    for (size_t i = 0; s == RC_OK && i < n; i++) {
        const char *label = rc_token_vocab_token(m->v.classes, out->pred[i]);
        if (json) s = cli_emit(json_pack("{s:s, s:f}", "label", label, "probability", (double)out->prob[i]), true, stdout);
        else printf("%s\t%.4f\n", label, (double)out->prob[i]);
    }
    fflush(stdout);
    return s;
}

static rc_status predict(classify_model *m, rc_graph *g, rc_line_reader *r, int batch, bool json)
{
    line_batch lb = {.cap = (size_t)batch};
    lb.texts = malloc(lb.cap * sizeof *lb.texts);
    lb.lines = malloc(lb.cap * sizeof *lb.lines);
    rc_status s = lb.texts && lb.lines ? RC_OK : rc_error(RC_E_NOMEM, "out of memory");
    seq_runner runner = {.model = m, .forward = classify_forward, .per_token = false, .batch = batch};
    while (s == RC_OK && (s = read_lines(&lb, r)) == RC_OK && lb.n > 0) {
        seq_data d;
        seq_output out = {0};
        size_t unknown;
        s = classify_encode(m, lb.texts, NULL, lb.lines, lb.n, rc_line_reader_name(r), &d, &unknown);
        if (s == RC_OK) s = seq_output_alloc(&out, &d, false);
        if (s == RC_OK) s = seq_predict(&runner, g, &d, &out);
        if (s == RC_OK) s = print_batch(m, &out, lb.n, json);
        seq_output_free(&out);
        seq_data_free(&d);
    }
    if (lb.texts) clear(&lb);
    free(lb.texts);
    free(lb.lines);
    return s;
}

int classify_predict_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    cli_table t;
    cli_table_init(&t, "recur classify predict", "--model FILE [options] < TEXTS",
                   "Classifies each line of standard input (a text, split into tokens as in training) and prints\n"
                   "its label and the label's probability, separated by a tab (with --json: {\"label\": ...,\n"
                   "\"probability\": ...}). A line without tokens is an error naming it.");
    cli_add_common_as(&t, &c, "model", NULL, "the model file", true);
    cli_add_common(&t, &c, "batch threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    classify_model m = {0};
    rc_graph *g = NULL;
    rc_line_reader *r = NULL;
    rc_status s = classify_model_load(&m, c.model);
    if (s == RC_OK) s = rc_graph_create(&g);
    if (s == RC_OK) s = rc_line_reader_create(&r, stdin, "stdin", RC_LINE_MAX_BYTES);
    if (s == RC_OK) s = predict(&m, g, r, c.batch, c.json);
    rc = cli_exit_status(&t, s);
    rc_line_reader_free(r);
    rc_graph_free(g);
    classify_model_free(&m);
    return rc;
}
