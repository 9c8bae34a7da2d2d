/* Times one recurrent layer stack of recur: `recur bench` under its own name. */
#include "../tools/recur/bench.h"

int main(int argc, char **argv) { return bench_command("rnn_bench", bench_recur, argc - 1, argv + 1); }
