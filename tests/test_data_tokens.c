/*
 * The tokenizer (words at ASCII whitespace, characters as code points) and
 * the token vocabulary: ids in byte order after <pad> and <unk>, --min-count,
 * unknown tokens, the JSON form and its hostile-input checks. Expected ids
 * and tokens are written out by hand; everything is exact.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Tokenizes text and compares with the tokens of want separated by '|'. */
static void expect_tokens(const char *text, rc_token_kind kind, const char *want)
{
    rc_str toks[32];
    size_t n = rc_tokenize(text, strlen(text), kind, toks, 32);
    char got[256] = "";
    size_t at = 0;
    for (size_t i = 0; i < n && i < 32; i++)
        at += (size_t)snprintf(got + at, sizeof got - at, "%s%.*s", i ? "|" : "", (int)toks[i].n, toks[i].s);
    RC_CHECK(strcmp(got, want) == 0, "%s tokens of '%s': '%s', expected '%s'", rc_token_kind_name(kind), text, got, want);
}

static void test_tokenize(void)
{
    expect_tokens("  the cat\tsat.\n\r\v\fon ", RC_TOKENS_WORD, "the|cat|sat.|on");
    expect_tokens("", RC_TOKENS_WORD, "");
    expect_tokens(" \t ", RC_TOKENS_WORD, "");
    expect_tokens("né e", RC_TOKENS_CHAR, "n|é| |e");
    expect_tokens("a\xE2\x82\xAC\xF0\x9F\x98\x80", RC_TOKENS_CHAR, "a|€|😀");
    /* an ill-formed byte is a token of its own */
    expect_tokens("a\xFF" "b", RC_TOKENS_CHAR, "a|\xFF|b");
    /* the count goes on past max */
    rc_str one;
    RC_CHECK(rc_tokenize("a b c", 5, RC_TOKENS_WORD, &one, 1) == 3 && one.n == 1 && one.s[0] == 'a', "count past max");
    RC_CHECK(rc_tokenize("abc", 3, RC_TOKENS_CHAR, NULL, 0) == 3, "count only");
}

static rc_str S(const char *s) { return (rc_str){s, strlen(s)}; }

static void test_vocab_build(void)
{
    rc_str toks[] = {S("the"), S("cat"), S("the"), S("a"), S("Zebra"), S("cat"), S("the"), S("<unk>"), S("dog")};
    size_t n = sizeof toks / sizeof toks[0];
    rc_token_vocab *v;
    RC_CHECK_OK(rc_token_vocab_build(&v, toks, n, 1, true));
    /* byte order: "Zebra" < "a" < "cat" < "dog" < "the"; the literal <unk> is the special */
    const char *want[] = {"<pad>", "<unk>", "Zebra", "a", "cat", "dog", "the"};
    RC_CHECK(rc_token_vocab_size(v) == 7 && rc_token_vocab_has_specials(v), "size %d", rc_token_vocab_size(v));
    for (int i = 0; i < 7 && i < rc_token_vocab_size(v); i++) {
        RC_CHECK(strcmp(rc_token_vocab_token(v, i), want[i]) == 0, "id %d: '%s'", i, rc_token_vocab_token(v, i));
        RC_CHECK(rc_token_vocab_id(v, want[i], strlen(want[i])) == i, "id of '%s'", want[i]);
    }
    RC_CHECK(rc_token_vocab_id(v, "cow", 3) == RC_TOKEN_UNK && rc_token_vocab_id(v, "the", 2) == RC_TOKEN_UNK &&
                 rc_token_vocab_id(v, "", 0) == RC_TOKEN_UNK,
             "unknown tokens read as <unk>");
    rc_token_vocab_free(v);

    /* --min-count 2: only "the" (3) and "cat" (2) stay */
    RC_CHECK_OK(rc_token_vocab_build(&v, toks, n, 2, true));
    RC_CHECK(rc_token_vocab_size(v) == 4 && rc_token_vocab_id(v, "cat", 3) == 2 && rc_token_vocab_id(v, "the", 3) == 3 &&
                 rc_token_vocab_id(v, "dog", 3) == RC_TOKEN_UNK,
             "min-count 2: size %d", rc_token_vocab_size(v));
    rc_token_vocab_free(v);

    /* without specials: labels from 0, unknown is -1 */
    rc_str labels[] = {S("pos"), S("neg"), S("pos")};
    RC_CHECK_OK(rc_token_vocab_build(&v, labels, 3, 1, false));
    RC_CHECK(rc_token_vocab_size(v) == 2 && rc_token_vocab_id(v, "neg", 3) == 0 && rc_token_vocab_id(v, "pos", 3) == 1 &&
                 rc_token_vocab_id(v, "mixed", 5) == -1 && !rc_token_vocab_has_specials(v),
             "labels");
    rc_token_vocab_free(v);

    RC_CHECK(rc_token_vocab_build(&v, toks, n, 0, true) == RC_E_INVALID, "min-count 0 refused");
    RC_CHECK_OK(rc_token_vocab_build(&v, NULL, 0, 1, true));
    RC_CHECK(rc_token_vocab_size(v) == 2, "empty: the specials only");
    rc_token_vocab_free(v);
}

