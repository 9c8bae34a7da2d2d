/*
 * Opening a safetensors file: the whole header is validated before any
 * tensor data is touched, and nothing is allocated from a size the file
 * claims until that size has been checked against the file's real size.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/st_internal.h"

/* The reference implementation's limit on the header length. */
#define ST_HEADER_MAX UINT64_C(100000000)

/* RC_E_FORMAT "safetensors 'PATH': tensor 'NAME': ..." (without the tensor part when name is NULL). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static rc_status bad(const rc_st_file *f, const char *name, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (name) return rc_error(RC_E_FORMAT, "safetensors '%s': tensor '%s': %s", f->path, name, what);
    return rc_error(RC_E_FORMAT, "safetensors '%s': %s", f->path, what);
}

static rc_status read_exact(rc_st_file *f, void *buf, size_t n, const char *what)
{
    if (fread(buf, 1, n, f->fp) == n) return RC_OK;
    if (ferror(f->fp)) return rc_error(RC_E_IO, "safetensors '%s': reading %s: %s", f->path, what, strerror(errno));
    return rc_error(RC_E_IO, "safetensors '%s': unexpected end of file reading %s", f->path, what);
}

static rc_status parse_metadata(rc_st_file *f, json_t *md)
{
    if (!json_is_object(md)) return bad(f, NULL, "__metadata__ is not an object of strings");
    const char *key;
    json_t *v;
    json_object_foreach(md, key, v) {
        if (!json_is_string(v)) return bad(f, NULL, "__metadata__ value of '%s' is not a string", key);
    }
    f->metadata = md;
    return RC_OK;
}

static rc_status parse_dtype(rc_st_file *f, const char *name, json_t *j, rc_dtype *out)
{
    if (!json_is_string(j)) return bad(f, name, "dtype is not a string");
    if (!rc_dtype_parse(json_string_value(j), out))
        return bad(f, name, "unsupported dtype '%s' (supported: F32, F64, F16, BF16, I64, I32)", json_string_value(j));
    return RC_OK;
}

/* Shape: rank <= RC_MAX_DIMS, sizes in [0, INT_MAX]; numel without overflow. */
static rc_status parse_shape(rc_st_file *f, const char *name, json_t *j, rc_st_entry *e)
{
    if (!json_is_array(j)) return bad(f, name, "shape is not an array");
    size_t rank = json_array_size(j);
    if (rank > RC_MAX_DIMS) return bad(f, name, "shape has rank %zu, at most %d is supported", rank, RC_MAX_DIMS);
    e->ndim = (int)rank;
    e->numel = 1;
    for (int d = 0; d < RC_MAX_DIMS; d++) e->shape[d] = 1;
    for (size_t d = 0; d < rank; d++) {
        json_t *s = json_array_get(j, d);
        if (!json_is_integer(s) || json_integer_value(s) < 0 || json_integer_value(s) > INT_MAX)
            return bad(f, name, "shape[%zu] is not an integer in [0, %d]", d, INT_MAX);
        uint64_t size = (uint64_t)json_integer_value(s);
        if (size && e->numel > UINT64_MAX / size) return bad(f, name, "the element count of the shape overflows");
        e->numel *= size;
        e->shape[d] = (int)size;
    }
    return RC_OK;
}

/* data_offsets: [begin, end] with begin <= end <= data size and end − begin
 * equal to numel · dtype size. */
