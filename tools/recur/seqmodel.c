#include "seqmodel.h"

#include <stdlib.h>
#include <string.h>

rc_status seq_meta_make(seq_meta *meta, json_t *config, const seq_vocabs *v, const char *classes_key)
{
    memset(meta, 0, sizeof *meta);
    meta->config = cli_json_text(config);
    rc_status s = meta->config ? RC_OK : rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = rc_token_vocab_to_json(v->tokens, &meta->vocab);
    if (s == RC_OK) s = rc_token_vocab_to_json(v->classes, &meta->classes);
    if (s == RC_OK && v->chars) s = rc_token_vocab_to_json(v->chars, &meta->chars);
    meta->kv[0] = (rc_st_kv){"config", meta->config};
    meta->kv[1] = (rc_st_kv){"vocab", meta->vocab};
    meta->kv[2] = (rc_st_kv){classes_key, meta->classes};
    meta->kv[3] = (rc_st_kv){"chars", meta->chars};
    meta->n = v->chars ? 4 : 3;
    return s;
}

void seq_meta_free(seq_meta *meta)
{
    free(meta->config);
    free(meta->vocab);
    free(meta->classes);
    free(meta->chars);
    memset(meta, 0, sizeof *meta);
}

rc_status seq_vocabs_read(seq_vocabs *v, const rc_st_file *f, const char *path, bool chars, const char *classes_key)
{
    memset(v, 0, sizeof *v);
    rc_status s = cli_model_tokens(f, path, "vocab", true, &v->tokens);
    if (s == RC_OK && chars) s = cli_model_tokens(f, path, "chars", true, &v->chars);
    if (s == RC_OK) s = cli_model_tokens(f, path, classes_key, false, &v->classes);
    return s;
}

rc_status seq_vocabs_check(const seq_vocabs *v, const char *path, const char *classes_key)
{
    if (rc_token_vocab_size(v->classes) < 1)
        return rc_error(RC_E_FORMAT, "'%s': metadata \"%s\" is empty", path, classes_key);
    return RC_OK;
}
