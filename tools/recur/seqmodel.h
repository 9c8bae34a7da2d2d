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

#include "encoder.h"
#include "model_file.h"

/* What tells the model files of the two tasks apart. */
typedef struct seq_model_kind {
    const char *task;    /* the file's "task" */
    const char *arch;    /* the network's options, as "config" holds them */
    const char *classes; /* the classes' key */
    /* The parameter values the network of these options and vocabularies
     * needs, or a lower bound that grows with every size (see
     * cli_model_fits). */
    uint64_t (*values)(const cli_common *c, const enc_opts *e, const seq_vocabs *v);
} seq_model_kind;

/* The metadata to save: "config", "vocab", the classes under their key
 * and, with char features, "chars" (JSON texts, freed by seq_meta_free),
 * as the n pairs of kv. */
typedef struct seq_meta {
    char *config, *vocab, *classes, *chars;
    rc_st_kv kv[4];
    size_t n;
} seq_meta;

/* t: a table bound to the network's options, k->arch among them. Errors:
 * RC_E_NOMEM. */
rc_status seq_meta_make(seq_meta *meta, cli_table *t, const seq_vocabs *v, const seq_model_kind *k);
void seq_meta_free(seq_meta *meta);

/* Reads what the model file at path holds besides the parameters: checks
 * that it is a model of k->task, sets the options of t (bound to the task's
 * network options, c and e among them) from "config", reads the
 * vocabularies ("chars" only with e->char_features), and refuses a file
 * whose tensors hold fewer values than k->values asks, then one without
 * classes. Errors: those of model_file.h, naming the file; *v is then
 * empty. */
rc_status seq_model_read(seq_vocabs *v, const char *path, const seq_model_kind *k, cli_table *t, const cli_common *c,
                         const enc_opts *e);

#endif
