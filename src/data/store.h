/*
 * Growing storage for the readers: the bytes of every string in one pool
 * (NUL-terminated, addressed by offset while it grows) and arrays of sizes;
 * and the small string helpers they share.
 */
#ifndef RC_DATA_STORE_H
#define RC_DATA_STORE_H

#include "recur/data.h"

typedef struct rc_store {
    char *pool;
    size_t len, cap;
} rc_store;

/* Appends n bytes of s and a NUL; *off receives their offset. False when out
 * of memory. */
bool rc_store_add(rc_store *st, const char *s, size_t n, size_t *off);

/* Makes room for at least need elements of size elem in *arr (capacity
 * *cap). False when out of memory. */
bool rc_store_reserve(void **arr, size_t *cap, size_t need, size_t elem);

/* ASCII whitespace other than the newline: space, \t, \v, \f, \r. */
bool rc_is_blank(char c);

/* Drops the blanks at both ends of s[0..*n), returning the new start. */
const char *rc_trim(const char *s, size_t *n);

/* "'path'", how messages name a file: allocated (free it), NULL when out
 * of memory. */
char *rc_quoted_path(const char *path);

#endif
