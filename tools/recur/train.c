/*
 * The shared training loop: optimizer, limits, validation and best model,
 * checkpoints and resume, signals, NaN checks, progress and metrics.
 */
#include "train.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "model_file.h"
#include "progress.h"

/* --on-nan skip stops the run at the MAX_NONFINITE_RUN-th non-finite step
 * in a row: by then the parameters themselves are the likely cause. */
enum { MAX_META = 6, MAX_NONFINITE_RUN = 10 };

typedef struct trainer {
    const cli_train_task *task;
    const cli_common *c;
    rc_graph *g;
    rc_optim *opt;
    rc_params *ckpt; /* parameters, optimizer state and carried state */
    char *ckpt_path;
    int64_t step, total;  /* steps done; the step limit or 0 */
    int64_t best_step;
    double best_valid;    /* the lowest value of the task's best_by metric; INFINITY until a validation */
    double loss_sum;      /* training loss summed since the last evaluation */
    int64_t loss_count;   /* updates since the last evaluation */
    int64_t skipped;      /* batches skipped by --on-nan skip (steps without an update) */
    int64_t skip_run;     /* the latest of them that came in a row */
    double start;
    cli_progress progress;
} trainer;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static rc_status append_all(rc_params *dst, const rc_params *src)
{
    rc_status s = RC_OK;
    for (size_t i = 0; src && s == RC_OK && i < rc_params_count(src); i++)
        s = rc_params_add(dst, NULL, rc_params_name(src, i), rc_params_tensor(src, i));
    return s;
}

static rc_status setup(trainer *tr)
{
    const cli_common *c = tr->c;
    rc_optim_config oc = rc_optim_config_default(cli_optim_kind(c), (rc_real)c->lr);
    rc_status s = rc_optim_create(&tr->opt, &oc, tr->task->params);
    if (s == RC_OK) s = rc_params_create(&tr->ckpt);
    if (s == RC_OK) s = append_all(tr->ckpt, tr->task->params);
    if (s == RC_OK) s = rc_optim_add_state(tr->opt, tr->ckpt, "optim");
    if (s == RC_OK) s = append_all(tr->ckpt, tr->task->state);
    if (s != RC_OK) return s;
    size_t n = strlen(c->model) + sizeof ".ckpt";
    tr->ckpt_path = malloc(n);
    if (!tr->ckpt_path) return rc_error(RC_E_NOMEM, "out of memory");
    snprintf(tr->ckpt_path, n, "%s.ckpt", c->model);
    tr->total = c->steps > 0 ? c->steps : (int64_t)c->epochs * tr->task->steps_per_epoch;
    tr->best_valid = INFINITY;
    return RC_OK;
}

static double epoch_of(const trainer *tr) { return (double)tr->step / (double)tr->task->steps_per_epoch; }

/* ---- checkpoints ------------------------------------------------------- */

static json_t *checkpoint_json(const trainer *tr)
{
    const rc_rng *r = rc_graph_rng(tr->g);
    char hex[4][17];
    for (int i = 0; i < 4; i++) snprintf(hex[i], sizeof hex[i], "%016" PRIx64, r->s[i]);
    json_t *best = isfinite(tr->best_valid) ? json_real(tr->best_valid) : json_null();
    return json_pack("{s:I, s:[ssss], s:o, s:I, s:f, s:I, s:I, s:I, s:O}", "step", (json_int_t)tr->step, "rng", hex[0],
                     hex[1], hex[2], hex[3], "best_valid", best, "best_step", (json_int_t)tr->best_step, "loss_sum",
                     tr->loss_sum, "loss_count", (json_int_t)tr->loss_count, "skipped", (json_int_t)tr->skipped,
                     "skip_run", (json_int_t)tr->skip_run, "identity", (json_t *)tr->task->identity);
}

