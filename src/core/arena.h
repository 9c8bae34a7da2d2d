/*
 * A bump allocator in large blocks. Reset keeps the memory: if the last cycle
 * needed several blocks they are merged into one block of the total size, so
 * a loop of identical steps allocates only during its first step.
 */
#ifndef RC_CORE_ARENA_H
#define RC_CORE_ARENA_H

#include <stddef.h>

typedef struct rc_arena_block rc_arena_block;

typedef struct rc_arena {
    rc_arena_block *head;   /* block being filled; older blocks follow ->next */
    size_t used_total;      /* bytes handed out since the last reset */
    size_t capacity;        /* bytes held in all blocks */
} rc_arena;

#define RC_ARENA_ALIGN 64

/* NULL when out of memory. The memory is uninitialised. */
void *rc_arena_alloc(rc_arena *a, size_t bytes);
void rc_arena_reset(rc_arena *a);
void rc_arena_free(rc_arena *a);

#endif
