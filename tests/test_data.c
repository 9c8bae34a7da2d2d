/*
 * Text data: the UTF-8 decoder against code points and byte sequences
 * written out by hand from the Unicode standard's table 3-7, error positions
 * counted by hand, file reading, tab-separated records, and the character
 * vocabulary with its JSON form. Everything is exact (no tolerances): these
 * are integer results.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char dir[256];

static void path_in(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", dir, name); }

static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    RC_CHECK(fp != NULL, "cannot create %s", path);
    if (!fp) return;
    RC_CHECK(fwrite(bytes, 1, n, fp) == n, "write %s", path);
    fclose(fp);
}

/* Decodes s (n bytes) expecting exactly want[0..k). */
static void expect_decode(const char *s, size_t n, const uint32_t *want, size_t k)
{
    rc_text t;
    rc_status st = rc_text_decode(&t, "buf", s, n);
    RC_CHECK(st == RC_OK, "%s", rc_last_error());
    if (st != RC_OK) return;
    RC_CHECK(t.n == k, "decoded %zu code points, expected %zu", t.n, k);
    for (size_t i = 0; i < k && i < t.n; i++) RC_CHECK(t.cps[i] == want[i], "cp %zu: U+%04X, expected U+%04X", i, t.cps[i], want[i]);
    rc_text_free(&t);
}

static void test_valid_sequences(void)
{
    /* a, é (C3 A9), € (E2 82 AC), 😀 (F0 9F 98 80), and the extremes of each length */
    const char s[] = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"
                     "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"
                     "\xED\x9F\xBF\xEE\x80\x80";
    const uint32_t want[] = {0x61, 0xE9, 0x20AC, 0x1F600, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF,
                             0xD7FF, 0xE000};
    expect_decode(s, sizeof s - 1, want, sizeof want / sizeof want[0]);
    /* NUL is a character like any other */
    const uint32_t nul[] = {'x', 0, 'y'};
    expect_decode("x\0y", 3, nul, 3);
    expect_decode("", 0, NULL, 0);
}

/* Every scalar value encodes to the length its range dictates and decodes
 * back to itself; surrogates and values past U+10FFFF do not encode. */
static void test_encode_round_trip(void)
{
    int bad = 0;
    for (uint32_t cp = 0; cp <= 0x10FFFF + 2; cp++) {
        char buf[4];
        int len = rc_utf8_encode(cp, buf);
        bool scalar = cp < 0xD800 || (cp > 0xDFFF && cp <= 0x10FFFF);
        int want_len = !scalar ? 0 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        uint32_t back = 0;
        const char *why;
        bool ok = len == want_len &&
                  (len == 0 || (rc_utf8_next((unsigned char *)buf, (size_t)len, &back, &why) == len && back == cp));
        if (!ok && bad++ < 5) RC_CHECK(ok, "U+%04X: length %d (expected %d), decoded U+%04X", cp, len, want_len, back);
    }
    RC_CHECK(bad == 0, "%d code points failed", bad);
}

/* rc_utf8_next on s rejects with the given reason. */
static void expect_reject(const char *s, size_t n, const char *reason)
{
    uint32_t cp;
    const char *why = NULL;
    int len = rc_utf8_next((const unsigned char *)s, n, &cp, &why);
    RC_CHECK(len == 0 && why && strcmp(why, reason) == 0, "bytes %02X..: length %d, reason '%s', expected '%s'",
             (unsigned char)s[0], len, why ? why : "(none)", reason);
}

