/*
 * test_expr.c — activations defined as expressions: values and gradients
 * against the built-ins they equal (silu, ncu) in float32 and float64,
 * parameter gradients (one value and per channel) against float64 central
 * differences, simplification and sharing of nodes, formulas as text,
 * act_with_derivative, and the errors, by their words.
 */
#define TEST_SEED 11
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static int leaf(act_expr *e, int which) /* -1: x, k: parameter k */
{
    int id = -1;
    assert_int_equal(which < 0 ? act_expr_input(ctx, e, &id)
                               : act_expr_param(ctx, e, which, &id),
                     ACT_OK);
    return id;
}

static int num(act_expr *e, double v)
{
    int id = -1;
    assert_int_equal(act_expr_const(ctx, e, v, &id), ACT_OK);
    return id;
}

static int op(act_expr *e, act_expr_op o, int a, int b)
{
    int id = -1;
    assert_int_equal(act_expr_node(ctx, e, o, a, b, -1, &id), ACT_OK);
    return id;
}

/* swish_b(x; beta) = x * sigmoid(beta * x). */
static act_expr *swish_b(void)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "swish_b", 1, (const char *[]){"beta"}, &e),
                     ACT_OK);
    int x = leaf(e, -1), beta = leaf(e, 0);
    int y = op(e, ACT_EXPR_MUL, x, op(e, ACT_EXPR_SIGMOID, op(e, ACT_EXPR_MUL, beta, x), -1));
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    return e;
}

/* ncu2(x) = x - x^3. */
static act_expr *ncu2(void)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "ncu2", 0, NULL, &e), ACT_OK);
    int x = leaf(e, -1);
    int y = op(e, ACT_EXPR_SUB, x, op(e, ACT_EXPR_POW, x, num(e, 3)));
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    return e;
}

#define GRID_N 13
static const double grid[GRID_N] = {-1000, -30, -5, -1.5, -0.5, -1e-8, 0,
                                     1e-8, 0.5, 1.5, 5, 30, 1000};

/* f(x) and f'(x) (through backward) of an expression and of a built-in on
 * the grid agree within tol, and stay finite. */
static void expect_same(act_expr *e, const act_expr_arg *args, int builtin,
                        act_dtype dt, double tol)
{
    act_tensor *x1 = make(dt, 1, SHAPE(GRID_N), grid, true);
    act_tensor *x2 = make(dt, 1, SHAPE(GRID_N), grid, true);
    act_tensor *y1, *y2;
    assert_int_equal(act_expr_activate(ctx, e, x1, args, &y1), ACT_OK);
    assert_int_equal(act_activate(ctx, builtin, x2, NULL, &y2), ACT_OK);
    double v1[GRID_N], v2[GRID_N], g1[GRID_N], g2[GRID_N];
    values(y1, v1);
    values(y2, v2);
    backward_sum(y1);
    backward_sum(y2);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x1), g1), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x2), g2), ACT_OK);
    for (int i = 0; i < GRID_N; i++) {
        if (!isfinite(v2[i]))
            continue; /* ncu at +-1000 overflows float32 in both */
        double scale = fmax(1, fabs(v2[i])), gscale = fmax(1, fabs(g2[i]));
        if (!(fabs(v1[i] - v2[i]) <= tol * scale) ||
            !(fabs(g1[i] - g2[i]) <= tol * gscale)) {
            print_error("x = %g: f %.9g vs %.9g, f' %.9g vs %.9g\n", grid[i],
                        v1[i], v2[i], g1[i], g2[i]);
            fail();
        }
    }
    act_tensor_free(x1);
    act_tensor_free(x2);
}

/* ---------------------------------------------------- against built-ins */

static void test_swish_b_is_silu_at_beta_1(void **state)
{
    act_expr *e = swish_b();
    act_expr_arg one = {NULL, 1.0};
    /* The derivative's sigmoid(x) (1 - sigmoid(x)) rounds 1 - s where the
     * built-in uses the stable complement: ~1e-14 apart at x = 30. */
    expect_same(e, &one, ACT_ACTIVATION_SILU, F64, 1e-13);
    expect_same(e, &one, ACT_ACTIVATION_SILU, F32, 1e-6);
    act_expr_free(e);
}

static void test_ncu2_is_ncu(void **state)
{
    act_expr *e = ncu2();
    expect_same(e, NULL, ACT_ACTIVATION_NCU, F64, 1e-15);
    expect_same(e, NULL, ACT_ACTIVATION_NCU, F32, 1e-6);
    act_expr_free(e);
}

