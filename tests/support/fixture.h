/*
 * PyTorch parity fixtures (the .safetensors files in tests/fixtures, written by
 * scripts/gen_fixtures.py): reading inputs and parameters, and comparing
 * recur's outputs and gradients with PyTorch's.
 *
 * A file holds one or more configurations. Tensors are named "PREFIX.NAME";
 * the header's __metadata__ lists the prefixes under "configs" (a JSON
 * array) and describes each one under its prefix (a JSON object). Expected
 * gradients are named "PREFIX.grad.NAME".
 *
 *     rc_fx fx;
 *     if (!rc_fx_open(&fx, "tests/fixtures/ops.safetensors")) return;
 *     json_t *cfg = rc_fx_begin(&fx, "linear");
 *     ...
 *     rc_fx_check(&fx, "out", y);            // forward, absolute tolerance
 *     rc_fx_check_grad(&fx, "x", x);         // x->grad against "linear.grad.x"
 *     rc_fx_end(&fx);                        // one "parity" summary line
 *     rc_fx_close(&fx);
 *
 * Every failure fails the current test case (RC_CHECK) and prints the name.
 */
#ifndef RC_TEST_FIXTURE_H
#define RC_TEST_FIXTURE_H

#include <jansson.h>

#include "harness.h"

/* Forward values: |recur - PyTorch| <= 1e-5. Both compute in float32; the
 * sums inside matrix products and the recurrences run in different orders,
 * which costs a few ulps per step (~1e-7 at these magnitudes) accumulated
 * over at most 5 steps and 2 layers: well under 1e-5. */
#define RC_FX_FWD_ATOL 1e-5

/* Gradients: |recur - PyTorch| <= 1e-4 · max |PyTorch|, over each tensor.
 * Backpropagation through time sums T products per weight entry and chains
 * them through layers and directions; relative to the tensor's scale the
 * rounding differences stay near 1e-6. A wrong gate, sign or missing term
 * gives errors of order 1. */
#define RC_FX_GRAD_RTOL 1e-4

typedef struct rc_fx {
    rc_st_file *file;
    const char *path;
    json_t *config;      /* the current prefix's configuration */
    char prefix[64];
    double fwd_err;      /* worst absolute forward error since rc_fx_begin */
    double grad_err;     /* worst gradient error relative to max |want| */
} rc_fx;

/* Opens a fixture file; false (and a failed check) if it cannot be read. */
bool rc_fx_open(rc_fx *fx, const char *path);
void rc_fx_close(rc_fx *fx);

/* The prefixes listed in the file's "configs" metadata, as a JSON array
 * owned by the caller (json_decref), or NULL with a failed check. */
json_t *rc_fx_configs(rc_fx *fx);

/* Starts configuration `prefix`: later names are relative to it, the worst
 * errors are reset. Returns its configuration object (owned by fx until the
 * next rc_fx_begin or rc_fx_close), or NULL with a failed check. */
json_t *rc_fx_begin(rc_fx *fx, const char *prefix);

/* Prints "parity FILE PREFIX fwd ERR grad ERR" for the current configuration. */
void rc_fx_end(rc_fx *fx);

/* Integer, boolean and string fields of the current configuration; a missing
 * field fails the check and gives 0, false or "". */
int rc_fx_int(rc_fx *fx, const char *key);
bool rc_fx_bool(rc_fx *fx, const char *key);
double rc_fx_real(rc_fx *fx, const char *key);
const char *rc_fx_str(rc_fx *fx, const char *key);

/* True if the file holds "PREFIX.name". */
bool rc_fx_has(const rc_fx *fx, const char *name);

/* Reads "PREFIX.name" into t->data (shapes must match). */
bool rc_fx_read(rc_fx *fx, const char *name, rc_tensor *t);

/* Reads "PREFIX.name" into t->grad: an upstream gradient. */
bool rc_fx_read_grad(rc_fx *fx, const char *name, rc_tensor *t);

/* Reads the integer tensor "PREFIX.name" of n elements. */
bool rc_fx_read_ints(rc_fx *fx, const char *name, int *ids, size_t n);

/* A graph tensor of the stored shape holding "PREFIX.name", with a grad
 * buffer if requires_grad; NULL with a failed check. */
rc_tensor *rc_fx_input(rc_fx *fx, rc_graph *g, const char *name, bool requires_grad);

/* Checks that every parameter of ps exists in the configuration's "params"
 * list, in the same order and number (PyTorch's state_dict order), and
 * loads each from "PREFIX.<key_prefix>NAME". */
bool rc_fx_load_params(rc_fx *fx, rc_params *ps, const char *key_prefix);

/* Compares got->data (shape included) with "PREFIX.name" within
 * RC_FX_FWD_ATOL. */
bool rc_fx_check(rc_fx *fx, const char *name, const rc_tensor *got);

/* Compares got->grad with "PREFIX.grad.name" within RC_FX_GRAD_RTOL. */
bool rc_fx_check_grad(rc_fx *fx, const char *name, const rc_tensor *got);

/* Compares every parameter's grad with "PREFIX.grad.NAME". */
void rc_fx_check_param_grads(rc_fx *fx, const rc_params *ps);

/* Compares n values with the stored tensor "PREFIX.name" (of n elements)
 * within atol + rtol · max |want|; returns the error relative to max |want|
 * in *rel_err if non-NULL. */
bool rc_fx_compare(rc_fx *fx, const char *name, const rc_real *got, size_t n, double atol, double rtol,
                   double *rel_err);

#endif
