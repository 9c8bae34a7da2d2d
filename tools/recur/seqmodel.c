#include "seqmodel.h"

#include <stdlib.h>
#include <string.h>

rc_status seq_meta_make(seq_meta *meta, cli_table *t, const seq_vocabs *v, const seq_model_kind *k)
{
    memset(meta, 0, sizeof *meta);
    meta->config = cli_json_text(cli_to_json(t, k->arch));
    rc_status s = meta->config ? RC_OK : rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = rc_token_vocab_to_json(v->tokens, &meta->vocab);
    if (s == RC_OK) s = rc_token_vocab_to_json(v->classes, &meta->classes);
    if (s == RC_OK && v->chars) s = rc_token_vocab_to_json(v->chars, &meta->chars);
    meta->kv[0] = (rc_st_kv){"config", meta->config};
    meta->kv[1] = (rc_st_kv){"vocab", meta->vocab};
    meta->kv[2] = (rc_st_kv){k->classes, meta->classes};
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

rc_status seq_model_read(seq_vocabs *v, const char *path, const seq_model_kind *k, cli_table *t, const cli_common *c,
                         const enc_opts *e)
{
    memset(v, 0, sizeof *v);
    rc_st_file *f;
    rc_status s = cli_model_open(&f, path, k->task);
    if (s != RC_OK) return s;
    s = cli_model_config(f, path, t, k->arch);
    if (s == RC_OK) s = cli_model_tokens(f, path, "vocab", true, &v->tokens);
    if (s == RC_OK && e->char_features) s = cli_model_tokens(f, path, "chars", true, &v->chars);
    if (s == RC_OK) s = cli_model_tokens(f, path, k->classes, false, &v->classes);
    if (s == RC_OK) s = cli_model_fits(f, path, k->values(c, e, v));
    rc_st_close(f);
    if (s == RC_OK && rc_token_vocab_size(v->classes) < 1)
        s = rc_error(RC_E_FORMAT, "'%s': metadata \"%s\" is empty", path, k->classes);
    if (s != RC_OK) seq_vocabs_free(v);
    return s;
}
