/*
 * safetensors: round trips, the exact bytes of a written file, files written
 * byte by byte here (an independent writer), hostile files, parameter
 * loading and atomic saving. Values that survive a round trip are compared
 * exactly (tolerance 0): F32 stores a float without rounding.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "harness.h"

static char dir[256];

static void path_in(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", dir, name); }

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    RC_CHECK(fp != NULL, "cannot create %s", path);
    if (!fp) return;
    RC_CHECK(fwrite(b, 1, n, fp) == n, "write %s", path);
    fclose(fp);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    *n = 0;
    if (!fp) return NULL;
    unsigned char *b = NULL;
    size_t cap = 0;
    for (;;) {
        if (*n == cap) b = realloc(b, cap = cap * 2 + 4096);
        size_t k = fread(b + *n, 1, cap - *n, fp);
        if (k == 0) break;
        *n += k;
    }
    fclose(fp);
    return b;
}

/* A byte buffer for building files by hand. */
typedef struct bytes {
    unsigned char b[512];
    size_t n;
} bytes;

/* Appends v as nbytes little-endian bytes. */
static void put_le(bytes *w, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++) w->b[w->n++] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

/* Writes length + header + data, the layout of the format. */
static void write_st(const char *path, const char *header, const unsigned char *data, size_t n_data)
{
    bytes w = {.n = 0};
    put_le(&w, strlen(header), 8);
    size_t total = 8 + strlen(header) + n_data;
    unsigned char *b = malloc(total);
    memcpy(b, w.b, 8);
    memcpy(b + 8, header, strlen(header));
    if (n_data) memcpy(b + 8 + strlen(header), data, n_data);
    write_bytes(path, b, total);
    free(b);
}

/* Opening path fails with status want and a message naming the file and containing needle. */
static void expect_open_fails(const char *path, rc_status want, const char *needle)
{
    rc_st_file *f = (rc_st_file *)&f;
    rc_status s = rc_st_open(&f, path);
    const char *msg = rc_last_error();
    RC_CHECK(s == want, "%s: got %s, want %s (%s)", needle, rc_status_str(s), rc_status_str(want), msg);
    RC_CHECK(f == NULL, "%s: no handle on failure", needle);
    RC_CHECK(strstr(msg, needle) != NULL, "message '%s' lacks '%s'", msg, needle);
    RC_CHECK(strstr(msg, path) != NULL, "message '%s' lacks the path", msg);
    if (s == RC_OK) rc_st_close(f);
}

static rc_tensor *new_filled(int ndim, const int *shape, uint64_t seed)
{
    rc_tensor *t;
    if (rc_tensor_new(&t, ndim, shape, false) != RC_OK) return NULL;
    rc_test_fill(t, seed, -3, 3);
    return t;
}

