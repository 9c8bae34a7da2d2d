/*
 * The translate task's pieces that need no model: edit distance and BLEU
 * against values computed by hand (each case shows its arithmetic), the
 * exact-match and token-error-rate scorer, tokenizing characters and words,
 * the token vocabulary with its JSON form and hostile vocabularies, and XML
 * escaping for the attention maps. BLEU values are compared within 1e-12
 * (double arithmetic on a handful of terms); everything else is exact.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/recur/heatmap.h"
#include "../tools/recur/translate.h"
#include "harness.h"

#define BLEU_TOL 1e-12

static size_t edit(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    int x[64], y[64];
    size_t row[65];
    RC_ASSERT(n < 64 && m < 64);
    for (size_t i = 0; i < n; i++) x[i] = a[i];
    for (size_t j = 0; j < m; j++) y[j] = b[j];
    return cli_edit_distance(x, n, y, m, row);
}

static void test_edit_distance(void)
{
    const struct {
        const char *a, *b;
        size_t d;
    } cases[] = {
        {"kitten", "sitting", 3}, /* k→s, e→i, +g */
        {"flaw", "lawn", 2},      /* −f, +n */
        {"", "abc", 3},           /* three insertions */
        {"abc", "", 3},
        {"", "", 0},
        {"same", "same", 0},
        {"abc", "cab", 2},        /* +c, −c */
        {"ab", "ba", 2},          /* no transpositions in Levenshtein */
        {"a", "b", 1},
        {"intention", "execution", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t d = edit(cases[i].a, cases[i].b), back = edit(cases[i].b, cases[i].a);
        RC_CHECK(d == cases[i].d, "d(\"%s\", \"%s\") = %zu, expected %zu", cases[i].a, cases[i].b, d, cases[i].d);
        RC_CHECK(back == d, "not symmetric: %zu and %zu", d, back);
    }
}

static double bleu_of(const int *const *hyps, const size_t *n, const int *const *refs, const size_t *m, int k)
{
    cli_bleu b = {0};
    for (int i = 0; i < k; i++) RC_CHECK_OK(cli_bleu_add(&b, hyps[i], n[i], refs[i], m[i]));
    return cli_bleu_score(&b);
}

static void expect_bleu(const char *what, double got, double want)
{
    RC_CHECK(fabs(got - want) <= BLEU_TOL, "%s: BLEU %.15f, expected %.15f", what, got, want);
    printf("  %-40s BLEU %.12f (expected %.12f)\n", what, got, want);
}

static void test_bleu(void)
{
    /* identical: every precision 1, BP 1 */
    int a[5] = {1, 2, 3, 4, 5};
    const int *h1[1] = {a}, *r1[1] = {a};
    expect_bleu("identical", bleu_of(h1, (size_t[]){5}, r1, (size_t[]){5}, 1), 1);

    /* one substitution in 6: p1 = 5/6, p2 = 3/5, p3 = 2/4, p4 = 1/3, c = r:
     * BLEU = (5/6 · 3/5 · 1/2 · 1/3)^¼ = (1/12)^¼ */
    int h[6] = {1, 2, 3, 4, 5, 6}, r[6] = {1, 2, 3, 4, 7, 6};
    const int *h2[1] = {h}, *r2[1] = {r};
    expect_bleu("one substitution", bleu_of(h2, (size_t[]){6}, r2, (size_t[]){6}, 1), pow(1.0 / 12, 0.25));

    /* clipping: seven 7s against four: p1 = 4/7, p2 = 3/6, p3 = 2/5, p4 =
     * 1/4, c > r so BP 1: (4/7 · 1/2 · 2/5 · 1/4)^¼ = (1/35)^¼ */
    int sevens[7] = {7, 7, 7, 7, 7, 7, 7};
    const int *h3[1] = {sevens}, *r3[1] = {sevens};
    expect_bleu("clipped counts", bleu_of(h3, (size_t[]){7}, r3, (size_t[]){4}, 1), pow(1.0 / 35, 0.25));

    /* brevity: 4 tokens all right against 8: precisions 1, BP = e^(1 − 8/4) */
    int ref8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const int *h4[1] = {ref8}, *r4[1] = {ref8};
    expect_bleu("brevity penalty", bleu_of(h4, (size_t[]){4}, r4, (size_t[]){8}, 1), exp(-1));

    /* corpus statistics are summed before dividing: [1 2 3 4] right and
     * [5 6] against [5 7]: p1 = (4+1)/(4+2), p2 = 3/(3+1), p3 = 2/2, p4 = 1/1,
     * c = r = 6: (5/6 · 3/4)^¼ = (5/8)^¼ (the mean of sentence scores would differ) */
    int s1[4] = {1, 2, 3, 4}, s2h[2] = {5, 6}, s2r[2] = {5, 7};
    const int *h5[2] = {s1, s2h}, *r5[2] = {s1, s2r};
    expect_bleu("two sentences", bleu_of(h5, (size_t[]){4, 2}, r5, (size_t[]){4, 2}, 2), pow(5.0 / 8, 0.25));

    /* no 4-gram anywhere, an empty hypothesis, no 4-gram match: 0 */
    const int *h6[1] = {s2h}, *r6[1] = {s2h};
    expect_bleu("shorter than 4", bleu_of(h6, (size_t[]){2}, r6, (size_t[]){2}, 1), 0);
    expect_bleu("empty hypothesis", bleu_of(h6, (size_t[]){0}, r6, (size_t[]){2}, 1), 0);
    int shuffled[4] = {4, 3, 2, 1};
    const int *h7[1] = {shuffled}, *r7[1] = {s1};
    expect_bleu("no 4-gram match", bleu_of(h7, (size_t[]){4}, r7, (size_t[]){4}, 1), 0);
}

