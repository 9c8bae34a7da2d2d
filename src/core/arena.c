#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>

struct rc_arena_block {
    rc_arena_block *next;
    size_t size, used;
    unsigned char *mem;
};

enum { MIN_BLOCK = 1 << 20 };

static size_t round_up(size_t n) { return (n + RC_ARENA_ALIGN - 1) & ~(size_t)(RC_ARENA_ALIGN - 1); }

static rc_arena_block *block_new(size_t size)
{
    rc_arena_block *b = malloc(sizeof *b);
    if (!b) return NULL;
    b->mem = aligned_alloc(RC_ARENA_ALIGN, size);
    if (!b->mem) {
        free(b);
        return NULL;
    }
    b->size = size;
    b->used = 0;
    b->next = NULL;
    return b;
}

void *rc_arena_alloc(rc_arena *a, size_t bytes)
{
    if (bytes > SIZE_MAX / 2) return NULL;
    size_t need = round_up(bytes ? bytes : 1);
    rc_arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t size = need > MIN_BLOCK ? need : MIN_BLOCK;
        if (b && size < b->size * 2 && b->size <= SIZE_MAX / 4) size = b->size * 2;
        rc_arena_block *nb = block_new(size);
        if (!nb) return NULL;
        nb->next = b;
        a->head = b = nb;
        a->capacity += size;
    }
    void *p = b->mem + b->used;
    b->used += need;
    a->used_total += need;
    return p;
}

static void free_blocks(rc_arena_block *b)
{
    while (b) {
        rc_arena_block *next = b->next;
        free(b->mem);
        free(b);
        b = next;
    }
}

void rc_arena_reset(rc_arena *a)
{
    if (a->head && a->head->next) {
        size_t total = round_up(a->capacity);
        free_blocks(a->head);
        a->head = block_new(total);
        a->capacity = a->head ? total : 0;
    } else if (a->head) {
        a->head->used = 0;
    }
    a->used_total = 0;
}

void rc_arena_free(rc_arena *a)
{
    free_blocks(a->head);
    a->head = NULL;
    a->used_total = a->capacity = 0;
}
