/*
 * The recur program's option engine: parsing of every entry type, defaults,
 * rejection of unknown options and bad values with exit status 2, the help
 * text (every option with its live default), the JSON form, and the shared
 * options' exclusivity rules. Expected values are the literals typed on the
 * command lines below.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../tools/recur/common.h"
#include "harness.h"

/* A small table with one entry of each type. */
typedef struct demo {
    int n;
    double x;
    const char *file, *prefix;
    int mode;
    bool flag;
} demo;

static const char *const modes[] = {"fast", "slow", "exact", NULL};

static void demo_table(cli_table *t, demo *d)
{
    *d = (demo){.n = 7, .x = 0.25, .file = NULL, .mode = 1, .flag = false, .prefix = "\n> "};
    cli_table_init(t, "recur demo", "--file FILE [options]", "A table for tests.");
    cli_add(t, (cli_opt){.name = "n", .type = CLI_INT, .field = &d->n, .meta = "N", .min = 1, .max = 100, .help = "a count"});
    cli_add(t, (cli_opt){.name = "x", .type = CLI_REAL, .field = &d->x, .meta = "X", .min = 0, .max = 1, .help = "a fraction"});
    cli_add(t, (cli_opt){.name = "file", .type = CLI_STRING, .field = &d->file, .meta = "FILE", .help = "a path",
                         .required = true});
    cli_add(t, (cli_opt){.name = "mode", .type = CLI_CHOICE, .field = &d->mode, .choices = modes, .help = "a choice"});
    cli_add(t, (cli_opt){.name = "flag", .type = CLI_FLAG, .field = &d->flag, .help = "a switch"});
    cli_add(t, (cli_opt){.name = "prefix", .type = CLI_STRING, .field = &d->prefix, .meta = "TEXT", .help = "a text"});
}

/* Output captured from one parse. */
typedef struct captured {
    char *out, *err;
    size_t nout, nerr;
    int rc;
} captured;

/* Parses the NULL-terminated words with out and err captured. */
static captured parse_words(cli_table *t, const char *const *words)
{
    captured c = {0};
    char *argv[32];
    int argc = 0;
    while (words[argc]) {
        argv[argc] = (char *)words[argc];
        argc++;
    }
    FILE *out = open_memstream(&c.out, &c.nout), *err = open_memstream(&c.err, &c.nerr);
    c.rc = cli_parse(t, argc, argv, out, err);
    fclose(out);
    fclose(err);
    return c;
}

static void captured_free(captured *c)
{
    free(c->out);
    free(c->err);
}

static void test_parse_ok(void)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    const char *words[] = {"--n", "42", "--x=0.5", "--file", "a b.txt", "--mode", "exact", "--flag", NULL};
    captured c = parse_words(&t, words);
    RC_CHECK(c.rc == CLI_OK, "rc %d, err '%s'", c.rc, c.err);
    RC_CHECK(d.n == 42 && d.x == 0.5 && d.file && strcmp(d.file, "a b.txt") == 0 && d.mode == 2 && d.flag,
             "values n=%d x=%g mode=%d flag=%d", d.n, d.x, d.mode, d.flag);
    RC_CHECK(c.nout == 0 && c.nerr == 0, "nothing printed");
    RC_CHECK(cli_given(&t, "n") && cli_given(&t, "flag") && !cli_given(&t, "nonexistent"), "given");
    captured_free(&c);

    /* the last occurrence wins; values may start with '-' */
    demo_table(&t, &d);
    const char *again[] = {"--file", "-", "--n", "3", "--n", "-0", "--x", "1e-1", NULL};
    c = parse_words(&t, again);
    RC_CHECK(c.rc == CLI_EXIT_USAGE, "--n -0 is out of range 1..100: rc %d", c.rc);
    captured_free(&c);
    demo_table(&t, &d);
    const char *last[] = {"--file", "-", "--n", "3", "--n", "+5", "--x", "1e-1", NULL};
    c = parse_words(&t, last);
    RC_CHECK(c.rc == CLI_OK && d.n == 5 && d.x == 0.1 && strcmp(d.file, "-") == 0, "rc %d n %d", c.rc, d.n);
    captured_free(&c);
}

static void test_defaults(void)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    const char *words[] = {"--file", "f", NULL};
    captured c = parse_words(&t, words);
    RC_CHECK(c.rc == CLI_OK && d.n == 7 && d.x == 0.25 && d.mode == 1 && !d.flag, "defaults kept");
    RC_CHECK(!cli_given(&t, "n") && cli_given(&t, "file"), "given");
    captured_free(&c);
}

/* The words are rejected with status 2, a message on err naming each
 * fragment, and a hint to try --help; nothing on out. */
