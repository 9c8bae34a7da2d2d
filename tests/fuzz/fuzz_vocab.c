/*
 * libFuzzer target: parsing a vocabulary (rc_vocab_from_json), as the
 * recur program reads a model's "vocab" metadata.
 *
 * The input is the JSON text (up to its first NUL). A vocabulary that
 * parses must match the array as jansson reads it independently: entry i,
 * for i >= 1, is exactly the UTF-8 of the character of id i, and id i is
 * what that character looks up; rc_vocab_to_json then writes a text that
 * parses back to the same vocabulary. A refusal is RC_E_FORMAT with a
 * message about the vocabulary.
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
    free(text);
    return 0;
}
