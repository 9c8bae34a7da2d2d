/*
 * The option table engine: parsing, validation, help and JSON, all driven by
 * the same entries so they cannot drift apart.
 */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { HELP_COLUMN = 30, WHY_MAX = 256 };

void cli_table_init(cli_table *t, const char *cmd, const char *args, const char *about)
{
    memset(t, 0, sizeof *t);
    t->cmd = cmd;
    t->args = args;
    t->about = about;
}

static int find_index(const cli_table *t, const char *name, size_t len)
{
    for (int i = 0; i < t->n; i++)
        if (strlen(t->opts[i].name) == len && strncmp(t->opts[i].name, name, len) == 0) return i;
    return -1;
}

static int choice_count(const cli_opt *o)
{
    int k = 0;
    while (o->choices[k]) k++;
    return k;
}

static bool in_range(const cli_opt *o, double v) { return isfinite(v) && v >= o->min && v <= o->max; }

/* The default held by the field must itself be valid, or --help would
 * advertise a value the parser rejects. */
static bool default_is_valid(const cli_opt *o)
{
    switch (o->type) {
    case CLI_INT: return in_range(o, *(int *)o->field);
    case CLI_REAL: return in_range(o, *(double *)o->field);
    case CLI_CHOICE: return *(int *)o->field >= 0 && *(int *)o->field < choice_count(o);
    default: return true;
    }
}

void cli_add(cli_table *t, cli_opt o)
{
    RC_ASSERT(t->n < CLI_MAX_OPTS);
    RC_ASSERT(o.name && o.field && o.help && o.type < CLI_TYPE_COUNT);
    RC_ASSERT(find_index(t, o.name, strlen(o.name)) < 0);
    RC_ASSERT(o.type != CLI_CHOICE || o.choices);
    RC_ASSERT(default_is_valid(&o));
    t->on_by_default[t->n] = o.type == CLI_FLAG && *(bool *)o.field;
    t->opts[t->n++] = o;
}

cli_opt *cli_find(cli_table *t, const char *name)
{
    int i = find_index(t, name, strlen(name));
    return i < 0 ? NULL : &t->opts[i];
}

bool cli_given(const cli_table *t, const char *name)
{
    int i = find_index(t, name, strlen(name));
    return i >= 0 && t->given[i];
}

bool cli_next_word(const char **p, char *buf, size_t n)
{
    *p += strspn(*p, " ");
    size_t len = strcspn(*p, " ");
    if (len == 0) return false;
    RC_ASSERT(len < n);
    memcpy(buf, *p, len);
    buf[len] = '\0';
    *p += len;
    return true;
}

/* "lstm, gru, rnn" */
static void choice_list(const cli_opt *o, const char *sep, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; o->choices[i] && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? sep : "", o->choices[i]);
}

/* The shortest %g form that reads back as x, so that a logged command line
 * repeats the run exactly ("0.002", not "0.0020000000000000000"). */
static void format_real(double x, char *buf, size_t n)
{
    for (int digits = 6; digits <= 17; digits++) {
        snprintf(buf, n, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) return;
    }
}

char *cli_format(const cli_opt *o, char *buf, size_t n)
{
    switch (o->type) {
    case CLI_INT: snprintf(buf, n, "%d", *(int *)o->field); break;
    case CLI_REAL: format_real(*(double *)o->field, buf, n); break;
    case CLI_STRING: {
        const char *s = *(const char **)o->field;
        snprintf(buf, n, "%s", s ? s : "(none)");
        break;
    }
    case CLI_CHOICE: snprintf(buf, n, "%s", o->choices[*(int *)o->field]); break;
    default: snprintf(buf, n, "%s", *(bool *)o->field ? "on" : "off"); break;
    }
    return buf;
}

/* Formats a reason into why and returns false, for the setters below. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static bool reject(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return false;
}

/* Parses v into the option's field; false with a reason in why. */
static bool set_value(cli_opt *o, const char *v, char *why, size_t n)
{
    char *end;
    errno = 0;
    switch (o->type) {
    case CLI_INT: {
        long long x = strtoll(v, &end, 10);
        bool num = *v && *end == '\0' && errno == 0 && (*v == '-' || *v == '+' || (*v >= '0' && *v <= '9'));
        if (!num) return reject(why, n, "'%s' is not an integer", v);
        if (!in_range(o, (double)x)) return reject(why, n, "%s is out of range %.0f..%.0f", v, o->min, o->max);
        *(int *)o->field = (int)x;
        return true;
    }
    case CLI_REAL: {
        double x = strtod(v, &end);
        if (!*v || *end != '\0' || !isfinite(x)) return reject(why, n, "'%s' is not a finite number", v);
        if (!in_range(o, x)) return reject(why, n, "%s is out of range %g..%g", v, o->min, o->max);
        *(double *)o->field = x;
        return true;
    }
    case CLI_STRING: *(const char **)o->field = v; return true;
    case CLI_CHOICE:
        for (int i = 0; o->choices[i]; i++) {
            if (strcmp(o->choices[i], v) == 0) {
                *(int *)o->field = i;
                return true;
            }
        }
        char list[WHY_MAX];
        choice_list(o, ", ", list, sizeof list);
        return reject(why, n, "'%s' is not one of %s", v, list);
    default: *(bool *)o->field = true; return true;
    }
}

