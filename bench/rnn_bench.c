/* Times one recurrent layer stack: see rnn_bench_core.h. */
#include <string.h>

#include "rnn_bench_core.h"

int main(int argc, char **argv)
{
    rc_bench_opts o = rc_bench_defaults();
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            rc_bench_usage(stdout, argv[0]);
            return 0;
        }
    rc_bench_result r;
    if (rc_bench_parse(argc, argv, &o) != RC_OK) {
        fprintf(stderr, "%s\n", rc_last_error());
        rc_bench_usage(stderr, argv[0]);
        return 2;
    }
    if (rc_bench_run(&o, &r) != RC_OK) {
        fprintf(stderr, "%s\n", rc_last_error());
        return 1;
    }
    rc_bench_print(stdout, &o, &r);
    return 0;
}
