/*
 * `recur tag eval`: token accuracy of a tagger (and of its unknown words),
 * entity precision, recall and F1 for BIO tags; or the same figures for the
 * most-frequent-tag baseline of a training file.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "seqrun.h"
#include "tag.h"

/* ---- BIO entities ---------------------------------------------------------- */

/* True when every tag is "O" or "B-TYPE" / "I-TYPE". */
static bool is_bio(const char *const *tags, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *t = tags[i];
        if (strcmp(t, "O") != 0 && !((t[0] == 'B' || t[0] == 'I') && t[1] == '-' && t[2])) return false;
    }
    return true;
}

/* An entity: tokens [start, end) of one type. */
typedef struct entity {
    size_t start, end;
    const char *type;
} entity;

/* Whether the tag at i starts a new entity given the tag before it (as
 * conlleval does: B-X, or I-X after O or after another type). */
static bool starts_entity(const char *prev, const char *tag)
{
    if (strcmp(tag, "O") == 0) return false;
    if (tag[0] == 'B' || !prev || strcmp(prev, "O") == 0) return true;
    return strcmp(prev + 2, tag + 2) != 0;
}

/* The entities of tags[a, b) into out (room for b − a); returns how many. */
static size_t entities(const char *const *tags, size_t a, size_t b, entity *out)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        const char *prev = i > a ? tags[i - 1] : NULL;
        if (strcmp(tags[i], "O") == 0) continue;
        if (starts_entity(prev, tags[i])) out[n++] = (entity){i, i + 1, tags[i] + 2};
        else out[n - 1].end = i + 1;
    }
    return n;
}

static bool same_entity(const entity *x, const entity *y)
{
    return x->start == y->start && x->end == y->end && strcmp(x->type, y->type) == 0;
}

typedef struct entity_counts {
    size_t gold, predicted, correct;
} entity_counts;

/* Counts the gold, predicted and exactly matching entities, sentence by
 * sentence. Predicted tags that are not BIO tags read as O. */
static rc_status count_entities(const rc_tagged *d, const char *const *pred, entity_counts *k)
{
    *k = (entity_counts){0};
    entity *g = malloc((d->n_tokens + 1) * sizeof *g), *p = malloc((d->n_tokens + 1) * sizeof *p);
    if (!g || !p) {
        free(g);
        free(p);
        return rc_error(RC_E_NOMEM, "out of memory");
    }
    for (size_t s = 0; s < d->n_sentences; s++) {
        size_t a = d->starts[s], b = d->starts[s + 1];
        size_t ng = entities((const char *const *)d->tags, a, b, g), np = entities(pred, a, b, p);
        k->gold += ng;
        k->predicted += np;
        for (size_t i = 0, j = 0; i < ng && j < np;) {
            if (same_entity(&g[i], &p[j])) k->correct++;
            if (g[i].end <= p[j].end) i++;
            else j++;
        }
    }
    free(g);
    free(p);
    return RC_OK;
}

/* ---- metrics ---------------------------------------------------------------- */

/* Prints accuracy (and over the unknown words, where known is given),
 * and the entity scores when the gold tags are BIO tags. pred holds each
 * token's predicted tag. */
static rc_status report(const rc_tagged *d, const char **pred, const bool *known, bool json)
{
    size_t right = 0, oov = 0, oov_right = 0;
    for (size_t i = 0; i < d->n_tokens; i++) {
        bool ok = strcmp(pred[i], d->tags[i]) == 0;
        right += ok;
        if (known && !known[i]) {
            oov++;
            oov_right += ok;
        }
    }
    json_t *rec = json_pack("{s:f, s:I, s:I}", "accuracy", d->n_tokens ? (double)right / (double)d->n_tokens : 0,
                            "tokens", (json_int_t)d->n_tokens, "sentences", (json_int_t)d->n_sentences);
    if (rec && known) {
        json_object_set_new(rec, "unknown_word_accuracy", json_real(oov ? (double)oov_right / (double)oov : 0));
        json_object_set_new(rec, "unknown_words", json_integer((json_int_t)oov));
    }
    if (rec && is_bio((const char *const *)d->tags, d->n_tokens)) {
        for (size_t i = 0; i < d->n_tokens; i++)
            if (!is_bio(&pred[i], 1)) pred[i] = "O";
        entity_counts k;
        rc_status s = count_entities(d, pred, &k);
        if (s != RC_OK) {
            json_decref(rec);
            return s;
        }
        double p = k.predicted ? (double)k.correct / (double)k.predicted : 0;
        double r = k.gold ? (double)k.correct / (double)k.gold : 0;
        json_object_set_new(rec, "entity_precision", json_real(p));
        json_object_set_new(rec, "entity_recall", json_real(r));
        json_object_set_new(rec, "entity_f1", json_real(p + r > 0 ? 2 * p * r / (p + r) : 0));
        json_object_set_new(rec, "entities", json_integer((json_int_t)k.gold));
    }
    return cli_emit(rec, json, stdout);
}

