/*
 * `recur classify eval`: accuracy, macro-F1 and the confusion matrix of a
 * model on labelled texts.
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "metrics.h"
#include "seqrun.h"

/* The confusion matrix (C × C, gold by predicted) of the examples whose gold
 * label the model knows. */
static void confusion(const seq_data *d, const int *pred, int C, json_int_t *cm)
{
    memset(cm, 0, (size_t)C * C * sizeof *cm);
    for (size_t i = 0; i < d->n; i++)
        if (d->targets[i] >= 0) cm[d->targets[i] * C + pred[i]]++;
}

/* The mean F1 = 2·TP / (2·TP + FP + FN) over the labels that are gold or
 * predicted at least once: an example with an unknown gold label is a false
 * positive of its prediction. predicted holds C counts (scratch). */
static double macro_f1(const seq_data *d, const int *pred, int C, const json_int_t *cm, json_int_t *predicted)
{
    memset(predicted, 0, (size_t)C * sizeof *predicted);
    for (size_t i = 0; i < d->n; i++) predicted[pred[i]]++;
    double sum = 0;
    int labels = 0;
    for (int k = 0; k < C; k++) {
        json_int_t tp = cm[k * C + k], gold = 0;
        for (int j = 0; j < C; j++) gold += cm[k * C + j];
        if (gold == 0 && predicted[k] == 0) continue;
        labels++;
        sum += 2.0 * (double)tp / (double)(gold + predicted[k]);
    }
    return labels ? sum / labels : 0;
}

/* The confusion matrix as a table, rows gold and columns predicted. */
static void print_confusion(const classify_model *m, const json_int_t *cm, int C, FILE *fp)
{
    int w = 9;
    for (int k = 0; k < C; k++) {
        int len = (int)strlen(rc_token_vocab_token(m->v.classes, k));
        if (len + 2 > w) w = len + 2;
    }
    fprintf(fp, "confusion (rows: gold label, columns: predicted)\n%*s", w, "");
    for (int k = 0; k < C; k++) fprintf(fp, "%*s", w, rc_token_vocab_token(m->v.classes, k));
    fputc('\n', fp);
    for (int k = 0; k < C; k++) {
        fprintf(fp, "%*s", w, rc_token_vocab_token(m->v.classes, k));
        for (int j = 0; j < C; j++) fprintf(fp, "%*" JSON_INTEGER_FORMAT, w, cm[k * C + j]);
        fputc('\n', fp);
    }
}

static rc_status report(const classify_model *m, const seq_data *d, const seq_output *out, size_t unknown, bool json)
{
    int C = rc_token_vocab_size(m->v.classes);
    json_int_t *cm = malloc(((size_t)C * C + (size_t)C) * sizeof *cm);
    if (!cm) return rc_error(RC_E_NOMEM, "out of memory");
    confusion(d, out->pred, C, cm);
    json_t *rec = json_pack("{s:f, s:f, s:f, s:I, s:I, s:I}", "accuracy", seq_accuracy(d, false, out->pred), "macro_f1",
                            macro_f1(d, out->pred, C, cm, cm + (size_t)C * C), "loss", out->counted ? out->loss_sum / (double)out->counted : 0,
                            "examples", (json_int_t)d->n, "unknown_labels", (json_int_t)unknown, "unknown_tokens",
                            (json_int_t)d->unknown);
    if (rec && json) {
        json_t *labels = json_array(), *rows = json_array();
        for (int k = 0; k < C; k++) {
            json_array_append_new(labels, json_string(rc_token_vocab_token(m->v.classes, k)));
            json_t *row = json_array();
            for (int j = 0; j < C; j++) json_array_append_new(row, json_integer(cm[k * C + j]));
            json_array_append_new(rows, row);
        }
        json_object_set_new(rec, "labels", labels);
        json_object_set_new(rec, "confusion", rows);
    }
    rc_status s = cli_emit(rec, json, stdout);
    if (s == RC_OK && !json) print_confusion(m, cm, C, stdout);
    free(cm);
    return s;
}

int classify_eval_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    cli_table t;
    cli_table_init(&t, "recur classify eval", "--model FILE --data TSV [options]",
                   "Evaluates a text classifier on LABEL<TAB>TEXT lines: accuracy, macro-F1 (the mean F1 over the\n"
                   "labels that occur), the mean cross-entropy (loss) and the confusion matrix. A label the model\n"
                   "does not know counts as an error.");
    cli_add_common_as(&t, &c, "model", NULL, "the model file to evaluate", true);
    cli_add_common_as(&t, &c, "data", "TSV", "the examples to evaluate on: LABEL<TAB>TEXT lines", true);
    cli_add_common(&t, &c, "batch threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    classify_model m = {0};
    rc_labeled ex = {0};
    seq_data d = {0};
    seq_output out = {0};
    rc_graph *g = NULL;
    size_t unknown = 0;
    char name[512];
    snprintf(name, sizeof name, "'%s'", c.data);
    rc_status s = classify_model_load(&m, c.model);
    if (s == RC_OK) s = rc_labeled_read(&ex, c.data);
    if (s == RC_OK) s = classify_encode(&m, ex.texts, ex.labels, ex.lines, ex.n, name, &d, &unknown);
    if (s == RC_OK) s = seq_output_alloc(&out, &d, false);
    if (s == RC_OK) s = rc_graph_create(&g);
    seq_runner runner = {.model = &m, .forward = classify_forward, .per_token = false, .batch = c.batch};
    if (s == RC_OK) s = seq_predict(&runner, g, &d, &out);
    if (s == RC_OK) s = report(&m, &d, &out, unknown, c.json);
    rc = cli_exit_status(&t, s);
    rc_graph_free(g);
    seq_output_free(&out);
    seq_data_free(&d);
    rc_labeled_free(&ex);
    classify_model_free(&m);
    return rc;
}
