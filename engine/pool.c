/*
 * pool.c — the context's memory pool: free lists of blocks by power-of-two
 * size class, so that a steady training loop, which frees and makes the
 * same tensors, headers and autograd nodes every step, reuses them instead
 * of going through malloc. Blocks past a class's cap go straight back to
 * the system.
 *
 * Blocks above the largest class (a tensor of 2^18 float32 and more) are
 * kept whole, a few of them, up to a total: malloc hands such blocks back
 * to the kernel when they are freed, and every new one then costs a page
 * fault per 4 KiB on first touch, about as long as the kernel that fills
 * it. Their sizes are rounded up to one of eight steps per power of two
 * (at most 12.5% more), so that a steady loop finds the same sizes again.
 */
#include "act_internal.h"

#include <stdlib.h>
#include <string.h>

#define POOL_MIN_SHIFT 6                    /* the smallest class: 64 bytes */
#define POOL_MAX_BYTES ((size_t)1 << 20)    /* larger blocks are not pooled */
#define POOL_CAP_BYTES ((size_t)8 << 20)    /* pooled bytes, per class */
#define POOL_LARGE_CAP ((size_t)256 << 20)  /* large bytes kept, in all */

typedef struct pool_block {
    struct pool_block *next;
} pool_block;

/* Under AddressSanitizer a kept block is poisoned (but for a free list's
 * link), and a block handed out is poisoned past the size asked for, so
 * that a use after free or an overflow of a pooled block is caught as it
 * would be with malloc alone. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* A block of `block` bytes handed out for `size` of them. */
static void *hand_out(void *p, size_t size, size_t block)
{
    if (p) {
        UNPOISON(p, size);
        POISON((char *)p + size, block - size);
    }
    return p;
}

/* The smallest k with 2^(k + POOL_MIN_SHIFT) >= size (size <= 1 MiB). */
static int size_class(size_t size)
{
    if (size <= ((size_t)1 << POOL_MIN_SHIFT))
        return 0;
    int bits = 64 - __builtin_clzll((unsigned long long)(size - 1));
    return bits - POOL_MIN_SHIFT;
}

/* A large block's size, rounded up to one of 8 steps per power of two. */
static size_t large_bytes(size_t size)
{
    int bits = 64 - __builtin_clzll((unsigned long long)(size - 1));
    size_t step = (size_t)1 << (bits - 4);
    return (size + step - 1) / step * step;
}

static void large_remove(act_pool_large *l, int i)
{
    l->total -= l->bytes[i];
    for (int j = i + 1; j < l->n; j++) {
        l->block[j - 1] = l->block[j];
        l->bytes[j - 1] = l->bytes[j];
    }
    l->n--;
}

static void *large_get(act_pool_large *l, size_t size, bool zero)
{
    size_t bytes = large_bytes(size);
    for (int i = l->n - 1; i >= 0; i--) { /* the newest: warmest in cache */
        if (l->bytes[i] != bytes)
            continue;
        void *p = hand_out(l->block[i], size, bytes);
        large_remove(l, i);
        if (zero)
            memset(p, 0, size);
        return p;
    }
    return hand_out(zero ? calloc(1, bytes) : malloc(bytes), size, bytes);
}

/* Keeps p, letting the oldest kept blocks go to make room. */
static void large_put(act_pool_large *l, void *p, size_t size)
{
    size_t bytes = large_bytes(size);
    if (bytes > POOL_LARGE_CAP) {
        free(p);
        return;
    }
    while (l->n > 0 &&
           (l->n == ACT_POOL_LARGE_SLOTS || l->total + bytes > POOL_LARGE_CAP)) {
        free(l->block[0]);
        large_remove(l, 0);
    }
    POISON(p, bytes);
    l->block[l->n] = p;
    l->bytes[l->n] = bytes;
    l->n++;
    l->total += bytes;
}

void *act_pool_get(act_context *ctx, size_t size, bool zero)
{
    if (size == 0)
        size = 1;
    if (!ctx)
        return zero ? calloc(1, size) : malloc(size);
    if (size > POOL_MAX_BYTES)
        return large_get(&ctx->pool_large, size, zero);
    int k = size_class(size);
    act_pool_class *c = &ctx->pool[k];
    pool_block *b = c->free;
    size_t block = (size_t)1 << (k + POOL_MIN_SHIFT);
    if (!b)
        return hand_out(zero ? calloc(1, block) : malloc(block), size, block);
    c->free = b->next;
    c->count--;
    hand_out(b, size, block);
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
    if (!ctx) {
        free(p);
        return;
    }
    if (size > POOL_MAX_BYTES) {
        large_put(&ctx->pool_large, p, size);
        return;
    }
    int k = size_class(size);
    act_pool_class *c = &ctx->pool[k];
    if (((size_t)c->count + 1) << (k + POOL_MIN_SHIFT) > POOL_CAP_BYTES) {
        free(p);
        return;
    }
    pool_block *b = p;
    UNPOISON(b, sizeof *b);
    b->next = c->free;
    POISON(b + 1, ((size_t)1 << (k + POOL_MIN_SHIFT)) - sizeof *b);
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
    act_pool_large *l = &ctx->pool_large;
    while (l->n > 0) {
        free(l->block[l->n - 1]);
        large_remove(l, l->n - 1);
    }
}

size_t act_pool_bytes(const act_context *ctx)
{
    size_t bytes = ctx->pool_large.total;
    for (int k = 0; k < ACT_POOL_CLASSES; k++)
        bytes += (size_t)ctx->pool[k].count << (k + POOL_MIN_SHIFT);
    return bytes;
}