static rc_status write_checkpoint(trainer *tr)
{
    const cli_train_task *task = tr->task;
    json_t *j = checkpoint_json(tr);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) return rc_error(RC_E_NOMEM, "out of memory writing a checkpoint");
    RC_ASSERT(task->n_meta < MAX_META);
    rc_st_kv meta[MAX_META];
    memcpy(meta, task->meta, task->n_meta * sizeof *meta);
    meta[task->n_meta] = (rc_st_kv){"checkpoint", text};
    rc_status s = cli_model_save(tr->ckpt_path, tr->ckpt, task->name, meta, task->n_meta + 1);
    free(text);
    return s;
}

static bool parse_hex64(const char *s, uint64_t *v)
{
    char *end;
    if (strlen(s) != 16 || strspn(s, "0123456789abcdef") != 16) return false;
    *v = strtoull(s, &end, 16);
    return *end == '\0';
}

/* Names the first option whose value differs between the checkpoint's
 * identity and this run's. */
static rc_status identity_mismatch(const json_t *was, const json_t *now, const char *path)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)now, key, v)
    {
        const json_t *w = json_object_get(was, key);
        if (w && json_equal(v, w)) continue;
        char *a = w ? json_dumps(w, JSON_ENCODE_ANY) : NULL, *b = json_dumps(v, JSON_ENCODE_ANY);
        rc_status s = rc_error(RC_E_INVALID, "--resume '%s': the checkpoint was made with %s = %s, this run has %s = %s",
                               path, key, a ? a : "(nothing)", key, b ? b : "?");
        free(a);
        free(b);
        return s;
    }
    return rc_error(RC_E_INVALID, "--resume '%s': the checkpoint was made with other options", path);
}

/* Restores the counters and the generator from the "checkpoint" metadata,
 * after checking that the run's identity matches. */
static rc_status restore_counters(trainer *tr, const json_t *j, const char *path)
{
    json_int_t step, best_step, loss_count, skipped = 0, skip_run = 0;
    const char *rng[4];
    json_t *best, *identity;
    double loss_sum;
    json_error_t err;
    /* "skipped" and "skip_run" are absent from checkpoints written before --on-nan */
    if (json_unpack_ex((json_t *)j, &err, JSON_STRICT, "{s:I, s:[ssss], s:o, s:I, s:F, s:I, s?I, s?I, s:o}", "step",
                       &step, "rng", &rng[0], &rng[1], &rng[2], &rng[3], "best_valid", &best, "best_step", &best_step,
                       "loss_sum", &loss_sum, "loss_count", &loss_count, "skipped", &skipped, "skip_run", &skip_run,
                       "identity", &identity))
        return rc_error(RC_E_FORMAT, "'%s': bad \"checkpoint\" metadata: %s", path, err.text);
    if (step < 0 || best_step < 0 || best_step > step || skipped < 0 || skipped > step || skip_run < 0 ||
        skip_run > skipped || skip_run >= MAX_NONFINITE_RUN || loss_count < 0 || loss_count > step - skipped ||
        !(json_is_null(best) || json_is_number(best)) || !isfinite(loss_sum))
        return rc_error(RC_E_FORMAT, "'%s': inconsistent \"checkpoint\" counters", path);
    rc_rng *r = rc_graph_rng(tr->g);
    for (int i = 0; i < 4; i++)
        if (!parse_hex64(rng[i], &r->s[i]))
            return rc_error(RC_E_FORMAT, "'%s': generator word %d is not 16 hex digits", path, i);
    if (!json_equal(identity, tr->task->identity)) return identity_mismatch(identity, tr->task->identity, path);
    tr->step = step;
    tr->best_step = best_step;
    tr->best_valid = json_is_null(best) ? INFINITY : json_number_value(best);
    tr->loss_sum = loss_sum;
    tr->loss_count = loss_count;
    tr->skipped = skipped;
    tr->skip_run = skip_run;
    return rc_optim_set_steps(tr->opt, step - skipped);
}

