/*
 * test_activations_simd.c — the float32 activation kernels on SLEEF's
 * vector math (engine/activations_simd.inc) against the scalar kernels: for
 * every element-wise activation (default and other params), values and
 * gradients over inputs spanning the domain (±1000, ±0, NaN, ±inf,
 * denormals) agree within a few ulp, NaN and infinities where the scalar
 * has them, and are bit-identical where nothing is vectorised; and a
 * value's bits do not depend on its position, alignment or stride.
 */
#include "test_support.h"

#include <float.h>

#include "act_internal.h"
#include "simd.h"

#define N 1000

static const float special[] = {
    0.0f, -0.0f, NAN, INFINITY, -INFINITY, 1000, -1000, 1e-40f, -1e-40f,
    1.4e-45f, -1.4e-45f, FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, 1, -1, 0.5f,
    -0.5f, 88.72283f, 88.72284f, -87.33654f, -103.97f, -104, 89, -89, 1e-8f,
    -1e-8f, 1.5707964f, -1.5707964f, 3.1415927f, 1e4f, -1e4f, 1e20f, 20, -20,
    9, -9, -1.2784645f, 3.9f, -3.9f, 0.1f, 2, 6, -3, 3, 40, -40,
};
#define NSPECIAL ((int)(sizeof special / sizeof special[0]))

static uint64_t rng = 0x243f6a8885a308d3u;

static double uniform(void) /* in [0, 1), xorshift64* */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

static double xs[N];

static void fill_inputs(void)
{
    for (int i = 0; i < N; i++) {
        double u = uniform(), s = uniform() < 0.5 ? -1 : 1;
        xs[i] = i < NSPECIAL ? special[i]
                : i % 3 == 0 ? (float)(s * pow(10, -44 + 82 * u))
                             : (float)(-30 + 60 * u);
    }
}

/* The cases: each element-wise activation with its defaults, and some
 * with other params. `cancels`: whose value (f) or derivative (d) is a
 * difference of terms much larger than itself somewhere (silu' near its
 * minimum, x - tanh x near 0, 1 - y^2 for tanh' where y rounds to 1),
 * where the two paths' few-ulp differences in the terms are compared
 * against the terms' size, 1 + |x|. */
typedef struct {
    const char *name;
    double params[ACT_ACTIVATION_MAX_PARAMS];
    bool custom, cancels_f, cancels_d;
} simd_case;

static const simd_case others[] = {
    {"gelu", {1}, true, false, true},       /* the tanh form */
    {"elu", {0.7}, true, false, false},
    {"celu", {0.5}, true, false, false},
    {"softplus", {2, 5}, true, false, false},
};

/* The activations with kernels in activations_simd.inc; the others must
 * give the same bits on both paths. */
static bool vectorised(const char *name)
{
    static const char *const v[] = {"sigmoid", "tanh", "silu", "gelu", "elu",
                                    "selu", "celu", "softplus", "mish",
                                    "logsigmoid", "tanhshrink", "sine", "gcu",
                                    "ssu", "dsu"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!strcmp(name, v[i]))
            return true;
    return false;
}

static simd_case default_case(int id)
{
    const char *name = act_activation_get(id)->name;
    simd_case c = {name, {0}, false, false, false};
    c.cancels_f = !strcmp(name, "tanhshrink") || !strcmp(name, "dsu") ||
                  !strcmp(name, "ssu");
    c.cancels_d = !strcmp(name, "sigmoid") || !strcmp(name, "tanh") ||
                  !strcmp(name, "silu") || !strcmp(name, "gelu") ||
                  !strcmp(name, "mish") || !strcmp(name, "gcu") ||
                  !strcmp(name, "dsu") || !strcmp(name, "ssu");
    return c;
}

static bool elementwise(int id)
{
    return act_activation_get(id)->form == ACT_FORM_ELEMENTWISE;
}

/* f(x) and f'(x) (through backward of the sum) of x[0..n-1] in float32,
 * on the vector path or not. */
static void run(const simd_case *c, bool simd, const act_tensor *xt,
                act_tensor *leaf, double *y, double *g)
{
    int id = act_activation_find(c->name);
    ctx->simd = simd;
    act_tensor *out;
    assert_int_equal(act_activate(ctx, id, xt, c->custom ? c->params : NULL, &out),
                     ACT_OK);
    values(out, y);
    backward_sum(out);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(leaf), g), ACT_OK);
    assert_int_equal(act_tensor_set_grad(ctx, leaf, NULL), ACT_OK);
}

static int64_t ulp_distance(float x, float y)
{
    int32_t i, j;
    memcpy(&i, &x, sizeof i);
    memcpy(&j, &y, sizeof j);
    int64_t a = i < 0 ? (int64_t)INT32_MIN - i : i;
    int64_t b = j < 0 ? (int64_t)INT32_MIN - j : j;
    return a > b ? a - b : b - a;
}

/* simd agrees with scalar: NaN and infinities alike, else within 8 ulp,
 * or where the formula cancels within 16 eps (1 + |x|); or, for values
 * computed from a subnormal (gelu's e^-|2z| in its tail), which has fewer
 * digits, within 64 subnormal steps (1 + |x|). */
