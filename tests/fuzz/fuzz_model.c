/*
 * libFuzzer target: loading model files of the recur program with the
 * loader of every task (lm, classify, tag, translate): the safetensors
 * container, the "format" and "task" metadata, the "config" JSON read
 * through the option table, the vocabularies, building the network the
 * config describes and the strict load of its parameters.
 *
 * Each input is tried raw and framed (rc_fuzz_framed_file), as in
 * fuzz_safetensors.c. Checked: a refusal names the file and leaves nothing
 * behind; a loaded lm has one embedding row and one output per id of its
 * vocabulary and the sizes of its config. The memory limit of the fuzzer
 * (-rss_limit_mb, which also bounds single allocations) catches a file that
 * makes a loader allocate far more than its own size.
 */
#include <string.h>

#include "../../tools/recur/classify.h"
#include "../../tools/recur/lm.h"
#include "../../tools/recur/tag.h"
#include "../../tools/recur/translate.h"
#include "support/fuzz.h"

static void check_refusal(const char *path, rc_status s, bool left_behind)
{
    RC_FUZZ_CHECK(!left_behind, "a failed load left a model behind");
    RC_FUZZ_CHECK(strstr(rc_last_error(), path) != NULL, "%s: message '%s' lacks the path", rc_status_str(s),
                  rc_last_error());
}

static void check_shape(const lm_model *m, const char *name, int rows, int cols)
{
    const rc_tensor *t = rc_params_find(m->params, name);
    int shape[2] = {rows, cols};
    RC_FUZZ_CHECK(t && rc_tensor_has_shape(t, cols ? 2 : 1, shape), "%s is missing or misshapen", name);
}

static void load_lm(const char *path)
{
    lm_model m;
    rc_vocab *vocab = (rc_vocab *)&vocab;
    rc_status s = lm_model_load(&m, &vocab, path);
    if (s != RC_OK) {
        check_refusal(path, s, vocab != NULL || m.params != NULL);
        return;
    }
    int v = rc_vocab_size(vocab);
    RC_FUZZ_CHECK(m.vocab_size == v, "model of %d ids, vocabulary of %d", m.vocab_size, v);
    check_shape(&m, "embed.weight", v, m.arch.embed);
    check_shape(&m, "head.weight", v, m.arch.hidden);
    check_shape(&m, "head.bias", v, 0);
    lm_model_free(&m);
    rc_vocab_free(vocab);
}

static void load_classify(const char *path)
{
    classify_model m;
    rc_status s = classify_model_load(&m, path);
    if (s != RC_OK) check_refusal(path, s, m.params != NULL);
    classify_model_free(&m);
}

static void load_tag(const char *path)
{
    tag_model m;
    rc_status s = tag_model_load(&m, path);
    if (s != RC_OK) check_refusal(path, s, m.params != NULL);
    tag_model_free(&m);
}

static void load_translate(const char *path)
{
    tr_model m;
    rc_status s = tr_model_load(&m, path);
    if (s != RC_OK) check_refusal(path, s, m.params != NULL);
    tr_model_free(&m);
}

static void load_all(const char *path)
{
    load_lm(path);
    load_classify(path);
    load_tag(path);
    load_translate(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_all(rc_fuzz_file(data, size));
    load_all(rc_fuzz_framed_file(data, size));
    return 0;
}
