/*
 * test_expr_simd.c — the float32 instructions of compiled expressions that
 * run through SLEEF (engine/simd_sleef.c) against the scalar loops they
 * replace: each over several blocks of inputs spanning its domain (±1000,
 * ±0, NaN, ±inf, denormals, overflow edges) within a few ulp, NaN and
 * infinities exactly where the scalar has them; the same bits for one
 * input wherever it sits in a block; the other instructions, compiled
 * for AVX2, give the baseline's bits; ACTLUA_NO_SIMD; a traced activation's
 * value and gradient on both paths.
 */
#include "test_support.h"

#include <float.h>
#include <stdint.h>

#include "expr_internal.h"
#include "simd.h"

#define N (3 * EXPR_BLOCK + 37) /* three blocks and a ragged tail */

/* What each vectorised op may differ from the scalar loop by, in ulp: the
 * scalar glibc functions are within 1-2 ulp of the truth and SLEEF's u10
 * within 1; sigmoid and softplus add a division or log1p after the exp. */
static const struct {
    act_expr_op op;
    int ulps;
} ops[] = {
    {ACT_EXPR_EXP, 2},  {ACT_EXPR_LOG, 2},     {ACT_EXPR_LOG1P, 3},
    {ACT_EXPR_EXPM1, 3}, {ACT_EXPR_SQRT, 0},   {ACT_EXPR_SIN, 2},
    {ACT_EXPR_COS, 2},  {ACT_EXPR_TAN, 3},     {ACT_EXPR_TANH, 3},
    {ACT_EXPR_ERF, 3},  {ACT_EXPR_SIGMOID, 4}, {ACT_EXPR_SOFTPLUS, 4},
    {ACT_EXPR_POW, 2},
};
#define NOPS ((int)(sizeof ops / sizeof ops[0]))

/* Inputs: the edges of every function's domain, then values spread over
 * all magnitudes and densely over [-30, 30], from a fixed generator. */
static const float special[] = {
    0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, 1000, -1000, 1e-40f,
    -1e-40f, 1.4e-45f, -1.4e-45f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, 1, -1,
    0.5f, -0.5f, 88.72283f, 88.72284f, -87.33654f, -103.97f, -104, 89, -89,
    1e-8f, -1e-8f, 1.5707964f, -1.5707964f, 3.1415927f, 1e4f, -1e4f, 1e6f,
    1e20f, -1e20f, 20, -20, 9, -9, -0.9999999f, 3.9f, -3.9f, 0.1f, 2,
};
#define NSPECIAL ((int)(sizeof special / sizeof special[0]))

static uint64_t rng = 0x9e3779b97f4a7c15u;

static double uniform(void) /* in [0, 1), xorshift64* */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

static void fill_inputs(float *a)
{
    for (int i = 0; i < N; i++) {
        double u = uniform(), s = uniform() < 0.5 ? -1 : 1;
        a[i] = i < NSPECIAL ? special[i]
               : i % 2      ? (float)(s * pow(10, -44 + 82 * u))
                            : (float)(-30 + 60 * u);
    }
}

/* Exponents for pow: each special base meets each of these, then random
 * pairs. */
static const float exps[] = {0.5f, -0.5f, 2, -2, 3, 1.0f / 3, 0, -0.0f, 1,
                             NAN, INFINITY, -INFINITY, 2.5f, -1.5f, 10, 0.1f};
#define NEXPS ((int)(sizeof exps / sizeof exps[0]))

static void fill_pow_inputs(float *a, float *b)
{
    fill_inputs(a);
    for (int i = 0; i < N; i++) {
        if (i < NSPECIAL * NEXPS) {
            a[i] = special[i / NEXPS];
            b[i] = exps[i % NEXPS];
        } else {
            b[i] = (float)(-8 + 16 * uniform());
        }
    }
}

/* op over n elements (any n), one block at a time, through the evaluator
 * with simd on or off; `shift` misaligns the registers by that many
 * floats (x is read in place from tensors at any offset). */
