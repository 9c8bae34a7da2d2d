#include "linebatch.h"

#include <stdlib.h>
#include <string.h>

static void clear(line_batch *lb)
{
    for (size_t i = 0; i < lb->n; i++) free(lb->texts[i]);
    lb->n = 0;
}

/* Reads up to lb->cap lines; lb->n is 0 at the end of the input. */
static rc_status read_lines(line_batch *lb, rc_line_reader *r)
{
    clear(lb);
    while (lb->n < lb->cap) {
        const char *line;
        size_t len;
        rc_status s = rc_line_reader_next(r, &line, &len);
        if (s != RC_OK) return s;
        if (!line) break;
        char *copy = malloc(len + 1);
        if (!copy) return rc_error(RC_E_NOMEM, "out of memory");
        memcpy(copy, line, len + 1);
        lb->texts[lb->n] = copy;
        lb->lines[lb->n++] = rc_line_reader_line(r);
    }
    return RC_OK;
}

rc_status line_batches_answer(const seq_runner *r, bool json, line_answer_fn answer)
{
    line_batch lb = {.name = "stdin", .cap = (size_t)r->batch};
    rc_graph *g = NULL;
    rc_line_reader *reader = NULL;
    lb.texts = malloc(lb.cap * sizeof *lb.texts);
    lb.lines = malloc(lb.cap * sizeof *lb.lines);
    rc_status s = lb.texts && lb.lines ? rc_graph_create(&g) : rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = rc_line_reader_create(&reader, stdin, lb.name, RC_LINE_MAX_BYTES);
    while (s == RC_OK && (s = read_lines(&lb, reader)) == RC_OK && lb.n > 0) s = answer(r, g, &lb, json);
    if (lb.texts) clear(&lb);
    free(lb.texts);
    free(lb.lines);
    rc_line_reader_free(reader);
    rc_graph_free(g);
    return s;
}
