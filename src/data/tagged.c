/*
 * Tagged sentences: word/TAG lines and CoNLL columns, with the format
 * detected from the first non-blank line when asked.
 */
#include <stdlib.h>
#include <string.h>

#include "data/store.h"

static const char *const format_names[] = {"auto", "slash", "conll"};
_Static_assert(sizeof format_names / sizeof format_names[0] == RC_TAGGED_FORMAT_COUNT, "a name per format");

const char *rc_tagged_format_name(rc_tagged_format f)
{
    RC_ASSERT(f >= 0 && f < RC_TAGGED_FORMAT_COUNT);
    return format_names[f];
}

bool rc_tagged_split(const char *token, size_t n, size_t *word_len)
{
    size_t k = n;
    while (k > 0 && token[k - 1] != '/') k--;
    if (k < 2 || k == n) return false;
    *word_len = k - 1;
    return true;
}

/* The sentences so far: strings by offset into the pool, which may move. */
typedef struct builder {
    const rc_line_reader *r;
    rc_store st;
    size_t *word_at, *tag_at, cap_word, cap_tag, n_tok;
    size_t *starts, *lines, cap_sent, cap_lines, n_sent;
    size_t open_line; /* the line of the open sentence's first token, 0 when none is open */
} builder;

static rc_status no_memory(const builder *b)
{
    return rc_error(RC_E_NOMEM, "%s: line %zu: out of memory", rc_line_reader_name(b->r), rc_line_reader_line(b->r));
}

static rc_status add_token(builder *b, const char *word, size_t nw, const char *tag, size_t nt)
{
    void *w = b->word_at, *t = b->tag_at;
    bool ok = rc_store_reserve(&w, &b->cap_word, b->n_tok + 1, sizeof(size_t));
    b->word_at = w;
    ok = ok && rc_store_reserve(&t, &b->cap_tag, b->n_tok + 1, sizeof(size_t));
    b->tag_at = t;
    if (!ok || !rc_store_add(&b->st, word, nw, &b->word_at[b->n_tok]) ||
        !rc_store_add(&b->st, tag, nt, &b->tag_at[b->n_tok]))
        return no_memory(b);
    if (b->open_line == 0) b->open_line = rc_line_reader_line(b->r);
    b->n_tok++;
    return RC_OK;
}

/* Closes the open sentence, if any: starts[n_sent] is its first token. */
static rc_status end_sentence(builder *b)
{
    if (b->open_line == 0) return RC_OK;
    void *s = b->starts, *l = b->lines;
    bool ok = rc_store_reserve(&s, &b->cap_sent, b->n_sent + 2, sizeof(size_t));
    b->starts = s;
    ok = ok && rc_store_reserve(&l, &b->cap_lines, b->n_sent + 1, sizeof(size_t));
    b->lines = l;
    if (!ok) return no_memory(b);
    if (b->n_sent == 0) b->starts[0] = 0;
    b->lines[b->n_sent] = b->open_line;
    b->starts[++b->n_sent] = b->n_tok;
    b->open_line = 0;
    return RC_OK;
}

/* The next field of line[*i..n) separated by blanks; false at the end. */
static bool next_field(const char *line, size_t n, size_t *i, rc_str *f)
{
    while (*i < n && rc_is_blank(line[*i])) (*i)++;
    if (*i == n) return false;
    size_t start = *i;
    while (*i < n && !rc_is_blank(line[*i])) (*i)++;
    *f = (rc_str){line + start, *i - start};
    return true;
}

static bool is_blank_line(const char *line, size_t n)
{
    size_t i = 0;
    rc_str f;
    return !next_field(line, n, &i, &f);
}

/* SLASH when the line has no tab and every field splits into word/TAG. */
static rc_tagged_format detect(const char *line, size_t n)
{
    if (memchr(line, '\t', n)) return RC_TAGGED_CONLL;
    size_t i = 0, w;
    rc_str f;
    while (next_field(line, n, &i, &f))
        if (!rc_tagged_split(f.s, f.n, &w)) return RC_TAGGED_CONLL;
    return RC_TAGGED_SLASH;
}

enum { SHOWN_TOKEN_MAX = 40 };

static rc_status slash_line(builder *b, const char *line, size_t n)
{
    const char *name = rc_line_reader_name(b->r);
    size_t ln = rc_line_reader_line(b->r);
    if (is_blank_line(line, n))
        return rc_error(RC_E_FORMAT, "%s: line %zu is empty, expected a sentence of word/TAG tokens", name, ln);
    size_t i = 0, k = 0, w;
    rc_str f;
    while (next_field(line, n, &i, &f)) {
        k++;
        if (!rc_tagged_split(f.s, f.n, &w)) {
            bool shown = f.n <= SHOWN_TOKEN_MAX;
            return rc_error(RC_E_FORMAT, "%s: line %zu, token %zu%s%.*s%s: expected word/TAG (a non-empty word, '/', a "
                            "non-empty tag)", name, ln, k, shown ? " \"" : "", shown ? (int)f.n : 0, f.s,
                            shown ? "\"" : "");
        }
        rc_status s = add_token(b, f.s, w, f.s + w + 1, f.n - w - 1);
        if (s != RC_OK) return s;
    }
    return end_sentence(b);
}