static void expect_usage_error(const char *const *words, const char *f1, const char *f2)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    captured c = parse_words(&t, words);
    RC_CHECK(c.rc == CLI_EXIT_USAGE && c.err && strstr(c.err, "recur demo: ") == c.err && strstr(c.err, f1) &&
                 (!f2 || strstr(c.err, f2)) && strstr(c.err, "Try 'recur demo --help'.") && c.nout == 0,
             "%s ...: rc %d, err '%s', expected '%s'", words[0], c.rc, c.err, f1);
    captured_free(&c);
}

static void test_errors(void)
{
    expect_usage_error((const char *[]){"--file", "f", "--bogus", "1", NULL}, "unknown option '--bogus'", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--bogus=1", NULL}, "unknown option '--bogus'", NULL);
    expect_usage_error((const char *[]){"--file", "f", "-n", "1", NULL}, "unexpected argument '-n'", NULL);
    expect_usage_error((const char *[]){"--file", "f", "extra", NULL}, "unexpected argument 'extra'", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--", NULL}, "unexpected argument '--'", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", "0", NULL}, "--n: 0 is out of range 1..100", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", "101", NULL}, "out of range 1..100", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", "99999999999999999999", NULL}, "is not an integer", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", "4x", NULL}, "'4x' is not an integer", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", " 4", NULL}, "is not an integer", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", "", NULL}, "is not an integer", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--x", "1.5", NULL}, "--x: 1.5 is out of range 0..1", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--x", "nan", NULL}, "'nan' is not a finite number", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--x", "inf", NULL}, "not a finite number", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--x", "0.5.", NULL}, "not a finite number", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--mode", "quick", NULL}, "'quick' is not one of fast, slow, exact",
                       NULL);
    expect_usage_error((const char *[]){"--file", "f", "--flag=1", NULL}, "--flag takes no value", NULL);
    expect_usage_error((const char *[]){"--file", "f", "--n", NULL}, "--n needs a value", NULL);
    expect_usage_error((const char *[]){"--n", "3", NULL}, "missing option --file", NULL);
}

static void test_help(void)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    d.n = 13; /* the help reads the live value, not a copy made at cli_add */
    const char *words[] = {"--n", "50", "--help", "--bogus", NULL};
    captured c = parse_words(&t, words);
    RC_CHECK(c.rc == CLI_HELP_SHOWN && c.nerr == 0, "rc %d err '%s'", c.rc, c.err);
    const char *want[] = {"usage: recur demo --file FILE [options]", "A table for tests.",
                          "--n N", "a count (default: 50)", "--x X", "a fraction (default: 0.25)",
                          "--file FILE", "a path (required)", "--mode fast|slow|exact", "a choice (default: slow)",
                          "--flag", "a switch\n", "--prefix TEXT", "a text (default: \"\\n> \")\n", "-h, --help"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        RC_CHECK(c.out && strstr(c.out, want[i]), "help lacks '%s':\n%s", want[i], c.out);
    captured_free(&c);

    /* every shared option appears in a help built from the shared table,
     * with the default of cli_common_defaults */
    cli_common cc = cli_common_defaults;
    cli_table_init(&t, "recur all", "[options]", "All shared options.");
    const char *names = "data valid valid-fraction model resume cell layers hidden embed dropout batch optimizer lr "
                        "clip steps epochs time eval-every checkpoint-every stop-after seed threads json quiet";
    cli_add_common(&t, &cc, names);
    const char *help_words[] = {"-h", NULL};
    c = parse_words(&t, help_words);
    RC_CHECK(c.rc == CLI_HELP_SHOWN, "rc %d", c.rc);
    for (int k = 0; k < t.n; k++) {
        char line[256], value[64];
        const cli_opt *o = &t.opts[k];
        snprintf(line, sizeof line, "  --%s", o->name);
        RC_CHECK(c.out && strstr(c.out, line), "help lacks %s", line);
        if (o->type == CLI_FLAG || o->type == CLI_STRING) continue;
        snprintf(line, sizeof line, "%s (default: %s)\n", o->help, cli_format(o, value, sizeof value));
        RC_CHECK(c.out && strstr(c.out, line), "help lacks '%s'", line);
    }
    /* spot checks against the documented defaults, typed here */
    const char *spots[] = {"recurrent cell (default: lstm)", "hidden units per layer (default: 256)",
                           "learning rate (default: 0.002)", "--optimizer adam|adamw|sgd",
                           "--cell lstm|gru|rnn|rnn-relu"};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++)
        RC_CHECK(c.out && strstr(c.out, spots[i]), "help lacks '%s'", spots[i]);
    captured_free(&c);
}

