#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Redraws per second on a terminal; seconds between lines in a log. */
static const double LIVE_INTERVAL = 0.2, PLAIN_INTERVAL = 10;

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_start(cli_progress *p, FILE *fp, bool quiet, int64_t first_step)
{
    const char *term = getenv("TERM");
    p->fp = fp;
    p->quiet = quiet;
    p->live = isatty(fileno(fp)) && !(term && strcmp(term, "dumb") == 0);
    p->drawn = false;
    p->start = p->last = cli_now();
    p->first_step = first_step;
}

/* "1h02m", "3m05s" or "12s" */
static void format_duration(double s, char *buf, size_t n)
{
    long t = s > 0 && s < 1e9 ? (long)(s + 0.5) : 0;
    if (t >= 3600) snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
    else if (t >= 60) snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else snprintf(buf, n, "%lds", t);
}

void cli_progress_update(cli_progress *p, int64_t step, int64_t total, double epoch, double loss, double tokens_per_step,
                         double time_limit)
{
    if (p->quiet) return;
    double now = cli_now(), elapsed = now - p->start;
    bool last_step = total > 0 && step >= total;
    if (now - p->last < (p->live ? LIVE_INTERVAL : PLAIN_INTERVAL) && !(p->live && last_step)) return;
    p->last = now;
    int64_t done = step - p->first_step;
    double per_step = done > 0 ? elapsed / (double)done : 0, eta = -1;
    if (total > 0) eta = (double)(total - step) * per_step;
    if (time_limit > 0 && (eta < 0 || time_limit - elapsed < eta)) eta = time_limit - elapsed;
    char steps[48], left[32] = "?";
    if (total > 0) snprintf(steps, sizeof steps, "%lld/%lld", (long long)step, (long long)total);
    else snprintf(steps, sizeof steps, "%lld", (long long)step);
    if (eta >= 0) format_duration(eta, left, sizeof left);
    double rate = per_step > 0 ? tokens_per_step / per_step : 0;
    fprintf(p->fp, "%sstep %s  epoch %.2f  loss %.4f  %.0f tok/s  ETA %s%s", p->live ? "\r\033[K" : "", steps, epoch,
            loss, rate, left, p->live ? "" : "\n");
    fflush(p->fp);
    p->drawn = p->live;
}

void cli_progress_break(cli_progress *p)
{
    if (!p->drawn) return;
    fputc('\n', p->fp);
    fflush(p->fp);
    p->drawn = false;
}
