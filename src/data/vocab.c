/*
 * The character vocabulary: id → character in an array, character → id by
 * binary search over the (character, id) pairs sorted by character.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recur/data.h"

static const char UNK_TOKEN[] = "<unk>";

typedef struct vocab_pair {
    uint32_t cp;
    int id;
} vocab_pair;

struct rc_vocab {
    int size;           /* ids, <unk> included */
    uint32_t *chars;    /* chars[id] for 1 <= id < size; chars[0] unused */
    vocab_pair *sorted; /* size − 1 pairs in increasing cp order */
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b) { return cmp_u32(&((const vocab_pair *)a)->cp, &((const vocab_pair *)b)->cp); }

static rc_status vocab_alloc(rc_vocab **out, int size)
{
    rc_vocab *v = calloc(1, sizeof *v);
    if (v) {
        v->size = size;
        v->chars = calloc((size_t)size, sizeof *v->chars);
        v->sorted = calloc((size_t)size, sizeof *v->sorted);
    }
    if (!v || !v->chars || !v->sorted) {
        rc_vocab_free(v);
        return rc_error(RC_E_NOMEM, "vocabulary: out of memory for %d entries", size);
    }
    *out = v;
    return RC_OK;
}

/* Fills the sorted index from chars; false if a character appears twice
 * (*dup_id is then the later id of the two). */
static bool index_chars(rc_vocab *v, int *dup_id)
{
    for (int id = 1; id < v->size; id++) v->sorted[id - 1] = (vocab_pair){v->chars[id], id};
    qsort(v->sorted, (size_t)(v->size - 1), sizeof *v->sorted, cmp_pair);
    for (int i = 1; i < v->size - 1; i++) {
        if (v->sorted[i].cp == v->sorted[i - 1].cp) {
            int a = v->sorted[i].id, b = v->sorted[i - 1].id;
            *dup_id = a > b ? a : b;
            return false;
        }
    }
    return true;
}

rc_status rc_vocab_build(rc_vocab **out, const uint32_t *cps, size_t n)
{
    *out = NULL;
    uint32_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted) return rc_error(RC_E_NOMEM, "vocabulary: out of memory sorting %zu characters", n);
    if (n) memcpy(sorted, cps, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u32);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || sorted[i] != sorted[i - 1]) sorted[distinct++] = sorted[i];
    rc_vocab *v = NULL;
    /* distinct code points are at most 0x110000, so size fits an int */
    rc_status s = vocab_alloc(&v, (int)distinct + 1);
    if (s == RC_OK) {
        int dup;
        memcpy(v->chars + 1, sorted, distinct * sizeof *sorted);
        bool unique = index_chars(v, &dup);
        RC_ASSERT(unique);
        *out = v;
    }
    free(sorted);
    return s;
}

void rc_vocab_free(rc_vocab *v)
{
    if (!v) return;
    free(v->chars);
    free(v->sorted);
    free(v);
}

int rc_vocab_size(const rc_vocab *v) { return v->size; }

int rc_vocab_id(const rc_vocab *v, uint32_t cp)
{
    size_t lo = 0, hi = (size_t)(v->size - 1);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->sorted[mid].cp < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < (size_t)(v->size - 1) && v->sorted[lo].cp == cp ? v->sorted[lo].id : RC_VOCAB_UNK;
}

uint32_t rc_vocab_char(const rc_vocab *v, int id)
{
    RC_ASSERT(id >= 1 && id < v->size);
    return v->chars[id];
}

size_t rc_vocab_encode(const rc_vocab *v, const uint32_t *cps, size_t n, int *ids)
{
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = rc_vocab_id(v, cps[i]);
        unknown += ids[i] == RC_VOCAB_UNK;
    }
    return unknown;
}

rc_status rc_vocab_to_json(const rc_vocab *v, char **out)
{
    *out = NULL;
    json_t *arr = json_array();
    bool ok = arr && json_array_append_new(arr, json_string(UNK_TOKEN)) == 0;
    for (int id = 1; ok && id < v->size; id++) {
        char buf[4];
        int len = rc_utf8_encode(v->chars[id], buf);
        RC_ASSERT(len > 0);
        ok = json_array_append_new(arr, json_stringn(buf, (size_t)len)) == 0;
    }
    *out = ok ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!*out) return rc_error(RC_E_NOMEM, "vocabulary: out of memory writing JSON");
    return RC_OK;
}

/* The single code point of entry i of the array, or an error naming it. */
static rc_status entry_char(const json_t *e, size_t i, uint32_t *cp)
{
    if (!json_is_string(e)) return rc_error(RC_E_FORMAT, "vocabulary: entry %zu is not a string", i);
    const unsigned char *s = (const unsigned char *)json_string_value(e);
    size_t n = json_string_length(e);
    const char *why = "empty string";
    int len = n > 0 ? rc_utf8_next(s, n, cp, &why) : 0;
    if (len == 0) return rc_error(RC_E_FORMAT, "vocabulary: entry %zu is not a character: %s", i, why);
    if ((size_t)len != n) return rc_error(RC_E_FORMAT, "vocabulary: entry %zu holds more than one character", i);
    return RC_OK;
}

static rc_status vocab_from_array(rc_vocab **out, const json_t *arr)
{
    if (!json_is_array(arr)) return rc_error(RC_E_FORMAT, "vocabulary: expected a JSON array of strings");
    size_t n = json_array_size(arr);
    const json_t *first = json_array_get(arr, 0);
    if (n == 0 || !json_is_string(first) || strcmp(json_string_value(first), UNK_TOKEN) != 0)
        return rc_error(RC_E_FORMAT, "vocabulary: entry 0 must be \"%s\"", UNK_TOKEN);
    if (n > RC_VOCAB_MAX) return rc_error(RC_E_FORMAT, "vocabulary: %zu entries, more than the limit %d", n, RC_VOCAB_MAX);
    rc_vocab *v = NULL;
    rc_status s = vocab_alloc(&v, (int)n);
    for (size_t i = 1; s == RC_OK && i < n; i++) s = entry_char(json_array_get(arr, i), i, &v->chars[i]);
    int dup;
    if (s == RC_OK && !index_chars(v, &dup)) s = rc_error(RC_E_FORMAT, "vocabulary: entry %d repeats a character", dup);
    if (s != RC_OK) {
        rc_vocab_free(v);
        return s;
    }
    *out = v;
    return RC_OK;
}

rc_status rc_vocab_from_json(rc_vocab **out, const char *json)
{
    *out = NULL;
    json_error_t err;
    json_t *arr = json_loads(json, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!arr) return rc_error(RC_E_FORMAT, "vocabulary: invalid JSON at position %d: %s", err.position, err.text);
    rc_status s = vocab_from_array(out, arr);
    json_decref(arr);
    return s;
}
