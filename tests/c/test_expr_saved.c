/*
 * test_expr_saved.c — the values a recorded forward of a defined activation
 * saves for its backward (expr_compile.c chooses them, expr_run.c stores
 * them): which are chosen, that the saving forward gives the same bits as
 * the plain one, that gradients through them (and past the cap of
 * EXPR_MAX_SAVED) agree with float64 central differences, and that a
 * saved output changed in place is refused.
 */
#define TEST_SEED 5
#include "test_support.h"

#include "expr_internal.h"

static int leaf_x(act_expr *e)
{
    int id = -1;
    assert_int_equal(act_expr_input(ctx, e, &id), ACT_OK);
    return id;
}

static int op(act_expr *e, act_expr_op o, int a, int b)
{
    int id = -1;
    assert_int_equal(act_expr_node(ctx, e, o, a, b, -1, &id), ACT_OK);
    return id;
}

static act_expr *compiled(act_expr *e, int result)
{
    assert_int_equal(act_expr_compile(ctx, e, result), ACT_OK);
    return e;
}

static act_expr *fresh(const char *name)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, name, 0, NULL, &e), ACT_OK);
    return e;
}

/* silu(x) = x * sigmoid(x): the sigmoid is saved. */
static act_expr *silu(void)
{
    act_expr *e = fresh("silu2");
    int x = leaf_x(e);
    return compiled(e, op(e, ACT_EXPR_MUL, x, op(e, ACT_EXPR_SIGMOID, x, -1)));
}

/* sigmoid(x): its derivative reads the value itself, saved as y. */
static act_expr *sig(void)
{
    act_expr *e = fresh("sig2");
    return compiled(e, op(e, ACT_EXPR_SIGMOID, leaf_x(e), -1));
}

/* exp + sin + cos + tanh + sigmoid + erf of x: five costly values whose
 * derivatives read forward values (erf's reads exp(-x^2), which the
 * forward does not compute), one more than EXPR_MAX_SAVED. */
static act_expr *many(void)
{
    act_expr *e = fresh("many");
    int x = leaf_x(e);
    act_expr_op ops[6] = {ACT_EXPR_EXP, ACT_EXPR_SIN, ACT_EXPR_COS,
                          ACT_EXPR_TANH, ACT_EXPR_SIGMOID, ACT_EXPR_ERF};
    int sum = op(e, ops[0], x, -1);
    for (int i = 1; i < 6; i++)
        sum = op(e, ACT_EXPR_ADD, sum, op(e, ops[i], x, -1));
    return compiled(e, sum);
}

/* x - x^3: nothing costly, nothing saved. */
static act_expr *cubic(void)
{
    act_expr *e = fresh("cubic");
    int x = leaf_x(e);
    int three = -1;
    assert_int_equal(act_expr_const(ctx, e, 3, &three), ACT_OK);
    return compiled(e, op(e, ACT_EXPR_SUB, x, op(e, ACT_EXPR_POW, x, three)));
}

static void test_which_values_are_saved(void **state)
{
    act_expr *a = silu(), *b = sig(), *c = many(), *d = cubic();
    assert_int_equal(a->nsaved, 1);
    assert_int_equal(a->nodes[a->saved[0]].op, ACT_EXPR_SIGMOID);
    assert_int_equal(b->nsaved, 1);
    assert_int_equal(b->saved[0], b->result); /* read back from y */
    assert_int_equal(c->nsaved, EXPR_MAX_SAVED);
    assert_int_equal(d->nsaved, 0);
    /* The backward reads the saved values and x, never computes them. */
    assert_true(a->backward_x.in_reg[EXPR_IN_SAVED] >= 0);
    assert_true(a->backward_x.in_reg[EXPR_IN_GY] >= 0);
    for (int i = 0; i < a->backward_x.ninstr; i++)
        assert_int_not_equal(a->backward_x.code[i].op, ACT_EXPR_SIGMOID);
    act_expr_free(a);
    act_expr_free(b);
    act_expr_free(c);
    act_expr_free(d);
}

/* y with grad recorded (the saving forward) equals y without, bit for bit,
 * in both dtypes, on more elements than a block. */
