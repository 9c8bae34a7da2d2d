/* memfd_create is a GNU extension. */
#define _GNU_SOURCE
#include "fuzz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* An in-memory file: nothing is left on disk when a crashing input kills the
 * process, and parallel fuzzers never share a file. */
const char *rc_fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("recur-fuzz", 0);
        if (fd < 0) rc_fuzz_fail(__FILE__, __LINE__, "memfd_create", "%s", strerror(errno));
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0) rc_fuzz_fail(__FILE__, __LINE__, "ftruncate", "%s", strerror(errno));
    for (size_t done = 0; done < size;) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        if (k <= 0) rc_fuzz_fail(__FILE__, __LINE__, "pwrite", "%s", strerror(errno));
        done += (size_t)k;
    }
    return path;
}

const char *rc_fuzz_framed_file(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t n_header = nul ? (size_t)(nul - data) : size, n_data = nul ? size - n_header - 1 : 0;
    uint8_t *framed = malloc(8 + size);
    if (!framed) rc_fuzz_fail(__FILE__, __LINE__, "malloc", "out of memory for %zu bytes", 8 + size);
    for (int i = 0; i < 8; i++) framed[i] = (uint8_t)((uint64_t)n_header >> (8 * i));
    if (n_header) memcpy(framed + 8, data, n_header);
    if (n_data) memcpy(framed + 8 + n_header, nul + 1, n_data);
    const char *path = rc_fuzz_file(framed, 8 + n_header + n_data);
    free(framed);
    return path;
}

/* The lead byte fixes the length and the range of the second byte; every
 * later byte is 80..BF. */
size_t rc_fuzz_utf8_length(const uint8_t *b, size_t n)
{
    static const struct {
        uint8_t lead_lo, lead_hi, len, second_lo, second_hi;
    } table[] = {
        {0x00, 0x7F, 1, 0, 0},       {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
        {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF},
        {0xF0, 0xF0, 4, 0x90, 0xBF}, {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
    };
    for (size_t r = 0; r < sizeof table / sizeof table[0]; r++) {
        if (b[0] < table[r].lead_lo || b[0] > table[r].lead_hi) continue;
        size_t len = table[r].len;
        if (len == 1) return 1;
        if (n < len || b[1] < table[r].second_lo || b[1] > table[r].second_hi) return 0;
        for (size_t i = 2; i < len; i++)
            if (b[i] < 0x80 || b[i] > 0xBF) return 0;
        return len;
    }
    return 0;
}

char *rc_fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) rc_fuzz_fail(__FILE__, __LINE__, "malloc", "out of memory for %zu bytes", size + 1);
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void rc_fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: check `%s` failed: ", file, line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
