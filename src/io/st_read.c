/*
 * Reading tensor data from an open safetensors file. Data is streamed
 * through a fixed buffer and decoded element by element, so reading needs no
 * memory beyond the destination.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "io/st_internal.h"

enum { CHUNK_BYTES = 1 << 14 };

/* Receives elements [first, first + count) of a tensor as raw bytes. */
typedef rc_status (*chunk_fn)(void *ctx, const unsigned char *bytes, size_t first, size_t count);

static rc_status stream(rc_st_file *f, const rc_st_entry *e, chunk_fn fn, void *ctx)
{
    unsigned char buf[CHUNK_BYTES];
    size_t esize = rc_dtype_size(e->dtype), per = CHUNK_BYTES / esize;
    /* data_start + end <= the file size, which fits off_t */
    if (fseeko(f->fp, (off_t)(f->data_start + e->begin), SEEK_SET) != 0)
        return rc_error(RC_E_IO, "safetensors '%s': seeking to tensor '%s': %s", f->path, e->name, strerror(errno));
    for (size_t done = 0; done < e->numel;) {
        size_t k = e->numel - done < per ? (size_t)(e->numel - done) : per;
        if (fread(buf, esize, k, f->fp) != k)
            return ferror(f->fp) ? rc_error(RC_E_IO, "safetensors '%s': reading tensor '%s': %s", f->path, e->name,
                                            strerror(errno))
                                 : rc_error(RC_E_IO, "safetensors '%s': unexpected end of file in tensor '%s' "
                                            "(was the file truncated after it was opened?)", f->path, e->name);
        rc_status s = fn(ctx, buf, done, k);
        if (s != RC_OK) return s;
        done += k;
    }
    return RC_OK;
}

typedef struct real_sink {
    rc_real *dst;
    rc_dtype dtype;
} real_sink;

static rc_status put_reals(void *ctx, const unsigned char *bytes, size_t first, size_t count)
{
    real_sink *r = ctx;
    size_t esize = rc_dtype_size(r->dtype);
    for (size_t i = 0; i < count; i++) r->dst[first + i] = (rc_real)rc_st_decode_real(r->dtype, bytes + i * esize);
    return RC_OK;
}

typedef struct int_sink {
    int *dst;
    const rc_st_file *f;
    const rc_st_entry *e;
} int_sink;

static rc_status put_ints(void *ctx, const unsigned char *bytes, size_t first, size_t count)
{
    int_sink *r = ctx;
    size_t esize = rc_dtype_size(r->e->dtype);
    for (size_t i = 0; i < count; i++) {
        int64_t v = rc_st_decode_int(r->e->dtype, bytes + i * esize);
        if (v < INT_MIN || v > INT_MAX)
            return rc_error(RC_E_FORMAT, "safetensors '%s': tensor '%s': value %" PRId64 " at index %zu is outside int's range",
                            r->f->path, r->e->name, v, first + i);
        r->dst[first + i] = (int)v;
    }
    return RC_OK;
}

/* A floating tensor with at least one element: what an rc_tensor can hold. */
static rc_status check_real(const rc_st_file *f, const rc_st_entry *e)
{
    char shape[64];
    if (!rc_dtype_is_float(e->dtype))
        return rc_error(RC_E_UNIMPLEMENTED, "safetensors '%s': tensor '%s' has dtype %s; only F32, F64, F16 and BF16 "
                        "read into tensors (use rc_st_read_ints)", f->path, e->name, rc_dtype_name(e->dtype));
    if (e->numel == 0)
        return rc_error(RC_E_SHAPE, "safetensors '%s': tensor '%s' has shape %s with no elements; tensors need sizes >= 1",
                        f->path, e->name, rc_st_shape_str(e, shape, sizeof shape));
    return RC_OK;
}

/* check_real, and dst has the stored shape. */
static rc_status check_into(const rc_st_file *f, const rc_st_entry *e, const rc_tensor *dst)
{
    rc_status s = check_real(f, e);
    if (s != RC_OK) return s;
    char want[64], got[64];
    if (!rc_tensor_has_shape(dst, e->ndim, e->shape))
        return rc_error(RC_E_SHAPE, "safetensors '%s': tensor '%s' has shape %s in the file, but %s is expected",
                        f->path, e->name, rc_st_shape_str(e, got, sizeof got), rc_shape_str(dst, want, sizeof want));
    return RC_OK;
}

static rc_status read_into(rc_st_file *f, const rc_st_entry *e, rc_tensor *dst)
{
    real_sink r = {dst->data, e->dtype};
    return stream(f, e, put_reals, &r);
}

rc_status rc_st_read(rc_st_file *f, const char *name, rc_tensor *dst)
{
    const rc_st_entry *e = rc_st_find(f, name);
    if (!e) return RC_E_NOTFOUND;
    rc_status s = check_into(f, e, dst);
    return s == RC_OK ? read_into(f, e, dst) : s;
}

rc_status rc_st_read_new(rc_st_file *f, const char *name, rc_tensor **out)
{
    *out = NULL;
    const rc_st_entry *e = rc_st_find(f, name);
    if (!e) return RC_E_NOTFOUND;
    rc_status s = check_real(f, e);
    if (s == RC_OK) s = rc_tensor_new(out, e->ndim, e->shape, false);
    if (s == RC_OK) s = read_into(f, e, *out);
    if (s != RC_OK) {
        rc_tensor_free(*out);
        *out = NULL;
    }
    return s;
}

rc_status rc_st_read_ints(rc_st_file *f, const char *name, int *ids, size_t n)
{
    const rc_st_entry *e = rc_st_find(f, name);
    if (!e) return RC_E_NOTFOUND;
    if (rc_dtype_is_float(e->dtype))
        return rc_error(RC_E_UNIMPLEMENTED, "safetensors '%s': tensor '%s' has dtype %s; integer ids need I64 or I32",
                        f->path, name, rc_dtype_name(e->dtype));
    if (e->numel != n)
        return rc_error(RC_E_SHAPE, "safetensors '%s': tensor '%s' has %" PRIu64 " elements, but %zu are expected",
                        f->path, name, e->numel, n);
    int_sink r = {ids, f, e};
    return stream(f, e, put_ints, &r);
}

/* Every check runs before any data is read, so a missing, misshapen or
 * unexpected tensor leaves ps untouched; only an I/O error midway can leave
 * it partly loaded. */
rc_status rc_st_load_params(const char *path, rc_params *ps, bool strict)
{
    rc_st_file *f;
    rc_status s = rc_st_open(&f, path);
    if (s != RC_OK) return s;
    size_t np = rc_params_count(ps);
    for (size_t i = 0; i < np && s == RC_OK; i++) {
        const rc_st_entry *e = rc_st_find(f, rc_params_name(ps, i));
        s = e ? check_into(f, e, rc_params_tensor(ps, i)) : RC_E_NOTFOUND;
    }
    for (size_t i = 0; strict && i < f->n && s == RC_OK; i++)
        if (!rc_params_find(ps, f->entries[i].name))
            s = rc_error(RC_E_NOTFOUND, "safetensors '%s': tensor '%s' is not a parameter of the model (strict load)",
                         path, f->entries[i].name);
    for (size_t i = 0; i < np && s == RC_OK; i++)
        s = read_into(f, rc_st_find(f, rc_params_name(ps, i)), rc_params_tensor(ps, i));
    rc_st_close(f);
    return s;
}
