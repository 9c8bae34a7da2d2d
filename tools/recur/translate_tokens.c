/*
 * Tokens of the translate task and their vocabularies: splitting a text
 * into characters or space-separated words, and a string ↔ id table looked
 * up by binary search over the tokens in byte order.
 */
#include <stdlib.h>
#include <string.h>

#include "translate.h"

static const char *const specials[TR_SPECIALS] = {"<pad>", "<bos>", "<eos>", "<unk>"};

size_t tr_tokenize(const char *text, tr_token_mode mode, tr_span *spans, size_t max)
{
    size_t k = 0, n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len;
        if (mode == TR_CHARS) {
            uint32_t cp;
            const char *why;
            int w = rc_utf8_next((const unsigned char *)text + i, n - i, &cp, &why);
            RC_ASSERT(w > 0); /* texts are validated when read */
            len = (size_t)w;
        } else {
            if (text[i] == ' ') {
                i++;
                continue;
            }
            len = strcspn(text + i, " ");
        }
        if (k < max) spans[k] = (tr_span){i, len};
        k++;
        i += len;
    }
    return k;
}

/* ---- the vocabulary ---------------------------------------------------- */

/* Byte order (strcmp compares as unsigned char). */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct keyed {
    const char *token;
    int id;
} keyed;

static int cmp_keyed(const void *a, const void *b) { return strcmp(((const keyed *)a)->token, ((const keyed *)b)->token); }

static rc_status index_tokens(tr_vocab *v)
{
    v->sorted = malloc((size_t)v->size * sizeof *v->sorted);
    keyed *k = malloc((size_t)v->size * sizeof *k);
    rc_status s = v->sorted && k ? RC_OK : rc_error(RC_E_NOMEM, "out of memory for a vocabulary");
    for (int i = 0; s == RC_OK && i < v->size; i++) k[i] = (keyed){v->tokens[i], i};
    if (s == RC_OK) qsort(k, (size_t)v->size, sizeof *k, cmp_keyed);
    for (int i = 0; s == RC_OK && i < v->size; i++) v->sorted[i] = k[i].id;
    free(k);
    return s;
}

static bool is_special(const char *t)
{
    for (int i = 0; i < TR_SPECIALS; i++)
        if (strcmp(t, specials[i]) == 0) return true;
    return false;
}

/* Allocates room for size tokens, the specials first. */
static rc_status vocab_alloc(tr_vocab *v, size_t size)
{
    memset(v, 0, sizeof *v);
    if (size > RC_VOCAB_MAX)
        return rc_error(RC_E_INVALID, "%zu distinct tokens, more than the limit of %d", size, RC_VOCAB_MAX);
    v->tokens = calloc(size, sizeof *v->tokens);
    if (!v->tokens) return rc_error(RC_E_NOMEM, "out of memory for a vocabulary");
    for (int i = 0; i < TR_SPECIALS; i++) {
        v->tokens[v->size] = strdup(specials[i]);
        if (!v->tokens[v->size]) return rc_error(RC_E_NOMEM, "out of memory for a vocabulary");
        v->size++;
    }
    return RC_OK;
}

static rc_status add_token(tr_vocab *v, const char *text, size_t len)
{
    char *t = malloc(len + 1);
    if (!t) return rc_error(RC_E_NOMEM, "out of memory for a vocabulary");
    memcpy(t, text, len);
    t[len] = '\0';
    v->tokens[v->size++] = t;
    return RC_OK;
}

/* Every token of the texts as a NUL-terminated copy (*all, *n_all). */
static rc_status collect(char ***all, size_t *n_all, const char *const *texts, size_t n, size_t stride,
                         tr_token_mode mode)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += tr_tokenize(texts[i * stride], mode, NULL, 0);
    *n_all = 0;
    *all = malloc((total ? total : 1) * sizeof **all);
    tr_span *spans = NULL;
    size_t cap = 0;
    rc_status s = *all ? RC_OK : rc_error(RC_E_NOMEM, "out of memory collecting tokens");
    for (size_t i = 0; s == RC_OK && i < n; i++) {
        const char *text = texts[i * stride];
        size_t k = tr_tokenize(text, mode, NULL, 0);
        if (k > cap) {
            tr_span *grown = realloc(spans, k * sizeof *spans);
            if (!grown) {
                s = rc_error(RC_E_NOMEM, "out of memory collecting tokens");
                break;
            }
            spans = grown;
            cap = k;
        }
        tr_tokenize(text, mode, spans, k);
        for (size_t j = 0; s == RC_OK && j < k; j++) {
            char *t = malloc(spans[j].len + 1);
            if (!t) s = rc_error(RC_E_NOMEM, "out of memory collecting tokens");
            else {
                memcpy(t, text + spans[j].start, spans[j].len);
                t[spans[j].len] = '\0';
                (*all)[(*n_all)++] = t;
            }
        }
    }
    free(spans);
    return s;
}

