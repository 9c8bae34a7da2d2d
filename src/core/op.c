#include "core/op.h"

#include "recur/base.h"

static const char *const op_names[] = {
    [RC_OP_LINEAR] = "linear",
    [RC_OP_MATMUL] = "matmul",
    [RC_OP_BMM] = "bmm",
    [RC_OP_ADD] = "add",
    [RC_OP_MUL] = "mul",
    [RC_OP_SCALE] = "scale",
    [RC_OP_CONCAT] = "concat",
    [RC_OP_SLICE] = "slice",
    [RC_OP_TRANSPOSE] = "transpose",
    [RC_OP_SUM] = "sum",
    [RC_OP_MEAN] = "mean",
    [RC_OP_EMBEDDING] = "embedding",
    [RC_OP_SIGMOID] = "sigmoid",
    [RC_OP_TANH] = "tanh",
    [RC_OP_RELU] = "relu",
    [RC_OP_LEAKY_RELU] = "leaky_relu",
    [RC_OP_SOFTMAX] = "softmax",
    [RC_OP_LOG_SOFTMAX] = "log_softmax",
    [RC_OP_DROPOUT] = "dropout",
    [RC_OP_CROSS_ENTROPY] = "cross_entropy",
    [RC_OP_NLL] = "nll",
    [RC_OP_MSE] = "mse",
    [RC_OP_BCE_LOGITS] = "bce_with_logits",
    [RC_OP_RNN_LAYER] = "rnn_layer",
    [RC_OP_RNN_CELL] = "rnn_cell",
    [RC_OP_ATTENTION_TUTORIAL] = "attention_tutorial",
    [RC_OP_ATTENTION_ADDITIVE] = "attention_additive",
    [RC_OP_ATTENTION_DOT] = "attention_dot",
    [RC_OP_ATTENTION_GENERAL] = "attention_general",
    [RC_OP_ATTENTION_CONCAT] = "attention_concat",
    [RC_OP_ATTENTION_SCALED_DOT] = "attention_scaled_dot",
    [RC_OP_MULTIHEAD_ATTENTION] = "multihead_attention",
    [RC_OP_POOL_MEAN] = "pool_mean",
    [RC_OP_POOL_MAX] = "pool_max",
};

_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == RC_OP_COUNT,
               "op_names must name every rc_op");

const char *rc_op_name(rc_op op)
{
    RC_ASSERT(op >= 0 && op < RC_OP_COUNT && op_names[op] != NULL);
    return op_names[op];
}
