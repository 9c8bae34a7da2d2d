/*
 * libFuzzer target: the safetensors reader.
 *
 * Each input is tried as two files: as it is, byte for byte, and framed
 * (rc_fuzz_framed_file: JSON header up to the first NUL, then data). Each
 * file that opens is read completely, and both are loaded, strict and not,
 * into a fixed parameter list.
 *
 * Checked beyond memory safety: every error message names the file; every
 * listed tensor has an rc_st_info; a floating tensor with elements always
 * reads (the file does not change while open) into a tensor of that shape,
 * and reads the same bits again with rc_st_read; an integer one reads as
 * ints or is refused as out of range; the wrong kind of read and the wrong
 * element count are refused; a failed load leaves the parameters untouched
 * (the file cannot fail with RC_E_IO once opened).
 */
#include <stdlib.h>
#include <string.h>

#include "support/fuzz.h"

static void check_message(const char *path, rc_status s)
{
    RC_FUZZ_CHECK(strstr(rc_last_error(), path) != NULL, "%s: message '%s' lacks the path", rc_status_str(s),
                  rc_last_error());
}

static void read_tensor(rc_st_file *f, const char *path, const char *name)
{
    rc_dtype dt;
    int nd, shape[RC_MAX_DIMS];
    RC_FUZZ_CHECK(rc_st_info(f, name, &dt, &nd, shape) == RC_OK, "'%s': %s", name, rc_last_error());
    size_t numel = 1;
    for (int d = 0; d < nd; d++) numel *= (size_t)shape[d];
    rc_tensor *t;
    rc_status s = rc_st_read_new(f, name, &t);
    if (s != RC_OK) check_message(path, s);
    if (dt == RC_DTYPE_I64 || dt == RC_DTYPE_I32) {
        RC_FUZZ_CHECK(s == RC_E_UNIMPLEMENTED && t == NULL, "'%s': integers read as reals: %s", name, rc_status_str(s));
        /* numel is bounded by the data buffer, which the open checked */
        int *ids = malloc((numel + 1) * sizeof *ids);
        RC_FUZZ_CHECK(ids != NULL, "out of memory for %zu ids", numel);
        s = rc_st_read_ints(f, name, ids, numel);
        RC_FUZZ_CHECK(s == RC_OK || s == RC_E_FORMAT, "'%s': %s", name, rc_last_error());
        if (s != RC_OK) check_message(path, s);
        RC_FUZZ_CHECK(rc_st_read_ints(f, name, ids, numel + 1) == RC_E_SHAPE, "'%s': wrong count accepted", name);
        free(ids);
        return;
    }
    int id;
    RC_FUZZ_CHECK(rc_st_read_ints(f, name, &id, 1) == RC_E_UNIMPLEMENTED, "'%s': reals read as ids", name);
    if (numel == 0) {
        RC_FUZZ_CHECK(s == RC_E_SHAPE && t == NULL, "'%s': empty tensor gave %s", name, rc_status_str(s));
        return;
    }
    RC_FUZZ_CHECK(s == RC_OK, "'%s': %s", name, rc_last_error());
    RC_FUZZ_CHECK(rc_tensor_has_shape(t, nd, shape) && t->numel == numel, "'%s': read shape differs", name);
    /* a second read into the tensor gives the same bits (NaN payloads included) */
    rc_tensor *again;
    RC_FUZZ_CHECK(rc_tensor_new(&again, nd, shape, false) == RC_OK, "%s", rc_last_error());
    RC_FUZZ_CHECK(rc_st_read(f, name, again) == RC_OK, "'%s': %s", name, rc_last_error());
    RC_FUZZ_CHECK(memcmp(again->data, t->data, numel * sizeof *t->data) == 0, "'%s': reads differ", name);
    rc_tensor_free(again);
    rc_tensor_free(t);
}

static void read_file(const char *path)
{
    rc_st_file *f;
    rc_status s = rc_st_open(&f, path);
    if (s != RC_OK) {
        RC_FUZZ_CHECK(f == NULL, "a handle after a failed open");
        check_message(path, s);
        return;
    }
    for (size_t i = 0; i < rc_st_count(f); i++) read_tensor(f, path, rc_st_name(f, i));
    static const char *const keys[] = {"format", "task", "config", "vocab", ""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = rc_st_metadata(f, keys[i]);
        RC_FUZZ_CHECK(v == NULL || strlen(v) < (size_t)1 << 30, "metadata '%s'", keys[i]);
    }
    rc_st_close(f);
}

/* The parameters of the seeds that load: a linear layer and a scalar. */
static void load_params(const char *path, bool strict)
{
    static const char *const names[] = {"lin.weight", "lin.bias", "scale"};
    static const int ndims[] = {2, 1, 0};
    static const int shapes[][2] = {{2, 3}, {2, 1}, {1, 1}};
    enum { N = sizeof names / sizeof names[0] };
    rc_tensor *ts[N];
    rc_params *ps;
    RC_FUZZ_CHECK(rc_params_create(&ps) == RC_OK, "%s", rc_last_error());
    for (int i = 0; i < N; i++) {
        RC_FUZZ_CHECK(rc_tensor_new(&ts[i], ndims[i], shapes[i], false) == RC_OK, "%s", rc_last_error());
        for (size_t k = 0; k < ts[i]->numel; k++) ts[i]->data[k] = (rc_real)(0.5 + (double)k);
        RC_FUZZ_CHECK(rc_params_add(ps, NULL, names[i], ts[i]) == RC_OK, "%s", rc_last_error());
    }
    rc_status s = rc_st_load_params(path, ps, strict);
    if (s != RC_OK) {
        check_message(path, s);
        RC_FUZZ_CHECK(s != RC_E_IO, "%s", rc_last_error());
        for (int i = 0; i < N; i++)
            for (size_t k = 0; k < ts[i]->numel; k++)
                RC_FUZZ_CHECK(ts[i]->data[k] == (rc_real)(0.5 + (double)k), "failed load changed %s", names[i]);
    }
    rc_params_free(ps);
    for (int i = 0; i < N; i++) rc_tensor_free(ts[i]);
}

static void try_file(const char *path)
{
    read_file(path);
    load_params(path, false);
    load_params(path, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    try_file(rc_fuzz_file(data, size));
    try_file(rc_fuzz_framed_file(data, size));
    return 0;
}