/* ---- the model ---------------------------------------------------------------- */

static rc_status eval_model(const cli_common *c, const rc_tagged *d)
{
    tag_model m;
    seq_data sd = {0};
    seq_output out = {0};
    rc_graph *g = NULL;
    size_t unknown;
    const char **pred = malloc((d->n_tokens + 1) * sizeof *pred);
    bool *known = malloc(d->n_tokens + 1);
    rc_status s = pred && known ? tag_model_load(&m, c->model) : rc_error(RC_E_NOMEM, "out of memory");
    if (s != RC_OK) memset(&m, 0, sizeof m);
    if (s == RC_OK) s = tag_encode(&m, d, &sd, &unknown);
    if (s == RC_OK) s = seq_output_alloc(&out, &sd, true);
    if (s == RC_OK) s = rc_graph_create(&g);
    seq_runner runner = {.model = &m, .forward = tag_forward, .per_token = true, .batch = c->batch};
    if (s == RC_OK) s = seq_predict(&runner, g, &sd, &out);
    if (s == RC_OK) {
        for (size_t i = 0; i < d->n_tokens; i++) {
            pred[i] = rc_token_vocab_token(m.v.classes, out.pred[i]);
            known[i] = sd.ids[i] != RC_TOKEN_UNK;
        }
        s = report(d, pred, known, c->json);
    }
    rc_graph_free(g);
    seq_output_free(&out);
    seq_data_free(&sd);
    tag_model_free(&m);
    free(pred);
    free(known);
    return s;
}

/* ---- the most-frequent-tag baseline ------------------------------------------------ */

typedef struct word_tag {
    int word, tag;
} word_tag;

static int cmp_word_tag(const void *a, const void *b)
{
    const word_tag *x = a, *y = b;
    if (x->word != y->word) return (x->word > y->word) - (x->word < y->word);
    return (x->tag > y->tag) - (x->tag < y->tag);
}

/* For each word of words (no specials) its most frequent tag in train, ties
 * to the first in byte order; *fallback is the most frequent tag overall. */
static rc_status most_frequent(const rc_tagged *train, const rc_token_vocab *words, const rc_token_vocab *tags,
                               int *best, int *fallback)
{
    size_t n = train->n_tokens;
    int T = rc_token_vocab_size(tags);
    word_tag *pairs = malloc((n + 1) * sizeof *pairs);
    size_t *total = calloc((size_t)T, sizeof *total);
    if (!pairs || !total) {
        free(pairs);
        free(total);
        return rc_error(RC_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        pairs[i] = (word_tag){rc_token_vocab_id(words, train->words[i], strlen(train->words[i])),
                              rc_token_vocab_id(tags, train->tags[i], strlen(train->tags[i]))};
        total[pairs[i].tag]++;
    }
    qsort(pairs, n, sizeof *pairs, cmp_word_tag);
    size_t best_count = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && pairs[j].word == pairs[i].word && pairs[j].tag == pairs[i].tag) j++;
        if (i == 0 || pairs[i].word != pairs[i - 1].word || j - i > best_count) {
            best[pairs[i].word] = pairs[i].tag;
            best_count = j - i;
        }
        i = j;
    }
    *fallback = 0;
    for (int t = 1; t < T; t++)
        if (total[t] > total[*fallback]) *fallback = t;
    free(pairs);
    free(total);
    return RC_OK;
}