int cli_usage_error(const cli_table *t, FILE *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(err, "%s: ", t->cmd);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fprintf(err, "\nTry '%s --help'.\n", t->cmd);
    return CLI_EXIT_USAGE;
}

int cli_exit_status(const cli_table *t, rc_status s)
{
    if (s == RC_OK) return 0;
    fprintf(stderr, "%s: %s\n", t->cmd, rc_last_error());
    return 1;
}

/* The flag named by "no-NAME" (len bytes of name), or -1. */
static int negated_flag(const cli_table *t, const char *name, size_t len)
{
    if (len <= 3 || strncmp(name, "no-", 3) != 0) return -1;
    int k = find_index(t, name + 3, len - 3);
    return k >= 0 && t->opts[k].type == CLI_FLAG ? k : -1;
}

/* Handles argv[*i], an option word; may consume the next word as its value. */
static int parse_option(cli_table *t, int argc, char **argv, int *i, FILE *out, FILE *err)
{
    const char *word = argv[*i];
    if (strcmp(word, "-h") == 0 || strcmp(word, "--help") == 0) {
        cli_help(t, out);
        return CLI_HELP_SHOWN;
    }
    if (strncmp(word, "--", 2) != 0 || word[2] == '\0') return cli_usage_error(t, err, "unexpected argument '%s'", word);
    const char *name = word + 2, *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    int k = find_index(t, name, name_len), off = negated_flag(t, name, name_len);
    int word_len = eq ? (int)(eq - word) : (int)strlen(word);
    if (k < 0 && off < 0) return cli_usage_error(t, err, "unknown option '%.*s'", word_len, word);
    const char *value = eq ? eq + 1 : NULL;
    if (k < 0) {
        if (value) return cli_usage_error(t, err, "--no-%s takes no value", t->opts[off].name);
        *(bool *)t->opts[off].field = false;
        t->given[off] = true;
        return CLI_OK;
    }
    cli_opt *o = &t->opts[k];
    if (o->type == CLI_FLAG && value) return cli_usage_error(t, err, "--%s takes no value", o->name);
    if (o->type != CLI_FLAG && !value) {
        if (*i + 1 >= argc) return cli_usage_error(t, err, "--%s needs a value", o->name);
        value = argv[++*i];
    }
    char why[WHY_MAX];
    if (!set_value(o, value ? value : "", why, sizeof why)) return cli_usage_error(t, err, "--%s: %s", o->name, why);
    t->given[k] = true;
    return CLI_OK;
}

int cli_parse(cli_table *t, int argc, char **argv, FILE *out, FILE *err)
{
    for (int i = 0; i < argc; i++) {
        int rc = parse_option(t, argc, argv, &i, out, err);
        if (rc != CLI_OK) return rc;
    }
    for (int k = 0; k < t->n; k++)
        if (t->opts[k].required && !t->given[k]) return cli_usage_error(t, err, "missing option --%s", t->opts[k].name);
    return CLI_OK;
}

/* "--cell lstm|gru" or "--hidden H" or "--json" */
static int option_synopsis(const cli_opt *o, char *buf, size_t n)
{
    char choices[WHY_MAX];
    if (o->type == CLI_FLAG) return snprintf(buf, n, "--%s", o->name);
    if (o->type == CLI_CHOICE) {
        choice_list(o, "|", choices, sizeof choices);
        return snprintf(buf, n, "--%s %s", o->name, choices);
    }
    return snprintf(buf, n, "--%s %s", o->name, o->meta ? o->meta : "VALUE");
}

/* A string default in JSON's quoted form, which shows a newline as "\n". */
static void print_string_default(const char *s, FILE *fp)
{
    if (!s) return;
    json_t *j = json_string(s);
    char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fprintf(fp, " (default: %s)", q ? q : s);
    free(q);
    json_decref(j);
}

void cli_help(const cli_table *t, FILE *fp)
{
    fprintf(fp, "usage: %s %s\n\n%s\n\noptions:\n", t->cmd, t->args, t->about);
    for (int k = 0; k < t->n; k++) {
        const cli_opt *o = &t->opts[k];
        char syn[WHY_MAX], value[WHY_MAX];
        int w = option_synopsis(o, syn, sizeof syn);
        if (w + 2 >= HELP_COLUMN) fprintf(fp, "  %s\n%*s", syn, HELP_COLUMN, "");
        else fprintf(fp, "  %-*s", HELP_COLUMN - 2, syn);
        fprintf(fp, "%s", o->help);
        if (o->required) fprintf(fp, " (required)");
        else if (t->on_by_default[k]) fprintf(fp, " (on by default; --no-%s turns it off)", o->name);
        else if (o->type == CLI_STRING) print_string_default(*(const char **)o->field, fp);
        else if (o->type != CLI_FLAG) fprintf(fp, " (default: %s)", cli_format(o, value, sizeof value));
        fputc('\n', fp);
    }
    fprintf(fp, "  %-*s%s\n", HELP_COLUMN - 2, "-h, --help", "show this help and exit");
}

