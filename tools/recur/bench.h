/*
 * `recur bench`: the time of one recurrent layer stack on random data (see
 * bench_core.h), and the same command under another name for the drivers
 * under bench/, which time recur or another library.
 */
#ifndef RECUR_TOOL_BENCH_H
#define RECUR_TOOL_BENCH_H

#include "bench_core.h"

/* `recur bench [options]`. Returns the exit status. */
int bench_main(int argc, char **argv);

/* The bench command named cmd (for --help and messages) timing impl:
 * parses argv[0..argc), runs impl and prints its result. Returns 0, 1 after
 * an error of impl, or CLI_EXIT_USAGE. */
int bench_command(const char *cmd, bench_impl impl, int argc, char **argv);

#endif