static void test_round_trip_ranks_0_to_4(void)
{
    int s1[1] = {3}, s2[2] = {2, 3}, s3[3] = {2, 1, 3}, s4[4] = {1, 2, 2, 2};
    const int *shapes[5] = {NULL, s1, s2, s3, s4};
    const char *names[5] = {"scalar", "vec", "mat", "cube", "hyper"};
    rc_tensor *ts[5], *back[5];
    rc_params *ps, *ps2;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_create(&ps2));
    for (int r = 0; r < 5; r++) {
        ts[r] = new_filled(r, shapes[r], 100 + (uint64_t)r);
        RC_CHECK_OK(rc_tensor_new(&back[r], r, shapes[r], false));
        RC_CHECK_OK(rc_params_add(ps, "model", names[r], ts[r]));
        RC_CHECK_OK(rc_params_add(ps2, "model", names[r], back[r]));
    }
    char path[300];
    path_in(path, sizeof path, "round.safetensors");
    rc_st_kv meta[2] = {{"format", "pt"}, {"note", "h\xc3\xa9llo \xe2\x9c\x93"}};
    RC_CHECK_OK(rc_st_save_params(path, ps, meta, 2));

    rc_st_file *f;
    RC_CHECK_OK(rc_st_open(&f, path));
    RC_CHECK(rc_st_count(f) == 5, "count %zu", rc_st_count(f));
    RC_CHECK(rc_st_metadata(f, "format") && strcmp(rc_st_metadata(f, "format"), "pt") == 0, "metadata format");
    RC_CHECK(rc_st_metadata(f, "note") && strcmp(rc_st_metadata(f, "note"), meta[1].value) == 0, "utf-8 metadata");
    RC_CHECK(rc_st_metadata(f, "absent") == NULL, "absent key gives NULL");
    for (int r = 0; r < 5; r++) {
        char name[64];
        snprintf(name, sizeof name, "model.%s", names[r]);
        rc_dtype dt;
        int nd, sh[RC_MAX_DIMS];
        RC_CHECK_OK(rc_st_info(f, name, &dt, &nd, sh));
        RC_CHECK(dt == RC_DTYPE_F32 && nd == r, "%s: dtype %s rank %d", name, rc_dtype_name(dt), nd);
        for (int d = 0; d < r; d++) RC_CHECK(sh[d] == shapes[r][d], "%s: size %d of dim %d", name, sh[d], d);
        rc_tensor *t = NULL;
        RC_CHECK_OK(rc_st_read_new(f, name, &t));
        if (t) {
            RC_CHECK(t->ndim == r && t->numel == ts[r]->numel, "%s: read_new rank %d", name, t->ndim);
            rc_test_close(name, t->data, ts[r]->data, t->numel, 0, 0);
        }
        rc_tensor_free(t);
    }
    rc_st_close(f);

    RC_CHECK_OK(rc_st_load_params(path, ps2, true));
    for (int r = 0; r < 5; r++) rc_test_close(names[r], back[r]->data, ts[r]->data, ts[r]->numel, 0, 0);
    char tmp[310];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    RC_CHECK(!exists(tmp), "no tmp file after a successful save");
    remove(path);
    for (int r = 0; r < 5; r++) {
        rc_tensor_free(ts[r]);
        rc_tensor_free(back[r]);
    }
    rc_params_free(ps);
    rc_params_free(ps2);
}

/* The whole file, byte by byte, built here from the format description. */
static void test_written_bytes_are_exact(void)
{
    int s1[1] = {2};
    rc_tensor *w, *s;
    RC_CHECK_OK(rc_tensor_new(&w, 1, s1, false));
    RC_CHECK_OK(rc_tensor_new(&s, 0, NULL, false));
    w->data[0] = 1.0f;
    w->data[1] = -2.0f;
    s->data[0] = 0.5f;
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "w", w));
    RC_CHECK_OK(rc_params_add(ps, NULL, "s", s));
    char path[300];
    path_in(path, sizeof path, "exact.safetensors");
    RC_CHECK_OK(rc_st_save_params(path, ps, NULL, 0));

    const char *json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                       "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}";
    size_t jn = strlen(json), padded = (jn + 7) / 8 * 8;
    bytes want = {.n = 0};
    put_le(&want, padded, 8);
    memcpy(want.b + want.n, json, jn);
    memset(want.b + want.n + jn, ' ', padded - jn);
    want.n += padded;
    /* 1.0f = 0x3F800000, -2.0f = 0xC0000000, 0.5f = 0x3F000000 */
    put_le(&want, 0x3F800000u, 4);
    put_le(&want, 0xC0000000u, 4);
    put_le(&want, 0x3F000000u, 4);

    size_t n;
    unsigned char *got = read_all(path, &n);
    RC_CHECK(got && n == want.n, "file is %zu bytes, want %zu", n, want.n);
    if (got && n == want.n) {
        for (size_t i = 0; i < n; i++)
            if (got[i] != want.b[i]) {
                RC_CHECK(false, "byte %zu is 0x%02x, want 0x%02x", i, got[i], want.b[i]);
                break;
            }
        uint64_t hlen = get_le64(got);
        bool aligned = hlen % 8 == 0;
        RC_CHECK(aligned, "header length %llu is not padded to a multiple of 8", (unsigned long long)hlen);
        json_error_t je;
        json_t *root = json_loadb((const char *)got + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &je);
        RC_CHECK(root != NULL, "header parses: %s", je.text);
        RC_CHECK(json_object_get(root, "__metadata__") == NULL, "no metadata written when n_meta is 0");
        json_decref(root);
    }
    free(got);

    rc_st_kv meta[1] = {{"epoch", "3"}};
    RC_CHECK_OK(rc_st_save_params(path, ps, meta, 1));
    got = read_all(path, &n);
    if (got && n > 8) {
        json_error_t je;
        json_t *root = json_loadb((const char *)got + 8, (size_t)get_le64(got), 0, &je);
        json_t *md = json_object_get(root, "__metadata__");
        RC_CHECK(md && json_object_size(md) == 1 && strcmp(json_string_value(json_object_get(md, "epoch")), "3") == 0,
                 "metadata object written");
        json_decref(root);
    }
    free(got);
    remove(path);
    rc_params_free(ps);
    rc_tensor_free(w);
    rc_tensor_free(s);
}