static void test_ill_formed(void)
{
    expect_reject("\xC0\x80", 2, "overlong encoding");         /* NUL in two bytes */
    expect_reject("\xC1\xBF", 2, "overlong encoding");         /* U+7F */
    expect_reject("\xE0\x80\x80", 3, "overlong encoding");     /* E0 needs A0..BF next */
    expect_reject("\xE0\x9F\xBF", 3, "overlong encoding");     /* U+7FF in three */
    expect_reject("\xF0\x8F\xBF\xBF", 4, "overlong encoding"); /* U+FFFF in four */
    expect_reject("\xED\xA0\x80", 3, "surrogate code point");  /* U+D800 */
    expect_reject("\xED\xBF\xBF", 3, "surrogate code point");  /* U+DFFF */
    expect_reject("\xF4\x90\x80\x80", 4, "code point above U+10FFFF");
    expect_reject("\xF7\xBF\xBF\xBF", 4, "code point above U+10FFFF");
    expect_reject("\xF8\x88\x80\x80\x80", 5, "invalid byte");
    expect_reject("\xFF", 1, "invalid byte");
    expect_reject("\x80", 1, "unexpected continuation byte");
    expect_reject("\xBF", 1, "unexpected continuation byte");
    expect_reject("\xE2\x82", 2, "truncated sequence");        /* ends early */
    expect_reject("\xE2\x82" "a", 3, "truncated sequence");    /* a non-continuation cuts it short */
    expect_reject("\xF0\x9F\x98", 3, "truncated sequence");
    expect_reject("\xC3", 1, "truncated sequence");
}

/* rc_text_decode of s fails with RC_E_FORMAT and a message holding each of
 * the fragments. */
static void expect_decode_error(const char *s, size_t n, const char *f1, const char *f2)
{
    rc_text t;
    rc_status st = rc_text_decode(&t, "sample.txt", s, n);
    const char *msg = rc_last_error();
    RC_CHECK(st == RC_E_FORMAT && strstr(msg, "sample.txt") && strstr(msg, f1) && strstr(msg, f2),
             "status %s, message '%s', expected '%s' and '%s'", rc_status_str(st), msg, f1, f2);
    RC_CHECK(t.cps == NULL && t.n == 0, "output is empty after an error");
}

static void test_error_positions(void)
{
    expect_decode_error("ab\xC0\x80", 4, "line 1, column 3 (byte offset 2)", "overlong");
    expect_decode_error("x\ny\n\xFF", 5, "line 3, column 1 (byte offset 4)", "invalid byte");
    /* columns count characters: é and € are one column each */
    expect_decode_error("\xC3\xA9\xE2\x82\xAC" "z\xED\xA0\x80", 9, "line 1, column 4 (byte offset 6)", "surrogate");
    expect_decode_error("ok\n\xE2\x82", 5, "line 2, column 1 (byte offset 3)", "truncated");
}

static void test_read_files(void)
{
    char path[512], missing[512];
    path_in(path, sizeof path, "t.txt");
    path_in(missing, sizeof missing, "missing.txt");
    rc_text t;

    write_file(path, "h\xC3\xA9\n", 4);
    RC_CHECK_OK(rc_text_read(&t, path, 100));
    RC_CHECK(t.n == 3 && t.cps[0] == 'h' && t.cps[1] == 0xE9 && t.cps[2] == '\n', "decoded %zu code points", t.n);
    rc_text_free(&t);

    /* exactly at the limit is fine, one byte over is not */
    RC_CHECK_OK(rc_text_read(&t, path, 4));
    rc_text_free(&t);
    RC_CHECK(rc_text_read(&t, path, 3) == RC_E_INVALID && strstr(rc_last_error(), "limit"), "%s", rc_last_error());

    write_file(path, "", 0);
    RC_CHECK(rc_text_read(&t, path, 100) == RC_E_FORMAT && strstr(rc_last_error(), "empty") &&
                 strstr(rc_last_error(), path),
             "empty file: %s", rc_last_error());

    RC_CHECK(rc_text_read(&t, missing, 100) == RC_E_IO && strstr(rc_last_error(), missing), "%s", rc_last_error());

    write_file(path, "line one\nline \xC0\xAF two\n", 22);
    RC_CHECK(rc_text_read(&t, path, 100) == RC_E_FORMAT && strstr(rc_last_error(), path) &&
                 strstr(rc_last_error(), "line 2, column 6 (byte offset 14)"),
             "%s", rc_last_error());

    /* a file larger than one read chunk, with a multi-byte character across
     * the chunk boundary */
    size_t n = 200001;
    char *big = malloc(n);
    memset(big, 'q', n);
    memcpy(big + 65535, "\xE2\x82\xAC", 3);
    write_file(path, big, n);
    RC_CHECK_OK(rc_text_read(&t, path, RC_TEXT_MAX_BYTES));
    RC_CHECK(t.n == n - 2 && t.cps[65535] == 0x20AC && t.cps[65534] == 'q' && t.cps[65536] == 'q',
             "big file: %zu code points", t.n);
    rc_text_free(&t);
    char *bytes;
    size_t nb;
    RC_CHECK_OK(rc_file_read(path, n, &bytes, &nb));
    RC_CHECK(nb == n && memcmp(bytes, big, n) == 0 && bytes[n] == '\0', "raw read: %zu bytes", nb);
    free(bytes);
    RC_CHECK(rc_file_read(path, n - 1, &bytes, &nb) == RC_E_INVALID && bytes == NULL, "%s", rc_last_error());
    /* an open stream, named by the caller */
    FILE *fp = fopen(path, "rb");
    RC_CHECK(fp && rc_stream_read(fp, "standard input", n, &bytes, &nb) == RC_OK && nb == n &&
                 memcmp(bytes, big, n) == 0 && bytes[n] == '\0',
             "stream read: %zu bytes", nb);
    free(bytes);
    if (fp) rewind(fp);
    RC_CHECK(fp && rc_stream_read(fp, "standard input", n - 1, &bytes, &nb) == RC_E_INVALID && bytes == NULL &&
                 strncmp(rc_last_error(), "standard input: ", 16) == 0 && strstr(rc_last_error(), "limit"),
             "%s", rc_last_error());
    if (fp) fclose(fp);
    free(big);
    remove(path);
}

