/*
 * `recur translate train`: the data, batches and steps of a seq2seq model;
 * the loop itself (limits, validation, checkpoints) is the shared one of
 * train.h.
 *
 * Batches: each epoch e orders the training pairs by a shuffle drawn from
 * the SHUFFLE stream seeded with (--seed, e), cuts that order into windows
 * of BUCKET·B pairs, sorts each window by target then source length and
 * cuts it into batches of B, and shuffles the batches of each window. Pairs
 * of a batch then have similar lengths (little padding) while the epoch
 * still visits them in a random order. Step k takes batch k mod C of epoch
 * ⌊k / C⌋ (C = ⌈N / B⌉ batches per epoch), so a resumed run sees the same
 * batches.
 */
#include <stdlib.h>
#include <string.h>

#include "train.h"
#include "translate.h"

enum { BUCKET = 50 };

typedef struct tr_pairs {
    tr_texts src, tgt;
} tr_pairs;

typedef struct tr_run {
    tr_model model;
    tr_pairs train, valid; /* valid.src.n = 0 without validation */
    const cli_common *c;
    double teacher_forcing;
    int64_t batches;      /* C */
    int64_t epoch;        /* the epoch `order` and `starts` are planned for, or −1 */
    size_t *order;        /* (N) pairs of the epoch in batch order */
    size_t *starts;       /* (C) where each batch begins in order */
    size_t *valid_order;  /* (N_valid) validation pairs by source length */
    tr_batch batch;
} tr_run;

/* ---- batches ------------------------------------------------------------- */

typedef struct keyed_pair {
    int tgt_len, src_len;
    size_t i;
} keyed_pair;

static int cmp_pair(const void *a, const void *b)
{
    const keyed_pair *x = a, *y = b;
    if (x->tgt_len != y->tgt_len) return x->tgt_len < y->tgt_len ? -1 : 1;
    if (x->src_len != y->src_len) return x->src_len < y->src_len ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static void shuffle(size_t *a, size_t n, rc_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rc_rng_below(rng, i), t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Plans epoch e (see the top of the file); keys has N entries. */
static void plan_epoch(tr_run *r, int64_t e, keyed_pair *keys)
{
    size_t N = r->train.src.n, B = (size_t)r->c->batch, W = BUCKET * B;
    rc_rng rng;
    rc_rng_seed(&rng, cli_stream_seed(r->c, CLI_STREAM_SHUFFLE) ^ ((uint64_t)e * 0x9E3779B97F4A7C15ULL));
    for (size_t i = 0; i < N; i++) r->order[i] = i;
    shuffle(r->order, N, &rng);
    for (size_t w = 0; w < N; w += W) {
        size_t n = N - w < W ? N - w : W;
        for (size_t i = 0; i < n; i++) {
            size_t p = r->order[w + i];
            keys[i] = (keyed_pair){r->train.tgt.seqs[p].len, r->train.src.seqs[p].len, p};
        }
        qsort(keys, n, sizeof *keys, cmp_pair);
        for (size_t i = 0; i < n; i++) r->order[w + i] = keys[i].i;
        size_t first = w / B, count = (n + B - 1) / B;
        for (size_t k = 0; k < count; k++) r->starts[first + k] = w + k * B;
        shuffle(r->starts + first, count, &rng);
    }
    r->epoch = e;
}

/* The rows of batch k of the current epoch and their number. */
static int batch_rows(const tr_run *r, int64_t k, const size_t **rows)
{
    size_t start = r->starts[k], N = r->train.src.n, B = (size_t)r->c->batch;
    *rows = r->order + start;
    return (int)(N - start < B ? N - start : B);
}

/* ---- steps and validation ---------------------------------------------- */

static rc_status tr_step(void *self, rc_graph *g, int64_t step, double *loss)
{
    tr_run *r = self;
    int64_t e = step / r->batches;
    if (e != r->epoch) {
        keyed_pair *keys = malloc((size_t)BUCKET * (size_t)r->c->batch * sizeof *keys);
        if (!keys) return rc_error(RC_E_NOMEM, "out of memory planning an epoch");
        plan_epoch(r, e, keys);
        free(keys);
    }
    const size_t *rows;
    int n = batch_rows(r, step % r->batches, &rows);
    rc_status s = tr_batch_fill(&r->batch, &r->train.src, &r->train.tgt, rows, n);
    if (s != RC_OK) return s;
    tr_batch *b = &r->batch;
    rc_seq2seq_batch sb = {.src = {b->B, b->S, b->src, b->lengths}, .tgt_len = b->T, .tgt = b->tgt};
    rc_seq2seq_result res;
    s = rc_seq2seq_forward(r->model.net, g, &sb, r->teacher_forcing, NULL, &res);
    if (s != RC_OK) return s;
    *loss = res.loss->data[0];
    return rc_graph_backward(g, res.loss);
}

/* Tokens a batch's loss is the mean over: the targets and their <eos>. */
static size_t target_tokens(const tr_batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)b->B * b->T; i++) n += b->tgt[i] != TR_PAD;
    return n;
}

