#include "translate.h"

#include "commands.h"

static const cli_command translate_commands[] = {
    {"train", "train a model on TSV pairs; keeps the best one on validation pairs", translate_train_main},
    {"eval", "exact match, token error rate and BLEU of a model on TSV pairs", translate_eval_main},
    {"predict", "translate the lines of standard input", translate_predict_main},
};

int translate_main(int argc, char **argv)
{
    return cli_dispatch("recur translate",
                        "Sequence to sequence (e.g. spelling to pronunciation): a recurrent encoder and an attentional "
                        "decoder.",
                        translate_commands, (int)(sizeof translate_commands / sizeof translate_commands[0]), argc, argv);
}