static rc_status parse_offsets(rc_st_file *f, const char *name, json_t *j, rc_st_entry *e)
{
    json_t *b = json_array_get(j, 0), *en = json_array_get(j, 1);
    if (!json_is_array(j) || json_array_size(j) != 2 || !json_is_integer(b) || !json_is_integer(en) ||
        json_integer_value(b) < 0 || json_integer_value(en) < 0)
        return bad(f, name, "data_offsets is not [begin, end] with non-negative integers");
    e->begin = (uint64_t)json_integer_value(b);
    e->end = (uint64_t)json_integer_value(en);
    if (e->end < e->begin)
        return bad(f, name, "data_offsets [%" PRIu64 ", %" PRIu64 "]: end is before begin", e->begin, e->end);
    if (e->end > f->data_size)
        return bad(f, name, "data_offsets end %" PRIu64 " is past the data buffer of %" PRIu64 " bytes", e->end,
                   f->data_size);
    size_t esize = rc_dtype_size(e->dtype);
    if (e->numel > UINT64_MAX / esize) return bad(f, name, "the byte size of the shape overflows");
    char shape[64];
    if (e->end - e->begin != e->numel * esize)
        return bad(f, name, "data_offsets span %" PRIu64 " bytes, but dtype %s and shape %s need %" PRIu64,
                   e->end - e->begin, rc_dtype_name(e->dtype), rc_st_shape_str(e, shape, sizeof shape),
                   e->numel * esize);
    return RC_OK;
}

static rc_status parse_entry(rc_st_file *f, const char *name, json_t *j, rc_st_entry *e)
{
    static const char *const fields[] = {"dtype", "shape", "data_offsets"};
    if (!json_is_object(j)) return bad(f, name, "entry is not a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        if (strcmp(key, fields[0]) && strcmp(key, fields[1]) && strcmp(key, fields[2]))
            return bad(f, name, "unexpected field '%s'", key);
    }
    for (int k = 0; k < 3; k++)
        if (!json_object_get(j, fields[k])) return bad(f, name, "missing field '%s'", fields[k]);
    e->name = name;
    rc_status s = parse_dtype(f, name, json_object_get(j, "dtype"), &e->dtype);
    if (s == RC_OK) s = parse_shape(f, name, json_object_get(j, "shape"), e);
    if (s == RC_OK) s = parse_offsets(f, name, json_object_get(j, "data_offsets"), e);
    return s;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const rc_st_entry *)a)->name, ((const rc_st_entry *)b)->name);
}

static int by_offset(const void *a, const void *b)
{
    const rc_st_entry *x = *(const rc_st_entry *const *)a, *y = *(const rc_st_entry *const *)b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return 0;
}

/* Sorted by (begin, end), a tensor overlaps an earlier one exactly when it
 * overlaps its predecessor. A zero-size tensor placed strictly inside another
 * counts as overlapping, as the reference implementation refuses it too. */
static rc_status check_overlaps(rc_st_file *f)
{
    if (f->n < 2) return RC_OK;
    const rc_st_entry **order = malloc(f->n * sizeof *order);
    if (!order) return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", f->path);
    for (size_t i = 0; i < f->n; i++) order[i] = &f->entries[i];
    qsort(order, f->n, sizeof *order, by_offset);
    rc_status s = RC_OK;
    for (size_t i = 1; i < f->n && s == RC_OK; i++)
        if (order[i]->begin < order[i - 1]->end)
            s = bad(f, order[i]->name, "bytes [%" PRIu64 ", %" PRIu64 ") overlap tensor '%s' at [%" PRIu64 ", %" PRIu64 ")",
                    order[i]->begin, order[i]->end, order[i - 1]->name, order[i - 1]->begin, order[i - 1]->end);
    free(order);
    return s;
}

static rc_status parse_header(rc_st_file *f)
{
    if (!json_is_object(f->header)) return bad(f, NULL, "the header is not a JSON object");
    size_t cap = json_object_size(f->header);
    f->entries = calloc(cap ? cap : 1, sizeof *f->entries);
    if (!f->entries) return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", f->path);
    const char *key;
    json_t *v;
    json_object_foreach(f->header, key, v) {
        rc_status s = strcmp(key, "__metadata__") == 0 ? parse_metadata(f, v) : parse_entry(f, key, v, &f->entries[f->n++]);
        if (s != RC_OK) return s;
    }
    qsort(f->entries, f->n, sizeof *f->entries, by_name);
    return check_overlaps(f);
}