static void test_score(void)
{
    /* two right, one with one substitution of 4: exact 2/3, TER 1 / (3+2+4) */
    int x[4] = {5, 6, 7, 8}, y[4] = {5, 6, 9, 8}, unk[2] = {TR_UNK, 5};
    tr_seq refs[3] = {{x, 3}, {x, 2}, {y, 4}};
    tr_hyp hyps[3] = {{.ids = x, .len = 3}, {.ids = x, .len = 2}, {.ids = x, .len = 4}};
    tr_score sc = {0};
    for (int i = 0; i < 3; i++) RC_CHECK_OK(tr_score_add(&sc, &hyps[i], &refs[i]));
    RC_CHECK(sc.sentences == 3 && sc.exact == 2 && sc.edits == 1 && sc.ref_tokens == 9, "counts %zu %zu %zu %zu",
             sc.sentences, sc.exact, sc.edits, sc.ref_tokens);
    RC_CHECK(tr_score_exact(&sc) == 2.0 / 3 && tr_score_ter(&sc) == 1.0 / 9, "exact %g TER %g", tr_score_exact(&sc),
             tr_score_ter(&sc));

    /* an unknown reference token matches nothing, not even a predicted <unk> */
    tr_score u = {0};
    tr_seq ref = {unk, 2};
    tr_hyp hyp = {.ids = unk, .len = 2};
    RC_CHECK_OK(tr_score_add(&u, &hyp, &ref));
    RC_CHECK(u.exact == 0 && u.edits == 1, "unknown reference token: exact %zu edits %zu", u.exact, u.edits);
}

static void expect_tokens(const char *text, tr_token_mode mode, const char *const *want, size_t k)
{
    tr_span spans[16];
    size_t n = tr_tokenize(text, mode, spans, 16);
    RC_CHECK(n == k, "\"%s\": %zu tokens, expected %zu", text, n, k);
    for (size_t i = 0; i < n && i < k; i++)
        RC_CHECK(spans[i].len == strlen(want[i]) && memcmp(text + spans[i].start, want[i], spans[i].len) == 0,
                 "\"%s\" token %zu is \"%.*s\", expected \"%s\"", text, i, (int)spans[i].len, text + spans[i].start,
                 want[i]);
}

static void test_tokenize(void)
{
    const char *chars[4] = {"n", "\xC3\xA9", " ", "\xE2\x82\xAC"};
    expect_tokens("n\xC3\xA9 \xE2\x82\xAC", TR_CHARS, chars, 4);
    const char *words[3] = {"HH", "AH", "\xC3\xA9"};
    expect_tokens("  HH AH   \xC3\xA9 ", TR_WORDS, words, 3);
    expect_tokens("   ", TR_WORDS, NULL, 0);
    /* fewer spans than tokens: the count is still the whole */
    tr_span one[1];
    RC_CHECK(tr_tokenize("abc", TR_CHARS, one, 1) == 3 && one[0].len == 1, "count past max");
}