/* Teacher-forced cross-entropy per target token over the validation set. */
static rc_status valid_loss(tr_run *r, rc_graph *g, double *loss)
{
    double sum = 0;
    size_t tokens = 0, N = r->valid.src.n;
    for (size_t at = 0; at < N; at += (size_t)r->c->batch) {
        int n = N - at < (size_t)r->c->batch ? (int)(N - at) : r->c->batch;
        rc_status s = tr_batch_fill(&r->batch, &r->valid.src, &r->valid.tgt, r->valid_order + at, n);
        if (s != RC_OK) return s;
        tr_batch *b = &r->batch;
        rc_seq2seq_batch sb = {.src = {b->B, b->S, b->src, b->lengths}, .tgt_len = b->T, .tgt = b->tgt};
        rc_seq2seq_result res;
        rc_graph_reset(g);
        s = rc_seq2seq_forward(r->model.net, g, &sb, 1.0, NULL, &res);
        if (s != RC_OK) return s;
        size_t k = target_tokens(b);
        sum += res.loss->data[0] * (double)k;
        tokens += k;
    }
    *loss = sum / (double)tokens;
    return RC_OK;
}

/* Greedy decoding of the validation sources, scored against their targets. */
static rc_status valid_decode(tr_run *r, tr_score *sc)
{
    size_t N = r->valid.src.n;
    tr_hyp *hyps = calloc(N, sizeof *hyps);
    if (!hyps) return rc_error(RC_E_NOMEM, "out of memory for validation hypotheses");
    tr_decode_opts o = {.beam = 1, .batch = r->c->batch};
    rc_status s = tr_decode_all(&r->model, &r->valid.src, &o, hyps);
    for (size_t i = 0; s == RC_OK && i < N; i++) s = tr_score_add(sc, &hyps[i], &r->valid.tgt.seqs[i]);
    tr_hyps_free(hyps, N);
    free(hyps);
    return s;
}

static rc_status tr_validate(void *self, rc_graph *g, double *loss, json_t *rec)
{
    tr_run *r = self;
    tr_score sc = {0};
    rc_status s = valid_loss(r, g, loss);
    if (s == RC_OK) s = valid_decode(r, &sc);
    if (s == RC_OK && (json_object_set_new(rec, "valid_exact_match", json_real(tr_score_exact(&sc))) ||
                       json_object_set_new(rec, "valid_token_error_rate", json_real(tr_score_ter(&sc)))))
        s = rc_error(RC_E_NOMEM, "out of memory");
    return s;
}

/* ---- data ------------------------------------------------------------- */

/* FNV-1a of the cells' bytes, a tab after each: a fingerprint for --resume. */
static uint64_t fingerprint(uint64_t h, const rc_tsv *t)
{
    for (size_t i = 0; i < t->rows * (size_t)t->fields; i++) {
        h = cli_fnv1a(h, t->cells[i], strlen(t->cells[i]));
        h = cli_fnv1a(h, "\t", 1);
    }
    return h;
}

/* The files as read: training pairs are the first n_train rows of data, the
 * validation pairs the rest of it or all of valid. */
typedef struct tr_files {
    rc_tsv data, valid;
    size_t n_train;
} tr_files;

