#include "classify.h"

#include "commands.h"

static const cli_command classify_commands[] = {
    {"train", "train a text classifier on LABEL<TAB>TEXT lines; keeps the best one on validation data",
     classify_train_main},
    {"eval", "accuracy, macro-F1 and confusion matrix of a model on LABEL<TAB>TEXT lines", classify_eval_main},
    {"predict", "the label and its probability for each line of standard input", classify_predict_main},
};

int classify_main(int argc, char **argv)
{
    return cli_dispatch("recur classify", "Text classification: token embeddings, recurrent layers, pooling, linear output.",
                        classify_commands, (int)(sizeof classify_commands / sizeof classify_commands[0]), argc, argv);
}
