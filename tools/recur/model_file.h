/*
 * Model files of the recur program: one safetensors file holding the
 * parameters under their PyTorch state_dict names, and in __metadata__
 *
 *   "format"  "recur"
 *   "task"    the command that made it ("lm")
 *   "config"  JSON object of the options that define the network, named as
 *             on the command line: {"cell":"lstm","layers":2,...}
 *   "vocab"   JSON array of the tokens, entry i is id i: ["<unk>","\n",...]
 *
 * plus any keys a task adds. Checkpoints are model files with more tensors
 * (optimizer state, carried state) and a "checkpoint" key. Any safetensors
 * reader can load them:
 *
 *     from safetensors import safe_open
 *     with safe_open("moby.model", "pt") as f:
 *         config = json.loads(f.metadata()["config"])
 */
#ifndef RECUR_TOOL_MODEL_FILE_H
#define RECUR_TOOL_MODEL_FILE_H

#include <jansson.h>

#include "options.h"
#include "recur/data.h"
#include "recur/rnn.h"
#include "recur/safetensors.h"

/* Writes ps with metadata: "format", "task", then the n pairs of extra (the
 * task's "config", "vocab", ...). Atomic, as rc_st_save_params. */
rc_status cli_model_save(const char *path, const rc_params *ps, const char *task, const rc_st_kv *extra, size_t n);

/* Opens a model file and checks its "format" and "task". Errors: those of
 * rc_st_open; RC_E_FORMAT naming the file when it is not a recur model of
 * this task. Close *out with rc_st_close(). */
rc_status cli_model_open(rc_st_file **out, const char *path, const char *task);

/* Parses metadata value `key` of f as JSON (the caller releases it with
 * json_decref). Errors: RC_E_FORMAT naming the file and key when it is
 * missing or not valid JSON. */
rc_status cli_model_json(const rc_st_file *f, const char *path, const char *key, json_t **out);

/* Sets the named options of t from the JSON object in metadata "config" of
 * f (see cli_from_json). Errors: RC_E_FORMAT naming the file and option. */
rc_status cli_model_config(const rc_st_file *f, const char *path, cli_table *t, const char *names);

/* Reads the token vocabulary in metadata `key` of f, with or without the
 * specials <pad> and <unk> (see rc_token_vocab_from_json). Errors:
 * RC_E_FORMAT naming the file and key, RC_E_NOMEM. Free *out with
 * rc_token_vocab_free(). */
rc_status cli_model_tokens(const rc_st_file *f, const char *path, const char *key, bool specials, rc_token_vocab **out);

/* The compact JSON text of j, which it releases (the reference is stolen, so
 * that cli_to_json() can be passed directly); NULL when j is NULL or out of
 * memory. The caller frees the text. */
char *cli_json_text(json_t *j);

/* Refuses, before the network is built, a model whose "config" and
 * vocabularies need more parameter values than the tensors of f hold:
 * `values` is what the network needs, or a lower bound of it that grows
 * with every size option. The strict load would refuse such a file too, but
 * only after building the network, and the option limits let a file of a
 * few bytes ask for terabytes. Errors: RC_E_FORMAT naming the file. */
rc_status cli_model_fits(const rc_st_file *f, const char *path, uint64_t values);

/* The parameter values of a stack of recurrent layers with biases (see
 * recur/rnn.h), exact and without overflow at the option limits. */
uint64_t cli_rnn_values(rc_rnn_mode mode, int input, int hidden, int layers, bool bidirectional);

/* Reads the vocabulary in metadata "vocab" of f. Errors: RC_E_FORMAT naming
 * the file, RC_E_NOMEM. Free *out with rc_vocab_free(). */
rc_status cli_model_vocab(const rc_st_file *f, const char *path, rc_vocab **out);

#endif
