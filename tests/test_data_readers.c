/*
 * The line-oriented readers: the line reader (CRLF, a last line without a
 * newline, the length limit, UTF-8 and NUL checks), labelled texts (TSV) and
 * tagged sentences (word/TAG lines, CoNLL, format detection). Every refused
 * input must be refused with a message naming the input and the line, which
 * is checked against the line numbers written into the inputs by hand; a
 * fuzzing pass feeds mutated files and random bytes and checks the same of
 * every error. All results are exact (strings and counts).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A stream holding the n bytes (a temporary file: works for n = 0 too). */
static FILE *stream_of(const char *bytes, size_t n)
{
    FILE *fp = tmpfile();
    RC_CHECK(fp != NULL, "tmpfile failed");
    if (!fp) return NULL;
    if (n) RC_CHECK(fwrite(bytes, 1, n, fp) == n, "write failed");
    rewind(fp);
    return fp;
}

static bool has(const char *msg, const char *part) { return strstr(msg, part) != NULL; }

/* ---- the line reader ---------------------------------------------------------- */

/* Reads every line of bytes (n of them), expecting want[0..k) and then the end. */
static void expect_lines(const char *bytes, size_t n, const char *const *want, size_t k)
{
    FILE *fp = stream_of(bytes, n);
    rc_line_reader *r;
    if (!fp || rc_line_reader_create(&r, fp, "buf", 64) != RC_OK) {
        RC_CHECK(false, "%s", rc_last_error());
        if (fp) fclose(fp);
        return;
    }
    for (size_t i = 0; i <= k; i++) {
        const char *line;
        size_t len;
        rc_status s = rc_line_reader_next(r, &line, &len);
        RC_CHECK(s == RC_OK, "line %zu: %s", i + 1, rc_last_error());
        if (i == k) {
            RC_CHECK(line == NULL, "expected the end after %zu lines, got '%s'", k, line ? line : "");
        } else {
            RC_CHECK(line && len == strlen(want[i]) && strcmp(line, want[i]) == 0, "line %zu: got '%s', expected '%s'",
                     i + 1, line ? line : "(end)", want[i]);
            RC_CHECK(rc_line_reader_line(r) == i + 1, "line number %zu, expected %zu", rc_line_reader_line(r), i + 1);
        }
    }
    rc_line_reader_free(r);
    fclose(fp);
}

