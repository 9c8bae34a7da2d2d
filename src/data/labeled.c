/*
 * Labelled texts: "LABEL<TAB>TEXT" lines, one example each.
 */
#include <stdlib.h>
#include <string.h>

#include "data/store.h"

/* Offsets into the pool while it grows; pointers once it is complete. */
typedef struct example_at {
    size_t label, text, line;
} example_at;

/* Checks one line and appends its example. */
static rc_status add_line(rc_store *st, example_at *e, const rc_line_reader *r, const char *line, size_t n)
{
    const char *name = rc_line_reader_name(r);
    size_t ln = rc_line_reader_line(r);
    if (n == 0) return rc_error(RC_E_FORMAT, "%s: line %zu is empty, expected LABEL<TAB>TEXT", name, ln);
    const char *tab = memchr(line, '\t', n);
    if (!tab) return rc_error(RC_E_FORMAT, "%s: line %zu has no tab, expected LABEL<TAB>TEXT", name, ln);
    size_t nl = (size_t)(tab - line), nt = n - nl - 1;
    const char *label = rc_trim(line, &nl), *text = rc_trim(tab + 1, &nt);
    if (nl == 0) return rc_error(RC_E_FORMAT, "%s: line %zu has an empty label, expected LABEL<TAB>TEXT", name, ln);
    if (nt == 0) return rc_error(RC_E_FORMAT, "%s: line %zu has an empty text, expected LABEL<TAB>TEXT", name, ln);
    e->line = ln;
    if (!rc_store_add(st, label, nl, &e->label) || !rc_store_add(st, text, nt, &e->text))
        return rc_error(RC_E_NOMEM, "%s: line %zu: out of memory", name, ln);
    return RC_OK;
}

/* Turns the offsets into the result's arrays. */
static rc_status finish(rc_labeled *out, rc_store *st, const example_at *ex, size_t n, const char *name)
{
    out->labels = malloc(n * sizeof *out->labels);
    out->texts = malloc(n * sizeof *out->texts);
    out->lines = malloc(n * sizeof *out->lines);
    if (!out->labels || !out->texts || !out->lines) return rc_error(RC_E_NOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < n; i++) {
        out->labels[i] = st->pool + ex[i].label;
        out->texts[i] = st->pool + ex[i].text;
        out->lines[i] = ex[i].line;
    }
    out->pool = st->pool;
    st->pool = NULL;
    out->n = n;
    return RC_OK;
}

static rc_status read_examples(rc_labeled *out, rc_line_reader *r)
{
    const char *name = rc_line_reader_name(r);
    rc_store st = {0};
    example_at *ex = NULL;
    size_t n = 0, cap = 0;
    rc_status s;
    for (;;) {
        const char *line;
        size_t len;
        s = rc_line_reader_next(r, &line, &len);
        if (s != RC_OK || !line) break;
        void *p = ex;
        if (!rc_store_reserve(&p, &cap, n + 1, sizeof *ex)) {
            s = rc_error(RC_E_NOMEM, "%s: out of memory", name);
            break;
        }
        ex = p;
        s = add_line(&st, &ex[n], r, line, len);
        if (s != RC_OK) break;
        n++;
    }
    if (s == RC_OK && n == 0) s = rc_error(RC_E_FORMAT, "%s: no examples (the file is empty)", name);
    if (s == RC_OK) s = finish(out, &st, ex, n, name);
    free(ex);
    free(st.pool);
    if (s != RC_OK) rc_labeled_free(out);
    return s;
}

rc_status rc_labeled_parse(rc_labeled *out, FILE *fp, const char *name)
{
    memset(out, 0, sizeof *out);
    rc_line_reader *r;
    rc_status s = rc_line_reader_create(&r, fp, name, RC_LINE_MAX_BYTES);
    if (s == RC_OK) s = read_examples(out, r);
    rc_line_reader_free(r);
    return s;
}

rc_status rc_labeled_read(rc_labeled *out, const char *path)
{
    memset(out, 0, sizeof *out);
    rc_line_reader *r;
    FILE *fp;
    rc_status s = rc_line_file_open(&r, &fp, path);
    if (s == RC_OK) s = read_examples(out, r);
    rc_line_file_close(r, fp);
    return s;
}

void rc_labeled_free(rc_labeled *d)
{
    free(d->labels);
    free(d->texts);
    free(d->lines);
    free(d->pool);
    memset(d, 0, sizeof *d);
}
