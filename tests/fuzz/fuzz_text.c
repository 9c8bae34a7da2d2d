/*
 * libFuzzer target: reading a UTF-8 text file (rc_text_read, rc_file_read).
 *
 * The input is the file. Its validity is decided here independently
 * (rc_fuzz_utf8_length), and the reader must agree: a well-formed file
 * decodes to code points that re-encode to exactly its bytes; an ill-formed
 * one is RC_E_FORMAT naming the file and the line, column and byte offset of
 * the first ill-formed sequence; an empty one is RC_E_FORMAT. rc_file_read
 * returns the bytes NUL-terminated and refuses a limit one byte too small.
 * The vocabulary built from a decoded text, as `recur lm train` builds it,
 * knows every character of the text, with ids in increasing code point
 * order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur/data.h"
#include "support/fuzz.h"

/* Checks the decoded text against the bytes, or the error against the
 * first ill-formed sequence. */
static void check_text(const char *path, const uint8_t *data, size_t size, rc_status s, const rc_text *t)
{
    size_t off = 0, cps = 0, line = 1, col = 1, len;
    while (off < size && (len = rc_fuzz_utf8_length(data + off, size - off)) > 0) {
        if (data[off] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        off += len;
        cps++;
    }
    if (size == 0) {
        RC_FUZZ_CHECK(s == RC_E_FORMAT && strstr(rc_last_error(), "empty"), "empty file: %s", rc_last_error());
    } else if (off < size) {
        char where[128];
        snprintf(where, sizeof where, "line %zu, column %zu (byte offset %zu)", line, col, off);
        RC_FUZZ_CHECK(s == RC_E_FORMAT && strstr(rc_last_error(), where) && strstr(rc_last_error(), path),
                      "ill-formed at %s, got %s: %s", where, rc_status_str(s), rc_last_error());
    } else {
        RC_FUZZ_CHECK(s == RC_OK, "well-formed file refused: %s", rc_last_error());
        RC_FUZZ_CHECK(t->n == cps, "%zu code points, want %zu", t->n, cps);
        size_t at = 0;
        for (size_t i = 0; i < t->n; i++) {
            char buf[4];
            int k = rc_utf8_encode(t->cps[i], buf);
            RC_FUZZ_CHECK(k > 0 && at + (size_t)k <= size && memcmp(buf, data + at, (size_t)k) == 0,
                          "code point %zu (U+%04X) does not re-encode to the bytes at %zu", i, (unsigned)t->cps[i], at);
            at += (size_t)k;
        }
        RC_FUZZ_CHECK(at == size, "re-encoded %zu of %zu bytes", at, size);
    }
}

static void check_vocab(const rc_text *t)
{
    rc_vocab *v;
    RC_FUZZ_CHECK(rc_vocab_build(&v, t->cps, t->n) == RC_OK, "%s", rc_last_error());
    int *ids = malloc(t->n * sizeof *ids);
    RC_FUZZ_CHECK(ids != NULL, "out of memory for %zu ids", t->n);
    RC_FUZZ_CHECK(rc_vocab_encode(v, t->cps, t->n, ids) == 0, "characters of the text are unknown");
    for (size_t i = 0; i < t->n; i++) RC_FUZZ_CHECK(rc_vocab_char(v, ids[i]) == t->cps[i], "id of character %zu", i);
    for (int id = 2; id < rc_vocab_size(v); id++)
        RC_FUZZ_CHECK(rc_vocab_char(v, id - 1) < rc_vocab_char(v, id), "ids %d and %d out of order", id - 1, id);
    free(ids);
    rc_vocab_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = rc_fuzz_file(data, size);
    rc_text t;
    rc_status s = rc_text_read(&t, path, RC_TEXT_MAX_BYTES);
    check_text(path, data, size, s, &t);
    if (s == RC_OK) check_vocab(&t);
    rc_text_free(&t);

    char *bytes;
    size_t n;
    s = rc_file_read(path, size, &bytes, &n);
    RC_FUZZ_CHECK(s == RC_OK && n == size && bytes[n] == '\0' && (n == 0 || memcmp(bytes, data, n) == 0),
                  "exact limit: %s", rc_last_error());
    free(bytes);
    if (size > 0) {
        s = rc_file_read(path, size - 1, &bytes, &n);
        RC_FUZZ_CHECK(s == RC_E_INVALID && bytes == NULL && strstr(rc_last_error(), path), "limit %zu: %s", size - 1,
                      rc_last_error());
    }
    return 0;
}
