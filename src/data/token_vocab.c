/*
 * The token vocabulary: id → token in one pool of NUL-terminated strings,
 * token → id through an open-addressing hash table (FNV-1a, linear probing).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "data/store.h"

static const char *const SPECIALS[] = {"<pad>", "<unk>"};
enum { N_SPECIALS = 2 };
_Static_assert(RC_TOKEN_PAD == 0 && RC_TOKEN_UNK == 1, "the specials' ids are their places in SPECIALS");

struct rc_token_vocab {
    int size;
    bool specials;
    size_t *at;    /* size offsets into st.pool */
    rc_store st;
    int *table;    /* mask + 1 slots: an id, or -1 */
    size_t mask;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static bool same(const char *token, const char *s, size_t n) { return strncmp(token, s, n) == 0 && token[n] == '\0'; }

const char *rc_token_vocab_token(const rc_token_vocab *v, int id)
{
    RC_ASSERT(id >= 0 && id < v->size);
    return v->st.pool + v->at[id];
}

/* The slot holding s, or the empty slot where it would go. */
static size_t find_slot(const rc_token_vocab *v, const char *s, size_t n)
{
    size_t i = (size_t)hash(s, n) & v->mask;
    while (v->table[i] >= 0 && !same(rc_token_vocab_token(v, v->table[i]), s, n)) i = (i + 1) & v->mask;
    return i;
}

int rc_token_vocab_id(const rc_token_vocab *v, const char *s, size_t n)
{
    int id = v->table[find_slot(v, s, n)];
    if (id >= 0) return id;
    return v->specials ? RC_TOKEN_UNK : -1;
}

int rc_token_vocab_size(const rc_token_vocab *v) { return v->size; }

bool rc_token_vocab_has_specials(const rc_token_vocab *v) { return v->specials; }

void rc_token_vocab_free(rc_token_vocab *v)
{
    if (!v) return;
    free(v->at);
    free(v->st.pool);
    free(v->table);
    free(v);
}

/* An empty vocabulary for up to max ids (the table stays at most half full). */
static rc_status vocab_alloc(rc_token_vocab **out, size_t max, bool specials)
{
    *out = NULL;
    size_t slots = 16;
    while (slots < 2 * max) slots *= 2;
    rc_token_vocab *v = calloc(1, sizeof *v);
    if (v) {
        v->at = malloc((max ? max : 1) * sizeof *v->at);
        v->table = malloc(slots * sizeof *v->table);
    }
    if (!v || !v->at || !v->table) {
        rc_token_vocab_free(v);
        return rc_error(RC_E_NOMEM, "token vocabulary: out of memory for %zu tokens", max);
    }
    for (size_t i = 0; i < slots; i++) v->table[i] = -1;
    v->mask = slots - 1;
    v->specials = specials;
    *out = v;
    return RC_OK;
}

/* Appends token s as the next id; false if it is already there (*dup then
 * holds its id) or when out of memory (*dup = -1). */
static bool append(rc_token_vocab *v, const char *s, size_t n, int *dup)
{
    size_t slot = find_slot(v, s, n);
    *dup = v->table[slot];
    if (*dup >= 0) return false;
    if (!rc_store_add(&v->st, s, n, &v->at[v->size])) return false;
    v->table[slot] = v->size++;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    const rc_str *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = n ? memcmp(x->s, y->s, n) : 0;
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

static bool is_special(const rc_str *t)
{
    for (int i = 0; i < N_SPECIALS; i++)
        if (t->n == strlen(SPECIALS[i]) && memcmp(t->s, SPECIALS[i], t->n) == 0) return true;
    return false;
}

/* Adds the specials, then the sorted distinct tokens counted min_count times. */
static rc_status fill(rc_token_vocab *v, const rc_str *sorted, size_t n, int min_count)
{
    int dup;
    for (int i = 0; v->specials && i < N_SPECIALS; i++)
        if (!append(v, SPECIALS[i], strlen(SPECIALS[i]), &dup)) return rc_error(RC_E_NOMEM, "token vocabulary: out of memory");
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && cmp_str(&sorted[i], &sorted[j]) == 0) j++;
        bool keep = sorted[i].n > 0 && j - i >= (size_t)min_count && !(v->specials && is_special(&sorted[i]));
        if (keep && !append(v, sorted[i].s, sorted[i].n, &dup))
            return rc_error(RC_E_NOMEM, "token vocabulary: out of memory");
        i = j;
    }
    return RC_OK;
}

