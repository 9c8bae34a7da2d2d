/*
 * libFuzzer target: parsing vocabularies, as the recur program reads a
 * model's vocabulary metadata: characters (rc_vocab_from_json) and tokens
 * (rc_token_vocab_from_json, with and without the specials).
 *
 * The input is the JSON text (up to its first NUL). A vocabulary that
 * parses must match the array as jansson reads it independently: entry i is
 * exactly the character (UTF-8) or token of id i, and id i is what it looks
 * up; its own JSON parses back to the same vocabulary. A refusal is
 * RC_E_FORMAT with a message about the vocabulary.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "recur/data.h"
#include "support/fuzz.h"

static void check_same(const rc_vocab *a, const rc_vocab *b)
{
    RC_FUZZ_CHECK(rc_vocab_size(a) == rc_vocab_size(b), "sizes %d and %d", rc_vocab_size(a), rc_vocab_size(b));
    for (int id = 1; id < rc_vocab_size(a); id++)
        RC_FUZZ_CHECK(rc_vocab_char(a, id) == rc_vocab_char(b, id), "id %d differs after a round trip", id);
}

static void check_vocab(const rc_vocab *v, const char *text)
{
    json_t *arr = json_loads(text, JSON_ALLOW_NUL, NULL);
    RC_FUZZ_CHECK(json_is_array(arr) && json_array_size(arr) == (size_t)rc_vocab_size(v), "size %d",
                  rc_vocab_size(v));
    for (int id = 1; id < rc_vocab_size(v); id++) {
        const json_t *e = json_array_get(arr, (size_t)id);
        uint32_t cp = rc_vocab_char(v, id);
        char buf[4];
        int k = rc_utf8_encode(cp, buf);
        RC_FUZZ_CHECK(k > 0 && json_string_length(e) == (size_t)k && memcmp(json_string_value(e), buf, (size_t)k) == 0,
                      "id %d is U+%04X, not entry %d", id, (unsigned)cp, id);
        RC_FUZZ_CHECK(rc_vocab_id(v, cp) == id, "U+%04X looks up id %d, not %d", (unsigned)cp, rc_vocab_id(v, cp), id);
    }
    json_decref(arr);
    RC_FUZZ_CHECK(rc_vocab_id(v, 0x110000) == RC_VOCAB_UNK, "a value above U+10FFFF has an id");

    char *out;
    RC_FUZZ_CHECK(rc_vocab_to_json(v, &out) == RC_OK, "%s", rc_last_error());
    rc_vocab *back;
    RC_FUZZ_CHECK(rc_vocab_from_json(&back, out) == RC_OK, "own JSON refused: %s", rc_last_error());
    check_same(v, back);
    rc_vocab_free(back);
    free(out);
}

static void check_tokens(const rc_token_vocab *v, const char *text, bool specials)
{
    json_t *arr = json_loads(text, 0, NULL);
    int n = rc_token_vocab_size(v);
    RC_FUZZ_CHECK(json_is_array(arr) && json_array_size(arr) == (size_t)n, "size %d", n);
    RC_FUZZ_CHECK(rc_token_vocab_has_specials(v) == specials, "specials");
    for (int id = 0; id < n; id++) {
        const json_t *e = json_array_get(arr, (size_t)id);
        const char *tok = rc_token_vocab_token(v, id);
        RC_FUZZ_CHECK(strlen(tok) == json_string_length(e) && strcmp(tok, json_string_value(e)) == 0, "id %d", id);
        RC_FUZZ_CHECK(rc_token_vocab_id(v, tok, strlen(tok)) == id, "'%s' looks up another id than %d", tok, id);
    }
    json_decref(arr);
    RC_FUZZ_CHECK(!specials || (strcmp(rc_token_vocab_token(v, RC_TOKEN_PAD), "<pad>") == 0 &&
                                strcmp(rc_token_vocab_token(v, RC_TOKEN_UNK), "<unk>") == 0),
                  "specials out of place");
    RC_FUZZ_CHECK(rc_token_vocab_id(v, "", 0) == (specials ? RC_TOKEN_UNK : -1), "the empty token has an id");

    char *out;
    RC_FUZZ_CHECK(rc_token_vocab_to_json(v, &out) == RC_OK, "%s", rc_last_error());
    rc_token_vocab *back;
    RC_FUZZ_CHECK(rc_token_vocab_from_json(&back, out, specials) == RC_OK, "own JSON refused: %s", rc_last_error());
    RC_FUZZ_CHECK(rc_token_vocab_size(back) == n, "size after a round trip");
    for (int id = 0; id < n; id++)
        RC_FUZZ_CHECK(strcmp(rc_token_vocab_token(back, id), rc_token_vocab_token(v, id)) == 0, "id %d after a round trip",
                      id);
    rc_token_vocab_free(back);
    free(out);
}

static void token_vocab(const char *text, bool specials)
{
    rc_token_vocab *v = (rc_token_vocab *)&v;
    rc_status s = rc_token_vocab_from_json(&v, text, specials);
    if (s == RC_OK) {
        check_tokens(v, text, specials);
        rc_token_vocab_free(v);
    } else {
        RC_FUZZ_CHECK(s == RC_E_FORMAT && v == NULL && strncmp(rc_last_error(), "token vocabulary: ", 18) == 0,
                      "%s: %s", rc_status_str(s), rc_last_error());
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = rc_fuzz_string(data, size);
    rc_vocab *v = (rc_vocab *)&v;
    rc_status s = rc_vocab_from_json(&v, text);
    if (s == RC_OK) {
        check_vocab(v, text);
        rc_vocab_free(v);
    } else {
        RC_FUZZ_CHECK(s == RC_E_FORMAT && v == NULL && strncmp(rc_last_error(), "vocabulary: ", 12) == 0, "%s: %s",
                      rc_status_str(s), rc_last_error());
    }
    token_vocab(text, true);
    token_vocab(text, false);
    free(text);
    return 0;
}