/* Prints s as one shell word. */
static void print_shell_word(const char *s, FILE *fp)
{
    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+") == strlen(s)) {
        fputs(s, fp);
        return;
    }
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'') fputs("'\\''", fp);
        else fputc(*s, fp);
    }
    fputc('\'', fp);
}

void cli_print_effective(const cli_table *t, FILE *fp)
{
    fputs(t->cmd, fp);
    for (int k = 0; k < t->n; k++) {
        const cli_opt *o = &t->opts[k];
        char value[WHY_MAX];
        if (o->type == CLI_FLAG) {
            if (*(bool *)o->field) fprintf(fp, " --%s", o->name);
            else if (t->on_by_default[k]) fprintf(fp, " --no-%s", o->name);
            continue;
        }
        if (o->type == CLI_STRING && !*(const char **)o->field) continue;
        fprintf(fp, " --%s ", o->name);
        print_shell_word(o->type == CLI_STRING ? *(const char **)o->field : cli_format(o, value, sizeof value), fp);
    }
    fputc('\n', fp);
}

static json_t *value_json(const cli_opt *o)
{
    switch (o->type) {
    case CLI_INT: return json_integer(*(int *)o->field);
    case CLI_REAL: return json_real(*(double *)o->field);
    case CLI_STRING: {
        const char *s = *(const char **)o->field;
        return s ? json_string(s) : json_null();
    }
    case CLI_CHOICE: return json_string(o->choices[*(int *)o->field]);
    default: return json_boolean(*(bool *)o->field);
    }
}

/* Sets o from a JSON value; false with a reason in why. */
static bool set_json(cli_opt *o, const json_t *v, char *why, size_t n)
{
    switch (o->type) {
    case CLI_INT:
        if (!json_is_integer(v)) return reject(why, n, "expected an integer");
        if (!in_range(o, (double)json_integer_value(v)))
            return reject(why, n, "%" JSON_INTEGER_FORMAT " is out of range %.0f..%.0f", json_integer_value(v), o->min,
                          o->max);
        *(int *)o->field = (int)json_integer_value(v);
        return true;
    case CLI_REAL:
        if (!json_is_number(v)) return reject(why, n, "expected a number");
        if (!in_range(o, json_number_value(v)))
            return reject(why, n, "%g is out of range %g..%g", json_number_value(v), o->min, o->max);
        *(double *)o->field = json_number_value(v);
        return true;
    case CLI_CHOICE:
        if (!json_is_string(v)) return reject(why, n, "expected a string");
        return set_value(o, json_string_value(v), why, n);
    case CLI_FLAG:
        if (!json_is_boolean(v)) return reject(why, n, "expected true or false");
        *(bool *)o->field = json_is_true(v);
        return true;
    default: return reject(why, n, "string options are not read from JSON");
    }
}

json_t *cli_to_json(cli_table *t, const char *names)
{
    json_t *obj = json_object();
    char name[CLI_NAME_MAX];
    for (const char *p = names; obj && cli_next_word(&p, name, sizeof name);) {
        const cli_opt *o = cli_find(t, name);
        RC_ASSERT(o);
        if (json_object_set_new(obj, name, value_json(o))) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

static bool has_word(const char *words, const char *w)
{
    char word[CLI_NAME_MAX];
    for (const char *p = words; cli_next_word(&p, word, sizeof word);)
        if (strcmp(word, w) == 0) return true;
    return false;
}

rc_status cli_from_json(cli_table *t, const json_t *obj, const char *names, const char *what)
{
    if (!json_is_object(obj)) return rc_error(RC_E_FORMAT, "%s: expected a JSON object of options", what);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
        if (!has_word(names, key)) return rc_error(RC_E_FORMAT, "%s: unknown option '%s'", what, key);
    char name[CLI_NAME_MAX], why[WHY_MAX];
    for (const char *p = names; cli_next_word(&p, name, sizeof name);) {
        cli_opt *o = cli_find(t, name);
        RC_ASSERT(o);
        v = json_object_get(obj, name);
        if (!v) return rc_error(RC_E_FORMAT, "%s: option '%s' is missing", what, name);
        if (!set_json(o, v, why, sizeof why)) return rc_error(RC_E_FORMAT, "%s: option '%s': %s", what, name, why);
    }
    return RC_OK;
}