static void run_op(act_expr_op op, bool simd, const float *a, const float *b,
                   float *out, int n, int shift)
{
    static float ra[EXPR_BLOCK + 8], rb[EXPR_BLOCK + 8], rd[EXPR_BLOCK + 8];
    float *regs[3] = {ra + shift, rb + shift, rd + shift};
    bool binary = act_expr_op_arity(op) == 2;
    expr_instr in = {.op = op, .dst = 2, .a = 0, .b = binary ? 1 : -1, .c = -1};
    expr_program p = {.ninstr = 1, .nregs = 3, .code = &in, .in_reg = {0, -1, -1, -1, -1, -1},
                      .simd = simd};
    for (int base = 0; base < n; base += EXPR_BLOCK) {
        int m = n - base < EXPR_BLOCK ? n - base : EXPR_BLOCK;
        memcpy(regs[0], a + base, (size_t)m * sizeof *a);
        if (binary)
            memcpy(regs[1], b + base, (size_t)m * sizeof *b);
        act_expr_run_f32(&p, regs, m);
        memcpy(out + base, regs[2], (size_t)m * sizeof *out);
    }
}

/* Distance in ulp between two finite floats or infinities (+0 == -0). */
static int64_t ulp_distance(float x, float y)
{
    int32_t i, j;
    memcpy(&i, &x, sizeof i);
    memcpy(&j, &y, sizeof j);
    int64_t a = i < 0 ? (int64_t)INT32_MIN - i : i;
    int64_t b = j < 0 ? (int64_t)INT32_MIN - j : j;
    return a > b ? a - b : b - a;
}

static bool simd_available(void)
{
    if (act_simd_cpu())
        return true;
    print_message("no AVX2 + FMA on this CPU: nothing to compare\n");
    return false;
}

static void test_ops_agree_with_scalar_loops(void **state)
{
    if (!simd_available())
        skip();
    static float a[N], b[N], want[N], got[N];
    for (int k = 0; k < NOPS; k++) {
        act_expr_op op = ops[k].op;
        if (op == ACT_EXPR_POW)
            fill_pow_inputs(a, b);
        else
            fill_inputs(a);
        run_op(op, false, a, b, want, N, 0);
        run_op(op, true, a, b, got, N, 0);
        int64_t worst = 0;
        int bad = 0;
        for (int i = 0; i < N; i++) {
            bool same_kind = isnan(want[i]) == isnan(got[i]) &&
                             (!isinf(want[i]) || want[i] == got[i]) &&
                             (!isinf(got[i]) || want[i] == got[i]);
            int64_t d = isnan(want[i]) || !same_kind ? 0 : ulp_distance(want[i], got[i]);
            if (!same_kind || d > ops[k].ulps) {
                print_error("%s(%.9g, %.9g): scalar %.9g, simd %.9g (%lld ulp)\n",
                            act_expr_op_name(op), a[i],
                            op == ACT_EXPR_POW ? b[i] : 0.0f, want[i], got[i],
                            (long long)d);
                bad++;
            }
            worst = d > worst ? d : worst;
        }
        print_message("%-8s at most %lld ulp from the scalar loop\n",
                      act_expr_op_name(op), (long long)worst);
        if (bad)
            fail();
    }
}

/* Every element's bits are those it gets in a full block, whatever its
 * position, the block's length (tails of 1..7 elements included) and the
 * registers' alignment. */
static void test_results_do_not_depend_on_position(void **state)
{
    if (!simd_available())
        skip();
    static float a[N], b[N], ref[EXPR_BLOCK], sa[EXPR_BLOCK], sb[EXPR_BLOCK],
        got[EXPR_BLOCK];
    static const int lengths[] = {EXPR_BLOCK, 255, 249, 17, 8, 7, 3, 1};
    for (int k = 0; k < NOPS; k++) {
        act_expr_op op = ops[k].op;
        fill_pow_inputs(a, b); /* for unary ops b is unused */
        run_op(op, true, a, b, ref, EXPR_BLOCK, 0);
        for (int shift = 1; shift <= 7; shift += 2) {
            for (int i = 0; i < EXPR_BLOCK; i++) {
                sa[i] = a[(i + shift) % EXPR_BLOCK];
                sb[i] = b[(i + shift) % EXPR_BLOCK];
            }
            for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++) {
                int n = lengths[l];
                run_op(op, true, sa, sb, got, n, shift);
                for (int i = 0; i < n; i++)
                    if (memcmp(&got[i], &ref[(i + shift) % EXPR_BLOCK], sizeof(float))) {
                        print_error("%s: element %d of %d, shift %d: %.9g, "
                                    "in a full block %.9g\n",
                                    act_expr_op_name(op), i, n, shift, got[i],
                                    ref[(i + shift) % EXPR_BLOCK]);
                        fail();
                    }
            }
        }
    }
}