static void test_effective_line(void)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    const char *words[] = {"--file", "it's here", "--flag", "--x", "0.123456789012", NULL};
    captured c = parse_words(&t, words);
    char *line = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&line, &n);
    cli_print_effective(&t, fp);
    fclose(fp);
    RC_CHECK(line && strcmp(line, "recur demo --n 7 --x 0.123456789012 --file 'it'\\''s here' --mode slow --flag --prefix '\n> '\n") == 0,
             "effective line '%s'", line);
    free(line);
    captured_free(&c);
}

/* A flag that is on by default: --no-NAME turns it off, the help says so,
 * and the effective command line repeats it; --no-NAME of an option that
 * is not a flag is unknown. */
static void test_negated_flag(void)
{
    bool on = true, off = false;
    int n = 1;
    cli_table t;
    cli_table_init(&t, "recur demo", "[options]", "Negated flags.");
    cli_add(&t, (cli_opt){.name = "deep", .type = CLI_FLAG, .field = &on, .help = "go deep"});
    cli_add(&t, (cli_opt){.name = "fast", .type = CLI_FLAG, .field = &off, .help = "go fast"});
    cli_add(&t, (cli_opt){.name = "n", .type = CLI_INT, .field = &n, .meta = "N", .min = 0, .max = 9, .help = "a count"});
    captured c = parse_words(&t, (const char *[]){"--no-deep", "--fast", NULL});
    RC_CHECK(c.rc == CLI_OK && !on && off && cli_given(&t, "deep"), "rc %d deep %d fast %d", c.rc, on, off);
    char *line = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&line, &len);
    cli_print_effective(&t, fp);
    fclose(fp);
    RC_CHECK(line && strcmp(line, "recur demo --no-deep --fast --n 1\n") == 0, "effective line '%s'", line);
    free(line);
    captured_free(&c);

    /* the last occurrence wins, either way */
    on = true;
    c = parse_words(&t, (const char *[]){"--no-deep", "--deep", "--no-fast", NULL});
    RC_CHECK(c.rc == CLI_OK && on && !off, "rc %d deep %d fast %d", c.rc, on, off);
    captured_free(&c);

    c = parse_words(&t, (const char *[]){"--help", NULL});
    RC_CHECK(c.out && strstr(c.out, "go deep (on by default; --no-deep turns it off)\n") && strstr(c.out, "go fast\n"),
             "help:\n%s", c.out);
    captured_free(&c);

    c = parse_words(&t, (const char *[]){"--no-n", "3", NULL});
    RC_CHECK(c.rc == CLI_EXIT_USAGE && c.err && strstr(c.err, "unknown option '--no-n'"), "err '%s'", c.err);
    captured_free(&c);
    c = parse_words(&t, (const char *[]){"--no-deep=0", NULL});
    RC_CHECK(c.rc == CLI_EXIT_USAGE && c.err && strstr(c.err, "--no-deep takes no value"), "err '%s'", c.err);
    captured_free(&c);
}

static void test_json(void)
{
    cli_table t;
    demo d;
    demo_table(&t, &d);
    const char *words[] = {"--file", "f", "--n", "9", "--x", "0.125", "--mode", "fast", NULL};
    captured c = parse_words(&t, words);
    captured_free(&c);
    json_t *obj = cli_to_json(&t, "n x mode flag file");
    char *text = json_dumps(obj, JSON_COMPACT);
    RC_CHECK(text && strcmp(text, "{\"n\":9,\"x\":0.125,\"mode\":\"fast\",\"flag\":false,\"file\":\"f\"}") == 0, "json %s",
             text);
    free(text);
    json_object_del(obj, "file");

    demo e;
    cli_table u;
    demo_table(&u, &e);
    RC_CHECK_OK(cli_from_json(&u, obj, "n x mode flag", "test"));
    RC_CHECK(e.n == 9 && e.x == 0.125 && e.mode == 0 && !e.flag, "read back n=%d x=%g mode=%d", e.n, e.x, e.mode);
    json_decref(obj);

    static const struct {
        const char *json, *fragment;
    } bad[] = {
        {"[1]", "expected a JSON object"},
        {"{\"m\": 1}", "unknown option 'm'"},
        {"{\"nn\": 1}", "unknown option 'nn'"},
        {"{}", "option 'n' is missing"},
        {"{\"n\": 1.5}", "option 'n': expected an integer"},
        {"{\"n\": 0}", "option 'n': 0 is out of range 1..100"},
        {"{\"n\": 2, \"x\": \"0.5\"}", "option 'x': expected a number"},
        {"{\"n\": 2, \"x\": 2}", "option 'x': 2 is out of range 0..1"},
        {"{\"n\": 2, \"x\": 0, \"mode\": \"quick\"}", "option 'mode': 'quick' is not one of"},
        {"{\"n\": 2, \"x\": 0, \"mode\": 1}", "option 'mode': expected a string"},
        {"{\"n\": 2, \"x\": 0, \"mode\": \"fast\", \"flag\": 1}", "option 'flag': expected true or false"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i].json, 0, NULL);
        rc_status s = cli_from_json(&u, j, "n x mode flag", "model 'm.st'");
        RC_CHECK(s == RC_E_FORMAT && strstr(rc_last_error(), "model 'm.st'") && strstr(rc_last_error(), bad[i].fragment),
                 "%s: %s", bad[i].json, rc_last_error());
        json_decref(j);
    }
}