static void test_saving_forward_gives_the_same_bits(void **state)
{
    act_expr *es[3] = {silu(), sig(), many()};
    for (int k = 0; k < 3; k++) {
        for (int d = 0; d < 2; d++) {
            act_dtype dt = d ? F64 : F32;
            act_tensor *x = NULL, *y1, *y2;
            assert_int_equal(act_normal(ctx, dt, 2, SHAPE(3, 301), 0, 4, NULL, &x), ACT_OK);
            assert_int_equal(act_expr_activate(ctx, es[k], x, NULL, &y1), ACT_OK);
            assert_int_equal(act_tensor_set_requires_grad(ctx, x, true), ACT_OK);
            assert_int_equal(act_expr_activate(ctx, es[k], x, NULL, &y2), ACT_OK);
            assert_true(act_tensor_requires_grad(y2));
            size_t bytes = 903 * (d ? sizeof(double) : sizeof(float));
            assert_memory_equal(act_tensor_data(y1), act_tensor_data(y2), bytes);
            act_tensor_free(y1);
            act_tensor_free(y2);
            act_tensor_free(x);
        }
        act_expr_free(es[k]);
    }
}

typedef struct {
    act_expr *e;
} grad_user;

static act_status activate(act_context *c, int n, act_tensor *const *in,
                           void *user, act_tensor **out)
{
    (void)n;
    return act_expr_activate(c, ((grad_user *)user)->e, in[0], NULL, out);
}

/* Gradients through saved values, y among them, and past the cap. */
static void test_gradients_through_saved_values(void **state)
{
    act_expr *es[3] = {silu(), sig(), many()};
    for (int k = 0; k < 3; k++) {
        grad_user u = {es[k]};
        act_tensor *x = NULL;
        assert_int_equal(act_normal(ctx, F64, 2, SHAPE(4, 70), 0, 2, NULL, &x), ACT_OK);
        assert_int_equal(act_tensor_set_requires_grad(ctx, x, true), ACT_OK);
        check_grads(activate, &u, 1, (act_tensor *[]){x});
        act_tensor_free(x);
        act_expr_free(es[k]);
    }
}

/* act_expr_eval's derivatives (through the same saved values) against its
 * own values by central differences. */
static void test_eval_derivatives_with_saved_values(void **state)
{
    act_expr *e = many();
    double xs[5] = {-3, -0.7, 0, 0.2, 2.5}, dx[5], h = 1e-6;
    assert_int_equal(act_expr_eval(ctx, e, 5, xs, NULL, NULL, dx, NULL), ACT_OK);
    for (int i = 0; i < 5; i++) {
        double xp = xs[i] + h, xm = xs[i] - h, yp, ym;
        assert_int_equal(act_expr_eval(ctx, e, 1, &xp, NULL, &yp, NULL, NULL), ACT_OK);
        assert_int_equal(act_expr_eval(ctx, e, 1, &xm, NULL, &ym, NULL, NULL), ACT_OK);
        assert_true(fabs((yp - ym) / (2 * h) - dx[i]) < 1e-7);
    }
    act_expr_free(e);
}

/* The outputs serve as working memory: overlapping arrays are refused. */
static void test_eval_refuses_overlap(void **state)
{
    act_expr *e = many();
    double x[4] = {-1, 0, 1, 2}, d[4];
    assert_error(act_expr_eval(ctx, e, 4, x, NULL, x, NULL, NULL), ACT_E_ARG,
                 "x and y overlap");
    assert_error(act_expr_eval(ctx, e, 4, x, NULL, d, d + 2, NULL), ACT_E_ARG,
                 "y and dx overlap");
    assert_int_equal(act_expr_eval(ctx, e, 2, x, NULL, d, d + 2, NULL), ACT_OK);
    act_expr_free(e);
}

/* y is what sig2's backward reads: changing it in place is refused, as it
 * is for a built-in that saves its output. */
static void test_saved_output_changed_in_place(void **state)
{
    act_expr *e = sig();
    act_tensor *x = make(F32, 1, SHAPE(3), VALUES(-1, 0, 2), true), *y;
    assert_int_equal(act_expr_activate(ctx, e, x, NULL, &y), ACT_OK);
    act_tensor *s = NULL;
    assert_int_equal(act_sum(ctx, y, ALL, false, &s), ACT_OK);
    bool was = act_set_grad_enabled(ctx, false);
    assert_int_equal(act_fill_(ctx, y, 0.5), ACT_OK);
    act_set_grad_enabled(ctx, was);
    assert_error(act_backward(ctx, s, NULL, false), ACT_E_STATE, "modified in place");
    act_tensor_free(s);
    act_tensor_free(y);
    act_tensor_free(x);
    act_expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_which_values_are_saved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saving_forward_gives_the_same_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gradients_through_saved_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_derivatives_with_saved_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_refuses_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_output_changed_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