static rc_status read_checkpoint(trainer *tr, const char *path)
{
    rc_st_file *f;
    rc_status s = cli_model_open(&f, path, tr->task->name);
    if (s != RC_OK) return s;
    json_t *j = NULL;
    s = cli_model_json(f, path, "checkpoint", &j);
    rc_st_close(f);
    if (s == RC_OK) s = restore_counters(tr, j, path);
    json_decref(j);
    return s == RC_OK ? rc_st_load_params(path, tr->ckpt, true) : s;
}

/* ---- steps and evaluation ---------------------------------------------- */

/* The name of the first tensor of ps whose values (or gradients) are not all
 * finite, or NULL. */
static const char *nonfinite_tensor(const rc_params *ps, bool grads)
{
    for (size_t i = 0; i < rc_params_count(ps); i++) {
        const rc_tensor *t = rc_params_tensor(ps, i);
        const rc_real *v = grads ? t->grad : t->data;
        for (size_t j = 0; v && j < t->numel; j++)
            if (!isfinite(v[j])) return rc_params_name(ps, i);
    }
    return NULL;
}

/* Says which value of a non-finite step is not finite: the loss, the
 * gradient of a parameter, or only the gradient norm (an overflow of finite
 * gradients); and a parameter that is not finite, the likely cause. NaN is
 * printed without the sign that printf would show. */
static void describe_nonfinite(const trainer *tr, double loss, rc_real norm, char *buf, size_t size)
{
    const rc_params *ps = tr->task->params;
    const char *grad = nonfinite_tensor(ps, true), *param = nonfinite_tensor(ps, false);
    char value[32];
    double v = isfinite(loss) ? (double)norm : loss;
    if (isnan(v)) snprintf(value, sizeof value, "NaN");
    else snprintf(value, sizeof value, "%g", v);
    int n;
    if (!isfinite(loss)) n = snprintf(buf, size, "the loss is %s", value);
    else if (grad) n = snprintf(buf, size, "the gradient of '%s' is not finite (gradient norm %s)", grad, value);
    else n = snprintf(buf, size, "the gradient norm is %s", value);
    if (param && n >= 0 && (size_t)n < size) snprintf(buf + n, size - (size_t)n, " (parameter '%s' is not finite)", param);
}

/* A step whose loss or gradient norm is not finite: an error, or with
 * --on-nan skip a step without an update. */
static rc_status nonfinite_step(trainer *tr, double loss, rc_real norm)
{
    const cli_train_task *task = tr->task;
    char what[512];
    describe_nonfinite(tr, loss, norm, what, sizeof what);
    long long step = (long long)tr->step + 1;
    if (tr->c->on_nan == CLI_ON_NAN_STOP)
        return rc_error(RC_E_NUMERIC, "step %lld: %s; stopped before the update, nothing saved", step, what);
    if (tr->skip_run + 1 >= MAX_NONFINITE_RUN)
        return rc_error(RC_E_NUMERIC, "step %lld: %s, the %dth step in a row; stopped before the update, nothing saved",
                        step, what, MAX_NONFINITE_RUN);
    rc_params_zero_grad(task->params);
    /* the batch may have left NaN in the carried state; zero is where every
     * stream starts, at each epoch */
    for (size_t i = 0; task->state && i < rc_params_count(task->state); i++) {
        rc_tensor *t = rc_params_tensor(task->state, i);
        memset(t->data, 0, t->numel * sizeof *t->data);
    }
    tr->step++;
    tr->skipped++;
    tr->skip_run++;
    cli_progress_break(&tr->progress);
    fprintf(stderr, "%s: step %lld: %s; batch skipped (%lld skipped so far)\n", task->cmd, step, what,
            (long long)tr->skipped);
    return RC_OK;
}

