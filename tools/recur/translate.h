/*
 * The translate task: sequence to sequence over TSV lines
 * "source<TAB>target", with the seq2seq models of recur/seq2seq.h: an
 * embedding and a recurrent encoder (bidirectional by default), a linear
 * bridge, and a one-cell decoder without attention or with one of the
 * attention kinds of --attention.
 *
 * Tokens are characters (code points) or space-separated words, chosen
 * separately for the source and the target. Both vocabularies start with
 * the same four special tokens, then the distinct tokens of the training
 * data in byte order; other tokens read as <unk>.
 */
#ifndef RECUR_TOOL_TRANSLATE_H
#define RECUR_TOOL_TRANSLATE_H

#include "common.h"
#include "recur.h"
#include "seq_metrics.h"

int translate_main(int argc, char **argv);
int translate_train_main(int argc, char **argv);
int translate_eval_main(int argc, char **argv);
int translate_predict_main(int argc, char **argv);

/* ---- tokens and vocabularies (translate_tokens.c) ---------------------- */

enum { TR_PAD, TR_BOS, TR_EOS, TR_UNK, TR_SPECIALS };

typedef enum tr_token_mode { TR_CHARS, TR_WORDS, TR_TOKEN_MODE_COUNT } tr_token_mode;

/* A token of a text: bytes [start, start + len). */
typedef struct tr_span {
    size_t start, len;
} tr_span;

/* The tokens of a valid UTF-8 text: each code point (TR_CHARS), or each
 * maximal run of bytes other than ' ' (TR_WORDS). Writes at most max spans
 * and returns how many tokens the text has (which may exceed max). */
size_t tr_tokenize(const char *text, tr_token_mode mode, tr_span *spans, size_t max);

/* Token strings and their ids: "<pad>", "<bos>", "<eos>", "<unk>", then the
 * tokens in byte order. */
typedef struct tr_vocab {
    int size;
    char **tokens; /* (size) NUL-terminated, owned */
    int *sorted;   /* (size) ids in byte order of their tokens, for lookup */
} tr_vocab;

/* The vocabulary of every token of the texts texts[i·stride], i < n (n may
 * be 0). Errors: RC_E_NOMEM, RC_E_INVALID beyond RC_VOCAB_MAX tokens. */
rc_status tr_vocab_build(tr_vocab *v, const char *const *texts, size_t n, size_t stride, tr_token_mode mode);

/* Parses a JSON array written by tr_vocab_json: the four special tokens
 * first, then distinct non-empty tokens valid for mode (one code point for
 * TR_CHARS; no space for TR_WORDS). Errors: RC_E_FORMAT naming `what` and
 * the entry, RC_E_NOMEM. */
rc_status tr_vocab_from_json(tr_vocab *v, const json_t *array, tr_token_mode mode, const char *what);

/* The vocabulary as a JSON array (NULL when out of memory). */
json_t *tr_vocab_json(const tr_vocab *v);

/* The id of the token text[0..len), or TR_UNK. */
int tr_vocab_id(const tr_vocab *v, const char *text, size_t len);

void tr_vocab_free(tr_vocab *v);

/* ---- data (translate_data.c) ------------------------------------------- */

/* A text as token ids. */
typedef struct tr_seq {
    const int *ids;
    int len;
} tr_seq;

/* Encoded texts: seqs[i] is text i. */
typedef struct tr_texts {
    size_t n;
    tr_seq *seqs;
    int *ids;       /* the storage */
    size_t tokens;  /* Σ lengths */
    size_t unknown; /* tokens read as <unk> */
    int longest;
} tr_texts;

/* Encodes the texts texts[i·stride], i < n, with v; errors name text i by
 * `name` (the file) and lines[i]. Errors: RC_E_INVALID for a text without
 * tokens or with more than TR_MAX_TOKENS; RC_E_NOMEM. */
#define TR_MAX_TOKENS 100000
rc_status tr_texts_encode(tr_texts *out, const tr_vocab *v, tr_token_mode mode, const char *const *texts, size_t n,
                          size_t stride, const char *name, const size_t *lines);
void tr_texts_free(tr_texts *t);

/* A padded batch for the seq2seq library. */
typedef struct tr_batch {
    int B, S, T;
    int *src, *lengths, *tgt; /* (B, S), (B), (B, T) */
    size_t cap_src, cap_lengths, cap_tgt; /* their capacities in ints */
} tr_batch;

/* Fills b with sources src->seqs[rows[i]] and, when tgt is non-NULL, targets
 * followed by <eos>. Grows the buffers as needed. Errors: RC_E_NOMEM. */
rc_status tr_batch_fill(tr_batch *b, const tr_texts *src, const tr_texts *tgt, const size_t *rows, int n);
void tr_batch_free(tr_batch *b);

