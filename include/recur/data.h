/*
 * recur/data.h — text data: UTF-8 decoding with validation, reading whole
 * files under a size limit, tab-separated records, a character vocabulary;
 * line-oriented readers of labelled texts (TSV) and tagged sentences (word/TAG
 * lines, CoNLL columns), a word and character tokenizer and a token vocabulary
 * with <pad> and <unk>.
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

#include <stdio.h>

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
 * n = 0. Errors: RC_E_IO, RC_E_INVALID for more than max_bytes, RC_E_NOMEM,
 * each naming the quoted path. */
rc_status rc_file_read(const char *path, size_t max_bytes, char **out, size_t *n);

/* rc_file_read of the open stream fp (read to its end, not closed), with
 * name starting every message ("standard input"). */
rc_status rc_stream_read(FILE *fp, const char *name, size_t max_bytes, char **out, size_t *n);

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

/* Splits n bytes into records. The lines are those of the line reader
 * (see "lines" below: "\n" ends a line, a "\r" before it is dropped, the
 * last line may lack it), and blank lines are skipped; fields are separated
 * by single tabs and kept verbatim (spaces included; there is no quoting).
 * Errors, all RC_E_FORMAT with a message naming NAME and the line: "NAME:
 * line L: expected 2 tab-separated fields, got 3", "NAME: line L: field F
 * is empty", invalid UTF-8 and NUL bytes as the line reader refuses them
 * (with the column), no records at all. RC_E_INVALID for fields < 1,
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

/* ---- lines ------------------------------------------------------------- *
 * The readers below, and the TSV records above, go through one line reader,
 * so that every file they refuse is refused the same way, with its name and
 * line number:
 *
 *     'train.tsv': line 12: invalid UTF-8 at column 5 (byte 7 of the line): truncated sequence
 *     'train.tsv': line 40 is longer than the limit of 1048576 bytes
 *     'train.tsv': line 3: NUL byte at column 9
 *
 * A line ends at "\n"; a "\r" just before it is dropped (CRLF files), and a
 * last line without "\n" is a line too. */

/* The longest line accepted by the readers (1 MiB, without its newline). */
#define RC_LINE_MAX_BYTES ((size_t)1 << 20)

typedef struct rc_line_reader rc_line_reader;

/* Reads the open stream fp (not closed by the reader) line by line. name
 * (copied) starts every message: the caller quotes a path ("'train.tsv'") or
 * names a stream ("stdin"). Lines longer than max_bytes are refused.
 * Errors: RC_E_NOMEM. Free with rc_line_reader_free(). */
rc_status rc_line_reader_create(rc_line_reader **out, FILE *fp, const char *name, size_t max_bytes);

void rc_line_reader_free(rc_line_reader *r);

/* The next line, NUL-terminated and without its newline, in *line (valid
 * until the next call), its length in *len; *line is NULL at the end of the
 * input. Errors (naming the name and line): RC_E_FORMAT for invalid UTF-8, a
 * NUL byte or a line longer than the limit; RC_E_IO for a read error;
 * RC_E_NOMEM. After an error the reader is at its end. */
rc_status rc_line_reader_next(rc_line_reader *r, const char **line, size_t *len);

/* The number of the line last returned (from 1; 0 before the first). */
size_t rc_line_reader_line(const rc_line_reader *r);

/* The name given to rc_line_reader_create(). */
const char *rc_line_reader_name(const rc_line_reader *r);

/* Opens path for reading with a reader named "'path'". Errors: RC_E_IO
 * naming the file and the system's reason, RC_E_NOMEM. Close both with
 * rc_line_file_close(). */
rc_status rc_line_file_open(rc_line_reader **out, FILE **fp, const char *path);
void rc_line_file_close(rc_line_reader *r, FILE *fp);

/* ---- labelled texts: "LABEL<TAB>TEXT" lines ----------------------------- *
 * Each line is one example: the label, a tab, the text. Spaces and tabs
 * around the label and the text are dropped; the text may contain further
 * tabs. Every line must hold a non-empty label and a non-empty text: an
 * empty line, a line without a tab, an empty label or text is an error
 * naming the line, and so is a file without any line. */

typedef struct rc_labeled {
    size_t n;       /* examples */
    char **labels;  /* n NUL-terminated labels */
    char **texts;   /* n NUL-terminated texts */
    size_t *lines;  /* the line number of each example */
    char *pool;     /* owns the strings */
} rc_labeled;

/* Reads the examples of fp (see rc_line_reader_create for name). Errors:
 * those of the line reader, RC_E_FORMAT for the rules above. *out is empty
 * after an error. Free with rc_labeled_free(). */
rc_status rc_labeled_parse(rc_labeled *out, FILE *fp, const char *name);

/* rc_labeled_parse of the file at path, named "'path'". */
rc_status rc_labeled_read(rc_labeled *out, const char *path);

void rc_labeled_free(rc_labeled *d);

/* ---- tagged sentences ------------------------------------------------------ *
 * Two formats:
 *
 *   RC_TAGGED_SLASH  one sentence a line, tokens "word/TAG" separated by
 *                    spaces or tabs, each split at its LAST '/' (so "1/2/CD"
 *                    is the word "1/2" with tag "CD"); a token without '/',
 *                    with an empty word or an empty tag, and an empty line,
 *                    are errors naming the line and the token's number.
 *   RC_TAGGED_CONLL  one token a line, fields separated by spaces or tabs,
 *                    the word in the first field and the tag in the last
 *                    (at least two fields); blank lines end sentences (any
 *                    number of them); lines starting with "-DOCSTART-" are
 *                    skipped, as CoNLL-2003 document separators.
 *   RC_TAGGED_AUTO   the first non-blank line decides: SLASH when every field
 *                    of it is a word/TAG token and it has no tab, else CoNLL.
 *
 * A file without any token is an error. */

