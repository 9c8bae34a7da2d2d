/*
 * Shared by the safetensors reader and writer: the parsed header of an open
 * file and the byte codecs of the format (little-endian integers and IEEE-754
 * floats, decoded arithmetically so that the host's byte order and float
 * layout never matter).
 */
#ifndef RC_IO_ST_INTERNAL_H
#define RC_IO_ST_INTERNAL_H

#include <stdio.h>

#include <jansson.h>

#include "recur/safetensors.h"

/* One tensor of the header, validated. */
typedef struct rc_st_entry {
    const char *name;          /* a key of the header JSON, alive as long as it */
    rc_dtype dtype;
    int ndim;
    int shape[RC_MAX_DIMS];    /* entries past ndim are 1 */
    uint64_t numel;            /* 0 when a size is 0, 1 for rank 0 */
    uint64_t begin, end;       /* byte range in the data buffer */
} rc_st_entry;

struct rc_st_file {
    FILE *fp;
    char *path;
    json_t *header;            /* owns the names and metadata strings */
    json_t *metadata;          /* the __metadata__ object, or NULL */
    rc_st_entry *entries;      /* sorted by name, for bsearch */
    size_t n;
    uint64_t data_start;       /* file offset of the data buffer: 8 + header length */
    uint64_t data_size;
};

/* The entry named `name`; NULL and RC_E_NOTFOUND naming file and tensor if absent. */
const rc_st_entry *rc_st_find(const rc_st_file *f, const char *name);

/* Writes "(2, 3)" for an entry's shape into buf, as rc_shape_str does for tensors. */
char *rc_st_shape_str(const rc_st_entry *e, char *buf, size_t n);

/* Bytes per element. */
size_t rc_dtype_size(rc_dtype d);

/* True for F32, F64, F16, BF16. */
bool rc_dtype_is_float(rc_dtype d);

/* The dtype named `name` ("F32", ...); false if none is. */
bool rc_dtype_parse(const char *name, rc_dtype *out);

/* The value of one little-endian element of a floating dtype. */
double rc_st_decode_real(rc_dtype d, const unsigned char *bytes);

/* The value of one little-endian two's-complement element of I64 or I32. */
int64_t rc_st_decode_int(rc_dtype d, const unsigned char *bytes);

/* Writes x, which must be exactly representable in floating dtype d, as one
 * little-endian element. */
void rc_st_encode_real(rc_dtype d, double x, unsigned char *bytes);

/* Little-endian unsigned integer of nbytes (1..8) bytes. */
uint64_t rc_le_load(const unsigned char *b, size_t nbytes);
void rc_le_store(unsigned char *b, uint64_t v, size_t nbytes);

#endif
