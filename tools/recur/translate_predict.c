/*
 * `recur translate predict`: translates each line of standard input and
 * prints the hypotheses, optionally drawing their attention weights.
 */
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"
#include "metrics.h"
#include "translate.h"

/* The tokens of text as NUL-terminated strings into *labels (freed with
 * free_labels); *n their count. */
static rc_status split_labels(const char *text, tr_token_mode mode, char ***labels, int *n)
{
    size_t k = tr_tokenize(text, mode, NULL, 0);
    tr_span *spans = malloc((k ? k : 1) * sizeof *spans);
    *labels = calloc(k ? k : 1, sizeof **labels);
    rc_status s = spans && *labels ? RC_OK : rc_error(RC_E_NOMEM, "out of memory for labels");
    if (s == RC_OK) tr_tokenize(text, mode, spans, k);
    for (size_t i = 0; s == RC_OK && i < k; i++) {
        char *l = malloc(spans[i].len + 1);
        if (!l) {
            s = rc_error(RC_E_NOMEM, "out of memory for labels");
            break;
        }
        memcpy(l, text + spans[i].start, spans[i].len);
        l[spans[i].len] = '\0';
        (*labels)[i] = l;
    }
    free(spans);
    *n = (int)k;
    return s;
}

static void free_labels(char **labels, int n)
{
    for (int i = 0; labels && i < n; i++) free(labels[i]);
    free(labels);
}

/* The prediction of h as text (freed by the caller), or NULL. */
static char *prediction(const tr_model *m, const tr_hyp *h)
{
    char *text = NULL;
    size_t len;
    FILE *fp = open_memstream(&text, &len);
    if (!fp) return NULL;
    tr_write_tokens(fp, &m->tgt_vocab, m->arch.tgt_tokens, h->ids, h->len);
    return fclose(fp) == 0 ? text : (free(text), NULL);
}

/* The attention map of each line: source tokens across, output tokens (and
 * <eos> when produced) down. */
static rc_status draw(const char *path, const tr_model *m, const rc_tsv *in, const tr_hyp *hyps)
{
    size_t n = in->rows;
    cli_heatmap *maps = calloc(n, sizeof *maps);
    char ***cols = calloc(n, sizeof *cols), **titles = calloc(n, sizeof *titles);
    const char ***rows = calloc(n, sizeof *rows);
    int *n_cols = calloc(n, sizeof *n_cols);
    rc_status s = maps && cols && titles && rows && n_cols ? RC_OK : rc_error(RC_E_NOMEM, "out of memory");
    for (size_t i = 0; s == RC_OK && i < n; i++) {
        const tr_hyp *h = &hyps[i];
        s = split_labels(in->cells[i], m->arch.src_tokens, &cols[i], &n_cols[i]);
        int r = h->len + h->ended;
        rows[i] = malloc((size_t)(r ? r : 1) * sizeof *rows[i]);
        char *pred = prediction(m, h);
        size_t tlen = strlen(in->cells[i]) + (pred ? strlen(pred) : 0) + 64;
        titles[i] = malloc(tlen);
        if (s == RC_OK && (!rows[i] || !pred || !titles[i])) s = rc_error(RC_E_NOMEM, "out of memory");
        if (s == RC_OK) {
            for (int t = 0; t < h->len; t++) rows[i][t] = m->tgt_vocab.tokens[h->ids[t]];
            if (h->ended) rows[i][h->len] = m->tgt_vocab.tokens[TR_EOS];
            snprintf(titles[i], tlen, "line %zu: %s \xE2\x86\x92 %s", in->lines[i], in->cells[i], pred);
            maps[i] = (cli_heatmap){titles[i], r, h->src_len, rows[i], (const char *const *)cols[i], h->attention};
        }
        free(pred);
    }
    if (s == RC_OK) s = cli_heatmap_save(path, maps, (int)n, "source tokens", "output tokens");
    for (size_t i = 0; i < n; i++) {
        if (cols) free_labels(cols[i], n_cols ? n_cols[i] : 0);
        if (rows) free(rows[i]);
        if (titles) free(titles[i]);
    }
    free(maps);
    free(cols);
    free(rows);
    free(titles);
    free(n_cols);
    return s;
}

static rc_status print_all(const tr_model *m, const rc_tsv *in, const tr_hyp *hyps, bool json)
{
    rc_status s = RC_OK;
    for (size_t i = 0; s == RC_OK && i < in->rows; i++) {
        char *pred = prediction(m, &hyps[i]);
        if (!pred) return rc_error(RC_E_NOMEM, "out of memory");
        if (json)
            s = cli_emit(json_pack("{s:I, s:s, s:s, s:f, s:b}", "line", (json_int_t)in->lines[i], "source",
                                   in->cells[i], "prediction", pred, "score", hyps[i].score, "ended", hyps[i].ended),
                         true, stdout);
        else
            printf("%s\n", pred);
        free(pred);
    }
    return s;
}

int translate_predict_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    c.batch = 64;
    tr_decode_opts o = {.beam = 1, .max_len = 0};
    const char *map = NULL;
    cli_table t;
    cli_table_init(&t, "recur translate predict", "--model FILE [options] < LINES",
                   "Translates each line of standard input (one source a line, UTF-8; blank lines are skipped) and\n"
                   "prints one hypothesis a line: tokens joined by nothing (characters) or by spaces (words). With\n"
                   "--json: {\"line\", \"source\", \"prediction\", \"score\" (log-probability, <eos> included),\n"
                   "\"ended\" (false when --max-len cut it)}.");
    tr_add_decode_command(&t, &c, &o);
    cli_add(&t, (cli_opt){.name = "attention-map", .type = CLI_STRING, .field = &map, .meta = "FILE.svg",
                          .help = "draw the attention weights of every line as SVG heatmaps into FILE.svg"});
    cli_add_common(&t, &c, "threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);
    o.batch = c.batch;
    o.attention = map != NULL;

    tr_model m;
    rc_tsv in = {0};
    tr_texts src = {0};
    tr_hyp *hyps = NULL;
    char *bytes = NULL;
    size_t n = 0;
    rc_status s = tr_model_load(&m, c.model);
    if (s == RC_OK && map && !tr_arch_has_attention(&m.arch))
        s = rc_error(RC_E_INVALID, "--attention-map: the model '%s' has no attention (--attention none)", c.model);
    if (s == RC_OK) s = rc_stream_read(stdin, "standard input", RC_TEXT_MAX_BYTES, &bytes, &n);
    if (s == RC_OK) s = rc_tsv_parse(&in, "standard input", bytes, n, 1);
    if (s == RC_OK)
        s = tr_texts_encode(&src, &m.src_vocab, m.arch.src_tokens, in.cells, in.rows, 1, "standard input", in.lines);
    if (s == RC_OK) s = tr_check_positions(&m.arch, &src, "standard input", in.lines);
    if (s == RC_OK && src.unknown && !c.quiet)
        fprintf(stderr, "%s: %zu source tokens are not in the model's vocabulary (read as <unk>)\n", t.cmd,
                src.unknown);
    if (s == RC_OK && !(hyps = calloc(src.n, sizeof *hyps))) s = rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = tr_decode_all(&m, &src, &o, hyps);
    if (s == RC_OK) s = print_all(&m, &in, hyps, c.json);
    if (s == RC_OK && map) s = draw(map, &m, &in, hyps);
    rc = cli_exit_status(&t, s);
    if (hyps) tr_hyps_free(hyps, src.n);
    free(hyps);
    free(bytes);
    tr_texts_free(&src);
    rc_tsv_free(&in);
    tr_model_free(&m);
    return rc;
}
