/*
 * Token sequences of the classify and tag tasks, first as strings (pointing
 * into the data they were read from), then as ids:
 *
 *     seq_tokens tk;                         // texts split into words or chars
 *     seq_tokens_from_texts(&tk, texts, lines, n, RC_TOKENS_WORD, 400, "'train.tsv'");
 *     seq_vocabs v;                          // <pad>, <unk>, tokens seen twice;
 *     seq_vocabs_build(&v, &tk, 2, true, labels, n);  // their characters; the labels
 *     seq_data d;
 *     seq_data_encode(&d, &tk, &v);          // ids, <unk> for unseen tokens, each word's characters
 *     seq_data_targets(&d, v.classes, labels, n, &unknown);
 *
 * For the tagger's character features a word is read as at most
 * SEQ_WORD_CHARS characters: a longer word as its first and last
 * SEQ_WORD_CHARS / 2, which keep its prefix and suffix.
 */
#ifndef RECUR_TOOL_SEQDATA_H
#define RECUR_TOOL_SEQDATA_H

#include "recur/data.h"

#define SEQ_WORD_CHARS 32

typedef struct seq_tokens {
    size_t n;      /* sequences */
    size_t *start; /* n + 1: sequence i is tok[start[i] .. start[i + 1]) */
    rc_str *tok;
} seq_tokens;

/* Tokenizes n texts, keeping the first max_len tokens of each. A text
 * without any token is an error naming `name` and lines[i]. Errors:
 * RC_E_FORMAT, RC_E_NOMEM. */
rc_status seq_tokens_from_texts(seq_tokens *out, char *const *texts, const size_t *lines, size_t n, rc_token_kind kind,
                                int max_len, const char *name);

/* The words of tagged sentences, each sentence cut into pieces of at most
 * max_len tokens (every piece a sequence of its own). */
rc_status seq_tokens_from_tagged(seq_tokens *out, const rc_tagged *d, int max_len);

void seq_tokens_free(seq_tokens *t);

/* The vocabularies of a classify or tag model: its tokens (with <pad> and
 * <unk>), their characters (with character features, else NULL) and its
 * classes, labels or tags (without specials). */
typedef struct seq_vocabs {
    rc_token_vocab *tokens, *chars, *classes;
} seq_vocabs;

/* The vocabularies of training data: the tokens of t seen min_count times,
 * with chars their characters, and the classes named by names[0..n) (one
 * per sequence, or one per token). Errors: RC_E_NOMEM; *v is then empty. */
rc_status seq_vocabs_build(seq_vocabs *v, const seq_tokens *t, int min_count, bool chars, char *const *names, size_t n);

void seq_vocabs_free(seq_vocabs *v);

typedef struct seq_data {
    size_t n;          /* sequences */
    size_t *start;     /* n + 1 offsets into ids */
    int *ids;          /* start[n] token ids */
    size_t unknown;    /* how many ids are RC_TOKEN_UNK */
    int *targets;      /* set by the task: n labels, or start[n] tags (-100: none) */
    int max_length;    /* the longest sequence */
    /* character features: the distinct words of the data ("types"), and for
     * each token the type it is */
    int *types;        /* start[n], or NULL without character features */
    size_t n_types;
    size_t *type_start; /* n_types + 1 offsets into type_chars */
    int *type_chars;
} seq_data;

/* The ids of the tokens in v->tokens (RC_TOKEN_UNK for those it lacks) and,
 * when v->chars is set, the character features' types: the characters of
 * each distinct word of t, as ids of v->chars. No targets yet. Errors:
 * RC_E_NOMEM (free *d all the same). */
rc_status seq_data_encode(seq_data *d, const seq_tokens *t, const seq_vocabs *v);

/* The targets of d: for each of names[0..n) its id in classes, or -100 for
 * a name that classes lacks (and for all n when names is NULL); *unknown
 * counts the -100s. Errors: RC_E_NOMEM. */
rc_status seq_data_targets(seq_data *d, const rc_token_vocab *classes, char *const *names, size_t n, size_t *unknown);

static inline int seq_length(const seq_data *d, size_t i) { return (int)(d->start[i + 1] - d->start[i]); }

void seq_data_free(seq_data *d);

#endif