static void test_vocab(void)
{
    /* texts with a stride of 2, as the cells of a TSV: only even ones count */
    const char *cells[6] = {"b a", "x", "a c", "y", "<eos> b", "z"};
    tr_vocab v;
    RC_CHECK_OK(tr_vocab_build(&v, cells, 3, 2, TR_WORDS));
    const char *want[7] = {"<pad>", "<bos>", "<eos>", "<unk>", "a", "b", "c"};
    RC_CHECK(v.size == 7, "size %d, expected 7 (a spelled-out special token is no token)", v.size);
    for (int i = 0; i < 7 && i < v.size; i++)
        RC_CHECK(strcmp(v.tokens[i], want[i]) == 0, "id %d is \"%s\", expected \"%s\"", i, v.tokens[i], want[i]);
    RC_CHECK(tr_vocab_id(&v, "c", 1) == 6 && tr_vocab_id(&v, "ab", 1) == 4 && tr_vocab_id(&v, "x", 1) == TR_UNK,
             "lookups");
    RC_CHECK(tr_vocab_id(&v, "<eos>", 5) == TR_UNK && tr_vocab_id(&v, "<pad>", 5) == TR_UNK,
             "special tokens in a text read as <unk>");

    json_t *j = tr_vocab_json(&v);
    tr_vocab back;
    RC_CHECK_OK(tr_vocab_from_json(&back, j, TR_WORDS, "vocab"));
    RC_CHECK(back.size == v.size && tr_vocab_id(&back, "b", 1) == 5, "round trip");
    tr_vocab_free(&back);
    json_decref(j);
    tr_vocab_free(&v);

    const struct {
        const char *json;
        tr_token_mode mode;
        const char *why;
    } bad[] = {
        {"{}", TR_CHARS, "expected an array"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\"]", TR_CHARS, "at least 4"},
        {"[\"<pad>\",\"<bos>\",\"<unk>\",\"<eos>\"]", TR_CHARS, "entry 2 is \"<unk>\", expected \"<eos>\""},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"ab\"]", TR_CHARS, "entry 4 is not a single character"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"a b\"]", TR_WORDS, "entry 4 is not a single space-free"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"\"]", TR_WORDS, "entry 4 is not a single"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"a\",\"a\"]", TR_CHARS, "\"a\" appears twice"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"<pad>\"]", TR_WORDS, "\"<pad>\" appears twice"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",7]", TR_CHARS, "entry 4 is not a string"},
        {"[\"<pad>\",\"<bos>\",\"<eos>\",\"<unk>\",\"a\\u0000b\"]", TR_WORDS, "entry 4 is not a string without NUL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *b = json_loads(bad[i].json, JSON_ALLOW_NUL, NULL);
        RC_CHECK(b != NULL, "case %zu parses as JSON", i);
        rc_status s = tr_vocab_from_json(&back, b, bad[i].mode, "vocab");
        RC_CHECK(s == RC_E_FORMAT && strstr(rc_last_error(), bad[i].why), "case %zu: %s (expected \"%s\")", i,
                 rc_last_error(), bad[i].why);
        RC_CHECK(back.tokens == NULL && back.size == 0, "case %zu: nothing kept", i);
        json_decref(b);
    }
}

static void test_xml_escape(void)
{
    char *out = NULL;
    size_t n;
    FILE *fp = open_memstream(&out, &n);
    /* the five specials, a control character, é kept as UTF-8 */
    cli_xml_escape(fp, "<a href=\"x\">&'\x01\xC3\xA9");
    fclose(fp);
    const char *want = "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#xFFFD;\xC3\xA9";
    RC_CHECK(out && strcmp(out, want) == 0, "escaped \"%s\", expected \"%s\"", out ? out : "", want);
    free(out);
}

int main(void)
{
    RC_RUN(test_edit_distance);
    RC_RUN(test_bleu);
    RC_RUN(test_score);
    RC_RUN(test_tokenize);
    RC_RUN(test_vocab);
    RC_RUN(test_xml_escape);
    return rc_test_finish();
}