/* The instructions without a vector function run, when simd is set, in
 * the same loops compiled for AVX2 (expr_kernels_avx2.c): every result,
 * NaN included, has the baseline loop's bits. */
static const expr_instr plain_ops[] = {
    {.op = ACT_EXPR_NEG},  {.op = ACT_EXPR_ABS},   {.op = ACT_EXPR_SIGN},
    {.op = ACT_EXPR_SINC}, {.op = ACT_EXPR_DSINC}, {.op = ACT_EXPR_ADD},
    {.op = ACT_EXPR_SUB},  {.op = ACT_EXPR_MUL},   {.op = ACT_EXPR_DIV},
    {.op = ACT_EXPR_MIN},  {.op = ACT_EXPR_MAX},   {.op = ACT_EXPR_GT},
    {.op = ACT_EXPR_GE},   {.op = ACT_EXPR_LT},    {.op = ACT_EXPR_LE},
    {.op = ACT_EXPR_EQ},   {.op = ACT_EXPR_WHERE}, {.op = EXPR_POWI, .imm = 2},
    {.op = EXPR_POWI, .imm = 3}, {.op = EXPR_POWI, .imm = -1},
    {.op = EXPR_POWI, .imm = -2}, {.op = EXPR_POWI, .imm = 7},
    {.op = EXPR_POWI, .imm = -13}, {.op = EXPR_POWI, .imm = 64},
};

static void run_plain(expr_instr in, bool simd, float *const *src, float *out)
{
    static float r[4][EXPR_BLOCK];
    float *regs[4] = {r[0], r[1], r[2], r[3]};
    int arity = in.op == EXPR_POWI ? 1 : act_expr_op_arity(in.op);
    in.dst = 3, in.a = 0;
    in.b = arity >= 2 ? 1 : -1;
    in.c = arity >= 3 ? 2 : -1;
    expr_program p = {.ninstr = 1, .nregs = 4, .code = &in,
                      .in_reg = {0, -1, -1, -1, -1, -1}, .simd = simd};
    for (int base = 0; base < N; base += EXPR_BLOCK) {
        int m = N - base < EXPR_BLOCK ? N - base : EXPR_BLOCK;
        for (int k = 0; k < 3; k++)
            memcpy(regs[k], src[k] + base, (size_t)m * sizeof(float));
        act_expr_run_f32(&p, regs, m);
        memcpy(out + base, regs[3], (size_t)m * sizeof *out);
    }
}

static void test_plain_ops_keep_their_bits(void **state)
{
    if (!simd_available())
        skip();
    static float a[N], b[N], c[N], want[N], got[N];
    fill_pow_inputs(a, b);
    for (int i = 0; i < N; i++) /* where's condition: often 0, or NaN */
        c[i] = i % 3 == 0 ? 0.0f : i % 3 == 1 ? -0.0f : a[(i * 7) % N];
    float *const src[3] = {c, a, b}; /* where(c, a, b); else c op a */
    int n = sizeof plain_ops / sizeof *plain_ops;
    for (int k = 0; k < n; k++) {
        run_plain(plain_ops[k], false, src, want);
        run_plain(plain_ops[k], true, src, got);
        for (int i = 0; i < N; i++)
            if (memcmp(&want[i], &got[i], sizeof(float))) {
                print_error("op %d (imm %d) on %.9g, %.9g, %.9g: %.9g, "
                            "with simd %.9g\n", plain_ops[k].op,
                            plain_ops[k].imm, c[i], a[i], b[i], want[i], got[i]);
                fail();
            }
    }
}

/* softplus(x) * tanh(x) + erf(x) - sigmoid(x): forward and gradient of a
 * float32 tensor on both paths agree with each other, and with the
 * float64 program, within float32 rounding; finite at ±1000. */
