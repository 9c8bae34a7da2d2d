/*
 * Command dispatch for `recur TASK ...` and `recur TASK SUBCOMMAND ...`, with
 * the same help conventions at every level:
 *
 *   recur help | recur --help          the list of tasks
 *   recur help lm | recur lm --help    the list of lm's subcommands
 *   recur help lm train                the same as `recur lm train --help`
 */
#ifndef RECUR_TOOL_COMMANDS_H
#define RECUR_TOOL_COMMANDS_H

typedef struct cli_command {
    const char *name;
    const char *summary;                /* one line for the list */
    int (*run)(int argc, char **argv);  /* argv[0] is the first word after the name */
} cli_command;

/* Runs the command named argv[0] with the words after it. prog is the
 * command line so far ("recur lm"). Returns the command's exit status, 0
 * after printing help, or 2 (with a message on stderr) for a missing or
 * unknown command. */
int cli_dispatch(const char *prog, const char *about, const cli_command *cmds, int n, int argc, char **argv);

#endif
