/*
 * recur/base.h — scalar type, status codes, error messages and assertions.
 *
 * Every public function that can fail on user input returns an rc_status (or
 * NULL with a status recorded, for graph ops — see graph.h). The matching
 * human-readable message, naming the file, tensor or argument and what was
 * expected versus found, is available from rc_last_error() on the same thread
 * until the next failing call.
 *
 * RC_ASSERT is for programmer errors only (impossible internal states); it
 * prints file:line and calls the abort hook, which a host program may replace.
 */
#ifndef RECUR_BASE_H
#define RECUR_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* rc_real is float. The finite-difference test build defines RC_DOUBLE to
 * compile the whole library in double precision. */
#ifdef RC_DOUBLE
typedef double rc_real;
#else
typedef float rc_real;
#endif

typedef enum rc_status {
    RC_OK = 0,
    RC_E_INVALID,       /* an argument is out of its documented range */
    RC_E_SHAPE,         /* a tensor has the wrong number of dimensions or sizes */
    RC_E_NOMEM,         /* an allocation failed or would exceed a limit */
    RC_E_IO,            /* open/read/write/rename failed */
    RC_E_FORMAT,        /* a file's contents are malformed */
    RC_E_NOTFOUND,      /* a named tensor or key is missing */
    RC_E_NUMERIC,       /* NaN or Inf where a finite value is required */
    RC_E_UNIMPLEMENTED, /* a documented combination that is not supported */
    RC_STATUS_COUNT
} rc_status;

/* Short constant name of a status, e.g. "RC_E_SHAPE". Never NULL. */
const char *rc_status_str(rc_status s);

/* The message of the last failure on this thread ("" if none). The pointer
 * stays valid until the next call that records an error on this thread. */
const char *rc_last_error(void);

/* Records a formatted message for status s on this thread and returns s, so
 * that `return rc_error(RC_E_SHAPE, "...", ...);` reads naturally. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
rc_status rc_error(rc_status s, const char *fmt, ...);

/* Clears the message returned by rc_last_error(). */
void rc_error_clear(void);

/* Called by RC_ASSERT on failure. The default prints to stderr and aborts. A
 * replacement must not return (longjmp or exit). */
typedef void (*rc_abort_fn)(const char *file, int line, const char *expr);
void rc_set_abort_hook(rc_abort_fn fn);
void rc_assert_fail(const char *file, int line, const char *expr);

#define RC_ASSERT(x) ((x) ? (void)0 : rc_assert_fail(__FILE__, __LINE__, #x))

#endif
