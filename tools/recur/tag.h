/*
 * The tag task: a tag for each token of a sentence (part of speech, BIO
 * entity tags, ...).
 *
 *   words → encoder (encoder.h; by default with character features, so that
 *   words never seen in training are tagged by their spelling) → dropout →
 *   head (nn.Linear D·H → C) at every position
 */
#ifndef RECUR_TOOL_TAG_H
#define RECUR_TOOL_TAG_H

#include "encoder.h"
#include "seqmodel.h"

int tag_main(int argc, char **argv);
int tag_train_main(int argc, char **argv);
int tag_eval_main(int argc, char **argv);
int tag_predict_main(int argc, char **argv);

/* The options that define the network, stored in a model's "config". */
#define TAG_ARCH "cell layers hidden embed dropout bidirectional char-features char-embed char-hidden max-len"

typedef struct tag_arch {
    cli_common c;
    enc_opts e;
} tag_arch;

/* The documented defaults of the network options. */
tag_arch tag_arch_defaults(void);

/* Adds --format bound to *format (an rc_tagged_format). */
void tag_add_format(cli_table *t, int *format);

typedef struct tag_model {
    tag_arch arch;
    encoder enc;
    rc_linear_module head;
    rc_params *params;
    seq_vocabs v; /* the classes are the tags */
} tag_model;

/* Builds a model with PyTorch's default init drawn from the INIT stream of
 * a->c.seed; it takes ownership of the vocabularies (also on failure).
 * Errors: those of the modules; *m is then empty. */
rc_status tag_model_create(tag_model *m, const tag_arch *a, seq_vocabs v);

/* Loads a model file written by `recur tag train`. Errors: RC_E_IO,
 * RC_E_FORMAT naming the file. */
rc_status tag_model_load(tag_model *m, const char *path);

void tag_model_free(tag_model *m);

/* The model's metadata (seqmodel.h), the classes under "tags". Errors:
 * RC_E_NOMEM. */
rc_status tag_meta_make(seq_meta *meta, tag_model *m);

/* Logits (B·T, C), row b·T + t for position t of sequence b. NULL with the
 * graph's sticky error. */
rc_tensor *tag_forward(void *model, rc_graph *g, const seq_batch *b);

/* Sentences as token ids of m's vocabulary (long ones in pieces of at most
 * max-len tokens), with their tags' ids as targets (-100 for a tag the
 * model does not know, or for every token when d->tags is NULL);
 * *unknown_tags counts the unknown ones. Sentences without tokens must not
 * occur. */
rc_status tag_encode(const tag_model *m, const rc_tagged *d, seq_data *out, size_t *unknown_tags);

#endif
