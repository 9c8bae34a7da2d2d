/*
 * Tab-separated records: the lines come from the line reader (UTF-8 and
 * NUL checks, CRLF), so that a TSV file is refused the way every other data
 * file is; here each non-blank line is checked for its field count and
 * empty fields and split, its fields copied into one buffer owned by the
 * result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/store.h"

/* Checks the line's field count and that no field is empty. */
static rc_status check_fields(const char *name, size_t number, const char *line, size_t len, int fields)
{
    int count = 1;
    const char *field = line, *end = line + len;
    for (const char *p = line;; p++) {
        if (p == end || *p == '\t') {
            if (p == field) return rc_error(RC_E_FORMAT, "%s: line %zu: field %d is empty", name, number, count);
            if (p == end) break;
            count++;
            field = p + 1;
        }
    }
    if (count != fields)
        return rc_error(RC_E_FORMAT, "%s: line %zu: expected %d tab-separated field%s, got %d", name, number,
                        fields, fields == 1 ? "" : "s", count);
    return RC_OK;
}

/* Where the records grow: t->buf holds every line read so far, each
 * NUL-terminated, and never moves (it has room for the whole input). */
typedef struct tsv_builder {
    rc_tsv *t;
    size_t used, cap_cells, cap_lines;
} tsv_builder;

/* Copies the line after the lines before it, ends each field with a NUL and
 * records them as the next row. */
static bool add_row(tsv_builder *b, const char *line, size_t len, size_t number)
{
    rc_tsv *t = b->t;
    size_t fields = (size_t)t->fields;
    void *cells = (void *)t->cells, *lines = t->lines;
    bool ok = rc_store_reserve(&cells, &b->cap_cells, (t->rows + 1) * fields, sizeof *t->cells);
    t->cells = cells;
    ok = ok && rc_store_reserve(&lines, &b->cap_lines, t->rows + 1, sizeof *t->lines);
    t->lines = lines;
    if (!ok) return false;
    char *copy = t->buf + b->used;
    memcpy(copy, line, len + 1);
    b->used += len + 1;
    const char **cell = t->cells + t->rows * fields;
    *cell++ = copy;
    for (char *p = copy; *p; p++) {
        if (*p == '\t') {
            *p = '\0';
            *cell++ = p + 1;
        }
    }
    t->lines[t->rows++] = number;
    return true;
}

static rc_status read_rows(tsv_builder *b, rc_line_reader *r, const char *name)
{
    for (;;) {
        const char *line;
        size_t len;
        rc_status s = rc_line_reader_next(r, &line, &len);
        if (s != RC_OK || !line) return s;
        if (len == 0) continue;
        size_t number = rc_line_reader_line(r);
        s = check_fields(name, number, line, len, b->t->fields);
        if (s != RC_OK) return s;
        if (!add_row(b, line, len, number))
            return rc_error(RC_E_NOMEM, "%s: out of memory for %zu records", name, b->t->rows + 1);
    }
}

rc_status rc_tsv_parse(rc_tsv *out, const char *name, const char *bytes, size_t n, int fields)
{
    memset(out, 0, sizeof *out);
    if (fields < 1) return rc_error(RC_E_INVALID, "%s: fields = %d, expected >= 1", name, fields);
    out->fields = fields;
    tsv_builder b = {.t = out};
    /* a line and its NUL take at most the bytes of the line and its newline,
     * or one more for a last line without newline */
    out->buf = malloc(n + 1);
    FILE *fp = n > 0 ? fmemopen((void *)bytes, n, "rb") : NULL;
    rc_line_reader *r = NULL;
    rc_status s = out->buf && (fp || n == 0) ? RC_OK : rc_error(RC_E_NOMEM, "%s: out of memory reading %zu bytes", name, n);
    if (s == RC_OK && fp) s = rc_line_reader_create(&r, fp, name, n);
    if (s == RC_OK && r) s = read_rows(&b, r, name);
    rc_line_reader_free(r);
    if (fp) fclose(fp);
    if (s == RC_OK && out->rows == 0) s = rc_error(RC_E_FORMAT, "%s: no records (the file is empty or blank)", name);
    if (s != RC_OK) rc_tsv_free(out);
    return s;
}

rc_status rc_tsv_read(rc_tsv *out, const char *path, int fields, size_t max_bytes)
{
    memset(out, 0, sizeof *out);
    char *bytes;
    size_t n;
    rc_status s = rc_file_read(path, max_bytes, &bytes, &n);
    if (s != RC_OK) return s;
    char *name = rc_quoted_path(path);
    s = name ? rc_tsv_parse(out, name, bytes, n, fields) : rc_error(RC_E_NOMEM, "'%s': out of memory", path);
    free(name);
    free(bytes);
    return s;
}

void rc_tsv_free(rc_tsv *t)
{
    free((void *)t->cells);
    free(t->lines);
    free(t->buf);
    memset(t, 0, sizeof *t);
}
