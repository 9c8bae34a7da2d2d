#include "seqdata.h"

#include <stdlib.h>
#include <string.h>

enum { NO_TARGET = -100 };

static rc_status no_memory(void) { return rc_error(RC_E_NOMEM, "out of memory for token sequences"); }

static rc_status tokens_alloc(seq_tokens *t, size_t n, size_t n_tok)
{
    t->n = n;
    t->start = malloc((n + 1) * sizeof *t->start);
    t->tok = malloc((n_tok ? n_tok : 1) * sizeof *t->tok);
    if (!t->start || !t->tok) return no_memory();
    t->start[0] = 0;
    return RC_OK;
}

rc_status seq_tokens_from_texts(seq_tokens *out, char *const *texts, const size_t *lines, size_t n, rc_token_kind kind,
                                int max_len, const char *name)
{
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = rc_tokenize(texts[i], strlen(texts[i]), kind, NULL, 0);
        if (k == 0) return rc_error(RC_E_FORMAT, "%s: line %zu: the text has no tokens", name, lines[i]);
        total += k < (size_t)max_len ? k : (size_t)max_len;
    }
    rc_status s = tokens_alloc(out, n, total);
    for (size_t i = 0; s == RC_OK && i < n; i++) {
        size_t at = out->start[i];
        size_t k = rc_tokenize(texts[i], strlen(texts[i]), kind, out->tok + at, (size_t)max_len);
        out->start[i + 1] = at + (k < (size_t)max_len ? k : (size_t)max_len);
    }
    if (s != RC_OK) seq_tokens_free(out);
    return s;
}

rc_status seq_tokens_from_tagged(seq_tokens *out, const rc_tagged *d, int max_len)
{
    memset(out, 0, sizeof *out);
    size_t pieces = 0, L = (size_t)max_len;
    for (size_t i = 0; i < d->n_sentences; i++) pieces += (d->starts[i + 1] - d->starts[i] + L - 1) / L;
    rc_status s = tokens_alloc(out, pieces, d->n_tokens);
    if (s != RC_OK) {
        seq_tokens_free(out);
        return s;
    }
    size_t p = 0;
    for (size_t i = 0; i < d->n_sentences; i++)
        for (size_t a = d->starts[i]; a < d->starts[i + 1]; a += L) {
            size_t b = a + L < d->starts[i + 1] ? a + L : d->starts[i + 1];
            out->start[++p] = b;
        }
    for (size_t i = 0; i < d->n_tokens; i++) out->tok[i] = (rc_str){d->words[i], strlen(d->words[i])};
    return RC_OK;
}

void seq_tokens_free(seq_tokens *t)
{
    free(t->start);
    free(t->tok);
    memset(t, 0, sizeof *t);
}

/* The vocabulary (with <pad> and <unk>) of the characters of the tokens. */
static rc_status char_vocab(const seq_tokens *t, rc_token_vocab **out)
{
    size_t n_tok = t->start[t->n], total = 0;
    for (size_t i = 0; i < n_tok; i++) total += rc_tokenize(t->tok[i].s, t->tok[i].n, RC_TOKENS_CHAR, NULL, 0);
    rc_str *chars = malloc((total ? total : 1) * sizeof *chars);
    if (!chars) return no_memory();
    for (size_t i = 0, at = 0; i < n_tok; i++)
        at += rc_tokenize(t->tok[i].s, t->tok[i].n, RC_TOKENS_CHAR, chars + at, total - at);
    rc_status s = rc_token_vocab_build(out, chars, total, 1, true);
    free(chars);
    return s;
}

rc_status seq_vocabs_build(seq_vocabs *v, const seq_tokens *t, int min_count, bool chars, char *const *names, size_t n)
{
    memset(v, 0, sizeof *v);
    rc_str *classes = malloc((n ? n : 1) * sizeof *classes);
    rc_status s = classes ? rc_token_vocab_build(&v->tokens, t->tok, t->start[t->n], min_count, true) : no_memory();
    if (s == RC_OK && chars) s = char_vocab(t, &v->chars);
    for (size_t i = 0; s == RC_OK && i < n; i++) classes[i] = (rc_str){names[i], strlen(names[i])};
    if (s == RC_OK) s = rc_token_vocab_build(&v->classes, classes, n, 1, false);
    free(classes);
    if (s != RC_OK) seq_vocabs_free(v);
    return s;
}