/* The 8-byte length, then the JSON, both checked against the file's size. */
static rc_status read_header(rc_st_file *f)
{
    struct stat st;
    if (fstat(fileno(f->fp), &st) != 0)
        return rc_error(RC_E_IO, "safetensors '%s': cannot stat: %s", f->path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return rc_error(RC_E_IO, "safetensors '%s': not a regular file", f->path);
    uint64_t size = (uint64_t)st.st_size;
    if (size < 8) return bad(f, NULL, "the file is %" PRIu64 " bytes, too short for the 8-byte header length", size);
    unsigned char len8[8];
    rc_status s = read_exact(f, len8, 8, "the header length");
    if (s != RC_OK) return s;
    uint64_t n = rc_le_load(len8, 8);
    if (n > size - 8)
        return bad(f, NULL, "header length %" PRIu64 " exceeds the %" PRIu64 " bytes after the length field", n, size - 8);
    if (n > ST_HEADER_MAX)
        return bad(f, NULL, "header length %" PRIu64 " exceeds the limit of %" PRIu64 " bytes", n, ST_HEADER_MAX);
    char *text = malloc(n ? (size_t)n : 1);
    if (!text) return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory for a %" PRIu64 "-byte header", f->path, n);
    s = read_exact(f, text, (size_t)n, "the header");
    json_error_t je;
    if (s == RC_OK) f->header = json_loadb(text, (size_t)n, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (s != RC_OK) return s;
    if (!f->header)
        return bad(f, NULL, "the header is not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    f->data_start = 8 + n;
    f->data_size = size - 8 - n;
    return parse_header(f);
}

rc_status rc_st_open(rc_st_file **out, const char *path)
{
    *out = NULL;
    rc_st_file *f = calloc(1, sizeof *f);
    char *p = malloc(strlen(path) + 1);
    if (!f || !p) {
        free(f);
        free(p);
        return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
    }
    f->path = strcpy(p, path);
    f->fp = fopen(path, "rb");
    rc_status s = f->fp ? read_header(f) : rc_error(RC_E_IO, "safetensors '%s': cannot open: %s", path, strerror(errno));
    if (s != RC_OK) {
        rc_st_close(f);
        return s;
    }
    *out = f;
    return RC_OK;
}

void rc_st_close(rc_st_file *f)
{
    if (!f) return;
    if (f->fp) fclose(f->fp);
    json_decref(f->header);
    free(f->entries);
    free(f->path);
    free(f);
}

size_t rc_st_count(const rc_st_file *f) { return f->n; }

const char *rc_st_name(const rc_st_file *f, size_t i)
{
    RC_ASSERT(i < f->n);
    return f->entries[i].name;
}

const rc_st_entry *rc_st_find(const rc_st_file *f, const char *name)
{
    rc_st_entry key = {.name = name};
    const rc_st_entry *e = f->n ? bsearch(&key, f->entries, f->n, sizeof key, by_name) : NULL;
    if (!e) rc_error(RC_E_NOTFOUND, "safetensors '%s': no tensor named '%s'", f->path, name);
    return e;
}

char *rc_st_shape_str(const rc_st_entry *e, char *buf, size_t n)
{
    rc_tensor view = {.ndim = e->ndim};
    memcpy(view.shape, e->shape, sizeof view.shape);
    return rc_shape_str(&view, buf, n);
}

rc_status rc_st_info(const rc_st_file *f, const char *name, rc_dtype *dtype, int *ndim, int shape[RC_MAX_DIMS])
{
    const rc_st_entry *e = rc_st_find(f, name);
    if (!e) return RC_E_NOTFOUND;
    if (dtype) *dtype = e->dtype;
    if (ndim) *ndim = e->ndim;
    if (shape) memcpy(shape, e->shape, sizeof e->shape);
    return RC_OK;
}

const char *rc_st_metadata(const rc_st_file *f, const char *key)
{
    return f->metadata ? json_string_value(json_object_get(f->metadata, key)) : NULL;
}