static int compare(const char *what, const char *name, const double *scalar,
                   const double *simd, bool cancels, int64_t *worst)
{
    int bad = 0;
    for (int i = 0; i < N; i++) {
        float a = (float)scalar[i], b = (float)simd[i];
        bool same_kind = isnan(a) == isnan(b) && (!isinf(a) || a == b) &&
                         (!isinf(b) || a == b);
        int64_t d = same_kind && !isnan(a) ? ulp_distance(a, b) : 0;
        double diff = fabs(scalar[i] - simd[i]);
        double scale = isfinite(xs[i]) ? 1 + fabs(xs[i]) : 1;
        bool close = d <= 8 || (cancels && diff <= 16 * FLT_EPSILON * scale) ||
                     diff <= 64 * FLT_TRUE_MIN * scale;
        if (!same_kind || !close) {
            if (bad++ < 5)
                print_error("%s %s(%.9g): scalar %.9g, simd %.9g (%lld ulp)\n",
                            name, what, xs[i], a, b, (long long)d);
        }
        if (!cancels && same_kind && d > *worst && diff > 64 * FLT_TRUE_MIN * scale)
            *worst = d;
    }
    return bad;
}

static void check_case(const simd_case *c, int *bad)
{
    static double y[2][N], g[2][N];
    act_tensor *x = make(F32, 1, SHAPE(N), xs, true);
    run(c, false, x, x, y[0], g[0]);
    run(c, true, x, x, y[1], g[1]);
    act_tensor_free(x);
    int64_t worst = 0;
    if (!vectorised(c->name)) {
        if (memcmp(y[0], y[1], sizeof y[0]) || memcmp(g[0], g[1], sizeof g[0])) {
            print_error("%s: other bits with simd, which it does not use\n", c->name);
            (*bad)++;
        }
        return;
    }
    *bad += compare("f", c->name, y[0], y[1], c->cancels_f, &worst);
    *bad += compare("f'", c->name, g[0], g[1], c->cancels_d, &worst);
    print_message("%-11s%s at most %lld ulp from the scalar kernels\n", c->name,
                  c->custom ? " (params)" : "", (long long)worst);
}

static void test_kernels_agree_with_scalar(void **state)
{
    if (!act_simd_cpu())
        skip();
    fill_inputs();
    int bad = 0;
    for (int id = 0; id < act_activation_count(); id++)
        if (elementwise(id)) {
            simd_case c = default_case(id);
            check_case(&c, &bad);
        }
    for (size_t k = 0; k < sizeof others / sizeof *others; k++)
        check_case(&others[k], &bad);
    if (bad)
        fail();
}

/* The view of leaf v that holds xs: itself, from element 3, or every
 * other element (a new view each time: backward consumes its node). */
static act_tensor *view_of(act_tensor *leaf, int v)
{
    act_tensor *t = NULL;
    if (v == 0)
        return act_tensor_retain(leaf);
    if (v == 1)
        assert_int_equal(act_narrow(ctx, leaf, 0, 3, N, &t), ACT_OK);
    else
        assert_int_equal(act_slice(ctx, leaf, 0, 0, 2 * N, 2, &t), ACT_OK);
    return t;
}

/* The same values through a contiguous tensor, a misaligned one (offset
 * 3 in a larger one) and a strided one (every other element) give the same
 * bits, values and gradients. */
static void test_layout_does_not_change_bits(void **state)
{
    if (!act_simd_cpu())
        skip();
    fill_inputs();
    static double wide[2 * N + 3], y[3][N], g[3][N], gl[2 * N + 3];
    act_tensor *leaves[3];
    leaves[0] = make(F32, 1, SHAPE(N), xs, true);
    for (int i = 0; i < N + 3; i++)
        wide[i] = i >= 3 ? xs[i - 3] : 7;
    leaves[1] = make(F32, 1, SHAPE(N + 3), wide, true);
    for (int i = 0; i < 2 * N; i++)
        wide[i] = i % 2 ? 5 : xs[i / 2];
    leaves[2] = make(F32, 1, SHAPE(2 * N), wide, true);
    for (int id = 0; id < act_activation_count(); id++) {
        if (!elementwise(id))
            continue;
        simd_case c = default_case(id);
        for (int v = 0; v < 3; v++) {
            act_tensor *x = view_of(leaves[v], v);
            run(&c, true, x, leaves[v], y[v], gl);
            act_tensor_free(x);
            for (int i = 0; i < N; i++) /* the view's elements of the leaf */
                g[v][i] = gl[v == 0 ? i : v == 1 ? i + 3 : 2 * i];
        }
        for (int v = 1; v < 3; v++)
            if (memcmp(y[v], y[0], sizeof y[0]) || memcmp(g[v], g[0], sizeof g[0])) {
                print_error("%s: %s input gives other bits\n", c.name,
                            v == 1 ? "a misaligned" : "a strided");
                fail();
            }
    }
    for (int v = 0; v < 3; v++)
        act_tensor_free(leaves[v]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kernels_agree_with_scalar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout_does_not_change_bits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
