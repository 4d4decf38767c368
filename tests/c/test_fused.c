/*
 * test_fused.c — the engine's speed paths against the straightforward ones:
 * act_linear_activate against act_linear then act_activate (the same bits,
 * forward and backward, for activations that save x or y, both dtypes,
 * with and without bias, strided inputs), its gradients against float64
 * finite differences, its refusals; and the backward's bookkeeping (a fresh
 * leaf gradient handed over without a copy, the graph let go after a
 * backward that did not retain it, a second backward still refused).
 */
#define TEST_SEED 9
#include "test_support.h"

static act_tensor *rand_t(act_dtype dt, int ndim, const int64_t *shape,
                          bool requires_grad)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, dt, ndim, shape, -2, 2, NULL, &t), ACT_OK);
    if (requires_grad)
        assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* Every element of a and b has the same bits (as doubles). */
static void assert_same(const act_tensor *a, const act_tensor *b)
{
    assert_non_null(a);
    assert_non_null(b);
    int64_t n = act_tensor_numel(a);
    assert_int_equal(act_tensor_numel(b), n);
    assert_int_equal(act_tensor_dtype(a), act_tensor_dtype(b));
    double va[256], vb[256];
    assert_true(n <= 256);
    values(a, va);
    values(b, vb);
    for (int64_t i = 0; i < n; i++)
        assert_memory_equal(&va[i], &vb[i], sizeof va[i]);
}

/* sum(y * c) backward, c a fixed tensor so that gy is not all ones. */
static void backward_weighted(act_tensor *y, const act_tensor *c)
{
    act_tensor *p = NULL, *s = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, y, c, &p), ACT_OK);
    assert_int_equal(act_sum(ctx, p, ALL, false, &s), ACT_OK);
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_OK);
    act_tensor_free(s);
    act_tensor_free(p);
}

/* Gradients of x, w and b (b may be NULL) taken out of the leaves. */
static void take_grads(act_tensor **leaves, act_tensor **grads, int n)
{
    for (int k = 0; k < n; k++) {
        grads[k] = leaves[k] ? act_tensor_retain(act_tensor_grad(leaves[k])) : NULL;
        if (leaves[k])
            assert_int_equal(act_tensor_set_grad(ctx, leaves[k], NULL), ACT_OK);
    }
}

/* The fused op and the two ops it replaces on the same leaves: the same
 * output and gradients, bit for bit. */
static void compare(act_dtype dt, int id, act_tensor *x, bool bias)
{
    act_tensor *w = rand_t(dt, 2, SHAPE(5, act_tensor_size(x, -1)), true);
    act_tensor *b = bias ? rand_t(dt, 1, SHAPE(5), true) : NULL;
    act_tensor *leaves[3] = {x, w, b}, *g1[3], *g2[3];
    act_tensor *z = NULL, *y1 = NULL, *y2 = NULL, *c = NULL;
    assert_int_equal(act_linear(ctx, x, w, b, &z), ACT_OK);
    assert_int_equal(act_activate(ctx, id, z, NULL, &y1), ACT_OK);
    assert_int_equal(act_linear_activate(ctx, x, w, b, id, NULL, &y2), ACT_OK);
    assert_same(y1, y2);
    assert_string_equal(act_tensor_grad_fn(y2), "linear_activation");
    c = rand_t(dt, act_tensor_dim(y1), act_tensor_shape(y1), false);
    backward_weighted(y1, c);
    take_grads(leaves, g1, 3);
    backward_weighted(y2, c);
    take_grads(leaves, g2, 3);
    for (int k = 0; k < 3; k++) {
        if (leaves[k])
            assert_same(g1[k], g2[k]);
        act_tensor_free(g1[k]);
        act_tensor_free(g2[k]);
    }
    act_tensor_free(z);
    act_tensor_free(y1);
    act_tensor_free(y2);
    act_tensor_free(c);
    act_tensor_free(w);
    act_tensor_free(b);
}

/* Every element-wise activation: some save y, most x; step has a zero
 * gradient; and the fused backward writes x's gradient over the incoming
 * gradient's own buffer, which each kernel must allow. */
static void test_same_bits_as_two_ops(void **state)
{
    for (int id = 0; id < act_activation_count(); id++) {
        if (act_activation_get(id)->form != ACT_FORM_ELEMENTWISE)
            continue;
        for (int d = 0; d < 2; d++) {
            act_dtype dt = d ? F64 : F32;
            act_tensor *x = rand_t(dt, 2, SHAPE(4, 3), true);
            compare(dt, id, x, true);
            compare(dt, id, x, false);
            act_tensor_free(x);
            /* 3-d x, and a transposed (strided) x */
            x = rand_t(dt, 3, SHAPE(2, 4, 3), true);
            compare(dt, id, x, true);
            act_tensor_free(x);
            act_tensor *base = rand_t(dt, 2, SHAPE(3, 4), false), *xt = NULL;
            assert_int_equal(act_transpose(ctx, base, 0, 1, &xt), ACT_OK);
            assert_int_equal(act_tensor_set_requires_grad(ctx, xt, true), ACT_OK);
            compare(dt, id, xt, true);
            act_tensor_free(xt);
            act_tensor_free(base);
        }
    }
}

