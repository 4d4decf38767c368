/*
 * test_support.h — the harness the cmocka tests in tests/c share. Include it
 * once, after any of the configuration macros below, in place of the usual
 * cmocka/libc/act.h includes. Everything here is static (inline), so each
 * test executable gets its own copy and unused helpers cost nothing.
 *
 * It provides:
 *
 *   the includes   <stdarg.h> <stddef.h> <stdint.h> <setjmp.h> <cmocka.h>,
 *                  <math.h> <stdio.h> <stdlib.h> <string.h> and "act.h";
 *   shorthands     F32 F64 I64 (dtypes), ALL (ACT_ALL_DIMS),
 *                  SHAPE(...) and VALUES(...) (compound-literal arrays).
 *
 * and one of two harnesses, each with per-test setup() and teardown() for
 * cmocka_unit_test_setup_teardown:
 *
 *   The default: a file-wide `static act_context *ctx`. setup() creates it
 *   (and seeds it with act_manual_seed when TEST_SEED is defined); teardown()
 *   asserts act_context_live_bytes(ctx) == 0 (every test frees what it
 *   makes, graphs included) and frees it. Helpers on that ctx:
 *
 *     make(dt, ndim, shape, data, requires_grad)
 *         a tensor from doubles; requires_grad set only when asked.
 *     make_rg(dt, ndim, shape, data, requires_grad)
 *         the same, but always calls act_tensor_set_requires_grad (asserting
 *         it succeeds) with the flag given, false included.
 *     values(t, out)          the elements of t in row-major order.
 *     check_grads(fn, user, n, in)
 *         act_gradcheck with eps 1e-6, atol 1e-7, rtol 1e-5; on failure
 *         prints "gradcheck: <report>" and fails.
 *     assert_grad(t, want, n)          t's gradient within 1e-12, by element.
 *     assert_grad_tol(t, want, n, tol) the same within tol.
 *     backward_sum(y)         backward of sum(y) (asserted ACT_OK); frees y.
 *     assert_error(got, want, words)
 *         status got == want and the context's error message has words.
 *
 *   Either way:
 *
 *     sweep_floats(top, step, buf, block, each, user)
 *         every step-th float, by bit pattern, from +0 up to top and from
 *         -0 down to -top, handed to each(user, x, n) in blocks of at most
 *         block floats (buf: room for block).
 *
 *   With TEST_CTX_IN_STATE defined: no file-wide ctx; setup() puts a fresh
 *   context in *state (seeded when TEST_SEED is defined) and teardown()
 *   frees it, first reporting leaked tensor storage and failing the test
 *   for it, unless TEST_NO_LEAK_CHECK is defined too. Helpers taking ctx:
 *
 *     make(ctx, dt, ndim, shape, data)  a tensor from doubles.
 *     randn(ctx, dt, ndim, shape)       standard normal values from ctx's
 *                                       generator (seeded by TEST_SEED).
 *     values_of(ctx, t)       the elements of t, malloc'd (the caller frees).
 *     assert_shape(t, ndim, shape)      t has exactly that shape.
 */
#ifndef ACTLUA_TEST_SUPPORT_H
#define ACTLUA_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"

#define F32 ACT_DTYPE_F32
#define F64 ACT_DTYPE_F64
#define I64 ACT_DTYPE_I64
#define ALL ACT_ALL_DIMS
#define SHAPE(...) ((int64_t[]){__VA_ARGS__})
#define VALUES(...) ((double[]){__VA_ARGS__})

/* Every step-th float (an odd step lets the low mantissa bits take every
 * value) of either sign up to top in magnitude, in blocks. */
static inline void sweep_floats(float top, uint32_t step, float *buf, int block,
                                void (*each)(void *user, const float *x, int n),
                                void *user)
{
    uint32_t end;
    memcpy(&end, &top, sizeof end);
    for (uint32_t sign = 0; sign < 2; sign++) {
        int n = 0;
        for (uint32_t b = 0; b <= end; b += step) {
            uint32_t bits = b | sign << 31;
            memcpy(&buf[n++], &bits, sizeof bits);
            if (n == block) {
                each(user, buf, n);
                n = 0;
            }
        }
        if (n > 0)
            each(user, buf, n);
    }
}

#ifndef TEST_CTX_IN_STATE

/* ------------------------------------------- harness: a file-wide ctx */

static act_context *ctx;

static int setup(void **state)
{
    ctx = act_context_new();
    if (!ctx)
        return -1;
#ifdef TEST_SEED
    act_manual_seed(ctx, TEST_SEED);
#endif
    return 0;
}

static int teardown(void **state)
{
    /* Every test frees what it makes, graphs included. */
    assert_int_equal(act_context_live_bytes(ctx), 0);
    act_context_free(ctx);
    return 0;
}