rc_status rc_token_vocab_build(rc_token_vocab **out, const rc_str *tokens, size_t n, int min_count, bool specials)
{
    *out = NULL;
    if (min_count < 1) return rc_error(RC_E_INVALID, "token vocabulary: min_count = %d, expected >= 1", min_count);
    if (n > SIZE_MAX / sizeof *tokens - N_SPECIALS) return rc_error(RC_E_NOMEM, "token vocabulary: too many tokens");
    rc_str *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return rc_error(RC_E_NOMEM, "token vocabulary: out of memory sorting %zu tokens", n);
    if (n) memcpy(sorted, tokens, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_str);
    rc_token_vocab *v;
    rc_status s = vocab_alloc(&v, n + N_SPECIALS, specials);
    if (s == RC_OK) s = fill(v, sorted, n, min_count);
    free(sorted);
    if (s != RC_OK) {
        rc_token_vocab_free(v);
        return s;
    }
    *out = v;
    return RC_OK;
}

rc_status rc_token_vocab_to_json(const rc_token_vocab *v, char **out)
{
    *out = NULL;
    json_t *arr = json_array();
    bool ok = arr != NULL;
    for (int id = 0; ok && id < v->size; id++) ok = json_array_append_new(arr, json_string(rc_token_vocab_token(v, id))) == 0;
    *out = ok ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!*out) return rc_error(RC_E_NOMEM, "token vocabulary: out of memory writing JSON");
    return RC_OK;
}

/* Checks entry i of a vocabulary array and appends it. */
static rc_status add_entry(rc_token_vocab *v, const json_t *e, size_t i)
{
    if (!json_is_string(e)) return rc_error(RC_E_FORMAT, "token vocabulary: entry %zu is not a string", i);
    const char *s = json_string_value(e);
    size_t n = json_string_length(e);
    if (n == 0) return rc_error(RC_E_FORMAT, "token vocabulary: entry %zu is an empty string", i);
    if (memchr(s, '\0', n)) return rc_error(RC_E_FORMAT, "token vocabulary: entry %zu holds a NUL character", i);
    rc_str t = {s, n};
    bool special_place = v->specials && i < N_SPECIALS;
    if (special_place && strcmp(s, SPECIALS[i]) != 0)
        return rc_error(RC_E_FORMAT, "token vocabulary: entry %zu must be \"%s\"", i, SPECIALS[i]);
    if (!special_place && v->specials && is_special(&t))
        return rc_error(RC_E_FORMAT, "token vocabulary: entry %zu repeats the special token \"%s\"", i, s);
    int dup;
    if (!append(v, s, n, &dup))
        return dup >= 0 ? rc_error(RC_E_FORMAT, "token vocabulary: entry %zu repeats entry %d", i, dup)
                        : rc_error(RC_E_NOMEM, "token vocabulary: out of memory");
    return RC_OK;
}

rc_status rc_token_vocab_from_json(rc_token_vocab **out, const char *json, bool specials)
{
    *out = NULL;
    json_error_t err;
    json_t *arr = json_loads(json, JSON_REJECT_DUPLICATES, &err);
    if (!arr) return rc_error(RC_E_FORMAT, "token vocabulary: invalid JSON at position %d: %s", err.position, err.text);
    rc_status s = RC_OK;
    size_t n = json_array_size(arr);
    if (!json_is_array(arr)) s = rc_error(RC_E_FORMAT, "token vocabulary: expected a JSON array of strings");
    else if (n > RC_VOCAB_MAX) s = rc_error(RC_E_FORMAT, "token vocabulary: %zu entries, more than the limit %d", n, RC_VOCAB_MAX);
    else if (specials && n < N_SPECIALS)
        s = rc_error(RC_E_FORMAT, "token vocabulary: %zu entries, expected at least \"<pad>\" and \"<unk>\"", n);
    rc_token_vocab *v = NULL;
    if (s == RC_OK) s = vocab_alloc(&v, n, specials);
    for (size_t i = 0; s == RC_OK && i < n; i++) s = add_entry(v, json_array_get(arr, i), i);
    json_decref(arr);
    if (s != RC_OK) {
        rc_token_vocab_free(v);
        return s;
    }
    *out = v;
    return RC_OK;
}
