/*
 * The texts of the lm commands: whole UTF-8 files read as code points, with
 * the checks of every data file that decoding alone leaves out.
 */
#include "lm.h"

rc_status lm_read_text(rc_text *text, const char *path)
{
    rc_status s = rc_text_read(text, path, RC_TEXT_MAX_BYTES);
    if (s != RC_OK) return s;
    /* U+0000 is well-formed UTF-8 but no character of a text: a NUL byte
     * marks a binary file, and every line-oriented reader refuses it too */
    size_t line = 1, col = 1;
    for (size_t i = 0; i < text->n; i++) {
        if (text->cps[i] == 0) {
            rc_text_free(text);
            return rc_error(RC_E_FORMAT, "'%s': NUL byte at line %zu, column %zu", path, line, col);
        }
        if (text->cps[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return RC_OK;
}
