#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recur/params.h"

typedef struct param_entry {
    char name[RC_PARAM_NAME_MAX];
    rc_tensor *t;
} param_entry;

struct rc_params {
    param_entry *items;
    size_t n, cap;
};

rc_status rc_params_create(rc_params **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? RC_OK : rc_error(RC_E_NOMEM, "params: out of memory");
}

void rc_params_free(rc_params *ps)
{
    if (!ps) return;
    free(ps->items);
    free(ps);
}

rc_status rc_params_add(rc_params *ps, const char *prefix, const char *name, rc_tensor *t)
{
    RC_ASSERT(name != NULL && t != NULL);
    char full[RC_PARAM_NAME_MAX];
    int len = prefix && prefix[0] ? snprintf(full, sizeof full, "%s.%s", prefix, name)
                                   : snprintf(full, sizeof full, "%s", name);
    if (len < 0 || (size_t)len >= sizeof full)
        return rc_error(RC_E_INVALID, "params: name '%s%s%s' is longer than %d bytes", prefix ? prefix : "",
                        prefix && prefix[0] ? "." : "", name, RC_PARAM_NAME_MAX - 1);
    if (rc_params_find(ps, full)) return rc_error(RC_E_INVALID, "params: duplicate parameter name '%s'", full);
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        param_entry *items = realloc(ps->items, cap * sizeof *items);
        if (!items) return rc_error(RC_E_NOMEM, "params: out of memory");
        ps->items = items;
        ps->cap = cap;
    }
    memcpy(ps->items[ps->n].name, full, (size_t)len + 1);
    ps->items[ps->n].t = t;
    ps->n++;
    return RC_OK;
}

size_t rc_params_count(const rc_params *ps) { return ps->n; }

const char *rc_params_name(const rc_params *ps, size_t i)
{
    RC_ASSERT(i < ps->n);
    return ps->items[i].name;
}

rc_tensor *rc_params_tensor(const rc_params *ps, size_t i)
{
    RC_ASSERT(i < ps->n);
    return ps->items[i].t;
}

rc_tensor *rc_params_find(const rc_params *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->items[i].name, name) == 0) return ps->items[i].t;
    return NULL;
}

size_t rc_params_numel(const rc_params *ps)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++) n += ps->items[i].t->numel;
    return n;
}

void rc_params_zero_grad(rc_params *ps)
{
    for (size_t i = 0; i < ps->n; i++) rc_tensor_zero_grad(ps->items[i].t);
}
