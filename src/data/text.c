/*
 * Reading whole files and streams, and decoding them into code points, with
 * errors that point at the file, line, column and byte offset of the first
 * bad byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/store.h"

enum { READ_CHUNK = 1 << 16 };

rc_status rc_stream_read(FILE *fp, const char *name, size_t max_bytes, char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (max_bytes > SIZE_MAX - 2) max_bytes = SIZE_MAX - 2;
    /* never more than max_bytes + 1 bytes held: one byte past the limit
     * proves the input too large */
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < READ_CHUNK / 2 + 1) {
            size_t want = cap < READ_CHUNK ? READ_CHUNK : cap * 2;
            if (want > max_bytes + 2) want = max_bytes + 2;
            char *nb = realloc(buf, want);
            if (!nb) {
                free(buf);
                return rc_error(RC_E_NOMEM, "%s: out of memory while reading", name);
            }
            buf = nb;
            cap = want;
        }
        size_t room = cap - 1 - len; /* keep one byte for the terminating NUL */
        size_t k = fread(buf + len, 1, room, fp);
        len += k;
        if (len > max_bytes) {
            free(buf);
            return rc_error(RC_E_INVALID, "%s: larger than the limit of %zu bytes", name, max_bytes);
        }
        if (k < room) break;
    }
    if (ferror(fp)) {
        int err = errno;
        free(buf);
        return rc_error(RC_E_IO, "%s: read failed: %s", name, strerror(err));
    }
    buf[len] = '\0';
    *out = buf;
    *n = len;
    return RC_OK;
}

rc_status rc_file_read(const char *path, size_t max_bytes, char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return rc_error(RC_E_IO, "'%s': cannot open: %s", path, strerror(errno));
    char *name = rc_quoted_path(path);
    rc_status s = name ? rc_stream_read(fp, name, max_bytes, out, n) : rc_error(RC_E_NOMEM, "'%s': out of memory", path);
    free(name);
    fclose(fp);
    return s;
}

/* Line and column (from 1, columns in code points) of byte offset off, all
 * bytes before which are known to be well-formed. */
static void locate(const unsigned char *b, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (b[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if ((b[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

rc_status rc_text_decode(rc_text *out, const char *name, const void *bytes, size_t n)
{
    out->cps = NULL;
    out->n = 0;
    const unsigned char *b = bytes;
    /* a text never has more code points than bytes */
    uint32_t *cps = n <= SIZE_MAX / sizeof *cps ? malloc((n ? n : 1) * sizeof *cps) : NULL;
    if (!cps) return rc_error(RC_E_NOMEM, "%s: out of memory decoding %zu bytes", name, n);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        const char *why = NULL;
        int len = rc_utf8_next(b + i, n - i, &cps[k], &why);
        if (len == 0) {
            size_t line, col;
            locate(b, i, &line, &col);
            free(cps);
            return rc_error(RC_E_FORMAT, "%s: invalid UTF-8 at line %zu, column %zu (byte offset %zu): %s", name,
                            line, col, i, why);
        }
        i += (size_t)len;
        k++;
    }
    out->cps = cps;
    out->n = k;
    return RC_OK;
}

rc_status rc_text_read(rc_text *out, const char *path, size_t max_bytes)
{
    out->cps = NULL;
    out->n = 0;
    char *bytes;
    size_t n;
    rc_status s = rc_file_read(path, max_bytes, &bytes, &n);
    if (s != RC_OK) return s;
    if (n == 0) s = rc_error(RC_E_FORMAT, "'%s': file is empty", path);
    if (s == RC_OK) {
        char name[512];
        snprintf(name, sizeof name, "'%s'", path);
        s = rc_text_decode(out, name, bytes, n);
    }
    free(bytes);
    return s;
}

void rc_text_free(rc_text *t)
{
    free(t->cps);
    t->cps = NULL;
    t->n = 0;
}
