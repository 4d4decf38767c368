/*
 * test_expr_pairs.c — pairs, the instructions that run two arithmetic
 * steps in one loop (expr_internal.h, expr_compile.c): every combination
 * of first and second step, on either side, gives the bits of the two
 * steps rounded one at a time, in float64 and in float32 on both the
 * baseline and the AVX2 loops, scaled (times a third register) or
 * not; and the compiler pairs a node only with its one reader: not a node
 * read twice, not an output, not a node already in a pair.
 */
#include "test_support.h"

#include "expr_internal.h"
#include "simd.h"

static int op(act_expr *e, act_expr_op o, int a, int b)
{
    int id = -1;
    assert_int_equal(act_expr_node(ctx, e, o, a, b, -1, &id), ACT_OK);
    return id;
}

static int num(act_expr *e, double v)
{
    int id = -1;
    assert_int_equal(act_expr_const(ctx, e, v, &id), ACT_OK);
    return id;
}

/* The first steps: the four operations on (x, p), and x^2, x^3. */
typedef struct {
    act_expr_op op;
    int power; /* POW's constant exponent; 0: op(x, p) */
} first_step;

static const first_step firsts[] = {
    {ACT_EXPR_ADD, 0}, {ACT_EXPR_SUB, 0}, {ACT_EXPR_MUL, 0},
    {ACT_EXPR_DIV, 0}, {ACT_EXPR_POW, 2}, {ACT_EXPR_POW, 3},
};
static const act_expr_op thens[] = {ACT_EXPR_ADD, ACT_EXPR_SUB, ACT_EXPR_MUL,
                                    ACT_EXPR_DIV};

#define NX 1100 /* more than two blocks */
static double xs[NX];

/* float32 values, so that both paths take them as they are: zeros,
 * infinities, NaN, huge and subnormal ones, then ordinary values. */
static void fill_inputs(void)
{
    static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN,
                                     3e38, -3e38, 1e-40, -1e-40, 1.0, -1.0};
    int ns = sizeof special / sizeof *special;
    for (int i = 0; i < NX; i++)
        xs[i] = (float)(i < ns ? special[i] : -7.0 + 14.0 * (i - ns) / (NX - ns));
}

/* then(first(x, p), q) (or then(q, first(x, p)) when swapped), times
 * r when scaled, with p, q and r parameters so that nothing folds. */
static act_expr *pair_expr(first_step f, act_expr_op then, bool swapped,
                           bool scaled)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "pair", 3, (const char *[]){"p", "q", "r"}, &e),
                     ACT_OK);
    int x, p, q, r;
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    assert_int_equal(act_expr_param(ctx, e, 0, &p), ACT_OK);
    assert_int_equal(act_expr_param(ctx, e, 1, &q), ACT_OK);
    assert_int_equal(act_expr_param(ctx, e, 2, &r), ACT_OK);
    int t = f.power ? op(e, ACT_EXPR_POW, x, num(e, f.power)) : op(e, f.op, x, p);
    int y = swapped ? op(e, then, q, t) : op(e, then, t, q);
    if (scaled)
        y = op(e, ACT_EXPR_MUL, y, r);
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    return e;
}

/* One step in double, rounded to float when f32: for +, -, *, / of
 * floats that is the float operation itself (double holds the exact
 * result to well past float's rounding). */
static double step(act_expr_op o, double a, double b, bool f32)
{
    double r = act_expr_op_eval(o, a, b, 0);
    return f32 ? (double)(float)r : r;
}

static double reference(first_step f, act_expr_op then, bool swapped,
                        bool scaled, double x, const double *pqr, bool f32)
{
    double p = pqr[0], q = pqr[1], r = pqr[2];
    double t;
    if (f.power) {
        t = step(ACT_EXPR_MUL, x, x, f32);
        if (f.power == 3)
            t = step(ACT_EXPR_MUL, t, x, f32);
    } else {
        t = step(f.op, x, p, f32);
    }
    double u = swapped ? step(then, q, t, f32) : step(then, t, q, f32);
    return scaled ? step(ACT_EXPR_MUL, u, r, f32) : u;
}

static bool same(double got, double want)
{
    return isnan(got) ? isnan(want) : memcmp(&got, &want, sizeof got) == 0;
}

/* p, q, r: float32 values, so that both paths take them as they are. */
static const double pqr[3] = {0.75, -2.5, 1.5};

static void check_values(first_step f, act_expr_op then, bool swapped,
                         bool scaled, const double *got, bool f32,
                         const char *path)
{
    for (int i = 0; i < NX; i++) {
        double want = reference(f, then, swapped, scaled, xs[i], pqr, f32);
        if (!same(got[i], want)) {
            print_error("%s (power %d) then %s%s%s, %s, x = %.9g: %.17g, "
                        "want %.17g\n", act_expr_op_name(f.op), f.power,
                        act_expr_op_name(then), swapped ? " (swapped)" : "",
                        scaled ? " scaled" : "", path, xs[i], got[i], want);
            fail();
        }
    }
}

static void forward_f32(act_expr *e, bool simd, double *out)
{
    e->forward.simd = simd;
    act_tensor *x = make(F32, 1, SHAPE(NX), xs, false), *y;
    act_expr_arg args[3] = {{NULL, pqr[0]}, {NULL, pqr[1]}, {NULL, pqr[2]}};
    assert_int_equal(act_expr_activate(ctx, e, x, args, &y), ACT_OK);
    values(y, out);
    act_tensor_free(x);
    act_tensor_free(y);
}