static void test_vocab_build(void)
{
    const uint32_t cps[] = {'h', 'e', 'l', 'l', 'o'};
    rc_vocab *v;
    RC_CHECK_OK(rc_vocab_build(&v, cps, 5));
    if (!v) return;
    /* <unk> then e, h, l, o in code point order */
    RC_CHECK(rc_vocab_size(v) == 5, "size %d", rc_vocab_size(v));
    const uint32_t order[] = {'e', 'h', 'l', 'o'};
    for (int id = 1; id < 5; id++) {
        RC_CHECK(rc_vocab_char(v, id) == order[id - 1], "char of id %d", id);
        RC_CHECK(rc_vocab_id(v, order[id - 1]) == id, "id of '%c'", (char)order[id - 1]);
    }
    RC_CHECK(rc_vocab_id(v, 'z') == RC_VOCAB_UNK && rc_vocab_id(v, 0) == RC_VOCAB_UNK &&
                 rc_vocab_id(v, 0x10FFFF) == RC_VOCAB_UNK && rc_vocab_id(v, 'a') == RC_VOCAB_UNK,
             "unseen characters map to <unk>");
    int ids[5];
    RC_CHECK(rc_vocab_encode(v, cps, 5, ids) == 0, "no unknown characters");
    RC_CHECK(ids[0] == 2 && ids[1] == 1 && ids[2] == 3 && ids[3] == 3 && ids[4] == 4, "encode");
    const uint32_t other[] = {'h', 'a', 'l', 0xE9};
    RC_CHECK(rc_vocab_encode(v, other, 4, ids) == 2 && ids[0] == 2 && ids[1] == RC_VOCAB_UNK && ids[2] == 3 &&
                 ids[3] == RC_VOCAB_UNK,
             "two unknown characters");
    char *json;
    RC_CHECK_OK(rc_vocab_to_json(v, &json));
    RC_CHECK(json && strcmp(json, "[\"<unk>\",\"e\",\"h\",\"l\",\"o\"]") == 0, "json %s", json);
    free(json);
    rc_vocab_free(v);

    RC_CHECK_OK(rc_vocab_build(&v, NULL, 0));
    RC_CHECK(v && rc_vocab_size(v) == 1 && rc_vocab_id(v, 'a') == RC_VOCAB_UNK, "empty text: only <unk>");
    rc_vocab_free(v);
}

