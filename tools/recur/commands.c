#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static void usage(const char *prog, const char *about, const cli_command *cmds, int n, FILE *fp)
{
    fprintf(fp, "usage: %s COMMAND [options]\n\n%s\n\ncommands:\n", prog, about);
    for (int i = 0; i < n; i++) fprintf(fp, "  %-10s%s\n", cmds[i].name, cmds[i].summary);
    fprintf(fp, "\nRun '%s help COMMAND' or '%s COMMAND --help' for more.\n", prog, prog);
}

static const cli_command *find(const cli_command *cmds, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cmds[i].name, name) == 0) return &cmds[i];
    return NULL;
}

/* `help NAME WORDS...` runs NAME with WORDS followed by --help. */
static int run_help(const char *prog, const cli_command *cmd, int argc, char **argv)
{
    char **args = malloc(((size_t)argc + 1) * sizeof *args);
    if (!args) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    static char help[] = "--help";
    for (int i = 0; i < argc; i++) args[i] = argv[i];
    args[argc] = help;
    int rc = cmd->run(argc + 1, args);
    free(args);
    return rc;
}

int cli_dispatch(const char *prog, const char *about, const cli_command *cmds, int n, int argc, char **argv)
{
    if (argc == 0) {
        usage(prog, about, cmds, n, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[0];
    bool help = strcmp(name, "help") == 0;
    if ((help && argc == 1) || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(prog, about, cmds, n, stdout);
        return 0;
    }
    if (help) name = argv[1];
    const cli_command *cmd = find(cmds, n, name);
    if (!cmd) {
        fprintf(stderr, "%s: unknown command '%s'\nTry '%s help'.\n", prog, name, prog);
        return CLI_EXIT_USAGE;
    }
    return help ? run_help(prog, cmd, argc - 2, argv + 2) : cmd->run(argc - 1, argv + 1);
}
