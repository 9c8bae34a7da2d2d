/*
 * `recur translate eval`: decodes the sources of TSV pairs and scores the
 * hypotheses against the targets: exact match, token error rate and BLEU.
 */
#include <stdlib.h>

#include "metrics.h"
#include "translate.h"

int translate_eval_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    c.batch = 64;
    tr_decode_opts o = {.beam = 1, .max_len = 0};
    cli_table t;
    cli_table_init(&t, "recur translate eval", "--model FILE --data TSV [options]",
                   "Decodes the sources of TSV pairs source<TAB>target and scores the hypotheses against the\n"
                   "targets: exact_match (the fraction of hypotheses equal to their target), token_error_rate (the\n"
                   "edit distance summed over pairs divided by the targets' summed length) and bleu (corpus BLEU-4,\n"
                   "in [0, 1]). Tokens the model has never seen read as <unk>; in a target they match nothing.");
    tr_add_decode_command(&t, &c, &o);
    cli_add_common_as(&t, &c, "data", "TSV", "the pairs to evaluate on, TSV source<TAB>target", true);
    cli_add_common(&t, &c, "threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);
    o.batch = c.batch;

    tr_model m;
    rc_tsv tsv = {0};
    tr_texts src = {0}, tgt = {0};
    tr_hyp *hyps = NULL;
    tr_score sc = {0};
    char name[600];
    snprintf(name, sizeof name, "'%s'", c.data);
    rc_status s = tr_model_load(&m, c.model);
    if (s == RC_OK) s = rc_tsv_read(&tsv, c.data, 2, RC_TEXT_MAX_BYTES);
    if (s == RC_OK) s = tr_texts_encode(&src, &m.src_vocab, m.arch.src_tokens, tsv.cells, tsv.rows, 2, name, tsv.lines);
    if (s == RC_OK)
        s = tr_texts_encode(&tgt, &m.tgt_vocab, m.arch.tgt_tokens, tsv.cells + 1, tsv.rows, 2, name, tsv.lines);
    if (s == RC_OK) s = tr_check_positions(&m.arch, &src, c.data, tsv.lines);
    if (s == RC_OK && !(hyps = calloc(src.n, sizeof *hyps))) s = rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = tr_decode_all(&m, &src, &o, hyps);
    for (size_t i = 0; s == RC_OK && i < src.n; i++) s = tr_score_add(&sc, &hyps[i], &tgt.seqs[i]);
    if (s == RC_OK)
        s = cli_emit(json_pack("{s:f, s:f, s:f, s:I, s:i, s:I, s:I}", "exact_match", tr_score_exact(&sc),
                               "token_error_rate", tr_score_ter(&sc), "bleu", cli_bleu_score(&sc.bleu), "pairs",
                               (json_int_t)src.n, "beam", o.beam, "unknown_source_tokens", (json_int_t)src.unknown,
                               "unknown_target_tokens", (json_int_t)tgt.unknown),
                     c.json, stdout);
    rc = cli_exit_status(&t, s);
    if (hyps) tr_hyps_free(hyps, src.n);
    free(hyps);
    tr_texts_free(&src);
    tr_texts_free(&tgt);
    rc_tsv_free(&tsv);
    tr_model_free(&m);
    return rc;
}