/* Whether sorted token i is the first of its kind and no special one. */
static bool new_token(char *const *all, size_t i)
{
    return (i == 0 || strcmp(all[i], all[i - 1]) != 0) && !is_special(all[i]);
}

rc_status tr_vocab_build(tr_vocab *v, const char *const *texts, size_t n, size_t stride, tr_token_mode mode)
{
    char **all;
    size_t n_all;
    rc_status s = collect(&all, &n_all, texts, n, stride, mode);
    if (s == RC_OK) qsort(all, n_all, sizeof *all, cmp_str);
    /* a token spelled like a special one reads as <unk> (tr_vocab_id) */
    size_t distinct = 0;
    for (size_t i = 0; s == RC_OK && i < n_all; i++) distinct += new_token(all, i);
    if (s == RC_OK) s = vocab_alloc(v, TR_SPECIALS + distinct);
    for (size_t i = 0; s == RC_OK && i < n_all; i++)
        if (new_token(all, i)) s = add_token(v, all[i], strlen(all[i]));
    for (size_t i = 0; all && i < n_all; i++) free(all[i]);
    free(all);
    if (s == RC_OK) s = index_tokens(v);
    if (s != RC_OK) tr_vocab_free(v);
    return s;
}

/* Whether s is one token of mode by itself. */
static bool is_token(const char *s, tr_token_mode mode)
{
    size_t n = strlen(s);
    if (n == 0) return false;
    if (mode == TR_WORDS) return strchr(s, ' ') == NULL;
    uint32_t cp;
    const char *why;
    return rc_utf8_next((const unsigned char *)s, n, &cp, &why) == (int)n;
}

rc_status tr_vocab_from_json(tr_vocab *v, const json_t *array, tr_token_mode mode, const char *what)
{
    memset(v, 0, sizeof *v);
    if (!json_is_array(array) || json_array_size(array) < TR_SPECIALS)
        return rc_error(RC_E_FORMAT, "%s: expected an array of at least %d tokens", what, TR_SPECIALS);
    size_t n = json_array_size(array);
    rc_status s = vocab_alloc(v, n);
    for (size_t i = 0; s == RC_OK && i < n; i++) {
        const char *t = json_string_value(json_array_get(array, i));
        if (!t || strlen(t) != json_string_length(json_array_get(array, i)))
            s = rc_error(RC_E_FORMAT, "%s: entry %zu is not a string without NUL", what, i);
        else if (i < TR_SPECIALS && strcmp(t, specials[i]) != 0)
            s = rc_error(RC_E_FORMAT, "%s: entry %zu is \"%s\", expected \"%s\"", what, i, t, specials[i]);
        else if (i >= TR_SPECIALS && !is_token(t, mode))
            s = rc_error(RC_E_FORMAT, "%s: entry %zu is not a single %s token", what, i,
                         mode == TR_CHARS ? "character" : "space-free");
        else if (i >= TR_SPECIALS)
            s = add_token(v, t, strlen(t));
    }
    if (s == RC_OK) s = index_tokens(v);
    for (int i = 1; s == RC_OK && i < v->size; i++)
        if (strcmp(v->tokens[v->sorted[i]], v->tokens[v->sorted[i - 1]]) == 0)
            s = rc_error(RC_E_FORMAT, "%s: token \"%s\" appears twice", what, v->tokens[v->sorted[i]]);
    if (s != RC_OK) tr_vocab_free(v);
    return s;
}

json_t *tr_vocab_json(const tr_vocab *v)
{
    json_t *a = json_array();
    for (int i = 0; a && i < v->size; i++) {
        if (json_array_append_new(a, json_string(v->tokens[i]))) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

int tr_vocab_id(const tr_vocab *v, const char *text, size_t len)
{
    int lo = 0, hi = v->size;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const char *t = v->tokens[v->sorted[mid]];
        int c = strncmp(t, text, len);
        if (c == 0) c = t[len] != '\0'; /* t is longer: it sorts after */
        if (c == 0) return v->sorted[mid] < TR_SPECIALS ? TR_UNK : v->sorted[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return TR_UNK;
}

void tr_vocab_free(tr_vocab *v)
{
    for (int i = 0; v->tokens && i < v->size; i++) free(v->tokens[i]);
    free(v->tokens);
    free(v->sorted);
    memset(v, 0, sizeof *v);
}