/* A file written byte by byte: every dtype, edge values of each float format. */
static void test_reads_independently_written_file(void)
{
    bytes d = {.n = 0};
    /* h: F16 [1.5, -2, 65504, 2^-24 (smallest subnormal), 1023·2^-24 (largest subnormal), -0, inf, -inf] */
    uint16_t h[8] = {0x3E00, 0xC000, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00};
    for (int i = 0; i < 8; i++) put_le(&d, h[i], 2);
    put_le(&d, 0x7E00, 2); /* hn: F16 NaN, rank 0 */
    /* b: BF16 [1.5, -2, 0x7F7F = (2 − 2^-7)·2^127, 2^-133 (subnormal), 2^-126, -inf] */
    uint16_t bf[6] = {0x3FC0, 0xC000, 0x7F7F, 0x0001, 0x0080, 0xFF80};
    for (int i = 0; i < 6; i++) put_le(&d, bf[i], 2);
    put_le(&d, UINT64_C(0x3FF8000000000000), 8); /* d: F64 [1.5, -2, 0.1] */
    put_le(&d, UINT64_C(0xC000000000000000), 8);
    put_le(&d, UINT64_C(0x3FB999999999999A), 8);
    put_le(&d, 0x00000001, 4); /* f: F32 [2^-149, -3.25] */
    put_le(&d, 0xC0500000, 4);
    put_le(&d, 7, 8); /* i: I64 [7, -1, 2^31 − 1] */
    put_le(&d, UINT64_MAX, 8);
    put_le(&d, 2147483647, 8);
    put_le(&d, 0xFFFFFFFB, 4); /* j: I32 [-5, 123] */
    put_le(&d, 123, 4);
    put_le(&d, 3000000000u, 8); /* big: I64 [3e9], outside int */
    RC_CHECK(d.n == 102, "data is %zu bytes", d.n);
    const char *header = "{\"__metadata__\":{\"format\":\"pt\"},"
                         "\"h\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]},"
                         "\"hn\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[16,18]},"
                         "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[18,30]},"
                         "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[30,54]},"
                         "\"f\":{\"dtype\":\"F32\",\"shape\":[1,1,1,2],\"data_offsets\":[54,62]},"
                         "\"i\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[62,86]},"
                         "\"j\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[86,94]},"
                         "\"big\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[94,102]},"
                         "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[102,102]}}";
    char path[300];
    path_in(path, sizeof path, "byhand.safetensors");
    write_st(path, header, d.b, d.n);

    rc_st_file *f;
    RC_CHECK_OK(rc_st_open(&f, path));
    if (!f) return;
    const char *sorted[9] = {"b", "big", "d", "f", "h", "hn", "i", "j", "z"};
    RC_CHECK(rc_st_count(f) == 9, "count %zu", rc_st_count(f));
    for (size_t i = 0; i < 9 && i < rc_st_count(f); i++)
        RC_CHECK(strcmp(rc_st_name(f, i), sorted[i]) == 0, "name %zu is %s", i, rc_st_name(f, i));
    RC_CHECK(strcmp(rc_st_metadata(f, "format"), "pt") == 0, "metadata");

    rc_tensor *t = NULL;
    RC_CHECK_OK(rc_st_read_new(f, "h", &t));
    if (t) {
        rc_real want[5] = {1.5f, -2.0f, 65504.0f, (rc_real)ldexp(1, -24), (rc_real)ldexp(1023, -24)};
        rc_test_close("F16 finite", t->data, want, 5, 0, 0);
        RC_CHECK(t->data[5] == 0 && signbit(t->data[5]), "F16 -0 gives %g", (double)t->data[5]);
        RC_CHECK(isinf(t->data[6]) && t->data[6] > 0 && isinf(t->data[7]) && t->data[7] < 0, "F16 infinities");
    }
    rc_tensor_free(t);
    RC_CHECK_OK(rc_st_read_new(f, "hn", &t));
    RC_CHECK(t && t->ndim == 0 && t->numel == 1 && isnan(t->data[0]), "F16 NaN as a rank-0 tensor");
    rc_tensor_free(t);
    RC_CHECK_OK(rc_st_read_new(f, "b", &t));
    if (t) {
        rc_real want[5] = {1.5f, -2.0f, (rc_real)ldexp(255, 120), (rc_real)ldexp(1, -133), (rc_real)ldexp(1, -126)};
        rc_test_close("BF16 finite", t->data, want, 5, 0, 0);
        RC_CHECK(t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3, "BF16 shape");
        RC_CHECK(isinf(t->data[5]) && t->data[5] < 0, "BF16 -inf");
    }
    rc_tensor_free(t);
    RC_CHECK_OK(rc_st_read_new(f, "d", &t));
    if (t) {
        rc_real want[3] = {1.5f, -2.0f, (rc_real)0.1};
        rc_test_close("F64", t->data, want, 3, 0, 0);
    }
    rc_tensor_free(t);
    int s4[4] = {1, 1, 1, 2};
    RC_CHECK_OK(rc_tensor_new(&t, 4, s4, false));
    RC_CHECK_OK(rc_st_read(f, "f", t));
    rc_real wantf[2] = {(rc_real)ldexp(1, -149), -3.25f};
    rc_test_close("F32 subnormal", t->data, wantf, 2, 0, 0);
    rc_tensor_free(t);

    int ids[3] = {0, 0, 0};
    RC_CHECK_OK(rc_st_read_ints(f, "i", ids, 3));
    RC_CHECK(ids[0] == 7 && ids[1] == -1 && ids[2] == 2147483647, "I64 %d %d %d", ids[0], ids[1], ids[2]);
    RC_CHECK_OK(rc_st_read_ints(f, "j", ids, 2));
    RC_CHECK(ids[0] == -5 && ids[1] == 123, "I32 %d %d", ids[0], ids[1]);
    RC_CHECK(rc_st_read_ints(f, "big", ids, 1) == RC_E_FORMAT && strstr(rc_last_error(), "3000000000"),
             "out-of-range id refused: %s", rc_last_error());
    RC_CHECK(rc_st_read_ints(f, "i", ids, 2) == RC_E_SHAPE && strstr(rc_last_error(), "3 elements"),
             "count mismatch: %s", rc_last_error());
    RC_CHECK(rc_st_read_ints(f, "d", ids, 3) == RC_E_UNIMPLEMENTED, "floats are not ids: %s", rc_last_error());
    RC_CHECK(rc_st_read_new(f, "i", &t) == RC_E_UNIMPLEMENTED && t == NULL && strstr(rc_last_error(), "I64"),
             "ints are not reals: %s", rc_last_error());

    /* Zero-size tensors are valid in the format; rc_tensor sizes are >= 1. */
    rc_dtype dt;
    int nd, sh[RC_MAX_DIMS];
    RC_CHECK_OK(rc_st_info(f, "z", &dt, &nd, sh));
    RC_CHECK(dt == RC_DTYPE_F32 && nd == 2 && sh[0] == 0 && sh[1] == 3, "zero-size info");
    RC_CHECK(rc_st_read_new(f, "z", &t) == RC_E_SHAPE && strstr(rc_last_error(), "(0, 3)") &&
                 strstr(rc_last_error(), "no elements"),
             "zero-size read refused: %s", rc_last_error());

    int s2[2] = {3, 2};
    RC_CHECK_OK(rc_tensor_new(&t, 2, s2, false));
    RC_CHECK(rc_st_read(f, "b", t) == RC_E_SHAPE && strstr(rc_last_error(), "(2, 3)") &&
                 strstr(rc_last_error(), "(3, 2)") && strstr(rc_last_error(), "'b'"),
             "wrong destination shape: %s", rc_last_error());
    RC_CHECK(rc_st_read(f, "nope", t) == RC_E_NOTFOUND && strstr(rc_last_error(), "'nope'"), "missing tensor");
    RC_CHECK(rc_st_info(f, "nope", &dt, &nd, sh) == RC_E_NOTFOUND, "missing tensor info");
    rc_tensor_free(t);
    rc_st_close(f);
    remove(path);
}

