/*
 * recur — train and use recurrent networks from the command line. One
 * subcommand per task, each with the same conventions: `--help` generated
 * from the option table, usage errors with exit status 2, errors on stderr,
 * results on stdout (`--json` for one JSON object per line).
 */
#include "bench.h"
#include "classify.h"
#include "commands.h"
#include "lm.h"
#include "tag.h"
#include "translate.h"

static const cli_command tasks[] = {
    {"lm", "character-level language model: train, eval, sample", lm_main},
    {"classify", "text classification: train, eval, predict", classify_main},
    {"tag", "sequence tagging (part of speech, entities): train, eval, predict", tag_main},
    {"translate", "sequence to sequence over TSV pairs: train, eval, predict", translate_main},
    {"bench", "time one recurrent layer stack: ms per call, tokens/s, GFLOP/s", bench_main},
};

int main(int argc, char **argv)
{
    return cli_dispatch("recur", "Recurrent networks (RNN, LSTM, GRU) that compute what PyTorch computes.", tasks,
                        (int)(sizeof tasks / sizeof tasks[0]), argc - 1, argv + 1);
}