static act_expr *mixed(void)
{
    act_expr *e;
    int x, sp, th, er, sg, t1, t2, y;
    assert_int_equal(act_expr_new(ctx, "mixed", 0, NULL, &e), ACT_OK);
    assert_int_equal(act_expr_input(ctx, e, &x), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_SOFTPLUS, x, -1, -1, &sp), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_TANH, x, -1, -1, &th), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_ERF, x, -1, -1, &er), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_SIGMOID, x, -1, -1, &sg), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_MUL, sp, th, -1, &t1), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_ADD, t1, er, -1, &t2), ACT_OK);
    assert_int_equal(act_expr_node(ctx, e, ACT_EXPR_SUB, t2, sg, -1, &y), ACT_OK);
    assert_int_equal(act_expr_compile(ctx, e, y), ACT_OK);
    return e;
}

static void value_and_grad(act_expr *e, act_dtype dt, const double *xs, int n,
                           double *y, double *g)
{
    act_tensor *x = make(dt, 1, SHAPE(n), xs, true), *out;
    assert_int_equal(act_expr_activate(ctx, e, x, NULL, &out), ACT_OK);
    values(out, y);
    backward_sum(out);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x), g), ACT_OK);
    act_tensor_free(x);
}

static void set_simd(act_expr *e, bool on)
{
    e->forward.simd = e->backward.simd = e->backward_x.simd = on;
}

static void test_traced_activation_on_both_paths(void **state)
{
    if (!simd_available())
        skip();
    enum { M = 2 * EXPR_BLOCK + 5 };
    static double xs[M], ys[3][M], gs[3][M];
    for (int i = 0; i < M; i++)
        xs[i] = i < 2 ? (i ? -1000 : 1000) : -12 + 24.0 * i / M;
    act_expr *e = mixed();
    set_simd(e, false);
    value_and_grad(e, F32, xs, M, ys[0], gs[0]);
    set_simd(e, true);
    value_and_grad(e, F32, xs, M, ys[1], gs[1]);
    value_and_grad(e, F64, xs, M, ys[2], gs[2]);
    for (int i = 0; i < M; i++)
        for (int path = 0; path < 2; path++) {
            double tol = 1e-5 * (1 + fabs(ys[2][i]));
            assert_true(isfinite(ys[path][i]) && isfinite(gs[path][i]));
            if (!(fabs(ys[path][i] - ys[2][i]) <= tol &&
                  fabs(gs[path][i] - gs[2][i]) <= 1e-5 * (1 + fabs(gs[2][i])))) {
                print_error("x = %g, %s: f %.9g f' %.9g; float64 f %.9g f' %.9g\n",
                            xs[i], path ? "simd" : "scalar", ys[path][i],
                            gs[path][i], ys[2][i], gs[2][i]);
                fail();
            }
        }
    act_expr_free(e);
}

/* ACTLUA_NO_SIMD=1 keeps contexts created afterwards, and the programs
 * compiled in them, on the scalar path. */
static void test_environment_switch(void **state)
{
    const char *old = getenv("ACTLUA_NO_SIMD");
    char *saved = old ? strdup(old) : NULL;
    assert_int_equal(setenv("ACTLUA_NO_SIMD", "1", 1), 0);
    act_context *off_ctx = act_context_new(), *on_ctx;
    assert_non_null(off_ctx);
    assert_int_equal(setenv("ACTLUA_NO_SIMD", "0", 1), 0);
    assert_non_null(on_ctx = act_context_new());
    if (saved)
        assert_int_equal(setenv("ACTLUA_NO_SIMD", saved, 1), 0);
    else
        assert_int_equal(unsetenv("ACTLUA_NO_SIMD"), 0);
    free(saved);
    assert_false(off_ctx->simd);
    assert_int_equal(on_ctx->simd, act_simd_cpu());
    act_context *mine = ctx;
    ctx = off_ctx;
    act_expr *off = mixed();
    ctx = mine;
    act_expr *on = mixed();
    assert_false(off->forward.simd || off->backward.simd || off->backward_x.simd);
    assert_int_equal(on->forward.simd, ctx->simd);
    assert_int_equal(on->backward_x.simd, ctx->simd);
    act_expr_free(off);
    act_expr_free(on);
    act_context_free(off_ctx);
    act_context_free(on_ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ops_agree_with_scalar_loops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_do_not_depend_on_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plain_ops_keep_their_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traced_activation_on_both_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_switch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