static void test_every_pair_keeps_the_bits_of_two_steps(void **state)
{
    fill_inputs();
    static double got[NX];
    enum { NF = sizeof firsts / sizeof *firsts, NT = sizeof thens / sizeof *thens };
    for (int combo = 0; combo < NF * NT * 4; combo++) { /* x swapped x scaled */
        first_step f = firsts[combo % NF];
        act_expr_op then = thens[combo / NF % NT];
        bool swapped = combo / (NF * NT) % 2, scaled = combo / (2 * NF * NT);
        act_expr *e = pair_expr(f, then, swapped, scaled);
        const expr_instr *in = &e->forward.code[0];
        assert_int_equal(e->forward.ninstr, 1);
        assert_int_equal(in->then, then);
        if (then == ACT_EXPR_SUB || then == ACT_EXPR_DIV)
            assert_int_equal(in->swapped, swapped);
        /* else the graph may order the operands its own way */
        assert_int_equal(in->scaled, scaled);
        assert_int_equal(act_expr_eval(ctx, e, NX, xs, pqr, got, NULL, NULL), ACT_OK);
        check_values(f, then, swapped, scaled, got, false, "float64");
        forward_f32(e, false, got);
        check_values(f, then, swapped, scaled, got, true, "float32");
        if (act_simd_cpu()) {
            forward_f32(e, true, got);
            check_values(f, then, swapped, scaled, got, true, "float32 AVX2");
        }
        act_expr_free(e);
    }
}

/* A node is paired with its reader only when nothing else reads it. */
static void test_a_node_read_twice_is_not_paired(void **state)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "twice", 0, NULL, &e), ACT_OK);
    int x;
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    int t = op(e, ACT_EXPR_ADD, x, num(e, 1));
    int y = op(e, ACT_EXPR_MUL, t, t);
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    assert_int_equal(e->forward.ninstr, 2);
    double y1;
    assert_int_equal(act_expr_eval(ctx, e, 1, (double[]){2}, NULL, &y1, NULL, NULL),
                     ACT_OK);
    assert_true(y1 == 9);
    act_expr_free(e);
}

/* A chain of five steps: two pairs, the second scaled by the product
 * that ends the chain (as gy ends a backward program). */
static void test_a_chain_is_paired_and_scaled(void **state)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "chain", 0, NULL, &e), ACT_OK);
    int x;
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    int a = op(e, ACT_EXPR_MUL, x, num(e, 3));
    int b = op(e, ACT_EXPR_ADD, a, num(e, 0.5));
    int c = op(e, ACT_EXPR_DIV, num(e, 2), b);
    int d = op(e, ACT_EXPR_SUB, c, x);
    int y = op(e, ACT_EXPR_MUL, d, num(e, 0.25));
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    assert_int_equal(e->forward.ninstr, 2);
    assert_false(e->forward.code[0].scaled);
    assert_true(e->forward.code[1].scaled);
    double got[3];
    assert_int_equal(act_expr_eval(ctx, e, 3, (double[]){1, -0.5, 4}, NULL, got,
                                   NULL, NULL),
                     ACT_OK);
    const double in[3] = {1, -0.5, 4};
    for (int i = 0; i < 3; i++)
        assert_true(got[i] == (2 / (in[i] * 3 + 0.5) - in[i]) * 0.25);
    act_expr_free(e);
}

/* An output keeps its register: x * 2 as an output of its own is not
 * folded into x * 2 + 1, and both come out. */
static void test_an_output_is_not_paired(void **state)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "outs", 0, NULL, &e), ACT_OK);
    int x;
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    int t = op(e, ACT_EXPR_MUL, x, num(e, 2));
    int y = op(e, ACT_EXPR_ADD, t, num(e, 1));
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    assert_int_equal(e->forward.ninstr, 1); /* alone, y pairs t */
    expr_program p;
    assert_int_equal(act_expr_emit(ctx, e, 2, (const int[]){y, t}, false, &p), ACT_OK);
    assert_int_equal(p.ninstr, 2);
    static double r[8][EXPR_BLOCK];
    double *regs[8];
    assert_true(p.nregs <= 8);
    for (int i = 0; i < p.nregs; i++)
        regs[i] = r[i];
    for (int i = 0; i < p.nconst; i++)
        regs[p.const_reg[i]][0] = p.const_val[i];
    regs[p.in_reg[EXPR_IN_X]][0] = 5;
    act_expr_run_f64(&p, regs, 1);
    assert_true(regs[p.out_reg[0]][0] == 11);
    assert_true(regs[p.out_reg[1]][0] == 10);
    act_expr_program_free(&p);
    act_expr_free(e);
}

/* silu's backward with the saved sigmoid s: s (1 - s), then
 * (s + x * that) * gy, two passes over the block where there were five. */
static void test_silu_backward_is_two_instructions(void **state)
{
    act_expr *e;
    assert_int_equal(act_expr_new(ctx, "silu2", 0, NULL, &e), ACT_OK);
    int x;
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    int y = op(e, ACT_EXPR_MUL, x, op(e, ACT_EXPR_SIGMOID, x, -1));
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    assert_int_equal(e->backward_x.ninstr, 2);
    assert_true(e->backward_x.code[1].scaled);
    assert_int_equal(e->backward_x.code[1].by, e->backward_x.in_reg[EXPR_IN_GY]);
    act_expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_pair_keeps_the_bits_of_two_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_node_read_twice_is_not_paired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_chain_is_paired_and_scaled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_output_is_not_paired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silu_backward_is_two_instructions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
