/*
 * The option engine of the recur program: one table of typed entries drives
 * parsing, validation, --help (defaults printed from the live fields), the
 * effective command line logged at start, and the JSON form of options kept
 * in model files and checkpoints.
 *
 *     int layers = 2;
 *     cli_table t;
 *     cli_table_init(&t, "recur demo", "[options]", "Shows the engine.");
 *     cli_add(&t, (cli_opt){.name = "layers", .type = CLI_INT, .field = &layers, .meta = "N",
 *                           .min = 1, .max = 64, .help = "stacked layers"});
 *     int rc = cli_parse(&t, argc, argv, stdout, stderr);
 *     if (rc != CLI_OK) return rc == CLI_HELP_SHOWN ? 0 : rc;
 *
 * Syntax: `--name value` or `--name=value`; flags take no value, and
 * `--no-NAME` turns flag NAME off (for flags that are on by default); `-h`
 * and `--help` print the help. The last occurrence of an option wins.
 */
#ifndef RECUR_TOOL_OPTIONS_H
#define RECUR_TOOL_OPTIONS_H

#include <stdio.h>

#include <jansson.h>

#include "recur/base.h"

typedef enum cli_type {
    CLI_INT,    /* field is int, value in [min, max] */
    CLI_REAL,   /* field is double, finite, in [min, max] */
    CLI_STRING, /* field is const char * (pointing into argv; NULL means none) */
    CLI_CHOICE, /* field is int, the index of the value in choices */
    CLI_FLAG,   /* field is bool, set by --NAME, cleared by --no-NAME */
    CLI_TYPE_COUNT
} cli_type;

typedef struct cli_opt {
    const char *name;           /* without the leading "--" */
    cli_type type;
    void *field;
    const char *meta;           /* the value's placeholder in the help ("N"); unused for CHOICE and FLAG */
    const char *help;           /* one line */
    double min, max;            /* inclusive range of INT and REAL */
    const char *const *choices; /* NULL-terminated names of CHOICE */
    bool required;
} cli_opt;

/* Exit status for usage errors (unknown option, bad value, missing option). */
#define CLI_EXIT_USAGE 2
#define CLI_OK 0
/* cli_parse printed the help: the command should exit with status 0. */
#define CLI_HELP_SHOWN (-1)

#define CLI_MAX_OPTS 48
#define CLI_NAME_MAX 64 /* longest option name + 1 */

typedef struct cli_table {
    const char *cmd;   /* "recur lm train" */
    const char *args;  /* the usage line after cmd */
    const char *about; /* a paragraph for --help */
    int n;
    cli_opt opts[CLI_MAX_OPTS];
    bool given[CLI_MAX_OPTS]; /* set by cli_parse for options on the command line */
    bool on_by_default[CLI_MAX_OPTS]; /* flags whose field was true when added */
} cli_table;

void cli_table_init(cli_table *t, const char *cmd, const char *args, const char *about);

/* Appends an entry. A duplicate name or a full table is a programming error
 * (RC_ASSERT), as is a default value outside the entry's range. */
void cli_add(cli_table *t, cli_opt o);

/* The entry named name, or NULL. */
cli_opt *cli_find(cli_table *t, const char *name);

/* True if option name is in the table and appeared on the command line. */
bool cli_given(const cli_table *t, const char *name);

/* Copies the next space-separated word of the list at *p into buf (n bytes,
 * more than the word's length) and moves *p past it; false at the end. Lists
 * of option names ("cell layers hidden") are read with it. */
bool cli_next_word(const char **p, char *buf, size_t n);

/* Parses argv[0..argc) (the words after the command's name). Returns CLI_OK;
 * CLI_HELP_SHOWN after printing the help to out; or CLI_EXIT_USAGE after
 * printing a message and a hint to err. */
int cli_parse(cli_table *t, int argc, char **argv, FILE *out, FILE *err);

/* Prints the help: usage line, about, and one line per option with its
 * default read from the field. */
void cli_help(const cli_table *t, FILE *fp);

/* Prints "CMD: MESSAGE" and a hint to try --help to err and returns
 * CLI_EXIT_USAGE, for checks made after parsing (exclusive options). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
int cli_usage_error(const cli_table *t, FILE *err, const char *fmt, ...);

/* The exit status of a command whose work ended with s: 0 for RC_OK, or 1
 * after printing "CMD: " and the last error's message (rc_last_error) to
 * stderr. */
int cli_exit_status(const cli_table *t, rc_status s);

/* Writes the current value of o as it would be typed ("0.002", "lstm";
 * "(none)" for a NULL string, "on"/"off" for flags) into buf. Returns buf. */
char *cli_format(const cli_opt *o, char *buf, size_t n);

/* Prints the effective command line: CMD followed by every option with a
 * value (flags when on, or as --no-NAME when off but on by default), so a
 * run can be repeated from its log. */
void cli_print_effective(const cli_table *t, FILE *fp);

/* The values of the named options (a list for cli_next_word) as a JSON
 * object {"name": value}: integers, reals, strings (null for none), choice
 * names and booleans. Returns NULL when out of memory. */
json_t *cli_to_json(cli_table *t, const char *names);

/* Sets the named options from a JSON object made by cli_to_json with the
 * same names: the object must hold exactly those keys, each naming an INT,
 * REAL, CHOICE or FLAG entry (strings are not read back: their storage would
 * not outlive the JSON), each value of the entry's type and range.
 * Errors: RC_E_FORMAT naming `what` and the key. */
rc_status cli_from_json(cli_table *t, const json_t *obj, const char *names, const char *what);

#endif
