/*
 * The options shared by every task of the recur program. Each is defined
 * once here (name, type, range, help) so that --hidden or --lr means the same
 * in `recur lm train` as in any other task; a task picks the ones it uses
 * and adds its own entries beside them.
 *
 *     cli_common c = cli_common_defaults;
 *     c.hidden = 128;                                  // a task's own default
 *     cli_table t;
 *     cli_table_init(&t, "recur lm train", "--data FILE --model OUT [options]", "...");
 *     cli_add_common(&t, &c, "data valid cell layers hidden");
 */
#ifndef RECUR_TOOL_COMMON_H
#define RECUR_TOOL_COMMON_H

#include "options.h"
#include "recur/optim.h"
#include "recur/rnn.h"

typedef struct cli_common {
    /* files */
    const char *data, *valid, *model, *resume;
    /* network */
    int cell, layers, hidden, embed;
    double dropout;
    /* training */
    int batch, optimizer;
    double lr, clip;
    int steps, epochs;
    double time;
    double valid_fraction;
    int eval_every, checkpoint_every, stop_after;
    int on_nan; /* cli_on_nan */
    /* every command */
    int seed, threads;
    bool json, quiet;
} cli_common;

extern const cli_common cli_common_defaults;

/* Adds the named shared options (names separated by spaces). An unknown name
 * is a programming error. */
void cli_add_common(cli_table *t, cli_common *c, const char *names);

/* Adds the shared entry `name` bound to c with a command's own help text,
 * value placeholder (meta; NULL keeps the shared one) and requiredness. */
void cli_add_common_as(cli_table *t, cli_common *c, const char *name, const char *meta, const char *help,
                       bool required);

/* The help of --model OUT in the training commands. */
#define CLI_MODEL_OUT_HELP "write the best model to OUT (checkpoints to OUT.ckpt)"

/* What --on-nan does with a step whose loss or gradient is not finite. */
typedef enum cli_on_nan { CLI_ON_NAN_STOP, CLI_ON_NAN_SKIP } cli_on_nan;

/* The recurrent layer and optimizer chosen by --cell and --optimizer. */
rc_rnn_mode cli_cell_mode(const cli_common *c);
rc_optim_kind cli_optim_kind(const cli_common *c);

/* Checks the options that exclude each other: at most one of --steps,
 * --epochs and --time has a non-zero value (0 leaves one unused), and an
 * --epochs or --time limit replaces the default step limit; --valid with a
 * non-zero --valid-fraction is refused, and --valid alone sets the fraction
 * to 0. Returns CLI_OK or CLI_EXIT_USAGE after a message on err. */
int cli_check_common(const cli_table *t, cli_common *c, FILE *err);

/* For a training command: adds the shared options every one of them takes
 * after its own (--batch, --optimizer, the limits, --seed, ...), parses argv
 * (see cli_parse), checks the options (cli_check_common) and applies
 * --threads. Returns CLI_OK, CLI_HELP_SHOWN or CLI_EXIT_USAGE. */
int cli_parse_train(cli_table *t, cli_common *c, int argc, char **argv);

/* Each use of randomness draws from its own generator, seeded from --seed
 * and the stream, so that e.g. sampling never shifts the dropout masks.
 * SHUFFLE orders training examples. */
typedef enum cli_stream {
    CLI_STREAM_INIT,
    CLI_STREAM_DROPOUT,
    CLI_STREAM_SAMPLE,
    CLI_STREAM_SHUFFLE,
    CLI_STREAM_COUNT
} cli_stream;
uint64_t cli_stream_seed(const cli_common *c, cli_stream stream);

/* FNV-1a of n bytes, continuing from h (start from CLI_FNV1A_START): a
 * fingerprint of the data a resumed run must share. */
#define CLI_FNV1A_START 0xcbf29ce484222325ULL
uint64_t cli_fnv1a(uint64_t h, const void *bytes, size_t n);

/* The identity of a training run, which --resume checks: the named options
 * (see cli_to_json), the amount of training data under count_key and the
 * data's fingerprint in hex under hash_key. NULL when out of memory. */
json_t *cli_run_identity(cli_table *t, const char *names, const char *count_key, size_t count, const char *hash_key,
                         uint64_t hash);

/* Applies --threads to the BLAS library. */
void cli_apply_threads(const cli_common *c);

#endif