static const char DOCSTART[] = "-DOCSTART-";

static rc_status conll_line(builder *b, const char *line, size_t n)
{
    if (is_blank_line(line, n) || strncmp(line, DOCSTART, sizeof DOCSTART - 1) == 0) return end_sentence(b);
    size_t i = 0, fields = 0;
    rc_str f, word = {0}, tag = {0};
    while (next_field(line, n, &i, &f)) {
        if (fields++ == 0) word = f;
        tag = f;
    }
    if (fields < 2)
        return rc_error(RC_E_FORMAT, "%s: line %zu has 1 field, expected the word and its tag (CoNLL: fields "
                        "separated by spaces or tabs, the tag last)", rc_line_reader_name(b->r), rc_line_reader_line(b->r));
    return add_token(b, word.s, word.n, tag.s, tag.n);
}

/* Turns the offsets into the result's arrays. */
static rc_status finish(rc_tagged *out, builder *b, const char *name)
{
    out->words = malloc(b->n_tok * sizeof *out->words);
    out->tags = malloc(b->n_tok * sizeof *out->tags);
    if (!out->words || !out->tags) return rc_error(RC_E_NOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < b->n_tok; i++) {
        out->words[i] = b->st.pool + b->word_at[i];
        out->tags[i] = b->st.pool + b->tag_at[i];
    }
    out->pool = b->st.pool;
    out->starts = b->starts;
    out->lines = b->lines;
    b->st.pool = NULL;
    b->starts = b->lines = NULL;
    out->n_sentences = b->n_sent;
    out->n_tokens = b->n_tok;
    return RC_OK;
}

static rc_status read_sentences(rc_tagged *out, rc_line_reader *r, rc_tagged_format format)
{
    const char *name = rc_line_reader_name(r);
    builder b = {.r = r};
    size_t first_blank = 0; /* a blank line before the format is known */
    rc_status s;
    for (;;) {
        const char *line;
        size_t n;
        s = rc_line_reader_next(r, &line, &n);
        if (s != RC_OK || !line) break;
        if (format == RC_TAGGED_AUTO) {
            if (is_blank_line(line, n)) {
                if (!first_blank) first_blank = rc_line_reader_line(r);
                continue;
            }
            format = detect(line, n);
            if (format == RC_TAGGED_SLASH && first_blank) {
                s = rc_error(RC_E_FORMAT, "%s: line %zu is empty, expected a sentence of word/TAG tokens", name,
                             first_blank);
                break;
            }
        }
        s = format == RC_TAGGED_SLASH ? slash_line(&b, line, n) : conll_line(&b, line, n);
        if (s != RC_OK) break;
    }
    if (s == RC_OK) s = end_sentence(&b);
    if (s == RC_OK && b.n_tok == 0) s = rc_error(RC_E_FORMAT, "%s: no tagged tokens (the file is empty)", name);
    out->format = format;
    if (s == RC_OK) s = finish(out, &b, name);
    free(b.st.pool);
    free(b.word_at);
    free(b.tag_at);
    free(b.starts);
    free(b.lines);
    if (s != RC_OK) rc_tagged_free(out);
    return s;
}

rc_status rc_tagged_parse(rc_tagged *out, FILE *fp, const char *name, rc_tagged_format format)
{
    memset(out, 0, sizeof *out);
    RC_ASSERT(format >= 0 && format < RC_TAGGED_FORMAT_COUNT);
    rc_line_reader *r;
    rc_status s = rc_line_reader_create(&r, fp, name, RC_LINE_MAX_BYTES);
    if (s == RC_OK) s = read_sentences(out, r, format);
    rc_line_reader_free(r);
    return s;
}

rc_status rc_tagged_read(rc_tagged *out, const char *path, rc_tagged_format format)
{
    memset(out, 0, sizeof *out);
    RC_ASSERT(format >= 0 && format < RC_TAGGED_FORMAT_COUNT);
    rc_line_reader *r;
    FILE *fp;
    rc_status s = rc_line_file_open(&r, &fp, path);
    if (s == RC_OK) s = read_sentences(out, r, format);
    rc_line_file_close(r, fp);
    return s;
}

void rc_tagged_free(rc_tagged *d)
{
    free(d->starts);
    free(d->words);
    free(d->tags);
    free(d->lines);
    free(d->pool);
    memset(d, 0, sizeof *d);
}
