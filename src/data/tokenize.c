/*
 * The tokenizer: words split at ASCII whitespace, or single code points.
 */
#include "recur/data.h"

static const char *const kind_names[] = {"word", "char"};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == RC_TOKEN_KIND_COUNT, "a name per token kind");

const char *rc_token_kind_name(rc_token_kind k)
{
    RC_ASSERT(k >= 0 && k < RC_TOKEN_KIND_COUNT);
    return kind_names[k];
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/* The length of the token starting at text[i] (not a space for words). */
static size_t token_length(const char *text, size_t n, size_t i, rc_token_kind kind)
{
    if (kind == RC_TOKENS_WORD) {
        size_t j = i;
        while (j < n && !is_space(text[j])) j++;
        return j - i;
    }
    uint32_t cp;
    const char *why;
    int len = rc_utf8_next((const unsigned char *)text + i, n - i, &cp, &why);
    return len > 0 ? (size_t)len : 1;
}

size_t rc_tokenize(const char *text, size_t n, rc_token_kind kind, rc_str *out, size_t max)
{
    RC_ASSERT(kind >= 0 && kind < RC_TOKEN_KIND_COUNT);
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        if (kind == RC_TOKENS_WORD && is_space(text[i])) {
            i++;
            continue;
        }
        size_t len = token_length(text, n, i, kind);
        if (count < max) out[count] = (rc_str){text + i, len};
        count++;
        i += len;
    }
    return count;
}
