/*
 * `recur classify predict`: a label for each line of standard input, read
 * and answered --batch lines at a time.
 */
#include "classify.h"
#include "linebatch.h"
#include "metrics.h"

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

static rc_status answer(const seq_runner *r, rc_graph *g, const line_batch *lb, bool json)
{
    const classify_model *m = r->model;
    seq_data d;
    seq_output out = {0};
    size_t unknown;
    rc_status s = classify_encode(m, lb->texts, NULL, lb->lines, lb->n, lb->name, &d, &unknown);
    if (s == RC_OK) s = seq_output_alloc(&out, &d, false);
    if (s == RC_OK) s = seq_predict(r, g, &d, &out);
    if (s == RC_OK) s = print_batch(m, &out, lb->n, json);
    seq_output_free(&out);
    seq_data_free(&d);
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
    seq_runner runner = {.model = &m, .forward = classify_forward, .per_token = false, .batch = c.batch};
    rc_status s = classify_model_load(&m, c.model);
    if (s == RC_OK) s = line_batches_answer(&runner, c.json, answer);
    rc = cli_exit_status(&t, s);
    classify_model_free(&m);
    return rc;
}
