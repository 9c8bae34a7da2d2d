/*
 * The test harness: named test cases, loud checks, tensor comparison in
 * llm.c's format, and a finite-difference gradient checker.
 *
 * Each test binary's main() calls RC_RUN(test_fn) for every case and returns
 * rc_test_finish(), which prints "N passed, N failed" and returns non-zero if
 * anything failed. A case fails if any RC_CHECK inside it fails.
 */
#ifndef RC_TEST_HARNESS_H
#define RC_TEST_HARNESS_H

#include <stdio.h>

#include "recur.h"

void rc_test_run(const char *name, void (*fn)(void));
int rc_test_finish(void);
void rc_test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define RC_RUN(fn) rc_test_run(#fn, fn)

/* Fails the current case with a message if cond is false. */
#define RC_CHECK(cond, ...) \
    ((cond) ? (void)0 : rc_test_fail(__FILE__, __LINE__, "check `" #cond "` failed: " __VA_ARGS__))

/* Fails the current case unless status s is RC_OK; prints rc_last_error(). */
#define RC_CHECK_OK(s) RC_CHECK((s) == RC_OK, "%s", rc_last_error())

/* Compares n values: passes if max |got - want| <= atol + rtol * max|want|.
 * Prints "NAME OK max abs err = e (tol t)" or FAIL with the first bad pairs. */
bool rc_test_close(const char *name, const rc_real *got, const rc_real *want, size_t n, double atol, double rtol);

/* Builds the computation under test in a freshly reset graph and returns the
 * output y (any shape). It must read only the tensors passed to the checker
 * (and constants); dropout sees the same random stream on every call. */
typedef rc_tensor *(*rc_gc_build_fn)(rc_graph *g, void *ctx);

/* Checks d(Σ r ⊙ y)/d(x) for each tensor x in inputs (all with grad buffers)
 * against central differences (step eps), for up to max_per_input elements
 * of each input (all if 0), with r a fixed random weighting. The error of an
 * input is max |analytic - numeric| / max(max |numeric|, 1e-3). Prints one
 * line per input and fails the case if an error exceeds tol. Meaningful in
 * the double build (tests/grad_*.c). Returns the largest error. */
double rc_gradcheck(const char *name, rc_gc_build_fn build, void *ctx, rc_tensor **inputs, int n_inputs,
                    double eps, size_t max_per_input, double tol);

/* The same check for a computation with several outputs (e.g. an RNN's
 * output, h_n and c_n): the build function stores them in ys (at most
 * RC_GC_MAX_OUTPUTS) and returns how many, or 0 if building failed. Each
 * output gets its own fixed random weighting, so the checked scalar is
 * Σ_k Σ r_k ⊙ y_k and every output's gradient path is exercised. */
#define RC_GC_MAX_OUTPUTS 8
typedef int (*rc_gc_build_multi_fn)(rc_graph *g, void *ctx, rc_tensor **ys);

double rc_gradcheck_multi(const char *name, rc_gc_build_multi_fn build, void *ctx, rc_tensor **inputs, int n_inputs,
                          double eps, size_t max_per_input, double tol);

/* Fills t->data with U(lo, hi) from a generator seeded with seed. */
void rc_test_fill(rc_tensor *t, uint64_t seed, double lo, double hi);

#endif
