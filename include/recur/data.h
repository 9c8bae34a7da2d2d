/*
 * recur/data.h — text data: UTF-8 decoding with validation, reading whole
 * files under a size limit, tab-separated records, and a character
 * vocabulary.
 *
 * Files and vocabulary strings are hostile input: every function validates
 * what it reads and returns a status with a message naming the file (or the
 * caller's name for a buffer), the line, the byte offset and the reason.
 *
 * Characters are Unicode code points. Decoding follows the Unicode standard's
 * definition of well-formed UTF-8 (RFC 3629): overlong forms, surrogates
 * (U+D800..U+DFFF), values above U+10FFFF, stray continuation bytes and
 * truncated sequences are all errors. A byte-order mark is an ordinary
 * character (U+FEFF).
 *
 *     rc_text text;
 *     if (rc_text_read(&text, "moby.txt", RC_TEXT_MAX_BYTES) != RC_OK) {
 *         fprintf(stderr, "%s\n", rc_last_error());   // 'moby.txt': invalid UTF-8 at line 3 ...
 *         return 1;
 *     }
 *     rc_vocab *v;
 *     rc_vocab_build(&v, text.cps, text.n);      // id 0 is <unk>, then the characters in code point order
 *     int id = rc_vocab_id(v, 'a');
 *     char *json;
 *     rc_vocab_to_json(v, &json);                // ["<unk>","\n"," ","!",...]
 *     free(json);
 *     rc_vocab_free(v);
 *     rc_text_free(&text);
 */
#ifndef RECUR_DATA_H
#define RECUR_DATA_H

#include "recur/base.h"

/* ---- UTF-8 ------------------------------------------------------------- */

/* Decodes the code point starting at s[0] (n >= 1 bytes available).
 * Returns its length in bytes (1..4) and sets *cp; or returns 0 for an
 * ill-formed sequence and sets *why to a static reason ("truncated
 * sequence", "overlong encoding", "surrogate code point", "code point above
 * U+10FFFF", "unexpected continuation byte", "invalid byte"). */
int rc_utf8_next(const unsigned char *s, size_t n, uint32_t *cp, const char **why);

/* Writes the UTF-8 form of cp into buf and returns its length (1..4), or 0
 * if cp is a surrogate or above U+10FFFF (buf untouched). */
int rc_utf8_encode(uint32_t cp, char buf[4]);

/* ---- decoded text ------------------------------------------------------ */

/* Code points of a text, owned. */
typedef struct rc_text {
    uint32_t *cps;
    size_t n;
} rc_text;

/* Decodes n bytes into *out. An ill-formed sequence is RC_E_FORMAT with the
 * message "NAME: invalid UTF-8 at line L, column C (byte offset O): REASON"
 * (lines and columns count from 1, columns in code points). n may be 0.
 * Errors: RC_E_FORMAT, RC_E_NOMEM; *out is then empty. Free with
 * rc_text_free(). */
rc_status rc_text_decode(rc_text *out, const char *name, const void *bytes, size_t n);

/* The default size limit of rc_text_read (256 MiB). */
#define RC_TEXT_MAX_BYTES ((size_t)256 << 20)

/* Reads the whole file at path (at most max_bytes bytes) and decodes it.
 * Errors: RC_E_IO naming the file and the system's reason; RC_E_INVALID for a
 * file larger than max_bytes; RC_E_FORMAT for an empty file or invalid UTF-8
 * (as rc_text_decode, with NAME the path); RC_E_NOMEM. */
rc_status rc_text_read(rc_text *out, const char *path, size_t max_bytes);

/* Frees the code points and empties *t. */
void rc_text_free(rc_text *t);

/* Reads the whole file at path as bytes: *out (NUL-terminated, *n bytes
 * before the NUL) is freed by the caller with free(). An empty file gives
 * n = 0. Errors: RC_E_IO, RC_E_INVALID for more than max_bytes, RC_E_NOMEM. */
