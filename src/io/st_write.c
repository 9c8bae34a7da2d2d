/*
 * Writing a parameter list as a safetensors file, atomically: the file is
 * written to PATH.tmp, flushed to disk and renamed over PATH, so PATH always
 * holds either its old contents or the complete new file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/st_internal.h"

#ifdef RC_DOUBLE
#define ST_DTYPE RC_DTYPE_F64
#else
#define ST_DTYPE RC_DTYPE_F32
#endif

enum { CHUNK_BYTES = 1 << 14 };

static rc_status add_metadata(json_t *root, const char *path, const rc_st_kv *meta, size_t n_meta)
{
    json_t *md = json_object();
    if (!md || json_object_set_new(root, "__metadata__", md))
        return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
    for (size_t i = 0; i < n_meta; i++) {
        const char *k = meta[i].key, *v = meta[i].value;
        if (!k || !v) return rc_error(RC_E_INVALID, "safetensors '%s': metadata pair %zu has a NULL key or value", path, i);
        if (json_object_get(md, k))
            return rc_error(RC_E_INVALID, "safetensors '%s': metadata key '%s' appears twice", path, k);
        json_t *js = json_string(v);
        if (!js) return rc_error(RC_E_INVALID, "safetensors '%s': metadata value of '%s' is not valid UTF-8", path, k);
        if (json_object_set_new(md, k, js))
            return rc_error(RC_E_INVALID, "safetensors '%s': metadata key %zu is not valid UTF-8", path, i);
    }
    return RC_OK;
}

/* {"NAME": {"dtype": ..., "shape": [...], "data_offsets": [b, e]}, ...}, the
 * tensors laid out back to back in list order. */
static rc_status add_tensors(json_t *root, const char *path, const rc_params *ps)
{
    uint64_t off = 0;
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        const char *name = rc_params_name(ps, i);
        const rc_tensor *t = rc_params_tensor(ps, i);
        if (strcmp(name, "__metadata__") == 0)
            return rc_error(RC_E_INVALID, "safetensors '%s': '__metadata__' cannot name a tensor", path);
        uint64_t end = off + t->numel * rc_dtype_size(ST_DTYPE);
        json_t *entry = json_pack("{s:s, s:[], s:[I, I]}", "dtype", rc_dtype_name(ST_DTYPE), "shape", "data_offsets",
                                  (json_int_t)off, (json_int_t)end);
        json_t *shape = json_object_get(entry, "shape");
        for (int d = 0; d < t->ndim && shape; d++)
            if (json_array_append_new(shape, json_integer(t->shape[d]))) shape = NULL;
        if (!shape) {
            json_decref(entry);
            return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
        }
        if (json_object_set_new(root, name, entry))
            return rc_error(RC_E_INVALID, "safetensors '%s': tensor name '%s' is not valid UTF-8", path, name);
        off = end;
    }
    return RC_OK;
}

/* The header JSON padded with spaces to a multiple of 8 bytes, as the
 * reference writer does, so the data buffer starts 8-byte aligned. */
static rc_status header_text(char **out, size_t *len, const char *path, const rc_params *ps, const rc_st_kv *meta,
                             size_t n_meta)
{
    *out = NULL;
    json_t *root = json_object();
    if (!root) return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
    rc_status s = n_meta > 0 ? add_metadata(root, path, meta, n_meta) : RC_OK;
    if (s == RC_OK) s = add_tensors(root, path, ps);
    char *text = s == RC_OK ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (s != RC_OK) return s;
    size_t n = text ? strlen(text) : 0, padded = (n + 7) / 8 * 8;
    char *buf = text ? realloc(text, padded + 1) : NULL;
    if (!buf) {
        free(text);
        return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
    }
    memset(buf + n, ' ', padded - n);
    buf[padded] = '\0';
    *out = buf;
    *len = padded;
    return RC_OK;
}

static bool write_tensor(FILE *fp, const rc_tensor *t)
{
    unsigned char buf[CHUNK_BYTES];
    size_t esize = rc_dtype_size(ST_DTYPE), per = CHUNK_BYTES / esize;
    for (size_t done = 0; done < t->numel;) {
        size_t k = t->numel - done < per ? t->numel - done : per;
        for (size_t i = 0; i < k; i++) rc_st_encode_real(ST_DTYPE, t->data[done + i], buf + i * esize);
        if (fwrite(buf, esize, k, fp) != k) return false;
        done += k;
    }
    return true;
}

/* Writes the whole file to tmp and syncs it. *created says whether tmp
 * exists afterwards (and must be removed on failure). */
static rc_status write_file(const char *tmp, const char *header, size_t len, const rc_params *ps, bool *created)
{
    FILE *fp = fopen(tmp, "wb");
    *created = fp != NULL;
    if (!fp) return rc_error(RC_E_IO, "safetensors: cannot create '%s': %s", tmp, strerror(errno));
    unsigned char len8[8];
    rc_le_store(len8, len, 8);
    bool ok = fwrite(len8, 1, 8, fp) == 8 && fwrite(header, 1, len, fp) == len;
    for (size_t i = 0; ok && i < rc_params_count(ps); i++) ok = write_tensor(fp, rc_params_tensor(ps, i));
    ok = ok && fflush(fp) == 0 && fsync(fileno(fp)) == 0;
    int err = errno;
    if (fclose(fp) != 0 && ok) {
        ok = false;
        err = errno;
    }
    return ok ? RC_OK : rc_error(RC_E_IO, "safetensors: cannot write '%s': %s", tmp, strerror(err));
}

rc_status rc_st_save_params(const char *path, const rc_params *ps, const rc_st_kv *meta, size_t n_meta)
{
    char *header;
    size_t len = 0;
    rc_status s = header_text(&header, &len, path, ps, meta, n_meta);
    if (s != RC_OK) return s;
    char *tmp = malloc(strlen(path) + sizeof ".tmp");
    if (!tmp) {
        free(header);
        return rc_error(RC_E_NOMEM, "safetensors '%s': out of memory", path);
    }
    strcat(strcpy(tmp, path), ".tmp");
    bool created;
    s = write_file(tmp, header, len, ps, &created);
    if (s == RC_OK && rename(tmp, path) != 0)
        s = rc_error(RC_E_IO, "safetensors: cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
    if (s != RC_OK && created) remove(tmp);
    free(tmp);
    free(header);
    return s;
}