/* ------------------------------------------------------------ helpers */

/* A tensor from doubles; requires grad only when asked. */
static inline act_tensor *make(act_dtype dt, int ndim, const int64_t *shape,
                               const double *data, bool requires_grad)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dt, ndim, shape, data, &t), ACT_OK);
    if (requires_grad)
        assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* As make(), but sets requires_grad to the flag whatever it is. */
static inline act_tensor *make_rg(act_dtype dt, int ndim, const int64_t *shape,
                                  const double *data, bool requires_grad)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dt, ndim, shape, data, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, requires_grad), ACT_OK);
    return t;
}

/* The elements of t in row-major order. */
static inline void values(const act_tensor *t, double *out)
{
    assert_int_equal(act_tensor_to_doubles(ctx, t, out), ACT_OK);
}

static inline void check_grads(act_grad_fn fn, void *user, int n,
                               act_tensor **in)
{
    bool passed = false;
    char report[256];
    assert_int_equal(act_gradcheck(ctx, fn, user, n, in, 1e-6, 1e-7, 1e-5,
                                   &passed, report, sizeof report),
                     ACT_OK);
    if (!passed) {
        print_error("gradcheck: %s\n", report);
        fail();
    }
}

/* t's gradient has n elements, each within tol of want's. */
static inline void assert_grad_tol(const act_tensor *t, const double *want,
                                   int n, double tol)
{
    const act_tensor *g = act_tensor_grad(t);
    assert_non_null(g);
    assert_int_equal(act_tensor_numel(g), n);
    double got[64];
    assert_int_equal(act_tensor_to_doubles(ctx, g, got), ACT_OK);
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol)) {
            print_error("element %d: got %.17g, want %.17g\n", i, got[i], want[i]);
            fail();
        }
}

static inline void assert_grad(const act_tensor *t, const double *want, int n)
{
    assert_grad_tol(t, want, n, 1e-12);
}

/* sum(y) backward, then frees y and the sum. */
static inline void backward_sum(act_tensor *y)
{
    act_tensor *s = NULL;
    assert_int_equal(act_sum(ctx, y, ALL, false, &s), ACT_OK);
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_OK);
    act_tensor_free(s);
    act_tensor_free(y);
}

static inline void assert_error(act_status got, act_status want,
                                const char *words)
{
    assert_int_equal(got, want);
    if (!strstr(act_context_error(ctx), words)) {
        print_error("error '%s' lacks '%s'\n", act_context_error(ctx), words);
        fail();
    }
}

#else /* TEST_CTX_IN_STATE */

/* ------------------------------------------ harness: a ctx in *state */

static int setup(void **state)
{
    act_context *ctx = act_context_new();
    if (!ctx)
        return -1;
#ifdef TEST_SEED
    act_manual_seed(ctx, TEST_SEED);
#endif
    *state = ctx;
    return 0;
}

#ifdef TEST_NO_LEAK_CHECK
static int teardown(void **state)
{
    act_context_free(*state);
    return 0;
}
#else
/* Fails the test if tensor storage made in it is still alive. */
static int teardown(void **state)
{
    act_context *ctx = *state;
    size_t live = act_context_live_bytes(ctx);
    act_context_free(ctx);
    if (live != 0)
        fprintf(stderr, "%zu bytes of tensor storage leaked\n", live);
    return live == 0 ? 0 : -1;
}
#endif

/* ------------------------------------------------------------ helpers */

static inline act_tensor *make(act_context *ctx, act_dtype dt, int ndim,
                               const int64_t *shape, const double *data)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dt, ndim, shape, data, &t), ACT_OK);
    return t;
}

static inline act_tensor *randn(act_context *ctx, act_dtype dt, int ndim,
                                const int64_t *shape)
{
    act_tensor *t = NULL;
    assert_int_equal(act_randn(ctx, dt, ndim, shape, NULL, &t), ACT_OK);
    return t;
}

/* The elements of t in row-major order (the caller frees). */
static inline double *values_of(act_context *ctx, const act_tensor *t)
{
    int64_t n = act_tensor_numel(t);
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
    assert_non_null(v);
    assert_int_equal(act_tensor_to_doubles(ctx, t, v), ACT_OK);
    return v;
}

static inline void assert_shape(const act_tensor *t, int ndim,
                                const int64_t *shape)
{
    assert_int_equal(act_tensor_dim(t), ndim);
    for (int i = 0; i < ndim; i++)
        assert_int_equal(act_tensor_shape(t)[i], shape[i]);
}

#endif /* TEST_CTX_IN_STATE */

#endif /* ACTLUA_TEST_SUPPORT_H */
