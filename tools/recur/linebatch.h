/*
 * Standard input a batch of lines at a time, for the predict commands of
 * the classify and tag tasks: each batch is answered before the next is
 * read, so that answers follow the input through a pipe.
 */
#ifndef RECUR_TOOL_LINEBATCH_H
#define RECUR_TOOL_LINEBATCH_H

#include "seqrun.h"

/* Up to cap lines of input, copied (NUL-terminated, without newlines). */
typedef struct line_batch {
    const char *name; /* the input's, for messages: "stdin" */
    char **texts;
    size_t *lines;    /* their line numbers */
    size_t n, cap;
} line_batch;

/* Answers batch lb with the model of r (r->batch sequences at a time) in
 * graph g, printing to stdout as text or, with json, JSON lines. */
typedef rc_status (*line_answer_fn)(const seq_runner *r, rc_graph *g, const line_batch *lb, bool json);

/* Reads standard input r->batch lines at a time and answers each batch,
 * until the end of the input or the first error. Errors: those of the line
 * reader (see recur/data.h) and of answer, RC_E_NOMEM. */
rc_status line_batches_answer(const seq_runner *r, bool json, line_answer_fn answer);

#endif