/* ---- the model (translate_model.c) ------------------------------------- */

/* The options that define the network, stored in the model's "config". */
#define TR_ARCH_OPTIONS \
    "src-tokens tgt-tokens cell layers hidden embed encoder decoder-hidden attention attention-hidden heads positions"

typedef struct tr_arch {
    cli_common c; /* cell layers hidden embed */
    int src_tokens, tgt_tokens; /* tr_token_mode */
    int encoder;                /* 0 bidirectional, 1 one direction */
    int decoder_hidden;         /* 0 before resolution: the encoder's output size */
    int attention;              /* index of the --attention choice */
    int attention_hidden;       /* 0 before resolution: decoder_hidden */
    int heads;                  /* multihead */
    int positions;              /* rule1; 0 before resolution: the longest training source */
} tr_arch;

extern const tr_arch tr_arch_defaults;

/* Whether the decoder attends (--attention is not none). */
bool tr_arch_has_attention(const tr_arch *a);

/* Whether the attention scores a fixed number of source positions (rule1). */
bool tr_arch_has_positions(const tr_arch *a);

/* RC_OK if every text of src fits a's positions (or a has none), else
 * RC_E_INVALID naming file `path` and the text's line (lines[i]). */
rc_status tr_check_positions(const tr_arch *a, const tr_texts *src, const char *path, const size_t *lines);

/* Adds the TR_ARCH_OPTIONS entries bound to a. */
void tr_add_arch(cli_table *t, tr_arch *a);

typedef struct tr_model {
    tr_arch arch;
    tr_vocab src_vocab, tgt_vocab;
    rc_seq2seq *net;
    rc_params *params;
} tr_model;

/* Builds the network for the vocabularies already in m (taken over by m),
 * with arch resolved (no 0 left), drawing the weights from the INIT stream
 * of c's seed. Errors: those of rc_seq2seq_create. */
rc_status tr_model_create(tr_model *m, const tr_arch *arch, const cli_common *c);

/* Loads a model written by `recur translate train`. Errors: RC_E_IO,
 * RC_E_FORMAT naming the file. */
rc_status tr_model_load(tr_model *m, const char *path);

void tr_model_free(tr_model *m);

/* The "config" and "vocab" metadata of m (JSON texts freed by the caller);
 * RC_E_NOMEM. */
rc_status tr_model_meta(const tr_model *m, char **config, char **vocab);

/* ---- decoding (translate_decode.c) ------------------------------------- */

typedef struct tr_decode_opts {
    int beam;     /* 1: greedy */
    int max_len;  /* 0: twice the batch's longest source plus 10 */
    int batch;    /* sentences decoded together */
    bool attention;
} tr_decode_opts;

/* Adds the options of the commands that decode: --model (required),
 * --beam, --max-len and --batch. */
void tr_add_decode_command(cli_table *t, cli_common *c, tr_decode_opts *o);

/* One decoded sentence. */
typedef struct tr_hyp {
    int *ids;          /* len tokens, <eos> excluded */
    int len;
    bool ended;        /* it ended with <eos> (else it reached max_len) */
    double score;      /* Σ log p, <eos> included */
    rc_real *attention; /* (len + ended, src_len): a row per output token, <eos> included; or NULL */
    int src_len;
} tr_hyp;

/* The indices of t's texts ordered by length, then index (order has t->n
 * entries). Errors: RC_E_NOMEM. */
rc_status tr_order_by_length(const tr_texts *t, size_t *order);

/* Decodes every text of src in batches of o->batch sources of similar
 * length into hyps (src->n entries; release them with tr_hyps_free).
 * Errors: those of rc_seq2seq_decode, RC_E_NOMEM; hyps then hold nothing. */
rc_status tr_decode_all(tr_model *m, const tr_texts *src, const tr_decode_opts *o, tr_hyp *hyps);
void tr_hyps_free(tr_hyp *hyps, size_t n);

/* Writes the target tokens ids[0..n) as text: joined by nothing for
 * characters, by single spaces for words. */
void tr_write_tokens(FILE *fp, const tr_vocab *v, tr_token_mode mode, const int *ids, int n);

/* Exact match, token error rate and BLEU over hypotheses and references. */
typedef struct tr_score {
    size_t sentences, exact, edits, ref_tokens;
    cli_bleu bleu;
} tr_score;

/* Adds hypothesis h against reference ref (whose <unk> tokens match
 * nothing). Errors: RC_E_NOMEM. */
rc_status tr_score_add(tr_score *sc, const tr_hyp *h, const tr_seq *ref);

/* The fraction of hypotheses equal to their reference, and the token error
 * rate Σ edit distance / Σ reference length. */
double tr_score_exact(const tr_score *sc);
double tr_score_ter(const tr_score *sc);

#endif