typedef enum rc_tagged_format { RC_TAGGED_AUTO, RC_TAGGED_SLASH, RC_TAGGED_CONLL, RC_TAGGED_FORMAT_COUNT } rc_tagged_format;

/* "auto", "slash", "conll". */
const char *rc_tagged_format_name(rc_tagged_format f);

typedef struct rc_tagged {
    size_t n_sentences, n_tokens;
    size_t *starts;     /* n_sentences + 1: sentence i is tokens starts[i] .. starts[i + 1] - 1 */
    char **words;       /* n_tokens NUL-terminated words */
    char **tags;        /* n_tokens NUL-terminated tags */
    size_t *lines;      /* n_sentences: the line of each sentence's first token */
    rc_tagged_format format; /* the format read (never AUTO) */
    char *pool;         /* owns the strings */
} rc_tagged;

/* Reads the sentences of fp in the given format. Errors: those of the line
 * reader, RC_E_FORMAT for the rules above. *out is empty after an error.
 * Free with rc_tagged_free(). */
rc_status rc_tagged_parse(rc_tagged *out, FILE *fp, const char *name, rc_tagged_format format);

/* rc_tagged_parse of the file at path, named "'path'". */
rc_status rc_tagged_read(rc_tagged *out, const char *path, rc_tagged_format format);

void rc_tagged_free(rc_tagged *d);

/* Splits one "word/TAG" token at its last '/': *word_len bytes of token are
 * the word, the tag follows the '/'. False when there is no '/' or the word
 * or tag would be empty. */
bool rc_tagged_split(const char *token, size_t n, size_t *word_len);

/* ---- tokens ---------------------------------------------------------------- */

/* A byte string that need not be NUL-terminated. */
typedef struct rc_str {
    const char *s;
    size_t n;
} rc_str;

typedef enum rc_token_kind {
    RC_TOKENS_WORD, /* maximal runs of bytes other than ASCII whitespace (space, \t, \n, \v, \f, \r) */
    RC_TOKENS_CHAR, /* code points, whitespace included */
    RC_TOKEN_KIND_COUNT
} rc_token_kind;

/* "word", "char". */
const char *rc_token_kind_name(rc_token_kind k);

/* Splits text (n bytes of UTF-8) into tokens that point into it, writing the
 * first max of them to out (which may be NULL when max is 0). Returns the
 * number of tokens, which may exceed max. An ill-formed UTF-8 byte is a char
 * token of its own. */
size_t rc_tokenize(const char *text, size_t n, rc_token_kind kind, rc_str *out, size_t max);

/* ---- token vocabulary ------------------------------------------------------ *
 * Strings ↔ ids. A vocabulary with specials starts with <pad> (id 0, the
 * padding of batches) and <unk> (id 1, every token not in it); the other
 * tokens follow in byte order. Without specials (label and tag sets) the
 * tokens alone are numbered from 0 in byte order.
 *
 *     rc_str toks[3] = {{"the", 3}, {"cat", 3}, {"the", 3}};
 *     rc_token_vocab *v;
 *     rc_token_vocab_build(&v, toks, 3, 2, true);         // <pad>, <unk>, the
 *     int id = rc_token_vocab_id(v, "cat", 3);            // RC_TOKEN_UNK: seen once, below --min-count 2
 */

#define RC_TOKEN_PAD 0
#define RC_TOKEN_UNK 1

typedef struct rc_token_vocab rc_token_vocab;

/* A vocabulary of the distinct tokens[0..n) that occur at least min_count
 * (>= 1) times. With specials, tokens spelled "<pad>" or "<unk>" are the
 * special ids and not added again; empty tokens are never added.
 * Errors: RC_E_INVALID for min_count < 1, RC_E_NOMEM. Free with
 * rc_token_vocab_free(). */
rc_status rc_token_vocab_build(rc_token_vocab **out, const rc_str *tokens, size_t n, int min_count, bool specials);

void rc_token_vocab_free(rc_token_vocab *v);

/* Number of ids, specials included. */
int rc_token_vocab_size(const rc_token_vocab *v);

bool rc_token_vocab_has_specials(const rc_token_vocab *v);

/* The id of the n bytes at s: with specials RC_TOKEN_UNK for a token not in
 * the vocabulary, without specials -1. */
int rc_token_vocab_id(const rc_token_vocab *v, const char *s, size_t n);

/* The token of id (0 <= id < size), NUL-terminated. RC_ASSERTs the range. */
const char *rc_token_vocab_token(const rc_token_vocab *v, int id);

/* The vocabulary as a JSON array of strings, entry i the token of id i:
 * ["<pad>","<unk>","a","the",...]. *out is freed by the caller with free().
 * Errors: RC_E_NOMEM. */
rc_status rc_token_vocab_to_json(const rc_token_vocab *v, char **out);

/* Parses what rc_token_vocab_to_json writes: an array of distinct non-empty
 * strings without NUL characters, at most RC_VOCAB_MAX of them, starting
 * with "<pad>", "<unk>" when specials is true (and holding no other
 * "<pad>" or "<unk>"). Ids follow the array order. Errors: RC_E_FORMAT
 * naming the offending entry, RC_E_NOMEM. */
rc_status rc_token_vocab_from_json(rc_token_vocab **out, const char *json, bool specials);

#endif