static rc_status train_step(trainer *tr)
{
    const cli_train_task *task = tr->task;
    double loss;
    rc_graph_reset(tr->g);
    rc_params_zero_grad(task->params);
    rc_status s = task->step(task->self, tr->g, tr->step, &loss);
    if (s != RC_OK) return s;
    rc_real norm = rc_clip_grad_norm(task->params, tr->c->clip > 0 ? (rc_real)tr->c->clip : (rc_real)INFINITY);
    if (!isfinite(loss) || !isfinite(norm)) return nonfinite_step(tr, loss, norm);
    s = rc_optim_step(tr->opt);
    if (s != RC_OK) return s;
    tr->step++;
    tr->skip_run = 0;
    tr->loss_sum += loss;
    tr->loss_count++;
    return RC_OK;
}

static rc_status validate(trainer *tr, json_t *rec, double *loss)
{
    const cli_train_task *task = tr->task;
    rc_graph_set_training(tr->g, false);
    rc_graph_set_grad_enabled(tr->g, false);
    /* a placeholder fixes the key's place before the task's own metrics */
    json_object_set_new(rec, "valid_loss", json_null());
    rc_status s = task->validate(task->self, tr->g, loss, rec);
    rc_graph_set_training(tr->g, true);
    rc_graph_set_grad_enabled(tr->g, true);
    if (s == RC_OK && !isfinite(*loss))
        s = rc_error(RC_E_NUMERIC, "step %lld: the validation loss is %g; stopped, nothing saved", (long long)tr->step,
                     *loss);
    if (s == RC_OK && json_object_set_new(rec, "valid_loss", json_real(*loss)))
        s = rc_error(RC_E_NOMEM, "out of memory");
    return s;
}

/* Adds "skipped_batches" to a record under --on-nan skip; NULL (out of
 * memory) when rec is NULL or the key cannot be added. */
static json_t *with_skipped(const trainer *tr, json_t *rec)
{
    if (rec && tr->c->on_nan == CLI_ON_NAN_SKIP &&
        json_object_set_new(rec, "skipped_batches", json_integer((json_int_t)tr->skipped))) {
        json_decref(rec);
        rec = NULL;
    }
    return rec;
}

static const char *best_by(const cli_train_task *task) { return task->best_by ? task->best_by : "valid_loss"; }

/* The value of the task's best_by metric in rec. */
static rc_status selection_value(const trainer *tr, const json_t *rec, double *value)
{
    const char *key = best_by(tr->task);
    const json_t *v = json_object_get(rec, key);
    RC_ASSERT(json_is_number(v));
    *value = json_number_value(v);
    if (!isfinite(*value))
        return rc_error(RC_E_NUMERIC, "step %lld: the validation's %s is %g; stopped, nothing saved",
                        (long long)tr->step, key, *value);
    return RC_OK;
}

/* Validates, keeps the model if it is the best so far, and prints a record
 * with the mean training loss since the last one. */
static rc_status evaluate(trainer *tr)
{
    const cli_train_task *task = tr->task;
    /* no update since the last record (every batch skipped): no mean */
    json_t *train_loss = tr->loss_count > 0 ? json_real(tr->loss_sum / (double)tr->loss_count) : json_null();
    json_t *rec = with_skipped(tr, json_pack("{s:s, s:I, s:f, s:o}", "event", "eval", "step", (json_int_t)tr->step,
                                             "epoch", epoch_of(tr), "train_loss", train_loss));
    if (!rec) return rc_error(RC_E_NOMEM, "out of memory");
    double loss = 0, value = 0;
    rc_status s = task->has_valid ? validate(tr, rec, &loss) : RC_OK;
    if (s == RC_OK && task->has_valid) s = selection_value(tr, rec, &value);
    bool best = s == RC_OK && (!task->has_valid || value < tr->best_valid);
    if (best) s = cli_model_save(tr->c->model, task->params, task->name, task->meta, task->n_meta);
    if (s != RC_OK) {
        json_decref(rec);
        return s;
    }
    if (best) {
        tr->best_valid = task->has_valid ? value : INFINITY;
        tr->best_step = tr->step;
    }
    json_object_set_new(rec, "best", json_boolean(best));
    json_object_set_new(rec, "elapsed", json_real(cli_now() - tr->start));
    tr->loss_sum = 0;
    tr->loss_count = 0;
    cli_progress_break(&tr->progress);
    return cli_emit(rec, tr->c->json, stdout);
}