/* Many tokens: every one finds its id through the hash table. */
static void test_vocab_many(void)
{
    enum { N = 5000 };
    char *buf = malloc(N * 8);
    rc_str *toks = malloc(N * sizeof *toks);
    if (!buf || !toks) {
        free(buf);
        free(toks);
        return;
    }
    for (int i = 0; i < N; i++) {
        int len = snprintf(buf + i * 8, 8, "w%d", i);
        toks[i] = (rc_str){buf + i * 8, (size_t)len};
    }
    rc_token_vocab *v;
    RC_CHECK_OK(rc_token_vocab_build(&v, toks, N, 1, true));
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        int id = rc_token_vocab_id(v, toks[i].s, toks[i].n);
        wrong += id < 2 || strcmp(rc_token_vocab_token(v, id), buf + i * 8) != 0;
    }
    RC_CHECK(rc_token_vocab_size(v) == N + 2 && wrong == 0, "size %d, %d wrong ids", rc_token_vocab_size(v), wrong);
    rc_token_vocab_free(v);
    free(buf);
    free(toks);
}

static void test_vocab_json(void)
{
    rc_str toks[] = {S("é"), S("the"), S("\"q\"")};
    rc_token_vocab *v, *w;
    RC_CHECK_OK(rc_token_vocab_build(&v, toks, 3, 1, true));
    char *json;
    RC_CHECK_OK(rc_token_vocab_to_json(v, &json));
    RC_CHECK(strcmp(json, "[\"<pad>\",\"<unk>\",\"\\\"q\\\"\",\"the\",\"é\"]") == 0, "json %s", json);
    RC_CHECK_OK(rc_token_vocab_from_json(&w, json, true));
    RC_CHECK(rc_token_vocab_size(w) == 5 && rc_token_vocab_id(w, "é", strlen("é")) == 4 &&
                 rc_token_vocab_id(w, "\"q\"", 3) == 2,
             "read back");
    rc_token_vocab_free(w);
    free(json);
    rc_token_vocab_free(v);
    /* ids follow the array, which need not be sorted */
    RC_CHECK_OK(rc_token_vocab_from_json(&w, "[\"pos\",\"neg\"]", false));
    RC_CHECK(rc_token_vocab_id(w, "pos", 3) == 0 && rc_token_vocab_id(w, "neg", 3) == 1, "array order");
    rc_token_vocab_free(w);
}

static void expect_json_error(const char *json, bool specials, const char *part)
{
    rc_token_vocab *v = (rc_token_vocab *)1;
    rc_status s = rc_token_vocab_from_json(&v, json, specials);
    RC_CHECK(s == RC_E_FORMAT && v == NULL && strstr(rc_last_error(), part), "'%s': %s '%s'", json, rc_status_str(s),
             rc_last_error());
}

static void test_vocab_json_errors(void)
{
    expect_json_error("[\"<pad>\",\"<unk>\",\"a\"", true, "invalid JSON");
    expect_json_error("{\"a\":1}", true, "expected a JSON array");
    expect_json_error("[\"<pad>\"]", true, "at least");
    expect_json_error("[\"<unk>\",\"<pad>\",\"a\"]", true, "entry 0 must be \"<pad>\"");
    expect_json_error("[\"<pad>\",\"<unk>\",\"a\",\"a\"]", true, "entry 3 repeats entry 2");
    expect_json_error("[\"<pad>\",\"<unk>\",\"<unk>\"]", true, "entry 2 repeats the special");
    expect_json_error("[\"<pad>\",\"<unk>\",3]", true, "entry 2 is not a string");
    expect_json_error("[\"<pad>\",\"<unk>\",\"\"]", true, "entry 2 is an empty string");
    expect_json_error("[\"a\",\"b\\u0000c\"]", false, "invalid JSON");
    expect_json_error("[\"a\",\"b\",\"a\"]", false, "entry 2 repeats entry 0");
}

int main(void)
{
    RC_RUN(test_tokenize);
    RC_RUN(test_vocab_build);
    RC_RUN(test_vocab_many);
    RC_RUN(test_vocab_json);
    RC_RUN(test_vocab_json_errors);
    return rc_test_finish();
}
