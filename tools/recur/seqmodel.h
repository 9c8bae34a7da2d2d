/*
 * The model files of the classify and tag tasks beyond model_file.h: both
 * hold, besides "config", the vocabularies of seqdata.h:
 *
 *   "vocab"              the tokens, with <pad> and <unk>
 *   "labels" or "tags"   the classes, without specials
 *   "chars"              with char features only: the tokens' characters
 */
#ifndef RECUR_TOOL_SEQMODEL_H
#define RECUR_TOOL_SEQMODEL_H

#include "model_file.h"
#include "seqdata.h"

/* The metadata to save: "config", "vocab", the classes under their key
 * and, with char features, "chars" (JSON texts, freed by seq_meta_free),
 * as the n pairs of kv. */
typedef struct seq_meta {
    char *config, *vocab, *classes, *chars;
    rc_st_kv kv[4];
    size_t n;
} seq_meta;

/* config: the network's options as cli_to_json gives them (the reference
 * is stolen; NULL means out of memory). Errors: RC_E_NOMEM. */
rc_status seq_meta_make(seq_meta *meta, json_t *config, const seq_vocabs *v, const char *classes_key);
void seq_meta_free(seq_meta *meta);

/* Reads the vocabularies of model file f (at path): "chars" only when chars
 * is set, the classes under classes_key. Errors: those of cli_model_tokens;
 * *v then holds what was read (free it with seq_vocabs_free). */
rc_status seq_vocabs_read(seq_vocabs *v, const rc_st_file *f, const char *path, bool chars, const char *classes_key);

/* Refuses vocabularies without classes: RC_E_FORMAT naming the file and
 * the classes' key. */
rc_status seq_vocabs_check(const seq_vocabs *v, const char *path, const char *classes_key);

#endif
