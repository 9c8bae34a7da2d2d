/*
 * The shared option entries: one table, bound to a cli_common by offset.
 */
#include "common.h"

#include <cblas.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "recur/runtime.h"

const cli_common cli_common_defaults = {
    .cell = 0,
    .layers = 2,
    .hidden = 256,
    .embed = 64,
    .dropout = 0,
    .batch = 32,
    .optimizer = 0,
    .lr = 2e-3,
    .clip = 5,
    .steps = 1000,
    .valid_fraction = 0.05,
    .eval_every = 200,
    .checkpoint_every = 200,
    .seed = 1,
    .threads = 1,
};

/* Names and the enums they select, index for index. */
static const char *const cell_names[] = {"lstm", "gru", "rnn", "rnn-relu", NULL};
static const rc_rnn_mode cell_modes[] = {RC_LSTM, RC_GRU, RC_RNN_TANH, RC_RNN_RELU};
static const char *const optim_names[] = {"adam", "adamw", "sgd", NULL};
static const rc_optim_kind optim_kinds[] = {RC_OPTIM_ADAM, RC_OPTIM_ADAMW, RC_OPTIM_SGD};
static const char *const on_nan_names[] = {"stop", "skip", NULL}; /* index = cli_on_nan */

_Static_assert(sizeof cell_names / sizeof cell_names[0] == sizeof cell_modes / sizeof cell_modes[0] + 1,
               "every cell name selects a mode");
_Static_assert(sizeof optim_names / sizeof optim_names[0] == sizeof optim_kinds / sizeof optim_kinds[0] + 1,
               "every optimizer name selects a kind");

typedef struct common_entry {
    cli_opt opt; /* field unset: bound at offset */
    size_t offset;
} common_entry;

#define ENTRY(member, ...) {{__VA_ARGS__}, offsetof(cli_common, member)}

static const common_entry entries[] = {
    ENTRY(data, .name = "data", .type = CLI_STRING, .meta = "FILE", .help = "training data"),
    ENTRY(valid, .name = "valid", .type = CLI_STRING, .meta = "FILE",
          .help = "validation data (instead of --valid-fraction)"),
    ENTRY(valid_fraction, .name = "valid-fraction", .type = CLI_REAL, .meta = "F", .min = 0, .max = 0.5,
          .help = "hold out the last F of the training data for validation (0: none)"),
    ENTRY(model, .name = "model", .type = CLI_STRING, .meta = "FILE", .help = "model file"),
    ENTRY(resume, .name = "resume", .type = CLI_STRING, .meta = "CKPT",
          .help = "continue the run saved in checkpoint CKPT (written to MODEL.ckpt)"),
    ENTRY(cell, .name = "cell", .type = CLI_CHOICE, .choices = cell_names, .help = "recurrent cell"),
    ENTRY(layers, .name = "layers", .type = CLI_INT, .meta = "N", .min = 1, .max = 64, .help = "stacked recurrent layers"),
    ENTRY(hidden, .name = "hidden", .type = CLI_INT, .meta = "H", .min = 1, .max = 65536, .help = "hidden units per layer"),
    ENTRY(embed, .name = "embed", .type = CLI_INT, .meta = "E", .min = 1, .max = 65536, .help = "embedding size"),
    ENTRY(dropout, .name = "dropout", .type = CLI_REAL, .meta = "P", .min = 0, .max = 0.95,
          .help = "dropout probability between layers and before the output layer"),
    ENTRY(batch, .name = "batch", .type = CLI_INT, .meta = "B", .min = 1, .max = 65536, .help = "batch size"),
    ENTRY(optimizer, .name = "optimizer", .type = CLI_CHOICE, .choices = optim_names,
          .help = "optimizer (PyTorch's default hyperparameters besides --lr)"),
    ENTRY(lr, .name = "lr", .type = CLI_REAL, .meta = "X", .min = 0, .max = 100, .help = "learning rate"),
    ENTRY(clip, .name = "clip", .type = CLI_REAL, .meta = "X", .min = 0, .max = 1e9,
          .help = "clip the gradient norm to X (0: no clipping)"),
    ENTRY(steps, .name = "steps", .type = CLI_INT, .meta = "N", .min = 0, .max = INT_MAX,
          .help = "train until step N (the limit unless --epochs or --time is given)"),
    ENTRY(epochs, .name = "epochs", .type = CLI_INT, .meta = "N", .min = 0, .max = 1000000,
          .help = "train for N passes over the training data (0: no such limit)"),
    ENTRY(time, .name = "time", .type = CLI_REAL, .meta = "SECONDS", .min = 0, .max = 1e9,
          .help = "train for this many seconds of this run (0: no such limit)"),
    ENTRY(eval_every, .name = "eval-every", .type = CLI_INT, .meta = "N", .min = 0, .max = INT_MAX,
          .help = "validate every N steps and keep the best model (0: at the end only)"),
    ENTRY(checkpoint_every, .name = "checkpoint-every", .type = CLI_INT, .meta = "N", .min = 0, .max = INT_MAX,
          .help = "write MODEL.ckpt every N steps (0: only at the end or when stopped)"),
    ENTRY(stop_after, .name = "stop-after", .type = CLI_INT, .meta = "N", .min = 0, .max = INT_MAX,
          .help = "stop as if interrupted once step N is done (0: never)"),
    ENTRY(on_nan, .name = "on-nan", .type = CLI_CHOICE, .choices = on_nan_names,
          .help = "a step with a NaN or infinite loss or gradient: stop the run, or skip its batch (the 10th such "
                  "step in a row stops)"),
    ENTRY(seed, .name = "seed", .type = CLI_INT, .meta = "N", .min = 0, .max = INT_MAX, .help = "random seed"),
    ENTRY(threads, .name = "threads", .type = CLI_INT, .meta = "N", .min = 1, .max = 256,
          .help = "threads of the recurrent layers and of BLAS (results are reproducible for a given seed and thread count)"),
    ENTRY(json, .name = "json", .type = CLI_FLAG, .help = "print each metrics record as one JSON object per line"),
    ENTRY(quiet, .name = "quiet", .type = CLI_FLAG, .help = "no progress line or log on stderr"),
};

