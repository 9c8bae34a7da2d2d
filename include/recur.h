/*
 * recur — recurrent neural networks and attention in C, computing what
 * PyTorch computes. Include this header for the whole public API:
 *
 *   recur/base.h         scalar type, status codes, errors
 *   recur/tensor.h       tensors
 *   recur/rng.h          seeded random numbers
 *   recur/graph.h        the tape: build, backward, reset
 *   recur/ops.h          differentiable ops and losses
 *   recur/params.h       named parameter lists (state_dict)
 *   recur/nn.h           Linear and Embedding modules
 *   recur/rnn.h          RNN, LSTM, GRU layers and cells
 *   recur/attention.h    attention modules: additive, Luong, scaled dot, multi-head
 *   recur/seq2seq.h      encoder-decoder models: training and greedy, sampling, beam search
 *   recur/optim.h        SGD, Adam, AdamW, gradient clipping
 *   recur/safetensors.h  model files
 *   recur/data.h         UTF-8 text files and character vocabularies
 */
#ifndef RECUR_H
#define RECUR_H

#include "recur/attention.h"
#include "recur/base.h"
#include "recur/data.h"
#include "recur/graph.h"
#include "recur/nn.h"
#include "recur/ops.h"
#include "recur/optim.h"
#include "recur/params.h"
#include "recur/rng.h"
#include "recur/rnn.h"
#include "recur/safetensors.h"
#include "recur/seq2seq.h"
#include "recur/tensor.h"

#endif
