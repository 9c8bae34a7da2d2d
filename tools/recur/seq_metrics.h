/*
 * Metrics of predicted token sequences against references, over token ids
 * (ints compared for equality):
 *
 *   edit distance  Levenshtein: the fewest insertions, deletions and
 *                  substitutions of one token each that turn the
 *                  prediction into the reference
 *   BLEU           corpus BLEU-4 (Papineni et al. 2002), one reference per
 *                  sentence, no smoothing:
 *                    p_n = Σ_s Σ_g min(count_hyp(g), count_ref(g)) / Σ_s #n-grams of hyp_s
 *                    BP  = 1 if c > r else exp(1 − r / c)   (c, r: total hyp and ref lengths)
 *                    BLEU = BP · exp(¼ Σ_{n=1..4} log p_n)
 *                  and 0 when some p_n is 0 or has no n-grams (c = 0 included).
 */
#ifndef RECUR_TOOL_SEQ_METRICS_H
#define RECUR_TOOL_SEQ_METRICS_H

#include "recur/base.h"

/* The edit distance of a (n tokens) and b (m tokens); row is scratch for
 * m + 1 entries. */
size_t cli_edit_distance(const int *a, size_t n, const int *b, size_t m, size_t *row);

#define CLI_BLEU_ORDER 4

/* BLEU's sufficient statistics, summed over sentences. Zero it to start. */
typedef struct cli_bleu {
    uint64_t matches[CLI_BLEU_ORDER]; /* clipped n-gram matches, n = 1..4 */
    uint64_t totals[CLI_BLEU_ORDER];  /* n-grams of the hypotheses */
    uint64_t hyp_len, ref_len;
} cli_bleu;

/* Adds one sentence: hypothesis hyp (n tokens) against reference ref (m).
 * Errors: RC_E_NOMEM. */
rc_status cli_bleu_add(cli_bleu *b, const int *hyp, size_t n, const int *ref, size_t m);

/* The corpus BLEU of the sentences added, in [0, 1]. */
double cli_bleu_score(const cli_bleu *b);

#endif