static rc_status encode_pairs(tr_pairs *p, const tr_model *m, const rc_tsv *t, size_t first, size_t n,
                              const char *path)
{
    char name[600];
    snprintf(name, sizeof name, "'%s'", path);
    const char *const *cells = t->cells + first * 2;
    rc_status s = tr_texts_encode(&p->src, &m->src_vocab, m->arch.src_tokens, cells, n, 2, name, t->lines + first);
    if (s == RC_OK)
        s = tr_texts_encode(&p->tgt, &m->tgt_vocab, m->arch.tgt_tokens, cells + 1, n, 2, name, t->lines + first);
    return s;
}

/* Reads the files, builds the vocabularies of the training pairs into the
 * model and encodes every pair. */
static rc_status load_data(tr_files *f, tr_run *r, const cli_common *c)
{
    memset(f, 0, sizeof *f);
    rc_status s = rc_tsv_read(&f->data, c->data, 2, RC_TEXT_MAX_BYTES);
    if (s == RC_OK && c->valid) s = rc_tsv_read(&f->valid, c->valid, 2, RC_TEXT_MAX_BYTES);
    if (s != RC_OK) return s;
    size_t held = (size_t)((double)f->data.rows * c->valid_fraction);
    f->n_train = f->data.rows - held;
    if (c->valid_fraction > 0 && (held == 0 || f->n_train == 0))
        return rc_error(RC_E_INVALID, "'%s': %zu pairs cannot be split by --valid-fraction %g into training and "
                        "validation pairs", c->data, f->data.rows, c->valid_fraction);
    tr_model *m = &r->model;
    s = tr_vocab_build(&m->src_vocab, f->data.cells, f->n_train, 2, m->arch.src_tokens);
    if (s == RC_OK) s = tr_vocab_build(&m->tgt_vocab, f->data.cells + 1, f->n_train, 2, m->arch.tgt_tokens);
    if (s == RC_OK) s = encode_pairs(&r->train, m, &f->data, 0, f->n_train, c->data);
    if (s == RC_OK && c->valid) s = encode_pairs(&r->valid, m, &f->valid, 0, f->valid.rows, c->valid);
    else if (s == RC_OK && held) s = encode_pairs(&r->valid, m, &f->data, f->n_train, held, c->data);
    return s;
}

static void free_pairs(tr_pairs *p)
{
    tr_texts_free(&p->src);
    tr_texts_free(&p->tgt);
}

/* Fills in the sizes left 0 (see tr_arch) and checks that rule 1 can
 * attend over every source. */
static rc_status resolve_arch(tr_run *r, const tr_files *f, const cli_common *c)
{
    tr_arch *a = &r->model.arch;
    if (a->decoder_hidden == 0) a->decoder_hidden = (a->encoder == 0 ? 2 : 1) * a->c.hidden;
    if (a->attention_hidden == 0) a->attention_hidden = a->decoder_hidden;
    if (!tr_arch_has_positions(a)) return RC_OK;
    if (a->positions == 0) a->positions = r->train.src.longest;
    rc_status s = tr_check_positions(a, &r->train.src, c->data, f->data.lines);
    if (s == RC_OK && c->valid) s = tr_check_positions(a, &r->valid.src, c->valid, f->valid.lines);
    else if (s == RC_OK) s = tr_check_positions(a, &r->valid.src, c->data, f->data.lines + f->n_train);
    return s;
}

/* The options a resumed run must share (the limits, --threads and the
 * checkpoint interval may change), the number of training pairs and a
 * fingerprint of all the data. */
static json_t *run_identity(cli_table *t, size_t n_train, uint64_t hash)
{
    return cli_run_identity(t, TR_ARCH_OPTIONS " batch optimizer lr clip teacher-forcing eval-every seed valid-fraction",
                            "train_pairs", n_train, "data_fnv1a", hash);
}

static rc_status plan_batches(tr_run *r, const cli_common *c)
{
    size_t N = r->train.src.n;
    r->batches = (int64_t)((N + (size_t)c->batch - 1) / (size_t)c->batch);
    r->epoch = -1;
    r->order = malloc(N * sizeof *r->order);
    r->starts = malloc((size_t)r->batches * sizeof *r->starts);
    r->valid_order = malloc((r->valid.src.n ? r->valid.src.n : 1) * sizeof *r->valid_order);
    if (!r->order || !r->starts || !r->valid_order) return rc_error(RC_E_NOMEM, "out of memory for batches");
    return tr_order_by_length(&r->valid.src, r->valid_order);
}

