#include "data/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool rc_store_reserve(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) return false;
        c *= 2;
    }
    void *p = realloc(*arr, c * elem);
    if (!p) return false;
    *arr = p;
    *cap = c;
    return true;
}

bool rc_store_add(rc_store *st, const char *s, size_t n, size_t *off)
{
    if (n > SIZE_MAX - st->len - 1) return false;
    void *p = st->pool;
    if (!rc_store_reserve(&p, &st->cap, st->len + n + 1, 1)) return false;
    st->pool = p;
    memcpy(st->pool + st->len, s, n);
    st->pool[st->len + n] = '\0';
    *off = st->len;
    st->len += n + 1;
    return true;
}

bool rc_is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

const char *rc_trim(const char *s, size_t *n)
{
    while (*n > 0 && rc_is_blank(s[0])) {
        s++;
        (*n)--;
    }
    while (*n > 0 && rc_is_blank(s[*n - 1])) (*n)--;
    return s;
}

char *rc_quoted_path(const char *path)
{
    size_t n = strlen(path) + 3;
    char *name = malloc(n);
    if (name) snprintf(name, n, "'%s'", path);
    return name;
}
