/*
 * An LD_PRELOAD library for tests/cli/kill_e2e.sh: it kills its own process
 * with SIGKILL at a point of the checkpoint writer or of the training loop
 * chosen by environment variables, so that a test can stop a run where no
 * signal handler or exit path runs, at the same place every time.
 *
 *   KILL_SHIM_AT=write  KILL_SHIM_N=n KILL_SHIM_BYTES=b
 *       during the n-th checkpoint write (the n-th file opened whose name ends
 *       in ".ckpt.tmp"), as soon as b bytes of it have reached the file
 *   KILL_SHIM_AT=rename KILL_SHIM_N=n
 *       when the n-th checkpoint's temporary file is complete, synced and
 *       closed, just before the rename that would publish it
 *   KILL_SHIM_AT=record KILL_SHIM_N=n
 *       right after the n-th flush of stdout, which the program does after
 *       each metrics record: between checkpoints, in the middle of training
 *
 * Without KILL_SHIM_AT the wrapped calls only pass through. Not linked into
 * the test binaries: it replaces libc's fopen, fwrite, fflush, fclose and
 * rename, looking up the real ones with dlsym(RTLD_NEXT).
 */
#include <dlfcn.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef FILE *fopen_fn(const char *, const char *);
typedef size_t fwrite_fn(const void *, size_t, size_t, FILE *);
typedef int fflush_fn(FILE *);
typedef int fclose_fn(FILE *);
typedef int rename_fn(const char *, const char *);

static const char SUFFIX[] = ".ckpt.tmp";

static FILE *target;         /* the stream of the checkpoint being cut short */
static long long opened;     /* checkpoint files opened so far */
static long long flushes;    /* flushes of stdout so far */
static long long written;    /* bytes written to target so far */

/* Stores the real function `name` in *fn; ISO C has no cast from the object
 * pointer dlsym returns to a function pointer, so the bytes are copied. */
static void real(const char *name, void *fn, size_t size)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "kill_shim: no function %s after this library\n", name);
        abort();
    }
    memcpy(fn, &p, size);
}

/* real_NAME: libc's NAME, looked up on first use */
#define REAL(type, name)                                                                                             \
    static type *real_##name;                                                                                        \
    if (!real_##name) real(#name, &real_##name, sizeof real_##name)

static bool at(const char *point) { return getenv("KILL_SHIM_AT") && strcmp(getenv("KILL_SHIM_AT"), point) == 0; }

static long long env_number(const char *name)
{
    const char *v = getenv(name);
    char *end;
    long long n = v ? strtoll(v, &end, 10) : 0;
    if (!v || *end != '\0' || n < 1) {
        fprintf(stderr, "kill_shim: %s must be a positive number\n", name);
        abort();
    }
    return n;
}

static bool is_checkpoint(const char *path)
{
    size_t n = strlen(path);
    return n >= sizeof SUFFIX - 1 && strcmp(path + n - (sizeof SUFFIX - 1), SUFFIX) == 0;
}

FILE *fopen(const char *path, const char *mode)
{
    REAL(fopen_fn, fopen);
    FILE *fp = real_fopen(path, mode);
    if (fp && is_checkpoint(path)) {
        opened++;
        if (at("write") && opened == env_number("KILL_SHIM_N")) target = fp;
    }
    return fp;
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *fp)
{
    REAL(fwrite_fn, fwrite);
    REAL(fflush_fn, fflush);
    size_t done = real_fwrite(buf, size, n, fp);
    if (fp == target) {
        written += (long long)(done * size);
        if (written >= env_number("KILL_SHIM_BYTES")) {
            /* the bytes so far leave the stdio buffer for the file, the
             * rest never comes */
            real_fflush(fp);
            raise(SIGKILL);
        }
    }
    return done;
}

int fflush(FILE *fp)
{
    REAL(fflush_fn, fflush);
    int r = real_fflush(fp);
    if (fp == stdout && at("record") && ++flushes == env_number("KILL_SHIM_N")) raise(SIGKILL);
    return r;
}

int fclose(FILE *fp)
{
    REAL(fclose_fn, fclose);
    if (fp == target) target = NULL;
    return real_fclose(fp);
}

int rename(const char *from, const char *to)
{
    REAL(rename_fn, rename);
    if (is_checkpoint(from) && at("rename") && opened == env_number("KILL_SHIM_N")) raise(SIGKILL);
    return real_rename(from, to);
}
