/*
 * The op registry: every node on the tape names its op with one of these.
 * Adding an op means adding it here and to the name table in op.c; the static
 * assertion there fails to compile until both agree.
 */
#ifndef RC_CORE_OP_H
#define RC_CORE_OP_H

typedef enum rc_op {
    RC_OP_LINEAR,
    RC_OP_MATMUL,
    RC_OP_BMM,
    RC_OP_ADD,
    RC_OP_MUL,
    RC_OP_SCALE,
    RC_OP_CONCAT,
    RC_OP_SLICE,
    RC_OP_TRANSPOSE,
    RC_OP_SUM,
    RC_OP_MEAN,
    RC_OP_EMBEDDING,
    RC_OP_SIGMOID,
    RC_OP_TANH,
    RC_OP_RELU,
    RC_OP_LEAKY_RELU,
    RC_OP_SOFTMAX,
    RC_OP_LOG_SOFTMAX,
    RC_OP_DROPOUT,
    RC_OP_CROSS_ENTROPY,
    RC_OP_NLL,
    RC_OP_MSE,
    RC_OP_BCE_LOGITS,
    RC_OP_RNN_LAYER,
    RC_OP_RNN_CELL,
    RC_OP_ATTENTION_TUTORIAL,
    RC_OP_ATTENTION_ADDITIVE,
    RC_OP_ATTENTION_DOT,
    RC_OP_ATTENTION_GENERAL,
    RC_OP_ATTENTION_CONCAT,
    RC_OP_ATTENTION_SCALED_DOT,
    RC_OP_MULTIHEAD_ATTENTION,
    RC_OP_POOL_MEAN,
    RC_OP_POOL_MAX,
    RC_OP_COUNT
} rc_op;

/* "linear", "rnn_layer", ... */
const char *rc_op_name(rc_op op);

#endif
