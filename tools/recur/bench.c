/*
 * `recur bench` and the bench/ drivers: one option table, one record.
 */
#include "bench.h"

#include <limits.h>

#include "common.h"
#include "encoder.h"
#include "metrics.h"

static const char *const mode_names[] = {"infer", "train", NULL};

static const char about[] =
    "Times one recurrent layer stack (as nn.RNN, nn.LSTM, nn.GRU) on random data, sequence-first\n"
    "(T, B, I). A call is one forward pass (infer, no gradients) or forward and backward from a fixed\n"
    "upstream gradient on the output (train: the input and every parameter get gradients; no\n"
    "optimizer step). Prints the median, min and max ms per call over --iters timed calls after\n"
    "--warmup untimed ones, tokens/s = T·B / median, and GFLOP/s = flops / median, where flops counts\n"
    "matrix products only: 2·T·B·G·H·(I_k + H) per layer and direction (G gates: 4 lstm, 3 gru,\n"
    "1 rnn; I_k = I for the first layer, D·H above), times 3 for train.";

/* The result as a metrics record, cell named as --cell spells it. */
static json_t *bench_record(const char *cell, const bench_opts *o, const bench_result *r)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:i, s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:I}",
                     "impl", r->impl, "cell", cell, "mode", mode_names[o->train], "T", o->T, "B", o->B, "I", o->I,
                     "H", o->H, "layers", o->L, "bidirectional", o->bidirectional, "threads", r->threads, "simd",
                     r->simd, "iters", o->iters, "median_ms", r->median_ms, "min_ms", r->min_ms, "max_ms", r->max_ms,
                     "tokens_per_s", r->tokens_per_s, "gflops", r->gflops, "flops", (json_int_t)r->flops);
}

int bench_command(const char *cmd, bench_impl impl, int argc, char **argv)
{
    cli_common c = cli_common_defaults;
    enc_opts e = enc_opts_defaults;
    c.layers = 1;
    e.bidirectional = false;
    int T = 100, I = 256, train = 0, iters = 20, warmup = 3;
    cli_table t;
    cli_table_init(&t, cmd, "[options]", about);
    cli_add_common(&t, &c, "cell");
    cli_add(&t, (cli_opt){.name = "seq-len", .type = CLI_INT, .field = &T, .meta = "T", .min = 1, .max = 1000000,
                          .help = "time steps per sequence"});
    cli_add_common(&t, &c, "batch");
    cli_add(&t, (cli_opt){.name = "input", .type = CLI_INT, .field = &I, .meta = "I", .min = 1, .max = 65536,
                          .help = "input features"});
    cli_add_common(&t, &c, "hidden layers");
    enc_add_opts(&t, &e, "bidirectional");
    cli_add(&t, (cli_opt){.name = "mode", .type = CLI_CHOICE, .field = &train, .choices = mode_names,
                          .help = "forward only, or forward and backward"});
    cli_add_common_as(&t, &c, "threads", NULL, "threads of the recurrent layers and of BLAS", false);
    cli_add(&t, (cli_opt){.name = "iters", .type = CLI_INT, .field = &iters, .meta = "N", .min = 1, .max = INT_MAX,
                          .help = "timed calls"});
    cli_add(&t, (cli_opt){.name = "warmup", .type = CLI_INT, .field = &warmup, .meta = "N", .min = 0,
                          .max = INT_MAX, .help = "untimed calls first"});
    cli_add_common_as(&t, &c, "json", NULL, "print the result as one JSON object", false);
    int rc = cli_parse(&t, argc, argv, stdout, stderr);
    if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
    cli_apply_threads(&c);

    bench_opts o = {.mode = cli_cell_mode(&c), .T = T, .B = c.batch, .I = I, .H = c.hidden, .L = c.layers,
                    .bidirectional = e.bidirectional, .train = train, .threads = c.threads, .iters = iters,
                    .warmup = warmup};
    bench_result r = {0};
    char cell[CLI_NAME_MAX];
    cli_format(cli_find(&t, "cell"), cell, sizeof cell);
    rc_status s = impl(&o, &r);
    if (s == RC_OK) s = cli_emit(bench_record(cell, &o, &r), c.json, stdout);
    return cli_exit_status(&t, s);
}

int bench_main(int argc, char **argv) { return bench_command("recur bench", bench_recur, argc, argv); }