/* Every operation over blocks against act_expr_op_eval, its double
 * arithmetic, which tests/lua checks against Lua's math library (dsinc,
 * which has no derivative, is checked through sinc's). */
static void test_blocks_agree_with_scalar_arithmetic(void **state)
{
    for (int o = ACT_EXPR_NEG; o < ACT_EXPR_OP_COUNT; o++) {
        if (o == ACT_EXPR_DSINC)
            continue;
        act_expr *e;
        assert_int_equal(act_expr_new(ctx, act_expr_op_name(o), 0, NULL, &e), ACT_OK);
        int x = leaf(e, -1), c = num(e, 0.75), d = num(e, -2), y;
        int arity = act_expr_op_arity(o);
        assert_int_equal(act_expr_node(ctx, e, o, x, arity > 1 ? c : -1,
                                       arity > 2 ? d : -1, &y), ACT_OK);
        assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
        double xs[600], ys[600];
        for (int i = 0; i < 600; i++) /* more than two blocks */
            xs[i] = -3 + i * 0.01;
        assert_int_equal(act_expr_eval(ctx, e, 600, xs, NULL, ys, NULL, NULL), ACT_OK);
        for (int i = 0; i < 600; i++) {
            double want = act_expr_op_eval(o, xs[i], 0.75, -2);
            if (!(ys[i] == want || (isnan(ys[i]) && isnan(want)))) {
                print_error("%s(%g): %.17g, want %.17g\n", act_expr_op_name(o),
                            xs[i], ys[i], want);
                fail();
            }
        }
        act_expr_free(e);
    }
}

/* ------------------------------------------------------------ gradients */

typedef struct {
    act_expr *e;
} grad_user;

/* swish_b(x; beta) with beta a tensor: inputs {x, beta}. */
static act_status swish_fn(act_context *c, int n, act_tensor *const *in,
                           void *user, act_tensor **out)
{
    grad_user *u = user;
    act_expr_arg beta = {in[1], 0};
    return act_expr_activate(c, u->e, in[0], &beta, out);
}

static void test_parameter_gradients(void **state)
{
    grad_user u = {swish_b()};
    act_tensor *x = NULL, *beta = make(F64, 0, NULL, VALUES(1.7), true);
    assert_int_equal(act_normal(ctx, F64, 2, SHAPE(5, 3), 0, 2, NULL, &x), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, x, true), ACT_OK);
    check_grads(swish_fn, &u, 2, (act_tensor *[]){x, beta});
    act_tensor_free(beta);
    /* One beta per channel (dim 1), x of 3 dims. */
    act_tensor *x3 = NULL, *betas = make(F64, 1, SHAPE(3), VALUES(0.5, 1, 2), true);
    assert_int_equal(act_normal(ctx, F64, 3, SHAPE(2, 3, 4), 0, 2, NULL, &x3), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, x3, true), ACT_OK);
    check_grads(swish_fn, &u, 2, (act_tensor *[]){x3, betas});
    act_tensor_free(x);
    act_tensor_free(x3);
    act_tensor_free(betas);
    act_expr_free(u.e);
}

/* The derivative in x and in beta from act_expr_eval, against central
 * differences of act_expr_eval's values. */
static void test_eval_derivatives(void **state)
{
    act_expr *e = swish_b();
    double xs[4] = {-2.5, -0.3, 0.4, 3}, beta = 1.3, h = 1e-6;
    double y[4], dx[4], db[4], yp[4], ym[4];
    assert_int_equal(act_expr_eval(ctx, e, 4, xs, &beta, y, dx, (double *[]){db}), ACT_OK);
    for (int i = 0; i < 4; i++) {
        double xp = xs[i] + h, xm = xs[i] - h;
        assert_int_equal(act_expr_eval(ctx, e, 1, &xp, &beta, &yp[i], NULL, NULL), ACT_OK);
        assert_int_equal(act_expr_eval(ctx, e, 1, &xm, &beta, &ym[i], NULL, NULL), ACT_OK);
        assert_true(fabs((yp[i] - ym[i]) / (2 * h) - dx[i]) < 1e-7);
        double bp = beta + h, bm = beta - h;
        assert_int_equal(act_expr_eval(ctx, e, 1, &xs[i], &bp, &yp[i], NULL, NULL), ACT_OK);
        assert_int_equal(act_expr_eval(ctx, e, 1, &xs[i], &bm, &ym[i], NULL, NULL), ACT_OK);
        assert_true(fabs((yp[i] - ym[i]) / (2 * h) - db[i]) < 1e-7);
    }
    act_expr_free(e);
}

