/*
 * libFuzzer target: the training-data readers of the recur program, all on
 * the same file: TSV records (rc_tsv_read, rc_tsv_parse), LABEL<TAB>TEXT
 * examples (rc_labeled_read), word/TAG and CoNLL sentences (rc_tagged_read
 * in each format), and the tokenizer over the raw bytes.
 *
 * The file is also cut into lines here, as data.h describes them (split at
 * "\n", a "\r" before it dropped, a last line without "\n" kept), and the
 * readers must agree with what follows from the rules: TSV and labelled
 * files are accepted exactly when every line obeys them, and give back the
 * fields, labels and texts of each line; tagged sentences are non-empty,
 * made of non-empty words and tags without blanks, and AUTO gives what the
 * format it detects gives. Every refusal names the input. Char tokens
 * concatenate back to the input; word tokens are the maximal runs without
 * ASCII whitespace.
 */
#include <stdlib.h>
#include <string.h>

#include "recur/data.h"
#include "support/fuzz.h"

typedef struct line {
    const uint8_t *s;
    size_t n;
} line;

/* The lines of the input, as the line reader cuts them. */
static line *cut_lines(const uint8_t *data, size_t size, size_t *n)
{
    line *ls = malloc((size + 1) * sizeof *ls);
    RC_FUZZ_CHECK(ls != NULL, "out of memory");
    *n = 0;
    for (size_t at = 0; at < size;) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - data) : size, len = end - at;
        if (len > 0 && data[end - 1] == '\r') len--;
        ls[(*n)++] = (line){data + at, len};
        at = end + 1;
    }
    return ls;
}

/* Well-formed UTF-8 without NUL: what the line reader and the TSV reader accept. */
static bool clean(const line *l)
{
    for (size_t i = 0, k; i < l->n; i += k)
        if (l->s[i] == 0 || (k = rc_fuzz_utf8_length(l->s + i, l->n - i)) == 0) return false;
    return true;
}

/* The blanks the readers trim and split at: spaces and tabs, and also the
 * other ASCII whitespace a line can hold (\v, \f, a \r not before \n). */
#define BLANKS " \t\v\f\r"

static bool blank(uint8_t c) { return c != 0 && strchr(BLANKS, c) != NULL; }

static void check_refusal(const char *name, rc_status s)
{
    RC_FUZZ_CHECK(s == RC_E_FORMAT && strncmp(rc_last_error(), name, strlen(name)) == 0, "%s: '%s' does not start with %s",
                  rc_status_str(s), rc_last_error(), name);
}

/* The fields of a line joined by tabs are the line. */
static void check_tsv(const char *name, const rc_tsv *t, rc_status s, const line *ls, size_t n, int fields)
{
    bool ok = false, all = true;
    for (size_t i = 0; i < n; i++) {
        if (ls[i].n == 0) continue;
        ok = true;
        int count = 1;
        bool empty = ls[i].s[0] == '\t' || ls[i].s[ls[i].n - 1] == '\t';
        for (size_t k = 0; k < ls[i].n; k++)
            if (ls[i].s[k] == '\t') {
                count++;
                empty |= k + 1 < ls[i].n && ls[i].s[k + 1] == '\t';
            }
        all &= clean(&ls[i]) && !empty && count == fields;
    }
    if (!(ok && all)) {
        check_refusal(name, s);
        return;
    }
    RC_FUZZ_CHECK(s == RC_OK && t->fields == fields, "%d fields refused: %s", fields, rc_last_error());
    for (size_t r = 0; r < t->rows; r++) {
        RC_FUZZ_CHECK(t->lines[r] >= 1 && t->lines[r] <= n, "row %zu: line %zu", r, t->lines[r]);
        const line *l = &ls[t->lines[r] - 1];
        size_t at = 0;
        for (int f = 0; f < fields; f++) {
            const char *c = t->cells[r * (size_t)fields + (size_t)f];
            size_t k = strlen(c);
            RC_FUZZ_CHECK(at + k <= l->n && memcmp(l->s + at, c, k) == 0, "row %zu field %d differs from its line", r, f);
            at += k + 1;
        }
        RC_FUZZ_CHECK(at == l->n + 1, "row %zu does not cover its line", r);
    }
}

static void tsv(const char *path, const uint8_t *data, size_t size, const line *ls, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "'%s'", path);
    rc_tsv t;
    rc_status s = rc_tsv_read(&t, path, 2, RC_TEXT_MAX_BYTES);
    check_tsv(name, &t, s, ls, n, 2);
    rc_tsv_free(&t);
    for (int fields = 1; fields <= 3; fields += 2) {
        s = rc_tsv_parse(&t, "input", (const char *)data, size, fields);
        check_tsv("input", &t, s, ls, n, fields);
        rc_tsv_free(&t);
    }
}

/* s[0..*n) without blanks at both ends. */
static const uint8_t *trim(const uint8_t *s, size_t *n)
{
    while (*n > 0 && blank(s[*n - 1])) (*n)--;
    while (*n > 0 && blank(*s)) s++, (*n)--;
    return s;
}