static cli_opt common_opt(cli_common *c, const char *name)
{
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        if (strcmp(entries[i].opt.name, name) == 0) {
            cli_opt o = entries[i].opt;
            o.field = (char *)c + entries[i].offset;
            return o;
        }
    }
    RC_ASSERT(!"unknown shared option");
    return entries[0].opt;
}

void cli_add_common(cli_table *t, cli_common *c, const char *names)
{
    char name[CLI_NAME_MAX];
    for (const char *p = names; cli_next_word(&p, name, sizeof name);) cli_add(t, common_opt(c, name));
}

void cli_add_common_as(cli_table *t, cli_common *c, const char *name, const char *meta, const char *help,
                       bool required)
{
    cli_opt o = common_opt(c, name);
    if (meta) o.meta = meta;
    o.help = help;
    o.required = required;
    cli_add(t, o);
}

rc_rnn_mode cli_cell_mode(const cli_common *c) { return cell_modes[c->cell]; }

rc_optim_kind cli_optim_kind(const cli_common *c) { return optim_kinds[c->optimizer]; }

int cli_check_common(const cli_table *t, cli_common *c, FILE *err)
{
    /* 0 leaves a limit unused, so that the effective command line, which
     * prints all three, can be run again as it is */
    int limits = (cli_given(t, "steps") && c->steps > 0) + (c->epochs > 0) + (c->time > 0);
    if (limits > 1) return cli_usage_error(t, err, "give at most one of --steps, --epochs and --time");
    if (c->epochs > 0 || c->time > 0) c->steps = 0;
    if (c->steps == 0 && c->epochs == 0 && c->time == 0)
        return cli_usage_error(t, err, "no limit: give --steps, --epochs or --time");
    if (c->valid && c->valid_fraction > 0) {
        if (cli_given(t, "valid-fraction")) return cli_usage_error(t, err, "give --valid or --valid-fraction, not both");
        c->valid_fraction = 0;
    }
    return CLI_OK;
}

int cli_parse_train(cli_table *t, cli_common *c, int argc, char **argv)
{
    cli_add_common(t, c, "batch optimizer lr clip steps epochs time eval-every checkpoint-every stop-after on-nan seed "
                         "threads json quiet");
    int rc = cli_parse(t, argc, argv, stdout, stderr);
    if (rc == CLI_OK) rc = cli_check_common(t, c, stderr);
    if (rc == CLI_OK) cli_apply_threads(c);
    return rc;
}

uint64_t cli_stream_seed(const cli_common *c, cli_stream stream)
{
    return (uint64_t)c->seed * CLI_STREAM_COUNT + (uint64_t)stream;
}

void cli_apply_threads(const cli_common *c)
{
    rc_set_num_threads(c->threads);
    openblas_set_num_threads(c->threads);
}

uint64_t cli_fnv1a(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

json_t *cli_run_identity(cli_table *t, const char *names, const char *count_key, size_t count, const char *hash_key,
                         uint64_t hash)
{
    json_t *id = cli_to_json(t, names);
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, hash);
    if (id && (json_object_set_new(id, count_key, json_integer((json_int_t)count)) ||
               json_object_set_new(id, hash_key, json_string(hex)))) {
        json_decref(id);
        id = NULL;
    }
    return id;
}