static void test_vocab_json_round_trip(void)
{
    /* control characters, NUL, a quote, a backslash, multi-byte characters */
    const uint32_t cps[] = {'\n', 0, '"', '\\', 0xE9, 0x20AC, 0x1F600, '\t', ' ', 0x7F};
    size_t n = sizeof cps / sizeof cps[0];
    rc_vocab *v, *w = NULL;
    RC_CHECK_OK(rc_vocab_build(&v, cps, n));
    char *json = NULL;
    RC_CHECK_OK(rc_vocab_to_json(v, &json));
    RC_CHECK_OK(rc_vocab_from_json(&w, json));
    if (w) {
        RC_CHECK(rc_vocab_size(w) == (int)n + 1, "size %d", rc_vocab_size(w));
        for (size_t i = 0; i < n; i++)
            RC_CHECK(rc_vocab_id(w, cps[i]) == rc_vocab_id(v, cps[i]) && rc_vocab_id(w, cps[i]) != RC_VOCAB_UNK,
                     "U+%04X keeps its id", cps[i]);
    }
    free(json);
    rc_vocab_free(v);
    rc_vocab_free(w);

    /* ids follow the array order, sorted or not */
    RC_CHECK_OK(rc_vocab_from_json(&w, "[\"<unk>\", \"z\", \"\\u00e9\", \"a\"]"));
    if (w)
        RC_CHECK(rc_vocab_id(w, 'z') == 1 && rc_vocab_id(w, 0xE9) == 2 && rc_vocab_id(w, 'a') == 3 &&
                     rc_vocab_char(w, 2) == 0xE9 && rc_vocab_id(w, 'b') == RC_VOCAB_UNK,
                 "unsorted array");
    rc_vocab_free(w);
}

