/*
 * Token sequences of the classify and tag tasks, first as strings (pointing
 * into the data they were read from), then as ids:
 *
 *     seq_tokens tk;                         // texts split into words or chars
 *     seq_tokens_from_texts(&tk, texts, n, RC_TOKENS_WORD, 400, "'train.tsv'");
 *     rc_token_vocab *v;
 *     seq_tokens_vocab(&tk, 2, &v);          // <pad>, <unk>, tokens seen twice
 *     seq_data d;
 *     seq_data_encode(&d, &tk, v);           // ids, <unk> for unseen tokens
 *     seq_data_add_chars(&d, &tk, chars);    // each word's characters (tagger)
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

/* The vocabulary (with <pad> and <unk>) of the tokens seen min_count times. */
rc_status seq_tokens_vocab(const seq_tokens *t, int min_count, rc_token_vocab **out);

/* The vocabulary (with <pad> and <unk>) of the characters of the tokens. */
rc_status seq_tokens_char_vocab(const seq_tokens *t, rc_token_vocab **out);

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

/* The ids of the tokens (RC_TOKEN_UNK for tokens not in v). */
rc_status seq_data_encode(seq_data *d, const seq_tokens *t, const rc_token_vocab *v);

/* Adds the character features' types: the characters of each distinct word
 * of t, as ids of chars. */
rc_status seq_data_add_chars(seq_data *d, const seq_tokens *t, const rc_token_vocab *chars);

static inline int seq_length(const seq_data *d, size_t i) { return (int)(d->start[i + 1] - d->start[i]); }

void seq_data_free(seq_data *d);

#endif