typedef struct hostile {
    const char *header;
    size_t data_bytes;
    const char *needle;
} hostile;

#define T1(dt, shape, offs) "{\"a\":{\"dtype\":" dt ",\"shape\":" shape ",\"data_offsets\":" offs "}}"

static const hostile hostiles[] = {
    {"{not json", 0, "not valid JSON"},
    {"", 0, "not valid JSON"},
    {"{} trailing", 0, "not valid JSON"},
    {"{\"a\\u0000b\":1}", 0, "not valid JSON"},
    {"{\"\xff\":1}", 0, "not valid JSON"},
    {"[1, 2]", 0, "not a JSON object"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "duplicate"},
    {T1("\"U8\"", "[1]", "[0,1]"), 1, "unsupported dtype 'U8'"},
    {T1("\"F8_E4M3\"", "[1]", "[0,1]"), 1, "unsupported dtype 'F8_E4M3'"},
    {T1("32", "[1]", "[0,4]"), 4, "dtype is not a string"},
    {T1("\"F32\"", "[-1]", "[0,4]"), 4, "shape[0] is not an integer"},
    {T1("\"F32\"", "[2.5]", "[0,4]"), 4, "shape[0] is not an integer"},
    {T1("\"F32\"", "[1,\"2\"]", "[0,8]"), 8, "shape[1] is not an integer"},
    {T1("\"F32\"", "[4294967296]", "[0,4]"), 4, "shape[0] is not an integer"},
    {T1("\"F32\"", "3", "[0,12]"), 12, "shape is not an array"},
    {T1("\"F32\"", "[1,1,1,1,1]", "[0,4]"), 4, "rank 5"},
    {T1("\"F32\"", "[2147483647,2147483647,2147483647,2147483647]", "[0,4]"), 4, "element count of the shape overflows"},
    {T1("\"F32\"", "[2147483647,2147483647,4]", "[0,4]"), 4, "byte size of the shape overflows"},
    {T1("\"F32\"", "[1]", "[0]"), 4, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[1]", "[0,4,8]"), 8, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[1]", "[0,\"4\"]"), 4, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[1]", "[0,4.0]"), 4, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[1]", "[-4,0]"), 4, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[1]", "4"), 4, "data_offsets is not [begin, end]"},
    {T1("\"F32\"", "[0]", "[4,0]"), 4, "end is before begin"},
    {T1("\"F32\"", "[2]", "[0,8]"), 4, "data_offsets end 8 is past the data buffer of 4 bytes"},
    {T1("\"F32\"", "[2]", "[0,4]"), 4, "span 4 bytes, but dtype F32 and shape (2,) need 8"},
    {T1("\"F64\"", "[2,1]", "[0,8]"), 16, "span 8 bytes, but dtype F64 and shape (2, 1) need 16"},
    /* 100 GB and 2 TB claims: refused from the sizes alone (a 2 TB malloc aborts under ASan) */
    {T1("\"F32\"", "[100000,250000]", "[0,100000000000]"), 16, "past the data buffer"},
    {T1("\"F32\"", "[1000000,500000]", "[0,2000000000000]"), 16, "past the data buffer"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap tensor 'a'"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
     "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}", 24, "overlap tensor 'a'"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "overlap"},
    {"{\"__metadata__\":3}", 0, "__metadata__ is not an object"},
    {"{\"__metadata__\":{\"k\":1}}", 0, "__metadata__ value of 'k' is not a string"},
    {"{\"a\":[1]}", 0, "tensor 'a': entry is not a JSON object"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "missing field 'data_offsets'"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":0}}", 4, "unexpected field 'x'"},
};

