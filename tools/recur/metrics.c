#include "metrics.h"

#include <stdlib.h>
#include <string.h>

static void print_value(const json_t *v, FILE *fp)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER: fprintf(fp, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: fprintf(fp, "%.4f", json_real_value(v)); break;
    case JSON_STRING: fputs(json_string_value(v), fp); break;
    case JSON_TRUE: fputs("yes", fp); break;
    case JSON_FALSE: fputs("no", fp); break;
    case JSON_NULL: fputs("-", fp); break;
    default: {
        char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        fputs(s ? s : "?", fp);
        free(s);
    }
    }
}

rc_status cli_emit(json_t *rec, bool json, FILE *fp)
{
    if (!rec) return rc_error(RC_E_NOMEM, "out of memory building a metrics record");
    if (json) {
        json_dumpf(rec, fp, JSON_COMPACT);
    } else {
        const char *key;
        json_t *v;
        const char *sep = "";
        json_object_foreach(rec, key, v)
        {
            fputs(sep, fp);
            if (strcmp(key, "event") != 0) fprintf(fp, "%s ", key);
            print_value(v, fp);
            sep = "  ";
        }
    }
    fputc('\n', fp);
    fflush(fp);
    json_decref(rec);
    return RC_OK;
}
