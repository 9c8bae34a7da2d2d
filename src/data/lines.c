/*
 * The line reader under every line-oriented data file: bounded line length,
 * UTF-8 and NUL checks, CRLF, and messages naming the file and line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "data/store.h"

struct rc_line_reader {
    FILE *fp;
    char *name;
    size_t max_bytes;
    char *buf;
    size_t cap;
    size_t line; /* lines returned so far */
    bool done;
};

enum { FIRST_CAP = 256 };

rc_status rc_line_reader_create(rc_line_reader **out, FILE *fp, const char *name, size_t max_bytes)
{
    RC_ASSERT(out && fp && name);
    *out = NULL;
    rc_line_reader *r = calloc(1, sizeof *r);
    size_t n = strlen(name) + 1;
    if (r) r->name = malloc(n);
    if (r && r->name) r->buf = malloc(FIRST_CAP);
    if (!r || !r->name || !r->buf) {
        rc_line_reader_free(r);
        return rc_error(RC_E_NOMEM, "%s: out of memory for a line reader", name);
    }
    memcpy(r->name, name, n);
    r->fp = fp;
    r->max_bytes = max_bytes < SIZE_MAX - 2 ? max_bytes : SIZE_MAX - 2;
    r->cap = FIRST_CAP;
    *out = r;
    return RC_OK;
}

void rc_line_reader_free(rc_line_reader *r)
{
    if (!r) return;
    free(r->name);
    free(r->buf);
    free(r);
}

size_t rc_line_reader_line(const rc_line_reader *r) { return r->line; }

const char *rc_line_reader_name(const rc_line_reader *r) { return r->name; }

/* Makes room for one more byte and the NUL after it. */
static bool grow(rc_line_reader *r, size_t len)
{
    if (len + 2 <= r->cap) return true;
    size_t cap = r->cap * 2;
    if (cap > r->max_bytes + 2) cap = r->max_bytes + 2;
    char *b = realloc(r->buf, cap);
    if (!b) return false;
    r->buf = b;
    r->cap = cap;
    return true;
}

/* Stops the reader and returns the error s. */
static rc_status fail(rc_line_reader *r, rc_status s)
{
    r->done = true;
    return s;
}

/* Checks that the line holds well-formed UTF-8 and no NUL byte. */
static rc_status check_line(rc_line_reader *r, const unsigned char *b, size_t n)
{
    size_t col = 1;
    for (size_t i = 0; i < n; col++) {
        if (b[i] == 0)
            return fail(r, rc_error(RC_E_FORMAT, "%s: line %zu: NUL byte at column %zu", r->name, r->line, col));
        uint32_t cp;
        const char *why = NULL;
        int len = rc_utf8_next(b + i, n - i, &cp, &why);
        if (len == 0)
            return fail(r, rc_error(RC_E_FORMAT, "%s: line %zu: invalid UTF-8 at column %zu (byte %zu of the line): %s",
                                    r->name, r->line, col, i + 1, why));
        i += (size_t)len;
    }
    return RC_OK;
}

rc_status rc_line_reader_next(rc_line_reader *r, const char **line, size_t *len)
{
    *line = NULL;
    *len = 0;
    if (r->done) return RC_OK;
    size_t n = 0;
    int c;
    bool any = false;
    while ((c = getc(r->fp)) != EOF) {
        any = true;
        if (c == '\n') break;
        if (n >= r->max_bytes)
            return fail(r, rc_error(RC_E_FORMAT, "%s: line %zu is longer than the limit of %zu bytes", r->name,
                                    r->line + 1, r->max_bytes));
        if (!grow(r, n)) return fail(r, rc_error(RC_E_NOMEM, "%s: line %zu: out of memory", r->name, r->line + 1));
        r->buf[n++] = (char)c;
    }
    if (ferror(r->fp)) {
        int err = errno;
        return fail(r, rc_error(RC_E_IO, "%s: read failed at line %zu: %s", r->name, r->line + 1, strerror(err)));
    }
    if (!any) {
        r->done = true;
        return RC_OK;
    }
    r->line++;
    if (n > 0 && r->buf[n - 1] == '\r') n--;
    r->buf[n] = '\0';
    rc_status s = check_line(r, (const unsigned char *)r->buf, n);
    if (s != RC_OK) return s;
    *line = r->buf;
    *len = n;
    return RC_OK;
}

rc_status rc_line_file_open(rc_line_reader **out, FILE **fp, const char *path)
{
    *out = NULL;
    *fp = fopen(path, "rb");
    if (!*fp) return rc_error(RC_E_IO, "'%s': cannot open: %s", path, strerror(errno));
    char *name = rc_quoted_path(path);
    rc_status s = name ? rc_line_reader_create(out, *fp, name, RC_LINE_MAX_BYTES)
                       : rc_error(RC_E_NOMEM, "'%s': out of memory", path);
    free(name);
    if (s != RC_OK) {
        fclose(*fp);
        *fp = NULL;
    }
    return s;
}

void rc_line_file_close(rc_line_reader *r, FILE *fp)
{
    rc_line_reader_free(r);
    if (fp) fclose(fp);
}