static void test_hostile_headers_are_refused(void)
{
    char path[300];
    path_in(path, sizeof path, "hostile.safetensors");
    unsigned char zeros[64] = {0};
    for (size_t i = 0; i < sizeof hostiles / sizeof hostiles[0]; i++) {
        write_st(path, hostiles[i].header, zeros, hostiles[i].data_bytes);
        expect_open_fails(path, RC_E_FORMAT, hostiles[i].needle);
    }
    remove(path);
}

static void test_hostile_lengths_are_refused(void)
{
    char path[300];
    path_in(path, sizeof path, "length.safetensors");
    write_bytes(path, "", 0);
    expect_open_fails(path, RC_E_FORMAT, "0 bytes, too short for the 8-byte header length");
    write_bytes(path, "\x02\0\0\0\0", 5);
    expect_open_fails(path, RC_E_FORMAT, "5 bytes, too short");

    bytes w = {.n = 0};
    put_le(&w, 1000, 8);
    memcpy(w.b + 8, "{}", 2);
    write_bytes(path, w.b, 10);
    expect_open_fails(path, RC_E_FORMAT, "header length 1000 exceeds the 2 bytes");
    w.n = 0;
    put_le(&w, UINT64_C(1) << 63, 8);
    write_bytes(path, w.b, 10);
    expect_open_fails(path, RC_E_FORMAT, "header length 9223372036854775808");
    w.n = 0;
    put_le(&w, UINT64_MAX, 8);
    write_bytes(path, w.b, 10);
    expect_open_fails(path, RC_E_FORMAT, "header length 18446744073709551615");

    /* A sparse file big enough to hold a header over the 100 MB limit. */
    w.n = 0;
    put_le(&w, 100000001, 8);
    write_bytes(path, w.b, 8);
    RC_CHECK(truncate(path, 100000016) == 0, "truncate: %s", strerror(errno));
    expect_open_fails(path, RC_E_FORMAT, "exceeds the limit");
    remove(path);

    expect_open_fails(path, RC_E_IO, "cannot open");
    expect_open_fails(dir, RC_E_IO, "not a regular file");
}

