/*
 * Replays the committed inputs of every fuzz target with the ordinary
 * compiler, so that a crash once found stays fixed even where clang is
 * missing: each file of tests/fuzz/corpus/NAME/ (the seeds) and of
 * tests/fuzz/regressions/NAME/ (inputs that crashed the library before a
 * fix) goes through the target tests/fuzz/fuzz_NAME.c. The targets' own
 * checks abort on a broken promise, which fails this binary; the asan build
 * also reports the memory errors and leaks a crash input would cause.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/support/fuzz.h"
#include "harness.h"

/* The Makefile defines RC_FUZZ_TARGETS as RC_FUZZ_TARGET(fuzz_NAME) for every
 * target and links each with its entry point renamed to fuzz_NAME_one. */
#define RC_FUZZ_TARGET(fn) int fn##_one(const uint8_t *data, size_t size);
RC_FUZZ_TARGETS
#undef RC_FUZZ_TARGET

typedef struct target {
    const char *name; /* NAME of tests/fuzz/fuzz_NAME.c */
    int (*run)(const uint8_t *data, size_t size);
} target;

static const target targets[] = {
#define RC_FUZZ_TARGET(fn) {#fn + sizeof "fuzz_" - 1, fn##_one},
    RC_FUZZ_TARGETS
#undef RC_FUZZ_TARGET
};
enum { N_TARGETS = sizeof targets / sizeof targets[0] };

static const char *const kinds[] = {"tests/fuzz/corpus", "tests/fuzz/regressions"};

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The entries of dir other than "." and "..", sorted; *n of them (0 if dir is missing). */
static char **list_dir(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (*n == cap) names = realloc(names, (cap = cap * 2 + 16) * sizeof *names);
        names[*n] = malloc(strlen(e->d_name) + 1);
        strcpy(names[(*n)++], e->d_name);
    }
    closedir(d);
    if (*n) qsort(names, *n, sizeof *names, by_name);
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    *n = 0;
    if (!fp) return NULL;
    uint8_t *b = NULL;
    size_t cap = 0, k;
    do {
        if (*n == cap) b = realloc(b, cap = cap * 2 + 4096);
        k = fread(b + *n, 1, cap - *n, fp);
        *n += k;
    } while (k > 0);
    bool ok = !ferror(fp);
    fclose(fp);
    if (!ok) {
        free(b);
        return NULL;
    }
    return b;
}

/* Runs every file of dir through t; returns how many. */
static size_t replay_dir(const target *t, const char *dir)
{
    size_t n;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t size;
        uint8_t *data = read_file(path, &size);
        RC_CHECK(data != NULL, "cannot read %s", path);
        if (data) RC_CHECK(t->run(data, size) == 0, "%s: the target returned non-zero", path);
        free(data);
    }
    free_list(names, n);
    return n;
}

static const target *current;

static void test_replay_target(void)
{
    size_t counts[2];
    for (int k = 0; k < 2; k++) {
        char dir[256];
        snprintf(dir, sizeof dir, "%s/%s", kinds[k], current->name);
        counts[k] = replay_dir(current, dir);
    }
    printf("  %s: %zu seeds, %zu regressions replayed\n", current->name, counts[0], counts[1]);
    RC_CHECK(counts[0] > 0, "no seeds in tests/fuzz/corpus/%s", current->name);
}

/* A directory named after no target would never be replayed (a typo, a renamed target). */
static void test_every_input_directory_has_a_target(void)
{
    for (int k = 0; k < 2; k++) {
        size_t n;
        char **names = list_dir(kinds[k], &n);
        for (size_t i = 0; i < n; i++) {
            bool known = false;
            for (int j = 0; j < N_TARGETS; j++) known |= strcmp(names[i], targets[j].name) == 0;
            RC_CHECK(known, "%s/%s belongs to no target tests/fuzz/fuzz_%s.c", kinds[k], names[i], names[i]);
        }
        free_list(names, n);
    }
}

int main(void)
{
    for (int i = 0; i < N_TARGETS; i++) {
        current = &targets[i];
        char name[128];
        snprintf(name, sizeof name, "test_replay_%s", targets[i].name);
        rc_test_run(name, test_replay_target);
    }
    RC_RUN(test_every_input_directory_has_a_target);
    return rc_test_finish();
}