/* max(x, 0) at its tie splits the gradient as torch.maximum (1/2); a
 * where-written clamp passes it on its closed interval, as torch.clamp. */
static void test_kink_conventions(void **state)
{
    act_expr *m, *c;
    assert_int_equal(act_expr_new(ctx, "m", 0, NULL, &m), ACT_OK);
    int x = leaf(m, -1);
    assert_int_equal(act_expr_compile(ctx, m, op(m, ACT_EXPR_MAX, x, num(m, 0))), ACT_OK);
    assert_int_equal(act_expr_new(ctx, "c", 0, NULL, &c), ACT_OK);
    int cx = leaf(c, -1), lo = num(c, -1), hi = num(c, 1), in, y;
    assert_int_equal(act_expr_node(ctx, c, ACT_EXPR_WHERE, op(c, ACT_EXPR_GT, cx, hi), hi, cx, &in), ACT_OK);
    assert_int_equal(act_expr_node(ctx, c, ACT_EXPR_WHERE, op(c, ACT_EXPR_LT, cx, lo), lo, in, &y), ACT_OK);
    assert_int_equal(act_expr_compile(ctx, c, y), ACT_OK);
    double xs[5] = {-2, -1, 0, 1, 2}, v[5], d[5];
    assert_int_equal(act_expr_eval(ctx, m, 5, xs, NULL, v, d, NULL), ACT_OK);
    assert_true(d[0] == 0 && d[2] == 0.5 && d[4] == 1 && v[0] == 0 && v[4] == 2);
    assert_false(act_expr_smooth(m));
    assert_int_equal(act_expr_eval(ctx, c, 5, xs, NULL, v, d, NULL), ACT_OK);
    assert_true(d[0] == 0 && d[1] == 1 && d[2] == 1 && d[3] == 1 && d[4] == 0);
    assert_true(v[0] == -1 && v[4] == 1 && v[2] == 0);
    act_expr_free(m);
    act_expr_free(c);
}

/* ------------------------------------------------------ simplification */

static void test_nodes_are_simplified_and_shared(void **state)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "s", 0, NULL, &e), ACT_OK);
    int x = leaf(e, -1), two = num(e, 2);
    assert_int_equal(op(e, ACT_EXPR_MUL, two, x), op(e, ACT_EXPR_MUL, x, two));
    assert_int_equal(op(e, ACT_EXPR_ADD, op(e, ACT_EXPR_MUL, x, num(e, 1)), num(e, 0)), x);
    assert_int_equal(op(e, ACT_EXPR_SIN, x, -1), op(e, ACT_EXPR_SIN, x, -1));
    assert_int_equal(op(e, ACT_EXPR_ADD, two, num(e, 3)), num(e, 5));
    assert_int_equal(op(e, ACT_EXPR_SUB, op(e, ACT_EXPR_EXP, x, -1), op(e, ACT_EXPR_EXP, x, -1)),
                     num(e, 0));
    assert_int_equal(op(e, ACT_EXPR_NEG, op(e, ACT_EXPR_NEG, x, -1), -1), x);
    act_expr_free(e);
}

static void test_formulas(void **state)
{
    act_expr *e = ncu2();
    char *f, *d;
    assert_int_equal(act_expr_format(ctx, e, 0, &f), ACT_OK);
    assert_int_equal(act_expr_format(ctx, e, 1, &d), ACT_OK);
    assert_string_equal(f, "x - x^3");
    assert_string_equal(d, "1 - 3 * x^2");
    int fwd, bwd;
    act_expr_program_size(e, &fwd, &bwd);
    assert_int_equal(fwd, 1); /* x - x^3, one pair */
    assert_int_equal(bwd, 2); /* 3 * x^2, then gy * (1 - that): pairs */
    assert_true(act_expr_smooth(e));
    free(f);
    free(d);
    act_expr_free(e);
}

/* ------------------------------------------------- act_with_derivative */