/* A file cut short: refused at open; cut after open: the read fails with RC_E_IO. */
static void test_truncated_data(void)
{
    int shape[1] = {1 << 16}; /* larger than any stdio buffer, so the read really reaches the file */
    rc_tensor *t = new_filled(1, shape, 7), *back;
    RC_CHECK_OK(rc_tensor_new(&back, 1, shape, false));
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "big", t));
    char path[300];
    path_in(path, sizeof path, "trunc.safetensors");
    RC_CHECK_OK(rc_st_save_params(path, ps, NULL, 0));
    struct stat st;
    RC_CHECK(stat(path, &st) == 0, "stat");
    off_t full = st.st_size;

    RC_CHECK(truncate(path, full - 3) == 0, "truncate");
    expect_open_fails(path, RC_E_FORMAT, "tensor 'big': data_offsets end 262144 is past the data buffer of 262141 bytes");

    RC_CHECK_OK(rc_st_save_params(path, ps, NULL, 0));
    rc_st_file *f;
    RC_CHECK_OK(rc_st_open(&f, path));
    RC_CHECK(truncate(path, full - 200000) == 0, "truncate");
    if (f) {
        RC_CHECK(rc_st_read(f, "big", back) == RC_E_IO && strstr(rc_last_error(), "unexpected end of file") &&
                     strstr(rc_last_error(), "'big'"),
                 "read after truncation: %s", rc_last_error());
        rc_st_close(f);
    }
    remove(path);
    rc_params_free(ps);
    rc_tensor_free(t);
    rc_tensor_free(back);
}

static void fill_const(rc_tensor *t, rc_real v)
{
    for (size_t i = 0; i < t->numel; i++) t->data[i] = v;
}

static bool all_equal(const rc_tensor *t, rc_real v)
{
    for (size_t i = 0; i < t->numel; i++)
        if (t->data[i] != v) return false;
    return true;
}

