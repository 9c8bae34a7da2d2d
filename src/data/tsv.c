/*
 * Tab-separated records: one pass checks the bytes (UTF-8, NUL bytes, the
 * field count and empty fields of every line) and splits them in place, so
 * that the cells point into one buffer owned by the result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur/data.h"

/* The fields of one line (bytes [start, end), no newline in it). */
typedef struct line_view {
    char *start, *end;
    size_t number; /* from 1 */
    size_t offset; /* byte offset of start in the file */
} line_view;

/* Checks a line's bytes: UTF-8 and no NUL. */
static rc_status check_bytes(const char *name, const line_view *l)
{
    const unsigned char *b = (const unsigned char *)l->start;
    size_t n = (size_t)(l->end - l->start), col = 1;
    for (size_t i = 0; i < n; col++) {
        if (b[i] == 0)
            return rc_error(RC_E_FORMAT, "%s: line %zu, column %zu (byte offset %zu): NUL byte", name, l->number, col,
                            l->offset + i);
        uint32_t cp;
        const char *why = NULL;
        int len = rc_utf8_next(b + i, n - i, &cp, &why);
        if (len == 0)
            return rc_error(RC_E_FORMAT, "%s: invalid UTF-8 at line %zu, column %zu (byte offset %zu): %s", name,
                            l->number, col, l->offset + i, why);
        i += (size_t)len;
    }
    return RC_OK;
}

/* Checks the line's field count and that no field is empty. */
static rc_status check_fields(const char *name, const line_view *l, int fields)
{
    int count = 1;
    const char *field = l->start;
    for (const char *p = l->start;; p++) {
        if (p == l->end || *p == '\t') {
            if (p == field)
                return rc_error(RC_E_FORMAT, "%s: line %zu: field %d is empty", name, l->number, count);
            if (p == l->end) break;
            count++;
            field = p + 1;
        }
    }
    if (count != fields)
        return rc_error(RC_E_FORMAT, "%s: line %zu: expected %d tab-separated field%s, got %d", name, l->number,
                        fields, fields == 1 ? "" : "s", count);
    return RC_OK;
}

/* Ends the line's fields with NULs and records them as row `row`. */
static void split(rc_tsv *t, const line_view *l, size_t row)
{
    const char **cell = t->cells + row * (size_t)t->fields;
    *cell++ = l->start;
    for (char *p = l->start; p < l->end; p++) {
        if (*p == '\t') {
            *p = '\0';
            *cell++ = p + 1;
        }
    }
    *l->end = '\0';
    t->lines[row] = l->number;
}

/* Visits every non-blank line of buf (n bytes, NUL-terminated), without its
 * newline or a carriage return before it; when t is non-NULL also splits
 * it. Counts the records in *rows. */
static rc_status scan(char *buf, size_t n, const char *name, int fields, rc_tsv *t, size_t *rows)
{
    size_t number = 0, row = 0;
    for (size_t at = 0; at < n;) {
        char *start = buf + at, *nl = memchr(start, '\n', n - at);
        char *end = nl ? nl : buf + n;
        size_t next = (size_t)(end - buf) + (nl ? 1 : 0);
        if (end > start && end[-1] == '\r') end--;
        line_view l = {start, end, ++number, at};
        at = next;
        if (end == start) continue;
        if (!t) {
            rc_status s = check_bytes(name, &l);
            if (s == RC_OK) s = check_fields(name, &l, fields);
            if (s != RC_OK) return s;
        } else {
            split(t, &l, row);
        }
        row++;
    }
    *rows = row;
    return RC_OK;
}

rc_status rc_tsv_parse(rc_tsv *out, const char *name, const char *bytes, size_t n, int fields)
{
    memset(out, 0, sizeof *out);
    if (fields < 1) return rc_error(RC_E_INVALID, "%s: fields = %d, expected >= 1", name, fields);
    char *buf = malloc(n + 1);
    if (!buf) return rc_error(RC_E_NOMEM, "%s: out of memory reading %zu bytes", name, n);
    memcpy(buf, bytes, n);
    buf[n] = '\0';
    size_t rows;
    rc_status s = scan(buf, n, name, fields, NULL, &rows);
    if (s == RC_OK && rows == 0) s = rc_error(RC_E_FORMAT, "%s: no records (the file is empty or blank)", name);
    if (s == RC_OK && rows > SIZE_MAX / sizeof(char *) / (size_t)fields)
        s = rc_error(RC_E_NOMEM, "%s: too many records", name);
    if (s == RC_OK) {
        out->cells = malloc(rows * (size_t)fields * sizeof *out->cells);
        out->lines = malloc(rows * sizeof *out->lines);
        if (!out->cells || !out->lines) s = rc_error(RC_E_NOMEM, "%s: out of memory for %zu records", name, rows);
    }
    if (s != RC_OK) {
        free(buf);
        rc_tsv_free(out);
        return s;
    }
    out->rows = rows;
    out->fields = fields;
    out->buf = buf;
    return scan(buf, n, name, fields, out, &rows);
}

rc_status rc_tsv_read(rc_tsv *out, const char *path, int fields, size_t max_bytes)
{
    memset(out, 0, sizeof *out);
    char *bytes;
    size_t n;
    rc_status s = rc_file_read(path, max_bytes, &bytes, &n);
    if (s != RC_OK) return s;
    char name[512];
    snprintf(name, sizeof name, "'%s'", path);
    s = rc_tsv_parse(out, name, bytes, n, fields);
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
