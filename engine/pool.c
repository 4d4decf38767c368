/*
 * pool.c — the context's memory pool: free lists of blocks by power-of-two
 * size class, so that a steady training loop, which frees and makes the
 * same tensors, headers and autograd nodes every step, reuses them instead
 * of going through malloc. Blocks above the largest class, and blocks past
 * a class's cap, go straight back to the system.
 */
#include "act_internal.h"

#include <stdlib.h>
#include <string.h>

#define POOL_MIN_SHIFT 6                    /* the smallest class: 64 bytes */
#define POOL_MAX_BYTES ((size_t)1 << 20)    /* larger blocks are not pooled */
#define POOL_CAP_BYTES ((size_t)8 << 20)    /* pooled bytes, per class */

typedef struct pool_block {
    struct pool_block *next;
} pool_block;

/* The smallest k with 2^(k + POOL_MIN_SHIFT) >= size (size <= 1 MiB). */
static int size_class(size_t size)
{
    if (size <= ((size_t)1 << POOL_MIN_SHIFT))
        return 0;
    int bits = 64 - __builtin_clzll((unsigned long long)(size - 1));
    return bits - POOL_MIN_SHIFT;
}

void *act_pool_get(act_context *ctx, size_t size, bool zero)
{
    if (size == 0)
        size = 1;
    if (!ctx || size > POOL_MAX_BYTES)
        return zero ? calloc(1, size) : malloc(size);
    int k = size_class(size);
    act_pool_class *c = &ctx->pool[k];
    pool_block *b = c->free;
    if (!b) {
        size_t block = (size_t)1 << (k + POOL_MIN_SHIFT);
        return zero ? calloc(1, block) : malloc(block);
    }
    c->free = b->next;
    c->count--;
    if (zero)
        memset(b, 0, size);
    return b;
}

void act_pool_put(act_context *ctx, void *p, size_t size)
{
    if (!p)
        return;
    if (size == 0)
        size = 1;
    if (!ctx || size > POOL_MAX_BYTES) {
        free(p);
        return;
    }
    int k = size_class(size);
    act_pool_class *c = &ctx->pool[k];
    if (((size_t)c->count + 1) << (k + POOL_MIN_SHIFT) > POOL_CAP_BYTES) {
        free(p);
        return;
    }
    pool_block *b = p;
    b->next = c->free;
    c->free = b;
    c->count++;
}

void act_pool_drain(act_context *ctx)
{
    for (int k = 0; k < ACT_POOL_CLASSES; k++) {
        pool_block *b = ctx->pool[k].free;
        while (b) {
            pool_block *next = b->next;
            free(b);
            b = next;
        }
        ctx->pool[k].free = NULL;
        ctx->pool[k].count = 0;
    }
}