static void test_load_params(void)
{
    int s23[2] = {2, 3}, s32[2] = {3, 2}, s3[1] = {3}, s2[1] = {2};
    rc_tensor *a = new_filled(2, s23, 1), *b = new_filled(1, s3, 2);
    rc_params *src;
    RC_CHECK_OK(rc_params_create(&src));
    RC_CHECK_OK(rc_params_add(src, NULL, "a", a));
    RC_CHECK_OK(rc_params_add(src, NULL, "b", b));
    char path[300];
    path_in(path, sizeof path, "load.safetensors");
    RC_CHECK_OK(rc_st_save_params(path, src, NULL, 0));

    rc_tensor *a2, *b2, *c2, *a_t;
    RC_CHECK_OK(rc_tensor_new(&a2, 2, s23, true));
    RC_CHECK_OK(rc_tensor_new(&b2, 1, s3, false));
    RC_CHECK_OK(rc_tensor_new(&c2, 1, s2, false));
    RC_CHECK_OK(rc_tensor_new(&a_t, 2, s32, false));
    rc_params *ps;

    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "a", a2));
    RC_CHECK_OK(rc_params_add(ps, NULL, "b", b2));
    RC_CHECK_OK(rc_st_load_params(path, ps, true));
    rc_test_close("a", a2->data, a->data, 6, 0, 0);
    rc_test_close("b", b2->data, b->data, 3, 0, 0);

    /* A missing parameter: refused by name, nothing loaded. */
    fill_const(a2, 9);
    RC_CHECK_OK(rc_params_add(ps, NULL, "c", c2));
    RC_CHECK(rc_st_load_params(path, ps, false) == RC_E_NOTFOUND && strstr(rc_last_error(), "'c'"),
             "missing parameter: %s", rc_last_error());
    RC_CHECK(all_equal(a2, 9), "a failed load leaves the parameters untouched");
    rc_params_free(ps);

    /* A wrong shape: both shapes named. */
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "a", a_t));
    RC_CHECK_OK(rc_params_add(ps, NULL, "b", b2));
    RC_CHECK(rc_st_load_params(path, ps, false) == RC_E_SHAPE && strstr(rc_last_error(), "'a'") &&
                 strstr(rc_last_error(), "(2, 3)") && strstr(rc_last_error(), "(3, 2)"),
             "wrong shape: %s", rc_last_error());
    rc_params_free(ps);

    /* A file tensor the model lacks: fine unless strict. */
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "a", a2));
    RC_CHECK_OK(rc_st_load_params(path, ps, false));
    rc_test_close("a (non-strict)", a2->data, a->data, 6, 0, 0);
    fill_const(a2, 9);
    RC_CHECK(rc_st_load_params(path, ps, true) == RC_E_NOTFOUND && strstr(rc_last_error(), "'b'") &&
                 strstr(rc_last_error(), "strict"),
             "extra tensor under strict: %s", rc_last_error());
    RC_CHECK(all_equal(a2, 9), "a failed strict load leaves the parameters untouched");
    rc_params_free(ps);

    char missing[300];
    path_in(missing, sizeof missing, "absent.safetensors");
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK(rc_st_load_params(missing, ps, false) == RC_E_IO && strstr(rc_last_error(), missing), "missing file");
    rc_params_free(ps);

    remove(path);
    rc_params_free(src);
    rc_tensor_free(a);
    rc_tensor_free(b);
    rc_tensor_free(a2);
    rc_tensor_free(b2);
    rc_tensor_free(c2);
    rc_tensor_free(a_t);
}

static bool file_is(const char *path, const char *contents)
{
    size_t n;
    unsigned char *b = read_all(path, &n);
    bool same = b && n == strlen(contents) && memcmp(b, contents, n) == 0;
    free(b);
    return same;
}

