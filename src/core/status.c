#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "recur/base.h"

static _Thread_local char last_error[1024];

static const char *const status_names[] = {
    [RC_OK] = "RC_OK",
    [RC_E_INVALID] = "RC_E_INVALID",
    [RC_E_SHAPE] = "RC_E_SHAPE",
    [RC_E_NOMEM] = "RC_E_NOMEM",
    [RC_E_IO] = "RC_E_IO",
    [RC_E_FORMAT] = "RC_E_FORMAT",
    [RC_E_NOTFOUND] = "RC_E_NOTFOUND",
    [RC_E_NUMERIC] = "RC_E_NUMERIC",
    [RC_E_UNIMPLEMENTED] = "RC_E_UNIMPLEMENTED",
};

_Static_assert(sizeof(status_names) / sizeof(status_names[0]) == RC_STATUS_COUNT,
               "status_names must name every rc_status");

const char *rc_status_str(rc_status s)
{
    if ((int)s < 0 || s >= RC_STATUS_COUNT) return "RC_E_UNKNOWN";
    return status_names[s];
}

const char *rc_last_error(void) { return last_error; }

void rc_error_clear(void) { last_error[0] = '\0'; }

rc_status rc_error(rc_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

static void default_abort(const char *file, int line, const char *expr)
{
    fprintf(stderr, "recur: internal error at %s:%d: assertion `%s` failed\n", file, line, expr);
    abort();
}

static rc_abort_fn abort_hook = default_abort;

void rc_set_abort_hook(rc_abort_fn fn) { abort_hook = fn ? fn : default_abort; }

void rc_assert_fail(const char *file, int line, const char *expr)
{
    abort_hook(file, line, expr);
    /* A hook that returns would let the caller continue in an impossible state. */
    abort();
}
