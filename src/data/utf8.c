/*
 * UTF-8 decoding and encoding with the validation of RFC 3629: the decoder
 * accepts exactly the well-formed sequences of the Unicode standard's
 * table 3-7 and says why it rejects anything else.
 */
#include "recur/data.h"

static bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

/* The sequence length announced by a lead byte, or 0 if b cannot start one. */
static int lead_length(unsigned char b)
{
    if (b < 0x80) return 1;
    if (b < 0xC0) return 0;
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 3;
    if (b < 0xF8) return 4;
    return 0;
}

int rc_utf8_next(const unsigned char *s, size_t n, uint32_t *cp, const char **why)
{
    static const uint32_t min_for_length[5] = {0, 0, 0x80, 0x800, 0x10000};
    RC_ASSERT(n >= 1);
    int len = lead_length(s[0]);
    if (len == 0) {
        *why = is_continuation(s[0]) ? "unexpected continuation byte" : "invalid byte";
        return 0;
    }
    if (len == 1) {
        *cp = s[0];
        return 1;
    }
    uint32_t v = s[0] & (0x7F >> len);
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n || !is_continuation(s[i])) {
            *why = "truncated sequence";
            return 0;
        }
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min_for_length[len]) *why = "overlong encoding";
    else if (v >= 0xD800 && v <= 0xDFFF) *why = "surrogate code point";
    else if (v > 0x10FFFF) *why = "code point above U+10FFFF";
    else {
        *cp = v;
        return len;
    }
    return 0;
}

int rc_utf8_encode(uint32_t cp, char buf[4])
{
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    int len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead_mark[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (int i = len - 1; i > 0; i--) {
        buf[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    buf[0] = (char)(lead_mark[len] | cp);
    return len;
}
