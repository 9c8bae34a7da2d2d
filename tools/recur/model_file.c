#include "model_file.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char FORMAT[] = "recur";

enum { MAX_EXTRA = 8 };

rc_status cli_model_save(const char *path, const rc_params *ps, const char *task, const rc_st_kv *extra, size_t n)
{
    RC_ASSERT(n <= MAX_EXTRA);
    rc_st_kv meta[2 + MAX_EXTRA] = {{"format", FORMAT}, {"task", task}};
    for (size_t i = 0; i < n; i++) meta[2 + i] = extra[i];
    return rc_st_save_params(path, ps, meta, 2 + n);
}

rc_status cli_model_open(rc_st_file **out, const char *path, const char *task)
{
    rc_st_file *f;
    rc_status s = rc_st_open(&f, path);
    if (s != RC_OK) return s;
    const char *format = rc_st_metadata(f, "format"), *got = rc_st_metadata(f, "task");
    if (!format || strcmp(format, FORMAT) != 0)
        s = rc_error(RC_E_FORMAT, "'%s' is not a recur model file (no \"format\": \"%s\" in its metadata)", path, FORMAT);
    else if (!got || strcmp(got, task) != 0)
        s = rc_error(RC_E_FORMAT, "'%s' is a model of task '%s', expected '%s'", path, got ? got : "(none)", task);
    if (s != RC_OK) {
        rc_st_close(f);
        return s;
    }
    *out = f;
    return RC_OK;
}

rc_status cli_model_json(const rc_st_file *f, const char *path, const char *key, json_t **out)
{
    const char *text = rc_st_metadata(f, key);
    if (!text) return rc_error(RC_E_FORMAT, "'%s': metadata has no \"%s\"", path, key);
    json_error_t err;
    *out = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!*out) return rc_error(RC_E_FORMAT, "'%s': metadata \"%s\" is not valid JSON: %s", path, key, err.text);
    return RC_OK;
}

rc_status cli_model_vocab(const rc_st_file *f, const char *path, rc_vocab **out)
{
    const char *text = rc_st_metadata(f, "vocab");
    if (!text) return rc_error(RC_E_FORMAT, "'%s': metadata has no \"vocab\"", path);
    rc_status s = rc_vocab_from_json(out, text);
    if (s == RC_E_FORMAT) {
        char why[512];
        snprintf(why, sizeof why, "%s", rc_last_error());
        s = rc_error(s, "'%s': %s", path, why);
    }
    return s;
}

rc_status cli_model_config(const rc_st_file *f, const char *path, cli_table *t, const char *names)
{
    json_t *config;
    rc_status s = cli_model_json(f, path, "config", &config);
    if (s != RC_OK) return s;
    char what[600];
    snprintf(what, sizeof what, "'%s': metadata \"config\"", path);
    s = cli_from_json(t, config, names, what);
    json_decref(config);
    return s;
}

rc_status cli_model_tokens(const rc_st_file *f, const char *path, const char *key, bool specials, rc_token_vocab **out)
{
    *out = NULL;
    const char *text = rc_st_metadata(f, key);
    if (!text) return rc_error(RC_E_FORMAT, "'%s': metadata has no \"%s\"", path, key);
    rc_status s = rc_token_vocab_from_json(out, text, specials);
    if (s == RC_E_FORMAT) {
        char why[512];
        snprintf(why, sizeof why, "%s", rc_last_error());
        s = rc_error(s, "'%s': metadata \"%s\": %s", path, key, why);
    }
    return s;
}

char *cli_json_text(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return text;
}

rc_status cli_model_fits(const rc_st_file *f, const char *path, uint64_t values)
{
    uint64_t held = 0;
    for (size_t i = 0; i < rc_st_count(f); i++) {
        int nd, shape[RC_MAX_DIMS];
        rc_st_info(f, rc_st_name(f, i), NULL, &nd, shape);
        uint64_t n = 1;
        for (int d = 0; d < nd; d++) n *= (uint64_t)shape[d];
        held += n;
    }
    if (values > held)
        return rc_error(RC_E_FORMAT, "'%s': metadata \"config\" describes a network of %" PRIu64 " parameter values, but "
                        "the file holds %" PRIu64, path, values, held);
    return RC_OK;
}

uint64_t cli_rnn_values(rc_rnn_mode mode, int input, int hidden, int layers, bool bidirectional)
{
    uint64_t d = bidirectional ? 2 : 1, h = (uint64_t)hidden, gh = (uint64_t)rc_rnn_mode_gates(mode) * h, n = 0;
    for (int l = 0; l < layers; l++) n += d * gh * ((l ? d * h : (uint64_t)input) + h + 2);
    return n;
}