/* ---- the loop ---------------------------------------------------------- */

static int report(trainer *tr, const char *what)
{
    cli_progress_break(&tr->progress);
    fprintf(stderr, "%s: %s%s\n", tr->task->cmd, what ? what : "", rc_last_error());
    return 1;
}

static int finish(trainer *tr)
{
    rc_status s = tr->loss_count > 0 ? evaluate(tr) : RC_OK;
    if (s == RC_OK) s = write_checkpoint(tr);
    if (s != RC_OK) return report(tr, NULL);
    json_t *best = isfinite(tr->best_valid) ? json_real(tr->best_valid) : json_null();
    char key[CLI_NAME_MAX + 8];
    snprintf(key, sizeof key, "best_%s", best_by(tr->task));
    s = cli_emit(with_skipped(tr, json_pack("{s:s, s:I, s:I, s:o, s:s, s:f}", "event", "done", "step",
                                            (json_int_t)tr->step, "best_step", (json_int_t)tr->best_step, key, best,
                                            "model", tr->c->model, "elapsed", cli_now() - tr->start)),
                 tr->c->json, stdout);
    return s == RC_OK ? 0 : report(tr, NULL);
}

static int interrupt(trainer *tr)
{
    int sig = stop_signal;
    if (write_checkpoint(tr) != RC_OK) return report(tr, "stopped, but the checkpoint failed: ");
    cli_progress_break(&tr->progress);
    if (!tr->c->quiet)
        fprintf(stderr, "%s: stopped after step %lld (%s); continue with --resume %s\n", tr->task->cmd,
                (long long)tr->step, sig ? (sig == SIGINT ? "SIGINT" : "SIGTERM") : "--stop-after", tr->ckpt_path);
    return sig ? 128 + sig : 0;
}

static bool limit_reached(const trainer *tr)
{
    return (tr->total > 0 && tr->step >= tr->total) || (tr->c->time > 0 && cli_now() - tr->start >= tr->c->time);
}

static bool every(int64_t step, int n) { return n > 0 && step % n == 0; }

static int loop(trainer *tr)
{
    const cli_common *c = tr->c;
    tr->start = cli_now();
    cli_progress_start(&tr->progress, stderr, c->quiet, tr->step);
    while (!limit_reached(tr)) {
        if (train_step(tr) != RC_OK) return report(tr, NULL);
        cli_progress_update(&tr->progress, tr->step, tr->total, epoch_of(tr), tr->loss_sum / (double)tr->loss_count,
                            tr->task->tokens_per_step, c->time);
        if (every(tr->step, c->eval_every) && evaluate(tr) != RC_OK) return report(tr, NULL);
        if (stop_signal || tr->step == c->stop_after) return interrupt(tr);
        if (every(tr->step, c->checkpoint_every) && write_checkpoint(tr) != RC_OK) return report(tr, NULL);
    }
    return finish(tr);
}

int cli_train_run(const cli_train_task *task, const cli_common *c, rc_graph *g)
{
    trainer tr = {.task = task, .c = c, .g = g};
    rc_rng_seed(rc_graph_rng(g), cli_stream_seed(c, CLI_STREAM_DROPOUT));
    rc_status s = setup(&tr);
    if (s == RC_OK && c->resume) s = read_checkpoint(&tr, c->resume);
    int rc;
    if (s != RC_OK) {
        rc = report(&tr, NULL);
    } else {
        if (c->resume && !c->quiet)
            fprintf(stderr, "%s: resuming '%s' at step %lld\n", task->cmd, c->resume, (long long)tr.step);
        struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
        sigemptyset(&sa.sa_mask);
        stop_signal = 0;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        rc = loop(&tr);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    rc_optim_free(tr.opt);
    rc_params_free(tr.ckpt);
    free(tr.ckpt_path);
    return rc;
}
