/*
 * test_pool.c — the context's pool of freed blocks (pool.c): large blocks
 * are kept and found again by size, zeroed when asked, bounded in count
 * and bytes, and handed back by act_context_empty_cache; small ones by
 * size class.
 */
#include "test_support.h"

static act_tensor *zeros(int64_t n)
{
    act_tensor *t = NULL;
    assert_int_equal(act_zeros(ctx, F32, 1, SHAPE(n), &t), ACT_OK);
    return t;
}

static bool all_zero(const act_tensor *t)
{
    const float *p = act_tensor_data(t);
    for (int64_t i = 0; i < act_tensor_numel(t); i++)
        if (p[i] != 0)
            return false;
    return true;
}

static void test_large_block_is_reused_and_zeroed(void **state)
{
    int64_t n = 1 << 20; /* 4 MiB of float32 */
    act_tensor *a = zeros(n);
    void *block = act_tensor_data(a);
    assert_int_equal(act_fill_(ctx, a, 7), ACT_OK);
    size_t before = act_context_cached_bytes(ctx);
    act_tensor_free(a);
    assert_true(act_context_cached_bytes(ctx) >= before + (size_t)n * 4);
    /* The same block again, cleared for zeros; a size in the same step
     * (a little smaller) finds it too. */
    act_tensor *b = zeros(n - 1000);
    assert_ptr_equal(act_tensor_data(b), block);
    assert_true(all_zero(b));
    assert_int_equal(act_context_cached_bytes(ctx), before);
    act_tensor_free(b);
    act_context_empty_cache(ctx);
    assert_int_equal(act_context_cached_bytes(ctx), 0);
}

/* Freed large blocks beyond the bounds go back: 20 of 16 MiB keep at most
 * 256 MiB; 40 of 2 MiB keep 32 (the slots); one larger than the whole
 * cache is never kept. Small headers add a few KiB. */
static void free_many(int count, int64_t floats)
{
    act_context_empty_cache(ctx);
    act_tensor *t[40];
    for (int i = 0; i < count; i++)
        t[i] = zeros(floats);
    for (int i = 0; i < count; i++)
        act_tensor_free(t[i]);
}

static void test_large_blocks_are_bounded(void **state)
{
    size_t mib = (size_t)1 << 20, slack = (size_t)64 << 10;
    free_many(20, (int64_t)4 << 20);
    assert_true(act_context_cached_bytes(ctx) >= 240 * mib);
    assert_true(act_context_cached_bytes(ctx) <= 256 * mib + slack);
    free_many(40, (int64_t)512 << 10);
    assert_true(act_context_cached_bytes(ctx) >= 64 * mib);
    assert_true(act_context_cached_bytes(ctx) <= 64 * mib + slack);
    free_many(1, (int64_t)80 << 20); /* 320 MiB */
    assert_true(act_context_cached_bytes(ctx) <= slack);
    act_context_empty_cache(ctx);
}

static void test_small_blocks_are_pooled(void **state)
{
    act_tensor *a = zeros(100);
    act_tensor_free(a);
    assert_true(act_context_cached_bytes(ctx) > 0);
    assert_int_equal(act_context_live_bytes(ctx), 0);
    act_context_empty_cache(ctx);
    assert_int_equal(act_context_cached_bytes(ctx), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_large_block_is_reused_and_zeroed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_blocks_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_blocks_are_pooled, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