static void test_lines(void)
{
    const char *three[] = {"a", "", "b c"};
    expect_lines("a\n\nb c\n", 7, three, 3);
    expect_lines("a\n\nb c", 6, three, 3);           /* no newline at the end */
    expect_lines("a\r\n\r\nb c\r\n", 10, three, 3);  /* CRLF */
    const char *cr[] = {"x\ry"};
    expect_lines("x\ry\n", 4, cr, 1);                /* a CR inside a line stays */
    expect_lines("", 0, NULL, 0);
    const char *one_empty[] = {""};
    expect_lines("\n", 1, one_empty, 1);
    char limit[66];
    memset(limit, 'x', 64);
    limit[64] = '\n';
    limit[65] = '\0';
    const char *at_limit[] = {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    expect_lines(limit, 65, at_limit, 1);            /* exactly 64 bytes: accepted */
}

/* Reads bytes until an error, which must be RC_E_FORMAT with all of parts in
 * its message, after `good` good lines. */
static void expect_line_error(const char *bytes, size_t n, size_t good, const char *const *parts, size_t k)
{
    FILE *fp = stream_of(bytes, n);
    rc_line_reader *r;
    if (!fp || rc_line_reader_create(&r, fp, "'in.txt'", 64) != RC_OK) {
        if (fp) fclose(fp);
        return;
    }
    const char *line;
    size_t len, read = 0;
    rc_status s;
    while ((s = rc_line_reader_next(r, &line, &len)) == RC_OK && line) read++;
    RC_CHECK(s == RC_E_FORMAT && read == good, "status %s after %zu lines, expected RC_E_FORMAT after %zu",
             rc_status_str(s), read, good);
    for (size_t i = 0; i < k; i++) RC_CHECK(has(rc_last_error(), parts[i]), "'%s' lacks '%s'", rc_last_error(), parts[i]);
    /* after an error the reader is at its end */
    RC_CHECK(rc_line_reader_next(r, &line, &len) == RC_OK && line == NULL, "reader not at its end after an error");
    rc_line_reader_free(r);
    fclose(fp);
}

static void test_line_errors(void)
{
    char long_line[80];
    memset(long_line, 'x', sizeof long_line);
    char buf[100] = "ok\nfine\n";
    memcpy(buf + 8, long_line, sizeof long_line);
    expect_line_error(buf, 8 + sizeof long_line, 2,
                      (const char *[]){"'in.txt'", "line 3 is longer than the limit of 64 bytes"}, 2);
    /* é cut short at column 4 of line 2 (byte 4 of the line) */
    expect_line_error("abc\nabc\xC3 d\n", 10, 1,
                      (const char *[]){"'in.txt': line 2", "invalid UTF-8 at column 4 (byte 4 of the line)", "truncated"},
                      3);
    /* columns count code points: é is one */
    expect_line_error("\xC3\xA9\xC0\xAF\n", 5, 0, (const char *[]){"line 1", "column 2 (byte 3 of the line)"}, 2);
    expect_line_error("a\nb\0c\n", 6, 1, (const char *[]){"line 2: NUL byte at column 2"}, 1);
}

/* ---- labelled texts ---------------------------------------------------------------- */

static void test_labeled(void)
{
    const char text[] = "pos\tgood film\n  neg \t  dull,\tlong  \r\nneg\ta\tb\n";
    FILE *fp = stream_of(text, sizeof text - 1);
    rc_labeled d;
    rc_status s = fp ? rc_labeled_parse(&d, fp, "'t.tsv'") : RC_E_IO;
    RC_CHECK(s == RC_OK, "%s", rc_last_error());
    if (s == RC_OK) {
        RC_CHECK(d.n == 3, "%zu examples", d.n);
        const char *labels[] = {"pos", "neg", "neg"}, *texts[] = {"good film", "dull,\tlong", "a\tb"};
        for (size_t i = 0; i < 3 && i < d.n; i++) {
            RC_CHECK(strcmp(d.labels[i], labels[i]) == 0 && strcmp(d.texts[i], texts[i]) == 0 && d.lines[i] == i + 1,
                     "example %zu: '%s' '%s' line %zu", i, d.labels[i], d.texts[i], d.lines[i]);
        }
        rc_labeled_free(&d);
    }
    if (fp) fclose(fp);
}

/* Parses a TSV expecting an error whose message holds every part. */
static void expect_labeled_error(const char *bytes, size_t n, const char *const *parts, size_t k)
{
    FILE *fp = stream_of(bytes, n);
    rc_labeled d;
    rc_status s = fp ? rc_labeled_parse(&d, fp, "'t.tsv'") : RC_E_IO;
    RC_CHECK(s == RC_E_FORMAT, "status %s for '%.*s'", rc_status_str(s), (int)n, bytes);
    for (size_t i = 0; i < k; i++) RC_CHECK(has(rc_last_error(), parts[i]), "'%s' lacks '%s'", rc_last_error(), parts[i]);
    RC_CHECK(d.n == 0 && d.labels == NULL && d.pool == NULL, "not empty after an error");
    if (fp) fclose(fp);
}

static void test_labeled_errors(void)
{
    expect_labeled_error("a\tx\n\nb\ty\n", 9, (const char *[]){"'t.tsv': line 2 is empty"}, 1);
    expect_labeled_error("a\tx\nb y\n", 8, (const char *[]){"'t.tsv': line 2 has no tab"}, 1);
    expect_labeled_error("a\tx\n \ty\n", 8, (const char *[]){"line 2 has an empty label"}, 1);
    expect_labeled_error("a\tx\nb\t  \n", 9, (const char *[]){"line 2 has an empty text"}, 1);
    expect_labeled_error("a\tx\nb\t\xFF\n", 7, (const char *[]){"line 2", "invalid UTF-8", "invalid byte"}, 3);
    expect_labeled_error("", 0, (const char *[]){"'t.tsv'", "no examples"}, 2);
    size_t big = RC_LINE_MAX_BYTES + 10;
    char *huge = malloc(big + 8);
    if (huge) {
        memcpy(huge, "a\tx\nb\t", 6);
        memset(huge + 6, 'y', big);
        expect_labeled_error(huge, big + 6, (const char *[]){"line 2 is longer than the limit of 1048576 bytes"}, 1);
        free(huge);
    }
}

static void test_labeled_file(void)
{
    rc_labeled d;
    RC_CHECK(rc_labeled_read(&d, "/nonexistent/x.tsv") == RC_E_IO && has(rc_last_error(), "'/nonexistent/x.tsv'"),
             "%s", rc_last_error());
}

/* ---- tagged sentences ------------------------------------------------------------------- */

/* Parses bytes in format; expects the sentences written in want as
 * "w/T w/T|w/T" (sentences separated by '|') and the format found. */
static void expect_tagged(const char *bytes, rc_tagged_format format, const char *want, rc_tagged_format found)
{
    FILE *fp = stream_of(bytes, strlen(bytes));
    rc_tagged d;
    rc_status s = fp ? rc_tagged_parse(&d, fp, "'t.txt'", format) : RC_E_IO;
    RC_CHECK(s == RC_OK, "%s", rc_last_error());
    if (fp) fclose(fp);
    if (s != RC_OK) return;
    char got[256] = "";
    size_t at = 0;
    for (size_t i = 0; i < d.n_sentences; i++)
        for (size_t k = d.starts[i]; k < d.starts[i + 1]; k++)
            at += (size_t)snprintf(got + at, sizeof got - at, "%s%s/%s", k > d.starts[i] ? " " : i ? "|" : "", d.words[k],
                                   d.tags[k]);
    RC_CHECK(strcmp(got, want) == 0 && d.format == found, "got '%s' (%s), expected '%s' (%s)", got,
             rc_tagged_format_name(d.format), want, rc_tagged_format_name(found));
    RC_CHECK(d.n_tokens == d.starts[d.n_sentences], "token count");
    rc_tagged_free(&d);
}

static void test_tagged(void)
{
    /* split at the LAST slash: "1/2/cd" is the word 1/2 */
    expect_tagged("The/at 1/2/cd  cats/nns\nRun/vb\t!/.\n", RC_TAGGED_SLASH, "The/at 1/2/cd cats/nns|Run/vb !/.",
                  RC_TAGGED_SLASH);
    expect_tagged("The/at 1/2/cd cats/nns\nRun/vb !/.", RC_TAGGED_AUTO, "The/at 1/2/cd cats/nns|Run/vb !/.",
                  RC_TAGGED_SLASH);
    const char conll[] = "-DOCSTART- -X- O O\n\nEU NNP B-ORG\nrejects VBZ O\n\n\n\nGerman\tJJ\tB-MISC\ncall NN O\n";
    expect_tagged(conll, RC_TAGGED_CONLL, "EU/B-ORG rejects/O|German/B-MISC call/O", RC_TAGGED_CONLL);
    expect_tagged(conll, RC_TAGGED_AUTO, "EU/B-ORG rejects/O|German/B-MISC call/O", RC_TAGGED_CONLL);
    /* a tab, or a field without word/TAG, means CoNLL */
    expect_tagged("\n\na/x\tN\n", RC_TAGGED_AUTO, "a/x/N", RC_TAGGED_CONLL);
    expect_tagged("1/2 CD\n", RC_TAGGED_AUTO, "1/2/CD", RC_TAGGED_CONLL);
    size_t w;
    RC_CHECK(rc_tagged_split("a/b/c", 5, &w) && w == 3, "split a/b/c");
    RC_CHECK(!rc_tagged_split("/x", 2, &w) && !rc_tagged_split("x/", 2, &w) && !rc_tagged_split("x", 1, &w),
             "splits without a word or tag");
}

static void expect_tagged_error(const char *bytes, rc_tagged_format format, const char *const *parts, size_t k)
{
    FILE *fp = stream_of(bytes, strlen(bytes));
    rc_tagged d;
    rc_status s = fp ? rc_tagged_parse(&d, fp, "'t.txt'", format) : RC_E_IO;
    RC_CHECK(s == RC_E_FORMAT, "status %s for '%s'", rc_status_str(s), bytes);
    for (size_t i = 0; i < k; i++) RC_CHECK(has(rc_last_error(), parts[i]), "'%s' lacks '%s'", rc_last_error(), parts[i]);
    RC_CHECK(d.n_tokens == 0 && d.words == NULL && d.starts == NULL, "not empty after an error");
    if (fp) fclose(fp);
}

static void test_tagged_errors(void)
{
    expect_tagged_error("a/x b/y\n\nc/z\n", RC_TAGGED_SLASH, (const char *[]){"'t.txt': line 2 is empty"}, 1);
    expect_tagged_error("a/x b/y\nc/z d e/f\n", RC_TAGGED_SLASH, (const char *[]){"line 2, token 2 \"d\"", "word/TAG"}, 2);
    expect_tagged_error("a/x b/\n", RC_TAGGED_SLASH, (const char *[]){"line 1, token 2 \"b/\""}, 1);
    expect_tagged_error("a/x\n/y\n", RC_TAGGED_SLASH, (const char *[]){"line 2, token 1"}, 1);
    /* detected as word/TAG from line 2; the blank line 1 is then an error */
    expect_tagged_error("\na/x b/y\n", RC_TAGGED_AUTO, (const char *[]){"line 1 is empty"}, 1);
    expect_tagged_error("EU NNP\nalone\n", RC_TAGGED_CONLL, (const char *[]){"'t.txt': line 2 has 1 field"}, 1);
    expect_tagged_error("a/x\nb/\xE2\x82\n", RC_TAGGED_AUTO, (const char *[]){"line 2", "invalid UTF-8"}, 2);
    expect_tagged_error("\n\n  \n", RC_TAGGED_AUTO, (const char *[]){"no tagged tokens"}, 1);
    expect_tagged_error("-DOCSTART- O\n\n", RC_TAGGED_CONLL, (const char *[]){"no tagged tokens"}, 1);
}

/* ---- fuzzing --------------------------------------------------------------------------- */

/* Every error of a reader must be a format error naming the input and,
 * unless the input had nothing at all, a line. */
static bool good_error(rc_status s)
{
    const char *m = rc_last_error();
    return s == RC_E_FORMAT && has(m, "'f'") && (has(m, "line ") || has(m, "no examples") || has(m, "no tagged tokens"));
}

static size_t mutate(char *buf, size_t n, size_t cap, rc_rng *r)
{
    static const char pieces[][4] = {"\t", "\n", "/", " ", "\r", "\xC3", "\xA9", "\xFF", "\0", "B-", "O"};
    int edits = 1 + (int)rc_rng_below(r, 4);
    for (int e = 0; e < edits; e++) {
        size_t at = n ? (size_t)rc_rng_below(r, n) : 0;
        const char *p = pieces[rc_rng_below(r, sizeof pieces / sizeof pieces[0])];
        size_t len = p[0] ? strlen(p) : 1;
        switch (rc_rng_below(r, 3)) {
        case 0: /* insert */
            if (n + len >= cap) break;
            memmove(buf + at + len, buf + at, n - at);
            memcpy(buf + at, p, len);
            n += len;
            break;
        case 1: /* delete */
            if (n) {
                memmove(buf + at, buf + at + 1, n - at - 1);
                n--;
            }
            break;
        default: /* overwrite */
            if (n) buf[at] = p[0];
        }
    }
    return n;
}

static void test_fuzz(void)
{
    static const char *const seeds[] = {
        "pos\tgood film\nneg\tdull\n",
        "The/at cat/nn sat/vbd ./.\nIt/pps ran/vbd\n",
        "EU NNP B-ORG\nrejects VBZ O\n\nGerman JJ B-MISC\n",
    };
    rc_rng r;
    rc_rng_seed(&r, 7);
    int bad = 0, ok = 0, refused = 0;
    char buf[256];
    for (int it = 0; it < 3000; it++) {
        size_t n;
        if (it % 10 == 9) { /* random bytes */
            n = (size_t)rc_rng_below(&r, 64);
            for (size_t i = 0; i < n; i++) buf[i] = (char)rc_rng_below(&r, 256);
        } else {
            const char *seed = seeds[it % 3];
            n = strlen(seed);
            memcpy(buf, seed, n);
            n = mutate(buf, n, sizeof buf, &r);
        }
        for (int reader = 0; reader < 4; reader++) {
            FILE *fp = stream_of(buf, n);
            if (!fp) return;
            rc_status s;
            if (reader == 0) {
                rc_labeled d;
                s = rc_labeled_parse(&d, fp, "'f'");
                if (s == RC_OK) rc_labeled_free(&d);
            } else {
                rc_tagged d;
                s = rc_tagged_parse(&d, fp, "'f'", (rc_tagged_format)(reader - 1));
                if (s == RC_OK) {
                    for (size_t i = 0; i < d.n_tokens; i++)
                        if (!d.words[i][0] || !d.tags[i][0]) bad++;
                    rc_tagged_free(&d);
                }
            }
            fclose(fp);
            if (s == RC_OK) ok++;
            else if (good_error(s)) refused++;
            else if (bad++ < 5) RC_CHECK(false, "reader %d: status %s: '%s'", reader, rc_status_str(s), rc_last_error());
        }
    }
    printf("fuzz: %d inputs read, %d refused with file and line\n", ok, refused);
    RC_CHECK(bad == 0 && ok > 0 && refused > 0, "%d bad results", bad);
}

int main(void)
{
    RC_RUN(test_lines);
    RC_RUN(test_line_errors);
    RC_RUN(test_labeled);
    RC_RUN(test_labeled_errors);
    RC_RUN(test_labeled_file);
    RC_RUN(test_tagged);
    RC_RUN(test_tagged_errors);
    RC_RUN(test_fuzz);
    return rc_test_finish();
}