static void test_failed_saves_leave_no_trace(void)
{
    int s2[1] = {2};
    rc_tensor *w = new_filled(1, s2, 3);
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_params_add(ps, NULL, "w", w));
    char path[300], tmp[310];

    /* A directory that does not exist. */
    path_in(path, sizeof path, "no/such/dir/model.safetensors");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    RC_CHECK(rc_st_save_params(path, ps, NULL, 0) == RC_E_IO && strstr(rc_last_error(), path) &&
                 strstr(rc_last_error(), strerror(ENOENT)),
             "missing directory: %s", rc_last_error());
    RC_CHECK(!exists(tmp), "no tmp file");

    /* The tmp file cannot be created: the old file stays as it was. */
    path_in(path, sizeof path, "old.safetensors");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    write_bytes(path, "OLD", 3);
    RC_CHECK(mkdir(tmp, 0700) == 0, "mkdir %s", tmp);
    RC_CHECK(rc_st_save_params(path, ps, NULL, 0) == RC_E_IO && strstr(rc_last_error(), tmp),
             "blocked tmp: %s", rc_last_error());
    RC_CHECK(file_is(path, "OLD"), "old contents intact");
    RC_CHECK(rmdir(tmp) == 0, "the blocking directory is not removed by the writer");

    /* Invalid metadata: refused before any file is touched. */
    rc_st_kv null_value[1] = {{"k", NULL}}, bad_utf8[1] = {{"k", "\xff"}}, twice[2] = {{"k", "1"}, {"k", "2"}};
    RC_CHECK(rc_st_save_params(path, ps, null_value, 1) == RC_E_INVALID && strstr(rc_last_error(), "NULL"),
             "NULL metadata: %s", rc_last_error());
    RC_CHECK(rc_st_save_params(path, ps, bad_utf8, 1) == RC_E_INVALID && strstr(rc_last_error(), "UTF-8"),
             "bad UTF-8: %s", rc_last_error());
    RC_CHECK(rc_st_save_params(path, ps, twice, 2) == RC_E_INVALID && strstr(rc_last_error(), "twice"),
             "duplicate metadata key: %s", rc_last_error());
    RC_CHECK(file_is(path, "OLD") && !exists(tmp), "old contents intact, no tmp file");

    /* The rename fails (the target is a non-empty directory): the tmp file is removed. */
    char target[300], inside[320];
    path_in(target, sizeof target, "target");
    snprintf(inside, sizeof inside, "%s/keep", target);
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    RC_CHECK(mkdir(target, 0700) == 0, "mkdir");
    write_bytes(inside, "KEEP", 4);
    RC_CHECK(rc_st_save_params(target, ps, NULL, 0) == RC_E_IO && strstr(rc_last_error(), "rename"),
             "failed rename: %s", rc_last_error());
    RC_CHECK(!exists(tmp), "tmp file removed after a failed rename");
    RC_CHECK(file_is(inside, "KEEP"), "target untouched");
    remove(inside);
    rmdir(target);

    /* Success replaces the old file. */
    RC_CHECK_OK(rc_st_save_params(path, ps, NULL, 0));
    rc_st_file *f;
    RC_CHECK_OK(rc_st_open(&f, path));
    rc_st_close(f);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    RC_CHECK(!exists(tmp), "no tmp file after success");
    remove(path);

    rc_tensor *m;
    RC_CHECK_OK(rc_tensor_new(&m, 0, NULL, false));
    RC_CHECK_OK(rc_params_add(ps, NULL, "__metadata__", m));
    RC_CHECK(rc_st_save_params(path, ps, NULL, 0) == RC_E_INVALID && strstr(rc_last_error(), "__metadata__"),
             "reserved name: %s", rc_last_error());
    RC_CHECK(!exists(path), "nothing written");
    rc_tensor_free(m);
    rc_params_free(ps);
    rc_tensor_free(w);
}

static void test_dtype_names(void)
{
    const char *want[RC_DTYPE_COUNT] = {"F32", "F64", "F16", "BF16", "I64", "I32"};
    for (int d = 0; d < RC_DTYPE_COUNT; d++)
        RC_CHECK(strcmp(rc_dtype_name((rc_dtype)d), want[d]) == 0, "dtype %d is %s", d, rc_dtype_name((rc_dtype)d));
}

/* Every test removes what it wrote, so the directory must now be empty. */
static void test_nothing_left_behind(void)
{
    RC_CHECK(rmdir(dir) == 0, "%s not empty: %s", dir, strerror(errno));
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/recur_st_XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RC_RUN(test_dtype_names);
    RC_RUN(test_round_trip_ranks_0_to_4);
    RC_RUN(test_written_bytes_are_exact);
    RC_RUN(test_reads_independently_written_file);
    RC_RUN(test_hostile_headers_are_refused);
    RC_RUN(test_hostile_lengths_are_refused);
    RC_RUN(test_truncated_data);
    RC_RUN(test_load_params);
    RC_RUN(test_failed_saves_leave_no_trace);
    RC_RUN(test_nothing_left_behind);
    return rc_test_finish();
}
