/* Tensors, errors, the random generator and the tape's bookkeeping. */
#include <math.h>
#include <string.h>

#include "harness.h"

static void test_tensor_new_and_errors(void)
{
    rc_tensor *t;
    int shape[3] = {2, 3, 4};
    RC_CHECK_OK(rc_tensor_new(&t, 3, shape, true));
    RC_CHECK(t->numel == 24, "numel %zu", t->numel);
    RC_CHECK(t->grad != NULL && t->data[23] == 0 && t->grad[23] == 0, "zero-filled");
    char buf[64];
    RC_CHECK(strcmp(rc_shape_str(t, buf, sizeof buf), "(2, 3, 4)") == 0, "shape str %s", buf);
    rc_tensor_free(t);

    int bad[2] = {2, 0};
    RC_CHECK(rc_tensor_new(&t, 2, bad, false) == RC_E_SHAPE && t == NULL, "size 0 refused");
    RC_CHECK(strstr(rc_last_error(), "shape") != NULL, "message: %s", rc_last_error());
    RC_CHECK(rc_tensor_new(&t, 5, shape, false) == RC_E_SHAPE, "rank 5 refused");
    int huge[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30};
    RC_CHECK(rc_tensor_new(&t, 4, huge, false) == RC_E_SHAPE, "overflowing shape refused");
}

static void test_rng_is_deterministic(void)
{
    rc_rng a, b;
    rc_rng_seed(&a, 42);
    rc_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++) RC_CHECK(rc_rng_next(&a) == rc_rng_next(&b), "same stream");
    rc_rng_seed(&b, 43);
    RC_CHECK(rc_rng_next(&a) != rc_rng_next(&b), "different seeds differ");
    double mean = 0, sq = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
        double x = rc_rng_normal(&a);
        mean += x;
        sq += x * x;
    }
    mean /= n;
    sq = sq / n - mean * mean;
    RC_CHECK(fabs(mean) < 0.05 && fabs(sq - 1) < 0.05, "normal mean %g var %g", mean, sq);
    for (int i = 0; i < 1000; i++) RC_CHECK(rc_rng_below(&a, 7) < 7, "below");
}

static void test_graph_reset_reuses_memory(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int shape[2] = {300, 1000};
    for (int step = 0; step < 3; step++) {
        rc_graph_reset(g);
        for (int k = 0; k < 4; k++) RC_CHECK(rc_graph_tensor(g, 2, shape, true) != NULL, "alloc");
    }
    size_t after3 = rc_graph_arena_bytes(g);
    rc_graph_reset(g);
    for (int k = 0; k < 4; k++) rc_graph_tensor(g, 2, shape, true);
    RC_CHECK(rc_graph_arena_bytes(g) == after3, "steady state: %zu vs %zu bytes", rc_graph_arena_bytes(g), after3);
    rc_graph_free(g);
}

static void test_graph_errors_are_sticky(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int bad[1] = {-1};
    RC_CHECK(rc_graph_tensor(g, 1, bad, false) == NULL, "bad shape gives NULL");
    RC_CHECK(rc_graph_status(g) == RC_E_SHAPE, "sticky status %s", rc_status_str(rc_graph_status(g)));
    int ok[1] = {3};
    RC_CHECK(rc_graph_tensor(g, 1, ok, false) == NULL, "a failed graph refuses further work");
    RC_CHECK(rc_graph_backward(g, NULL) == RC_E_SHAPE, "backward reports the sticky error");
    rc_graph_reset(g);
    RC_CHECK(rc_graph_status(g) == RC_OK, "reset clears the error");
    rc_tensor *v = rc_graph_tensor(g, 1, ok, true);
    RC_CHECK(rc_graph_backward(g, v) == RC_E_SHAPE, "a non-scalar root is refused");
    rc_tensor *s = rc_graph_tensor(g, 0, NULL, false);
    RC_CHECK(rc_graph_backward(g, s) == RC_E_INVALID, "a root without grad is refused");
    rc_graph_free(g);
}

static void test_status_names(void)
{
    RC_CHECK(strcmp(rc_status_str(RC_E_FORMAT), "RC_E_FORMAT") == 0, "name");
    RC_CHECK(strcmp(rc_status_str((rc_status)99), "RC_E_UNKNOWN") == 0, "unknown");
}

int main(void)
{
    RC_RUN(test_tensor_new_and_errors);
    RC_RUN(test_rng_is_deterministic);
    RC_RUN(test_graph_reset_reuses_memory);
    RC_RUN(test_graph_errors_are_sticky);
    RC_RUN(test_status_names);
    return rc_test_finish();
}