static void test_next_word(void)
{
    const char *p = "  cell layers  hidden ";
    char w[CLI_NAME_MAX];
    const char *want[] = {"cell", "layers", "hidden"};
    int k = 0;
    while (cli_next_word(&p, w, sizeof w)) {
        RC_CHECK(k < 3 && strcmp(w, want[k]) == 0, "word %d '%s'", k, w);
        k++;
    }
    RC_CHECK(k == 3, "%d words", k);
}

/* Parses words with the shared training options and runs cli_check_common;
 * a rejection must come with a message. */
static int check_common(const char *const *words, cli_common *cc)
{
    *cc = cli_common_defaults;
    cli_table t;
    cli_table_init(&t, "recur x train", "[options]", "x");
    cli_add_common(&t, cc, "valid valid-fraction steps epochs time");
    captured c = parse_words(&t, words);
    int rc = c.rc;
    captured_free(&c);
    if (rc != CLI_OK) return rc;
    char *msg = NULL;
    size_t n = 0;
    FILE *err = open_memstream(&msg, &n);
    rc = cli_check_common(&t, cc, err);
    fclose(err);
    RC_CHECK((rc == CLI_OK) == (n == 0), "rc %d with message '%s'", rc, msg);
    free(msg);
    return rc;
}

static void test_common_rules(void)
{
    cli_common cc;
    RC_CHECK(check_common((const char *[]){NULL}, &cc) == CLI_OK && cc.steps == 1000 && cc.epochs == 0, "default");
    RC_CHECK(check_common((const char *[]){"--epochs", "3", NULL}, &cc) == CLI_OK && cc.steps == 0 && cc.epochs == 3,
             "epochs replace the step limit");
    RC_CHECK(check_common((const char *[]){"--time", "2.5", NULL}, &cc) == CLI_OK && cc.steps == 0 && cc.time == 2.5,
             "time replaces the step limit");
    RC_CHECK(check_common((const char *[]){"--steps", "5", "--epochs", "1", NULL}, &cc) == CLI_EXIT_USAGE,
             "steps and epochs exclude each other");
    RC_CHECK(check_common((const char *[]){"--time", "5", "--epochs", "1", NULL}, &cc) == CLI_EXIT_USAGE,
             "time and epochs exclude each other");
    /* an effective command line prints every limit, the unused ones as 0 */
    RC_CHECK(check_common((const char *[]){"--steps", "0", "--epochs", "2", "--time", "0", NULL}, &cc) == CLI_OK &&
                 cc.epochs == 2 && cc.steps == 0,
             "zero limits are unused");
    RC_CHECK(check_common((const char *[]){"--steps", "7", "--epochs", "0", "--time", "0", NULL}, &cc) == CLI_OK &&
                 cc.steps == 7,
             "zero limits are unused");
    RC_CHECK(check_common((const char *[]){"--steps", "0", NULL}, &cc) == CLI_EXIT_USAGE, "no limit at all");
    RC_CHECK(check_common((const char *[]){"--valid", "v", "--valid-fraction", "0.1", NULL}, &cc) == CLI_EXIT_USAGE,
             "valid and valid-fraction exclude each other");
    RC_CHECK(check_common((const char *[]){"--valid", "v", NULL}, &cc) == CLI_OK && cc.valid_fraction == 0,
             "a validation file replaces the held-out fraction");
    RC_CHECK(check_common((const char *[]){"--valid", "v", "--valid-fraction", "0", NULL}, &cc) == CLI_OK,
             "a zero fraction is unused");
    RC_CHECK(cli_cell_mode(&(cli_common){.cell = 1}) == RC_GRU && cli_optim_kind(&(cli_common){.optimizer = 2}) == RC_OPTIM_SGD,
             "choice indices select the enums");
}

int main(void)
{
    RC_RUN(test_parse_ok);
    RC_RUN(test_defaults);
    RC_RUN(test_errors);
    RC_RUN(test_help);
    RC_RUN(test_effective_line);
    RC_RUN(test_negated_flag);
    RC_RUN(test_json);
    RC_RUN(test_next_word);
    RC_RUN(test_common_rules);
    return rc_test_finish();
}
