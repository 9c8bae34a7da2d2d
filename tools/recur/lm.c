#include "lm.h"

#include "commands.h"

static const cli_command lm_commands[] = {
    {"train", "train a model on a text; keeps the best one on validation data", lm_train_main},
    {"eval", "loss, perplexity and bits per character of a model on a text", lm_eval_main},
    {"sample", "generate text from a model", lm_sample_main},
};

int lm_main(int argc, char **argv)
{
    return cli_dispatch("recur lm", "Character-level language models: embedding, recurrent layers, linear output.",
                        lm_commands, (int)(sizeof lm_commands / sizeof lm_commands[0]), argc, argv);
}