void seq_vocabs_free(seq_vocabs *v)
{
    rc_token_vocab_free(v->tokens);
    rc_token_vocab_free(v->chars);
    rc_token_vocab_free(v->classes);
    memset(v, 0, sizeof *v);
}

/* The character ids of one word into out (SEQ_WORD_CHARS entries); returns
 * how many: a longer word keeps its first and last SEQ_WORD_CHARS / 2. */
static int word_chars(const char *w, size_t n, const rc_token_vocab *chars, int *out)
{
    rc_str c[SEQ_WORD_CHARS];
    size_t total = rc_tokenize(w, n, RC_TOKENS_CHAR, c, SEQ_WORD_CHARS);
    if (total > SEQ_WORD_CHARS) {
        /* the last half: tokenize from the end's code point boundary */
        size_t half = SEQ_WORD_CHARS / 2, skip = total - half, at = 0;
        for (size_t k = 0; k < skip; k++) {
            rc_str one;
            rc_tokenize(w + at, n - at, RC_TOKENS_CHAR, &one, 1);
            at += one.n;
        }
        rc_tokenize(w + at, n - at, RC_TOKENS_CHAR, c + half, half);
        total = SEQ_WORD_CHARS;
    }
    for (size_t k = 0; k < total; k++) out[k] = rc_token_vocab_id(chars, c[k].s, c[k].n);
    return (int)total;
}

/* The character features' types: the characters of each distinct word of
 * t, as ids of chars. */
static rc_status add_chars(seq_data *d, const seq_tokens *t, const rc_token_vocab *chars)
{
    size_t n_tok = t->start[t->n];
    rc_token_vocab *types;
    rc_status s = rc_token_vocab_build(&types, t->tok, n_tok, 1, false);
    if (s != RC_OK) return s;
    d->n_types = (size_t)rc_token_vocab_size(types);
    d->types = malloc((n_tok ? n_tok : 1) * sizeof *d->types);
    d->type_start = malloc((d->n_types + 1) * sizeof *d->type_start);
    d->type_chars = malloc(d->n_types * SEQ_WORD_CHARS * sizeof *d->type_chars + 1);
    if (!d->types || !d->type_start || !d->type_chars) {
        rc_token_vocab_free(types);
        return no_memory();
    }
    for (size_t i = 0; i < n_tok; i++) d->types[i] = rc_token_vocab_id(types, t->tok[i].s, t->tok[i].n);
    d->type_start[0] = 0;
    for (size_t k = 0; k < d->n_types; k++) {
        const char *w = rc_token_vocab_token(types, (int)k);
        d->type_start[k + 1] = d->type_start[k] + (size_t)word_chars(w, strlen(w), chars, d->type_chars + d->type_start[k]);
    }
    rc_token_vocab_free(types);
    return RC_OK;
}

rc_status seq_data_encode(seq_data *d, const seq_tokens *t, const seq_vocabs *v)
{
    memset(d, 0, sizeof *d);
    size_t n_tok = t->start[t->n];
    d->n = t->n;
    d->start = malloc((t->n + 1) * sizeof *d->start);
    d->ids = malloc((n_tok ? n_tok : 1) * sizeof *d->ids);
    if (!d->start || !d->ids) return no_memory();
    memcpy(d->start, t->start, (t->n + 1) * sizeof *d->start);
    for (size_t i = 0; i < n_tok; i++) {
        d->ids[i] = rc_token_vocab_id(v->tokens, t->tok[i].s, t->tok[i].n);
        d->unknown += d->ids[i] == RC_TOKEN_UNK;
    }
    for (size_t i = 0; i < t->n; i++)
        if (seq_length(d, i) > d->max_length) d->max_length = seq_length(d, i);
    return v->chars ? add_chars(d, t, v->chars) : RC_OK;
}

rc_status seq_data_targets(seq_data *d, const rc_token_vocab *classes, char *const *names, size_t n, size_t *unknown)
{
    *unknown = 0;
    if (!(d->targets = malloc((n ? n : 1) * sizeof *d->targets))) return no_memory();
    for (size_t i = 0; i < n; i++) {
        int id = names ? rc_token_vocab_id(classes, names[i], strlen(names[i])) : -1;
        d->targets[i] = id >= 0 ? id : NO_TARGET;
        *unknown += id < 0;
    }
    return RC_OK;
}

void seq_data_free(seq_data *d)
{
    free(d->start);
    free(d->ids);
    free(d->targets);
    free(d->types);
    free(d->type_start);
    free(d->type_chars);
    memset(d, 0, sizeof *d);
}