static act_status fused_tanh(act_context *c, int n, act_tensor *const *in,
                             void *user, act_tensor **out)
{
    (void)n, (void)user;
    return act_linear_activate(c, in[0], in[1], in[2],
                               act_activation_find("tanh"), NULL, out);
}

static void test_gradcheck(void **state)
{
    act_tensor *in[3] = {rand_t(F64, 2, SHAPE(4, 3), true),
                         rand_t(F64, 2, SHAPE(5, 3), true),
                         rand_t(F64, 1, SHAPE(5), true)};
    check_grads(fused_tanh, NULL, 3, in);
    for (int k = 0; k < 3; k++)
        act_tensor_free(in[k]);
}

static void test_refusals_and_no_grad(void **state)
{
    act_tensor *x = rand_t(F32, 2, SHAPE(4, 3), true);
    act_tensor *w = rand_t(F32, 2, SHAPE(5, 3), true), *y = NULL;
    assert_error(act_linear_activate(ctx, x, w, NULL,
                                     act_activation_find("softmax"), NULL, &y),
                 ACT_E_ARG, "not element-wise");
    double rrelu_training[3] = {0.1, 0.3, 1};
    assert_error(act_linear_activate(ctx, x, w, NULL, ACT_ACTIVATION_RRELU,
                                     rrelu_training, &y),
                 ACT_E_ARG, "rrelu in training");
    assert_error(act_linear_activate(ctx, x, w, NULL, 999, NULL, &y),
                 ACT_E_ARG, "unknown activation");
    act_tensor *w2 = rand_t(F32, 2, SHAPE(5, 2), false);
    assert_error(act_linear_activate(ctx, x, w2, NULL, ACT_ACTIVATION_SIGMOID,
                                     NULL, &y),
                 ACT_E_SHAPE, "in-features");
    assert_null(y);
    /* with grad mode off: a plain tensor, nothing recorded */
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_linear_activate(ctx, x, w, NULL, ACT_ACTIVATION_SIGMOID,
                                         NULL, &y), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_false(act_tensor_requires_grad(y));
    assert_null(act_tensor_grad_fn(y));
    act_tensor_free(y);
    act_tensor_free(x);
    act_tensor_free(w);
    act_tensor_free(w2);
}

/* y = sigmoid(x w^T + b), s = sum(y), backward with retain_graph, then w
 * dropped by its owner: the bytes that dropping w freed (y and s are still
 * alive). */
static size_t bytes_freed_with_w(bool retain)
{
    act_tensor *x = rand_t(F64, 2, SHAPE(4, 3), false);
    act_tensor *w = rand_t(F64, 2, SHAPE(5, 3), true);
    act_tensor *b = rand_t(F64, 1, SHAPE(5), true), *y = NULL, *s = NULL;
    assert_int_equal(act_linear_activate(ctx, x, w, b, ACT_ACTIVATION_SIGMOID,
                                         NULL, &y), ACT_OK);
    assert_int_equal(act_sum(ctx, y, ALL, false, &s), ACT_OK);
    assert_int_equal(act_backward(ctx, s, NULL, retain), ACT_OK);
    /* the leaves' gradients are fresh tensors of their own */
    assert_non_null(act_tensor_grad(w));
    assert_false(act_tensor_shares_storage(act_tensor_grad(w), act_tensor_grad(b)));
    size_t before = act_context_live_bytes(ctx);
    act_tensor_free(w);
    size_t freed = before - act_context_live_bytes(ctx);
    if (!retain) {
        /* a second backward through the released graph is refused */
        assert_error(act_backward(ctx, s, NULL, false), ACT_E_STATE, "second time");
        act_tensor *g = rand_t(F64, 2, SHAPE(4, 5), false);
        assert_error(act_backward(ctx, y, g, false), ACT_E_STATE, "second time");
        act_tensor_free(g);
    }
    act_tensor_free(s);
    act_tensor_free(y);
    act_tensor_free(x);
    act_tensor_free(b);
    return freed;
}

static void test_backward_lets_the_graph_go(void **state)
{
    /* Released, the graph holds no input any more: w and its gradient (15
     * doubles each) go with its last owner; retained, the graph keeps w. */
    assert_true(bytes_freed_with_w(false) >= 2 * 15 * sizeof(double));
    assert_int_equal(bytes_freed_with_w(true), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_bits_as_two_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_and_no_grad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backward_lets_the_graph_go, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