static void test_vocab_json_hostile(void)
{
    static const struct {
        const char *json, *fragment;
    } cases[] = {
        {"", "invalid JSON"},
        {"{\"a\": 1}", "array"},
        {"[]", "entry 0"},
        {"[\"a\", \"<unk>\"]", "entry 0"},
        {"[\"<unk>\", 5]", "entry 1 is not a string"},
        {"[\"<unk>\", \"ab\"]", "entry 1 holds more than one character"},
        {"[\"<unk>\", \"\"]", "entry 1 is not a character"},
        {"[\"<unk>\", \"a\", \"b\", \"a\"]", "entry 3 repeats"},
        {"[\"<unk>\", \"<unk>\"]", "entry 1 holds more"},
        {"[\"<unk>\", \"\\ud800\"]", "invalid JSON"},
        {"[\"<unk>\", \"\xC0\x80\"]", "invalid JSON"},
        {"[\"<unk>\"", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rc_vocab *v = (rc_vocab *)&v;
        rc_status s = rc_vocab_from_json(&v, cases[i].json);
        RC_CHECK(s == RC_E_FORMAT && v == NULL && strstr(rc_last_error(), cases[i].fragment),
                 "'%s': status %s, message '%s', expected '%s'", cases[i].json, rc_status_str(s), rc_last_error(),
                 cases[i].fragment);
        rc_vocab_free(v);
    }
}

/* ---- tab-separated records ---------------------------------------------- */

/* A string literal and its length without the terminating NUL. */
#define LIT(s) s, sizeof s - 1

/* Parses s expecting the error `want` (a part of the message). */
static void expect_tsv_error(const char *s, size_t n, int fields, rc_status status, const char *want)
{
    rc_tsv t;
    rc_status st = rc_tsv_parse(&t, "pairs.tsv", s, n, fields);
    RC_CHECK(st == status, "status %s, expected %s", rc_status_str(st), rc_status_str(status));
    RC_CHECK(strstr(rc_last_error(), want) != NULL, "message \"%s\" lacks \"%s\"", rc_last_error(), want);
    RC_CHECK(t.cells == NULL && t.rows == 0 && t.buf == NULL, "no records on error");
    printf("  refused: %s\n", rc_last_error());
}

static void test_tsv(void)
{
    /* CRLF, a blank line, spaces kept, a last line without newline */
    const char s[] = "abc\tA B C\r\n\nh\xC3\xA9 x\t\xC3\xA9\n\r\nlast\tL";
    rc_tsv t;
    RC_CHECK_OK(rc_tsv_parse(&t, "pairs.tsv", s, sizeof s - 1, 2));
    RC_CHECK(t.rows == 3 && t.fields == 2, "%zu rows of %d fields, expected 3 of 2", t.rows, t.fields);
    const char *want[6] = {"abc", "A B C", "h\xC3\xA9 x", "\xC3\xA9", "last", "L"};
    const size_t lines[3] = {1, 3, 5};
    for (size_t i = 0; i < 6 && i < t.rows * 2; i++)
        RC_CHECK(strcmp(t.cells[i], want[i]) == 0, "cell %zu is \"%s\", expected \"%s\"", i, t.cells[i], want[i]);
    for (size_t r = 0; r < 3 && r < t.rows; r++)
        RC_CHECK(t.lines[r] == lines[r], "row %zu on line %zu, expected %zu", r, t.lines[r], lines[r]);
    rc_tsv_free(&t);
    RC_CHECK(t.cells == NULL && t.rows == 0, "freed records are empty");

    /* one field: a tab is then an error */
    RC_CHECK_OK(rc_tsv_parse(&t, "lines", "one\ntwo\n", 8, 1));
    RC_CHECK(t.rows == 2 && strcmp(t.cells[1], "two") == 0, "single-field records");
    rc_tsv_free(&t);

    expect_tsv_error(LIT("a\tb\nc\td\te\n"), 2, RC_E_FORMAT,
                     "pairs.tsv: line 2: expected 2 tab-separated fields, got 3");
    expect_tsv_error(LIT("a\tb\n\nc\n"), 2, RC_E_FORMAT, "pairs.tsv: line 3: expected 2 tab-separated fields, got 1");
    expect_tsv_error(LIT("a\t\n"), 2, RC_E_FORMAT, "pairs.tsv: line 1: field 2 is empty");
    expect_tsv_error(LIT("\tb\n"), 2, RC_E_FORMAT, "pairs.tsv: line 1: field 1 is empty");
    /* é then a lone continuation byte: column 3 of line 2, its 4th byte */
    expect_tsv_error(LIT("a\tb\n\xC3\xA9\t\x80\n"), 2, RC_E_FORMAT,
                     "pairs.tsv: line 2: invalid UTF-8 at column 3 (byte 4 of the line): unexpected continuation byte");
    expect_tsv_error(LIT("a\tb\nc\td\0e\n"), 2, RC_E_FORMAT, "pairs.tsv: line 2: NUL byte at column 4");
    /* a field error on a line after one with invalid UTF-8: the first bad line is named */
    expect_tsv_error(LIT("a\tb\n\xFF\tb\nc\n"), 2, RC_E_FORMAT, "pairs.tsv: line 2: invalid UTF-8 at column 1");
    expect_tsv_error(LIT(""), 2, RC_E_FORMAT, "pairs.tsv: no records");
    expect_tsv_error(LIT("\n\r\n\n"), 2, RC_E_FORMAT, "pairs.tsv: no records");
    expect_tsv_error(LIT("a\n"), 0, RC_E_INVALID, "fields = 0");

    char path[512], missing[512];
    path_in(path, sizeof path, "p.tsv");
    path_in(missing, sizeof missing, "missing.tsv");
    write_file(path, "x\ty\nz\n", 6);
    RC_CHECK(rc_tsv_read(&t, path, 2, 100) == RC_E_FORMAT && strstr(rc_last_error(), path) &&
                 strstr(rc_last_error(), "line 2"),
             "the file's name and line: %s", rc_last_error());
    write_file(path, "x\ty\n", 4);
    RC_CHECK_OK(rc_tsv_read(&t, path, 2, 100));
    RC_CHECK(t.rows == 1 && strcmp(t.cells[1], "y") == 0, "read from a file");
    rc_tsv_free(&t);
    RC_CHECK(rc_tsv_read(&t, path, 2, 3) == RC_E_INVALID && strstr(rc_last_error(), "limit"), "%s", rc_last_error());
    RC_CHECK(rc_tsv_read(&t, missing, 2, 100) == RC_E_IO && strstr(rc_last_error(), missing), "%s", rc_last_error());
    remove(path);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/recur_data_XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RC_RUN(test_valid_sequences);
    RC_RUN(test_encode_round_trip);
    RC_RUN(test_ill_formed);
    RC_RUN(test_error_positions);
    RC_RUN(test_read_files);
    RC_RUN(test_tsv);
    RC_RUN(test_vocab_build);
    RC_RUN(test_vocab_json_round_trip);
    RC_RUN(test_vocab_json_hostile);
    if (rmdir(dir) != 0) fprintf(stderr, "%s not removed: %s\n", dir, strerror(errno));
    return rc_test_finish();
}
