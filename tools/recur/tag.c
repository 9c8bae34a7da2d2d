#include "tag.h"

#include "commands.h"

static const cli_command tag_commands[] = {
    {"train", "train a tagger on word/TAG lines or CoNLL columns; keeps the best one on validation data",
     tag_train_main},
    {"eval", "token accuracy (and entity F1 for BIO tags) of a model, or of the most-frequent-tag baseline",
     tag_eval_main},
    {"predict", "tags for the sentences of standard input, one a line", tag_predict_main},
};

int tag_main(int argc, char **argv)
{
    return cli_dispatch("recur tag", "Sequence tagging: word and character features, recurrent layers, a linear output "
                        "at every token.", tag_commands, (int)(sizeof tag_commands / sizeof tag_commands[0]), argc, argv);
}