rc_status rc_file_read(const char *path, size_t max_bytes, char **out, size_t *n);

/* ---- tab-separated records --------------------------------------------- */

/* Records of a TSV file such as "source<TAB>target" lines: every record has
 * the same number of fields, each a non-empty NUL-terminated UTF-8 string.
 * Owned: free with rc_tsv_free(). */
typedef struct rc_tsv {
    size_t rows;        /* records */
    int fields;         /* fields per record */
    const char **cells; /* (rows, fields) row-major: cells[r·fields + f] */
    size_t *lines;      /* (rows) the line number (from 1) of each record, for messages */
    char *buf;          /* the storage the cells point into */
} rc_tsv;

/* Splits n bytes into records. Lines end with "\n" (the last may not), a
 * "\r" before it is dropped, and blank lines are skipped; fields are
 * separated by single tabs and kept verbatim (spaces included; there is no
 * quoting). Errors, all RC_E_FORMAT with a message naming NAME and the line:
 * "NAME: line L: expected 2 tab-separated fields, got 3", "NAME: line L:
 * field F is empty", invalid UTF-8 (as rc_text_decode, with the column and
 * byte offset), a NUL byte, no records at all. RC_E_INVALID for fields < 1,
 * RC_E_NOMEM. *out is empty on error. */
rc_status rc_tsv_parse(rc_tsv *out, const char *name, const char *bytes, size_t n, int fields);

/* Reads the file at path (at most max_bytes bytes) as rc_tsv_parse with
 * NAME the quoted path. Errors: those of rc_file_read and rc_tsv_parse. */
rc_status rc_tsv_read(rc_tsv *out, const char *path, int fields, size_t max_bytes);

/* Frees the records and empties *t. */
void rc_tsv_free(rc_tsv *t);

/* ---- character vocabulary ---------------------------------------------- */

/* Id 0 is the unknown character <unk>; ids 1.. are characters. */
#define RC_VOCAB_UNK 0

/* The largest vocabulary accepted from JSON (ids fit easily in an int). */
#define RC_VOCAB_MAX (1 << 21)

typedef struct rc_vocab rc_vocab;

/* A vocabulary of the distinct code points of cps[0..n), ids 1.. assigned in
 * increasing code point order after <unk>. n may be 0 (only <unk>).
 * Errors: RC_E_NOMEM. Free with rc_vocab_free(). */
rc_status rc_vocab_build(rc_vocab **out, const uint32_t *cps, size_t n);

void rc_vocab_free(rc_vocab *v);

/* Number of ids, <unk> included. */
int rc_vocab_size(const rc_vocab *v);

/* The id of cp, or RC_VOCAB_UNK for a character not in the vocabulary. */
int rc_vocab_id(const rc_vocab *v, uint32_t cp);

/* The character of id (1 <= id < size). RC_ASSERTs the range. */
uint32_t rc_vocab_char(const rc_vocab *v, int id);

/* ids[i] = rc_vocab_id(v, cps[i]) for i < n. Returns how many of them are
 * RC_VOCAB_UNK (characters not in the vocabulary). */
size_t rc_vocab_encode(const rc_vocab *v, const uint32_t *cps, size_t n, int *ids);

/* The vocabulary as a JSON array of strings, entry i the token of id i:
 * ["<unk>", "a", "b", ...]. *out is freed by the caller with free().
 * Errors: RC_E_NOMEM. */
rc_status rc_vocab_to_json(const rc_vocab *v, char **out);

/* Parses what rc_vocab_to_json writes: an array whose first entry is
 * "<unk>" and whose other entries are strings of exactly one code point,
 * each at most once, at most RC_VOCAB_MAX entries in all. Ids follow the
 * array order (which need not be sorted). Errors: RC_E_FORMAT naming the
 * offending entry, RC_E_NOMEM. */
rc_status rc_vocab_from_json(rc_vocab **out, const char *json);

#endif