static void log_start(const cli_table *t, const tr_run *r)
{
    const tr_model *m = &r->model;
    cli_print_effective(t, stderr);
    fprintf(stderr,
            "%s: %zu training and %zu validation pairs (%zu and %zu unknown validation tokens); vocabularies %d and "
            "%d (with 4 special tokens); %zu parameters; %lld steps per epoch\n",
            t->cmd, r->train.src.n, r->valid.src.n, r->valid.src.unknown, r->valid.tgt.unknown, m->src_vocab.size,
            m->tgt_vocab.size, rc_params_numel(m->params), (long long)r->batches);
}

int translate_train_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    c.batch = 64;
    tr_run r = {.c = &c, .teacher_forcing = 1, .model = {.arch = tr_arch_defaults}};
    cli_table t;
    cli_table_init(&t, "recur translate train", "--data TSV --model OUT [options]",
                   "Trains a sequence-to-sequence model on TSV lines source<TAB>target: embeddings, a recurrent\n"
                   "encoder, a linear bridge and a recurrent decoder with the chosen attention, with teacher\n"
                   "forcing and Adam. Each evaluation reports the teacher-forced validation loss and decodes the\n"
                   "validation sources greedily for their exact match and token error rate; the model with the lowest\n"
                   "token error rate is written to OUT, a checkpoint to OUT.ckpt. The same seed and --threads give a\n"
                   "bit-identical model, --resume included.");
    cli_add_common_as(&t, &c, "data", "TSV", "training pairs, TSV source<TAB>target; their tokens make the vocabularies",
                      true);
    cli_add_common_as(&t, &c, "valid", "TSV", "validation pairs (instead of --valid-fraction)", false);
    cli_add_common(&t, &c, "valid-fraction");
    cli_add_common_as(&t, &c, "model", "OUT", CLI_MODEL_OUT_HELP, true);
    cli_add_common(&t, &c, "resume");
    tr_add_arch(&t, &r.model.arch);
    cli_add(&t, (cli_opt){.name = "teacher-forcing", .type = CLI_REAL, .field = &r.teacher_forcing, .meta = "R",
                          .min = 0, .max = 1,
                          .help = "probability of feeding the gold previous token at each step (else the predicted)"});
    int rc = cli_parse_train(&t, &c, argc, argv);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;

    tr_files f;
    rc_graph *g = NULL;
    json_t *identity = NULL;
    char *config = NULL, *vocab = NULL;
    rc_status s = load_data(&f, &r, &c);
    if (s == RC_OK) s = resolve_arch(&r, &f, &c);
    if (s == RC_OK) s = tr_model_create(&r.model, &r.model.arch, &c);
    if (s == RC_OK) s = plan_batches(&r, &c);
    if (s == RC_OK) s = tr_model_meta(&r.model, &config, &vocab);
    if (s == RC_OK) s = rc_graph_create(&g);
    if (s == RC_OK) {
        identity = run_identity(&t, f.n_train, fingerprint(fingerprint(CLI_FNV1A_START, &f.data), &f.valid));
        if (!identity) s = rc_error(RC_E_NOMEM, "out of memory");
    }
    if (s == RC_OK) {
        if (!c.quiet) log_start(&t, &r);
        const rc_st_kv meta[2] = {{"config", config}, {"vocab", vocab}};
        cli_train_task task = {
            .cmd = t.cmd, .name = "translate", .self = &r, .params = r.model.params, .state = NULL,
            .meta = meta, .n_meta = 2, .identity = identity, .steps_per_epoch = r.batches,
            .tokens_per_step = (double)(r.train.tgt.tokens + r.train.tgt.n) / (double)r.batches,
            .has_valid = r.valid.src.n > 0,
            .best_by = "valid_token_error_rate", .step = tr_step, .validate = tr_validate,
        };
        rc = cli_train_run(&task, &c, g);
    } else {
        rc = cli_exit_status(&t, s);
    }
    json_decref(identity);
    free(config);
    free(vocab);
    rc_graph_free(g);
    free(r.order);
    free(r.starts);
    free(r.valid_order);
    tr_batch_free(&r.batch);
    free_pairs(&r.train);
    free_pairs(&r.valid);
    tr_model_free(&r.model);
    rc_tsv_free(&f.data);
    rc_tsv_free(&f.valid);
    return rc;
}
