/*
 * recur/safetensors.h — read and write the safetensors format of Hugging
 * Face's `safetensors` library:
 *
 *   8 bytes   little-endian u64 N, the header length
 *   N bytes   UTF-8 JSON object: {"NAME": {"dtype": "F32", "shape": [..],
 *             "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}
 *   rest      the data buffer; offsets are relative to its start
 *
 * Files are hostile input. rc_st_open() validates the whole header before
 * anything is read: the header length against the file size and a limit, the
 * JSON (duplicate keys rejected), each dtype, each shape (rank ≤ 4, sizes
 * ≥ 0, no overflow), each data_offsets pair against the shape's byte size and
 * the buffer, and that tensors do not overlap. Every failure is RC_E_FORMAT
 * (or RC_E_IO) with a message naming the file and the offending tensor.
 * An entry may hold only dtype, shape and data_offsets; gaps between tensors
 * are allowed. Tensors with a size 0 are legal in the format: rc_st_info()
 * describes them, but an rc_tensor (sizes >= 1) cannot receive one.
 *
 * Tensors are named as PyTorch's state_dict() names them, so
 * `safetensors.torch.save_file(model.state_dict(), path)` loads into recur and
 * rc_st_save_params() output loads with `model.load_state_dict(load_file(path))`.
 *
 *     rc_status s = rc_st_load_params("model.safetensors", params, true);
 *     if (s != RC_OK) fprintf(stderr, "%s\n", rc_last_error());
 */
#ifndef RECUR_SAFETENSORS_H
#define RECUR_SAFETENSORS_H

#include "recur/params.h"

typedef enum rc_dtype {
    RC_DTYPE_F32,
    RC_DTYPE_F64,
    RC_DTYPE_F16,
    RC_DTYPE_BF16,
    RC_DTYPE_I64,
    RC_DTYPE_I32,
    RC_DTYPE_COUNT
} rc_dtype;

/* "F32", "F64", ... as in the file format; "unknown" outside the enum. */
const char *rc_dtype_name(rc_dtype d);

/* A string pair of the header's __metadata__. */
typedef struct rc_st_kv {
    const char *key, *value;
} rc_st_kv;

typedef struct rc_st_file rc_st_file;

/* Opens and validates a file (see above). The file stays open until
 * rc_st_close(). Errors: RC_E_IO, RC_E_FORMAT, RC_E_NOMEM. */
rc_status rc_st_open(rc_st_file **out, const char *path);
void rc_st_close(rc_st_file *f);

/* The number of tensors and their names, in strcmp order (as the Python
 * library's keys()). Names are valid until rc_st_close(). */
size_t rc_st_count(const rc_st_file *f);
const char *rc_st_name(const rc_st_file *f, size_t i);

/* dtype and shape of tensor `name` (sizes may be 0; entries past ndim are
 * 1). Any output pointer may be NULL. Errors: RC_E_NOTFOUND. */
rc_status rc_st_info(const rc_st_file *f, const char *name, rc_dtype *dtype, int *ndim, int shape[RC_MAX_DIMS]);

/* Reads tensor `name` into dst, converting floating dtypes to rc_real. dst's
 * shape must equal the stored shape. Errors: RC_E_NOTFOUND, RC_E_SHAPE
 * (naming both shapes, or for a stored tensor with no elements),
 * RC_E_UNIMPLEMENTED for integer dtypes, RC_E_IO. */
rc_status rc_st_read(rc_st_file *f, const char *name, rc_tensor *dst);

/* Reads tensor `name` into a new owned tensor of the stored shape (a stored
 * rank-0 tensor becomes ndim 0). The caller frees it. */
rc_status rc_st_read_new(rc_st_file *f, const char *name, rc_tensor **out);

/* Reads an I64 or I32 tensor of n elements into ids, converting to int and
 * refusing values outside int's range. Errors as rc_st_read, RC_E_SHAPE if
 * the element count differs from n. */
rc_status rc_st_read_ints(rc_st_file *f, const char *name, int *ids, size_t n);

/* Value of __metadata__[key], or NULL. Valid until rc_st_close(). */
const char *rc_st_metadata(const rc_st_file *f, const char *key);

/* Loads every tensor of ps from the file by name. A tensor missing from the
 * file (RC_E_NOTFOUND) or of another shape (RC_E_SHAPE) is an error naming
 * it; with strict, so is a file tensor that ps does not have (RC_E_NOTFOUND,
 * as PyTorch's load_state_dict(strict=True)). These checks all run before any
 * data is read, so they leave ps untouched; only an I/O error while reading
 * can leave ps partly loaded. */
rc_status rc_st_load_params(const char *path, rc_params *ps, bool strict);

/* Writes the tensors of ps (dtype F32, or F64 in the double build) in list
 * order and the metadata pairs (the __metadata__ entry only if n_meta > 0),
 * with the header padded by spaces to a multiple of 8 bytes as the reference
 * writer does. Atomic: written to "path.tmp", flushed and fsync'ed, then
 * renamed over path, so a crash leaves either the old file or the new one.
 * On failure path is untouched and the tmp file removed.
 * Errors: RC_E_IO naming the file and the system's reason; RC_E_INVALID for
 * a NULL, duplicate or non-UTF-8 metadata key or value, or a tensor named
 * "__metadata__"; RC_E_NOMEM. */
rc_status rc_st_save_params(const char *path, const rc_params *ps, const rc_st_kv *meta, size_t n_meta);

#endif