static rc_status eval_baseline(const cli_common *c, const char *train_path, rc_tagged_format format, const rc_tagged *d)
{
    rc_tagged train;
    rc_token_vocab *words = NULL, *tags = NULL;
    int *best = NULL, fallback = 0;
    const char **pred = malloc((d->n_tokens + 1) * sizeof *pred);
    bool *known = malloc(d->n_tokens + 1);
    rc_str *strs = NULL;
    rc_status s = pred && known ? rc_tagged_read(&train, train_path, format) : rc_error(RC_E_NOMEM, "out of memory");
    if (s != RC_OK) memset(&train, 0, sizeof train);
    if (s == RC_OK && !(strs = malloc(train.n_tokens * sizeof *strs))) s = rc_error(RC_E_NOMEM, "out of memory");
    for (size_t i = 0; s == RC_OK && i < train.n_tokens; i++) strs[i] = (rc_str){train.words[i], strlen(train.words[i])};
    if (s == RC_OK) s = rc_token_vocab_build(&words, strs, train.n_tokens, 1, false);
    for (size_t i = 0; s == RC_OK && i < train.n_tokens; i++) strs[i] = (rc_str){train.tags[i], strlen(train.tags[i])};
    if (s == RC_OK) s = rc_token_vocab_build(&tags, strs, train.n_tokens, 1, false);
    if (s == RC_OK && !(best = malloc((size_t)rc_token_vocab_size(words) * sizeof *best)))
        s = rc_error(RC_E_NOMEM, "out of memory");
    if (s == RC_OK) s = most_frequent(&train, words, tags, best, &fallback);
    if (s == RC_OK) {
        for (size_t i = 0; i < d->n_tokens; i++) {
            int w = rc_token_vocab_id(words, d->words[i], strlen(d->words[i]));
            known[i] = w >= 0;
            pred[i] = rc_token_vocab_token(tags, known[i] ? best[w] : fallback);
        }
        s = report(d, pred, known, c->json);
    }
    free(best);
    free(strs);
    rc_token_vocab_free(words);
    rc_token_vocab_free(tags);
    rc_tagged_free(&train);
    free(pred);
    free(known);
    return s;
}

int tag_eval_main(int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    const char *baseline = NULL;
    int format = RC_TAGGED_AUTO;
    cli_table t;
    cli_table_init(&t, "recur tag eval", "(--model FILE | --baseline TRAIN) --data FILE [options]",
                   "Evaluates a tagger on tagged sentences: token accuracy, the accuracy over the words the model\n"
                   "does not know (unknown_word_accuracy), and for BIO tags (O, B-TYPE, I-TYPE) the precision,\n"
                   "recall and F1 of whole entities. With --baseline TRAIN instead of a model, evaluates the\n"
                   "most-frequent-tag baseline of TRAIN: each word gets its most frequent tag there, other words\n"
                   "the most frequent tag overall.");
    cli_add_common_as(&t, &c, "model", NULL, "the model file to evaluate", false);
    cli_add(&t, (cli_opt){.name = "baseline", .type = CLI_STRING, .field = &baseline, .meta = "TRAIN",
                          .help = "evaluate the most-frequent-tag baseline of the tagged sentences TRAIN"});
    cli_add_common_as(&t, &c, "data", NULL, "the tagged sentences to evaluate on", true);
    tag_add_format(&t, &format);
    cli_add_common(&t, &c, "batch threads json quiet");
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc == CLI_OK && !c.model == !baseline) rc = cli_usage_error(&t, stderr, "give one of --model and --baseline");
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    rc_tagged d;
    rc_status s = rc_tagged_read(&d, c.data, (rc_tagged_format)format);
    if (s == RC_OK) s = c.model ? eval_model(&c, &d) : eval_baseline(&c, baseline, (rc_tagged_format)format, &d);
    rc = cli_exit_status(&t, s);
    rc_tagged_free(&d);
    return rc;
}