static void labeled(const char *path, const line *ls, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "'%s'", path);
    rc_labeled d;
    rc_status s = rc_labeled_read(&d, path);
    bool ok = n > 0;
    for (size_t i = 0; i < n && ok; i++) {
        const uint8_t *tab = memchr(ls[i].s, '\t', ls[i].n);
        size_t nl = tab ? (size_t)(tab - ls[i].s) : 0, nt = tab ? ls[i].n - nl - 1 : 0;
        ok = clean(&ls[i]) && tab && (trim(ls[i].s, &nl), nl > 0) && (trim(tab + 1, &nt), nt > 0);
    }
    if (!ok) {
        check_refusal(name, s);
        return;
    }
    RC_FUZZ_CHECK(s == RC_OK && d.n == n, "%zu examples of %zu lines: %s", d.n, n, rc_last_error());
    for (size_t i = 0; i < n; i++) {
        const uint8_t *tab = memchr(ls[i].s, '\t', ls[i].n);
        size_t nl = (size_t)(tab - ls[i].s), nt = ls[i].n - nl - 1;
        const uint8_t *label = trim(ls[i].s, &nl), *text = trim(tab + 1, &nt);
        RC_FUZZ_CHECK(d.lines[i] == i + 1 && strlen(d.labels[i]) == nl && memcmp(d.labels[i], label, nl) == 0 &&
                          strlen(d.texts[i]) == nt && memcmp(d.texts[i], text, nt) == 0,
                      "example %zu differs from line %zu", i, i + 1);
    }
    rc_labeled_free(&d);
}

static bool same_tagged(const rc_tagged *a, const rc_tagged *b)
{
    if (a->n_sentences != b->n_sentences || a->n_tokens != b->n_tokens) return false;
    for (size_t i = 0; i < a->n_tokens; i++)
        if (strcmp(a->words[i], b->words[i]) || strcmp(a->tags[i], b->tags[i])) return false;
    for (size_t i = 0; i <= a->n_sentences; i++)
        if (a->starts[i] != b->starts[i]) return false;
    return true;
}

static void check_tagged(const rc_tagged *d, size_t n_lines)
{
    RC_FUZZ_CHECK(d->n_tokens >= 1 && d->starts[0] == 0 && d->starts[d->n_sentences] == d->n_tokens, "bounds");
    RC_FUZZ_CHECK(d->format == RC_TAGGED_SLASH || d->format == RC_TAGGED_CONLL, "format %d", (int)d->format);
    for (size_t i = 0; i < d->n_sentences; i++)
        RC_FUZZ_CHECK(d->starts[i] < d->starts[i + 1] && d->lines[i] >= 1 && d->lines[i] <= n_lines &&
                          (i == 0 || d->lines[i] > d->lines[i - 1]),
                      "sentence %zu", i);
    for (size_t i = 0; i < d->n_tokens; i++) {
        RC_FUZZ_CHECK(d->words[i][0] && d->tags[i][0], "token %zu is empty", i);
        RC_FUZZ_CHECK(!strpbrk(d->words[i], BLANKS) && !strpbrk(d->tags[i], BLANKS) &&
                          (d->format == RC_TAGGED_CONLL || !strchr(d->tags[i], '/')),
                      "token %zu: '%s' '%s'", i, d->words[i], d->tags[i]);
    }
}

static void tagged(const char *path, size_t n_lines)
{
    char name[64];
    snprintf(name, sizeof name, "'%s'", path);
    rc_tagged got[RC_TAGGED_FORMAT_COUNT];
    rc_status s[RC_TAGGED_FORMAT_COUNT];
    for (int f = 0; f < RC_TAGGED_FORMAT_COUNT; f++) {
        s[f] = rc_tagged_read(&got[f], path, (rc_tagged_format)f);
        if (s[f] == RC_OK) check_tagged(&got[f], n_lines);
        else check_refusal(name, s[f]);
    }
    if (s[RC_TAGGED_AUTO] == RC_OK) {
        rc_tagged_format f = got[RC_TAGGED_AUTO].format;
        RC_FUZZ_CHECK(s[f] == RC_OK && same_tagged(&got[RC_TAGGED_AUTO], &got[f]), "auto differs from %s",
                      rc_tagged_format_name(f));
    }
    for (int f = 0; f < RC_TAGGED_FORMAT_COUNT; f++) rc_tagged_free(&got[f]);
}

static bool ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void tokens(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    for (int kind = 0; kind < RC_TOKEN_KIND_COUNT; kind++) {
        size_t n = rc_tokenize(text, size, (rc_token_kind)kind, NULL, 0);
        rc_str *toks = malloc((n ? n : 1) * sizeof *toks);
        RC_FUZZ_CHECK(toks != NULL, "out of memory");
        RC_FUZZ_CHECK(rc_tokenize(text, size, (rc_token_kind)kind, toks, n) == n, "token count changed");
        const char *at = text;
        for (size_t i = 0; i < n; i++) {
            RC_FUZZ_CHECK(toks[i].n > 0 && toks[i].s >= at && toks[i].s + toks[i].n <= text + size, "token %zu", i);
            if (kind == RC_TOKENS_CHAR) {
                RC_FUZZ_CHECK(toks[i].s == at, "char token %zu skips bytes", i);
            } else {
                for (const char *p = at; p < toks[i].s; p++) RC_FUZZ_CHECK(ascii_space(*p), "a word skipped");
                for (size_t k = 0; k < toks[i].n; k++) RC_FUZZ_CHECK(!ascii_space(toks[i].s[k]), "space in a word");
                RC_FUZZ_CHECK(toks[i].s == text || ascii_space(toks[i].s[-1]), "word %zu is not maximal", i);
            }
            at = toks[i].s + toks[i].n;
        }
        for (; kind == RC_TOKENS_WORD && at < text + size; at++) RC_FUZZ_CHECK(ascii_space(*at), "a word skipped at the end");
        RC_FUZZ_CHECK(kind == RC_TOKENS_WORD || at == text + size, "char tokens end early");
        free(toks);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = rc_fuzz_file(data, size);
    size_t n;
    line *ls = cut_lines(data, size, &n);
    tsv(path, data, size, ls, n);
    labeled(path, ls, n);
    tagged(path, n);
    tokens(data, size);
    free(ls);
    return 0;
}
