/*
 * Shared by the libFuzzer targets. A target is one file, tests/fuzz/fuzz_NAME.c,
 * that defines
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
 *
 * feeding the input to one parser of user input and returning 0. Its seed
 * corpus is tests/fuzz/corpus/NAME/, an optional libFuzzer dictionary
 * tests/fuzz/NAME.dict, and inputs that once crashed it are kept in
 * tests/fuzz/regressions/NAME/. `make fuzz` builds it with clang under
 * libFuzzer, ASan and UBSan; tests/test_fuzz_regressions.c replays its seeds
 * and regressions with the ordinary compiler.
 *
 * Rejecting an input is the normal outcome. A target fails, by crashing, on a
 * sanitizer report, a leak, an RC_ASSERT, or an RC_FUZZ_CHECK: a property the
 * library documents (an error message names the file, a failed load leaves
 * the parameters untouched, ...) that the input broke.
 */
#ifndef RC_FUZZ_H
#define RC_FUZZ_H

#include <stdint.h>

#include "recur.h"

/* Writes the input to this process's scratch file (in memory, one per
 * process, reused by every call) and returns its path, for readers that
 * take a path. Aborts if the file cannot be written. */
const char *rc_fuzz_file(const uint8_t *data, size_t size);

/* Writes to the same scratch file a safetensors file made from the input:
 * the bytes before its first NUL become the JSON header, written behind its
 * correct 8-byte length, and the bytes after the NUL the data buffer (all of
 * the input is header if it has no NUL). Mutations inside the JSON then
 * reach the header's validation instead of breaking the length field; JSON
 * text cannot hold a raw NUL. Returns the path. */
const char *rc_fuzz_framed_file(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (a copy the caller frees), for
 * parsers of C strings; a NUL inside the input ends the string early. */
char *rc_fuzz_string(const uint8_t *data, size_t size);

/* The length of the well-formed UTF-8 sequence at b[0..n) (n >= 1), or 0 if
 * none starts there, decided from the table of well-formed byte sequences
 * of the Unicode standard (table 3-7) independently of the library. */
size_t rc_fuzz_utf8_length(const uint8_t *b, size_t n);

/* Prints "file:line: check `cond` failed: MESSAGE" and aborts. */
void rc_fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5), noreturn))
#endif
    ;

#define RC_FUZZ_CHECK(cond, ...) ((cond) ? (void)0 : rc_fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

#endif