static void test_with_derivative(void **state)
{
    act_expr *named;
    assert_int_equal(act_expr_new(ctx, "cb", 0, NULL, &named), ACT_OK);
    act_tensor *x = make(F64, 1, SHAPE(3), VALUES(1, 2, 3), true);
    act_tensor *v = make(F64, 1, SHAPE(3), VALUES(10, 20, 30), false);
    act_tensor *d = make(F64, 1, SHAPE(3), VALUES(0.5, -1, 4), false);
    act_tensor *y;
    assert_int_equal(act_with_derivative(ctx, named, x, v, d, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "cb");
    act_expr_free(named); /* the node keeps its own reference */
    double got[3];
    values(y, got);
    assert_true(got[0] == 10 && got[2] == 30);
    backward_sum(y);
    assert_grad(x, VALUES(0.5, -1, 4), 3);
    act_tensor_free(x);
    act_tensor_free(v);
    act_tensor_free(d);
}

/* -------------------------------------------------------------- errors */

static void test_errors(void **state)
{
    act_expr *e, *big;
    int id;
    assert_error(act_expr_new(ctx, "", 0, NULL, &e), ACT_E_ARG, "name is empty");
    assert_error(act_expr_new(ctx, "p", 4, NULL, &e), ACT_E_ARG, "4 parameters");
    assert_int_equal(act_expr_new(ctx, "bad", 1, (const char *[]){"a"}, &e), ACT_OK);
    int x = leaf(e, -1);
    assert_error(act_expr_param(ctx, e, 1, &id), ACT_E_ARG, "parameter 2 does not exist");
    assert_error(act_expr_node(ctx, e, ACT_EXPR_ADD, x, 99, -1, &id), ACT_E_ARG,
                 "operand 2 is node 99");
    assert_error(act_expr_node(ctx, e, ACT_EXPR_INPUT, x, -1, -1, &id), ACT_E_ARG,
                 "not an operation");
    act_tensor *t = make(F32, 2, SHAPE(2, 3), VALUES(1, 2, 3, 4, 5, 6), false), *y;
    act_expr_arg a = {NULL, 1};
    assert_error(act_expr_activate(ctx, e, t, &a, &y), ACT_E_STATE, "not compiled");
    int s = op(e, ACT_EXPR_SINC, x, -1);
    assert_int_equal(act_expr_compile(ctx, e, op(e, ACT_EXPR_MUL, s, leaf(e, 0))), ACT_OK);
    assert_error(act_expr_node(ctx, e, ACT_EXPR_EXP, x, -1, -1, &id), ACT_E_STATE, "compiled");
    a.value = NAN;
    assert_error(act_expr_activate(ctx, e, t, &a, &y), ACT_E_ARG, "parameter a is NaN");
    act_tensor *w = make(F32, 1, SHAPE(2), VALUES(1, 2), false);
    a.tensor = w;
    assert_error(act_expr_activate(ctx, e, t, &a, &y), ACT_E_SHAPE, "[2]");
    act_tensor *w64 = make(F64, 1, SHAPE(3), VALUES(1, 2, 3), false);
    a.tensor = w64;
    assert_error(act_expr_activate(ctx, e, t, &a, &y), ACT_E_DTYPE, "float64");
    act_expr_free(e);
    /* sinc's derivative has no derivative. */
    assert_int_equal(act_expr_new(ctx, "d", 0, NULL, &e), ACT_OK);
    x = leaf(e, -1);
    assert_error(act_expr_compile(ctx, e, op(e, ACT_EXPR_DSINC, x, -1)),
                 ACT_E_UNSUPPORTED, "dsinc");
    /* What the failed compile added stays in e: e takes nothing more. */
    assert_error(act_expr_node(ctx, e, ACT_EXPR_NEG, x, -1, -1, &id), ACT_E_STATE,
                 "compiling the expression failed");
    act_expr_free(e);
    assert_int_equal(act_expr_new(ctx, "big", 0, NULL, &big), ACT_OK);
    act_status st = ACT_OK;
    for (int i = 0; st == ACT_OK && i <= ACT_EXPR_MAX_NODES; i++)
        st = act_expr_const(ctx, big, i, &id);
    assert_error(st, ACT_E_NOMEM, "too large");
    act_expr_free(big);
    act_tensor_free(t);
    act_tensor_free(w);
    act_tensor_free(w64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_swish_b_is_silu_at_beta_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ncu2_is_ncu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_agree_with_scalar_arithmetic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parameter_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_derivatives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kink_conventions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodes_are_simplified_and_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_formulas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_with_derivative, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
