/*
 * activations_table.c — the activation registry: one descriptor per
 * activation (name, parameters and defaults, range, kinks, flags), looking
 * names up (aliases, "did you mean" suggestions) and checking parameters.
 * The kernels are in activations_kernels.c, the ops in activations.c.
 */
#include "activations_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define INF INFINITY
#define NUM(N, D) {N, D, ACT_PARAM_NUMBER, {NULL}}
#define DIM_PARAM {"dim", -1, ACT_PARAM_DIM, {NULL}}

/* ------------------------------------------ param-dependent geometry */

static void leaky_geom(const double *p, act_activation_geom *g)
{
    g->lo = p[0] > 0 ? -INF : 0;
}

/* The largest slope rrelu can use decides whether it is bounded below. */
static void rrelu_geom(const double *p, act_activation_geom *g)
{
    double top = p[2] != 0 ? p[1] : (p[0] + p[1]) / 2;
    g->lo = top > 0 ? -INF : 0;
}

/* elu is differentiable at 0 only when its slopes there agree. */
static void elu_geom(const double *p, act_activation_geom *g)
{
    g->lo = p[0] >= 0 ? -p[0] : 0;
    g->nkinks = p[0] != 1;
}

static void celu_geom(const double *p, act_activation_geom *g)
{
    g->lo = p[0] > 0 ? -p[0] : -INF;
}

static void gelu_geom(const double *p, act_activation_geom *g)
{
    /* The minima, at x = -0.75179 and -0.75246, found numerically. */
    g->lo = p[0] == 0 ? -0.16997120747990369 : -0.17004075057125403;
}

/* PyTorch switches to x where beta x > threshold: a seam, not quite
 * continuous, that gradient checks must avoid. */
static void softplus_geom(const double *p, act_activation_geom *g)
{
    g->lo = p[0] > 0 ? 0 : -INF;
    g->hi = p[0] > 0 ? INF : 0;
    g->kinks[0] = p[1] / p[0];
}

static void two_kinks(double a, double b, act_activation_geom *g)
{
    g->kinks[0] = a;
    g->kinks[1] = b;
    g->nkinks = a < b ? 2 : 1;
}

static void hardtanh_geom(const double *p, act_activation_geom *g)
{
    g->lo = p[0];
    g->hi = p[1];
    two_kinks(p[0], p[1], g);
}

static void shrink_geom(const double *p, act_activation_geom *g)
{
    two_kinks(-p[0], p[0], g);
    if (p[0] < 0) /* hardshrink with a negative lambd is the identity */
        g->nkinks = 0;
}

static void threshold_geom(const double *p, act_activation_geom *g)
{
    g->kinks[0] = p[0];
    g->lo = p[1] < p[0] ? p[1] : p[0];
}

/* ------------------------------------------------------- param checks */

/* Writes a complaint about a parameter into msg; returns false. */
static bool complain(char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool complain(char *msg, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, size, fmt, ap);
    va_end(ap);
    return false;
}

static bool rrelu_check(const double *p, char *msg, size_t size)
{
    if (!isfinite(p[0]) || !isfinite(p[1]))
        return complain(msg, size, "lower and upper must be finite, got %g "
                        "and %g", p[0], p[1]);
    if (p[0] > p[1])
        return complain(msg, size, "lower (%g) is above upper (%g)", p[0],
                        p[1]);
    return true;
}

static bool nonzero_check(const char *name, double v, char *msg, size_t size)
{
    if (v == 0)
        return complain(msg, size, "%s must not be 0", name);
    return true;
}

static bool celu_check(const double *p, char *msg, size_t size)
{
    return nonzero_check("alpha", p[0], msg, size);
}

static bool softplus_check(const double *p, char *msg, size_t size)
{
    return nonzero_check("beta", p[0], msg, size);
}

static bool hardtanh_check(const double *p, char *msg, size_t size)
{
    if (p[0] > p[1])
        return complain(msg, size, "min_val (%g) is above max_val (%g)",
                        p[0], p[1]);
    return true;
}

static bool softshrink_check(const double *p, char *msg, size_t size)
{
    if (p[0] < 0)
        return complain(msg, size, "lambd must be >= 0, got %g", p[0]);
    return true;
}

/* --------------------------------------------------------- the table */

#define NAMED(NAME, FORMULA) .info.name = NAME, .info.formula = FORMULA
#define RANGE(LO, HI) .geom.lo = LO, .geom.hi = HI
#define KINK0 .geom.nkinks = 1, .geom.kinks = {0}
#define SMOOTH .info.smooth = true
#define MONOTONIC .info.monotonic = true
#define FROM_Y .info.derivative_from_y = true
#define PARAMS(N, ...) .info.nparams = N, .info.params = {__VA_ARGS__}

const act_activation_def act_activation_defs[ACT_ACTIVATION_COUNT] = {
    [ACT_ACTIVATION_STEP] = {NAMED("step", "x > 0 ? 1 : 0"), RANGE(0, 1),
                             KINK0, MONOTONIC},
    [ACT_ACTIVATION_SIGMOID] = {NAMED("sigmoid", "1 / (1 + exp(-x))"),
                                RANGE(0, 1), SMOOTH, MONOTONIC, FROM_Y},
    [ACT_ACTIVATION_TANH] = {NAMED("tanh", "tanh(x)"), RANGE(-1, 1),
                             SMOOTH, MONOTONIC, FROM_Y},
    [ACT_ACTIVATION_RELU] = {NAMED("relu", "max(0, x)"), RANGE(0, INF),
                             KINK0, MONOTONIC},
    [ACT_ACTIVATION_RELU6] = {NAMED("relu6", "min(max(0, x), 6)"),
                              RANGE(0, 6), .geom.nkinks = 2,
                              .geom.kinks = {0, 6}, MONOTONIC},
    [ACT_ACTIVATION_LEAKY_RELU] = {
        NAMED("leaky_relu", "x > 0 ? x : negative_slope * x"),
        PARAMS(1, NUM("negative_slope", 0.01)), RANGE(-INF, INF), KINK0,
        MONOTONIC, .geometry = leaky_geom},
    [ACT_ACTIVATION_RRELU] = {
        NAMED("rrelu", "x > 0 ? x : a * x, a ~ U[lower, upper] in "
                             "training, (lower + upper) / 2 otherwise"),
        PARAMS(3, NUM("lower", 1.0 / 8), NUM("upper", 1.0 / 3),
               {"training", 0, ACT_PARAM_FLAG, {NULL}}),
        RANGE(-INF, INF), KINK0, MONOTONIC, .geometry = rrelu_geom,
        .check = rrelu_check},
    [ACT_ACTIVATION_ELU] = {
        NAMED("elu", "x > 0 ? x : alpha * (exp(x) - 1)"),
        PARAMS(1, NUM("alpha", 1)), RANGE(-1, INF), KINK0, MONOTONIC,
        .geometry = elu_geom},
    [ACT_ACTIVATION_SELU] = {
        NAMED("selu", "scale * (x > 0 ? x : alpha * (exp(x) - 1)), "
                            "alpha = 1.6732632423543772, scale = "
                            "1.0507009873554805"),
        RANGE(-1.7580993408473766, INF), KINK0, MONOTONIC},
    [ACT_ACTIVATION_CELU] = {
        NAMED("celu", "x > 0 ? x : alpha * (exp(x / alpha) - 1)"),
        PARAMS(1, NUM("alpha", 1)), RANGE(-1, INF), MONOTONIC,
        .geometry = celu_geom, .check = celu_check},
    [ACT_ACTIVATION_GELU] = {
        NAMED("gelu", "x * Phi(x); approximate 'tanh': x * (1 + "
                            "tanh(sqrt(2/pi) * (x + 0.044715 x^3))) / 2"),
        PARAMS(1, {"approximate", 0, ACT_PARAM_CHOICE, {"none", "tanh", NULL}}),
        RANGE(-0.16997120747990369, INF), SMOOTH, .geometry = gelu_geom},
    [ACT_ACTIVATION_SILU] = {NAMED("silu", "x * sigmoid(x)"),
                             .info.aliases = {"swish", NULL},
                             RANGE(-0.2784645427610738, INF), SMOOTH},
    [ACT_ACTIVATION_MISH] = {NAMED("mish", "x * tanh(softplus(x))"),
                             RANGE(-0.30884341301725027, INF), SMOOTH},
    [ACT_ACTIVATION_SOFTPLUS] = {
        NAMED("softplus", "beta * x > threshold ? x : "
                                "log(1 + exp(beta * x)) / beta"),
        PARAMS(2, NUM("beta", 1), NUM("threshold", 20)), RANGE(0, INF),
        .geom.nkinks = 1, .geom.kinks = {20}, MONOTONIC,
        .geometry = softplus_geom, .check = softplus_check},
    [ACT_ACTIVATION_SOFTSIGN] = {NAMED("softsign", "x / (1 + |x|)"),
                                 RANGE(-1, 1), MONOTONIC},
    [ACT_ACTIVATION_HARDTANH] = {
        NAMED("hardtanh", "min(max(x, min_val), max_val)"),
        PARAMS(2, NUM("min_val", -1), NUM("max_val", 1)), RANGE(-1, 1),
        .geom.nkinks = 2, .geom.kinks = {-1, 1}, MONOTONIC,
        .geometry = hardtanh_geom, .check = hardtanh_check},
    [ACT_ACTIVATION_HARDSIGMOID] = {
        NAMED("hardsigmoid", "min(max(x + 3, 0), 6) / 6"), RANGE(0, 1),
        .geom.nkinks = 2, .geom.kinks = {-3, 3}, MONOTONIC},
    [ACT_ACTIVATION_HARDSWISH] = {
        NAMED("hardswish", "x * min(max(x + 3, 0), 6) / 6"),
        RANGE(-0.375, INF), .geom.nkinks = 2, .geom.kinks = {-3, 3}},
    [ACT_ACTIVATION_LOGSIGMOID] = {
        NAMED("logsigmoid", "log(sigmoid(x)) = -softplus(-x)"),
        RANGE(-INF, 0), SMOOTH, MONOTONIC},
    [ACT_ACTIVATION_TANHSHRINK] = {NAMED("tanhshrink", "x - tanh(x)"),
                                   RANGE(-INF, INF), SMOOTH, MONOTONIC},
    [ACT_ACTIVATION_SOFTSHRINK] = {
        NAMED("softshrink", "x > lambd ? x - lambd : x < -lambd ? "
                                  "x + lambd : 0"),
        PARAMS(1, NUM("lambd", 0.5)), RANGE(-INF, INF), .geom.nkinks = 2,
        .geom.kinks = {-0.5, 0.5}, MONOTONIC, .geometry = shrink_geom,
        .check = softshrink_check},
    [ACT_ACTIVATION_HARDSHRINK] = {
        NAMED("hardshrink", "|x| > lambd ? x : 0"),
        PARAMS(1, NUM("lambd", 0.5)), RANGE(-INF, INF), .geom.nkinks = 2,
        .geom.kinks = {-0.5, 0.5}, MONOTONIC, .geometry = shrink_geom},
    [ACT_ACTIVATION_THRESHOLD] = {
        NAMED("threshold", "x > threshold ? x : value"),
        PARAMS(2, NUM("threshold", 0), NUM("value", 0)), RANGE(0, INF),
        KINK0, MONOTONIC, .geometry = threshold_geom},
    [ACT_ACTIVATION_SINE] = {NAMED("sine", "sin(x)"), RANGE(-1, 1),
                             SMOOTH},
    [ACT_ACTIVATION_GCU] = {NAMED("gcu", "x * cos(x)"),
                            RANGE(-INF, INF), SMOOTH},
    [ACT_ACTIVATION_NCU] = {NAMED("ncu", "x - x^3"), RANGE(-INF, INF),
                            SMOOTH},
    [ACT_ACTIVATION_SQU] = {NAMED("squ", "x^2 + x"), RANGE(-0.25, INF),
                            SMOOTH},
    /* dsu is odd, with extremes at x = ±2.6309958; ssu's minimum is at
     * x = 7.6350021 (found numerically), its maximum pi at x = pi. */
    [ACT_ACTIVATION_DSU] = {
        NAMED("dsu", "pi/2 * (sinc(x - pi) - sinc(x + pi))"),
        RANGE(-1.6364081368248817, 1.6364081368248817), SMOOTH},
    [ACT_ACTIVATION_SSU] = {NAMED("ssu", "pi * sinc(x - pi)"),
                            RANGE(-0.6824595705010303, 3.141592653589793),
                            SMOOTH},
    [ACT_ACTIVATION_SOFTMAX] = {
        NAMED("softmax", "exp(x_i) / sum_j exp(x_j) along dim"),
        .info.form = ACT_FORM_ALONG_DIM, PARAMS(1, DIM_PARAM), RANGE(0, 1),
        SMOOTH, FROM_Y},
    [ACT_ACTIVATION_LOG_SOFTMAX] = {
        NAMED("log_softmax", "x_i - log sum_j exp(x_j) along dim"),
        .info.form = ACT_FORM_ALONG_DIM, PARAMS(1, DIM_PARAM),
        RANGE(-INF, 0), SMOOTH, FROM_Y},
    [ACT_ACTIVATION_SOFTMIN] = {
        NAMED("softmin", "softmax(-x) along dim"),
        .info.form = ACT_FORM_ALONG_DIM, PARAMS(1, DIM_PARAM), RANGE(0, 1),
        SMOOTH, FROM_Y},
    [ACT_ACTIVATION_GLU] = {
        NAMED("glu", "a * sigmoid(b), a and b the halves of dim"),
        .info.form = ACT_FORM_ALONG_DIM, PARAMS(1, DIM_PARAM),
        RANGE(-INF, INF), SMOOTH},
    [ACT_ACTIVATION_PRELU] = {
        NAMED("prelu", "x > 0 ? x : weight[c] * x, c the channel (dim "
                             "2 in Lua, 1 in C)"),
        .info.form = ACT_FORM_WEIGHTED, RANGE(-INF, INF), KINK0},
};
_Static_assert(sizeof act_activation_defs / sizeof *act_activation_defs ==
                   ACT_ACTIVATION_COUNT,
               "one descriptor per activation");

/* ------------------------------------------------------------ lookups */

int act_activation_count(void) { return ACT_ACTIVATION_COUNT; }

const act_activation_info *act_activation_get(int id)
{
    return id >= 0 && id < ACT_ACTIVATION_COUNT ? &act_activation_defs[id].info
                                                : NULL;
}

int act_activation_find(const char *name)
{
    for (int id = 0; name && id < ACT_ACTIVATION_COUNT; id++) {
        const act_activation_info *info = &act_activation_defs[id].info;
        if (strcmp(name, info->name) == 0)
            return id;
        for (int a = 0; a < ACT_ACTIVATION_MAX_ALIASES && info->aliases[a]; a++)
            if (strcmp(name, info->aliases[a]) == 0)
                return id;
    }
    return -1;
}

int act_activation_param_index(int id, const char *name)
{
    const act_activation_info *info = act_activation_get(id);
    for (int k = 0; info && name && k < info->nparams; k++)
        if (strcmp(name, info->params[k].name) == 0)
            return k;
    return -1;
}

#define MAX_SUGGEST_LEN 63

/* Levenshtein distance; both strings at most MAX_SUGGEST_LEN long. */
static int edit_distance(const char *a, const char *b)
{
    int n = (int)strlen(b), prev[MAX_SUGGEST_LEN + 1], cur[MAX_SUGGEST_LEN + 1];
    for (int j = 0; j <= n; j++)
        prev[j] = j;
    for (int i = 1; a[i - 1]; i++) {
        cur[0] = i;
        for (int j = 1; j <= n; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(int) * (size_t)(n + 1));
    }
    return prev[n];
}

int act_activation_suggest(const char *name, int *ids, int max)
{
    size_t len = name ? strlen(name) : 0;
    if (!name || len > MAX_SUGGEST_LEN || max <= 0)
        return 0;
    int limit = 1 + (int)len / 2, dist[ACT_ACTIVATION_COUNT];
    for (int id = 0; id < ACT_ACTIVATION_COUNT; id++)
        dist[id] = edit_distance(name, act_activation_defs[id].info.name);
    int count = 0;
    for (int d = 0; d <= limit && count < max; d++)
        for (int id = 0; id < ACT_ACTIVATION_COUNT && count < max; id++)
            if (dist[id] == d)
                ids[count++] = id;
    return count;
}

/* ---------------------------------------------------- params, geometry */

/* params, or the defaults when NULL, into p. */
static void fill_params(const act_activation_def *def, const double *params,
                        double *p)
{
    for (int k = 0; k < ACT_ACTIVATION_MAX_PARAMS; k++)
        p[k] = k < def->info.nparams
                   ? (params ? params[k] : def->info.params[k].def)
                   : 0;
}

static void geometry(int id, const double *params, act_activation_geom *g)
{
    const act_activation_def *def = &act_activation_defs[id];
    double p[ACT_ACTIVATION_MAX_PARAMS];
    fill_params(def, params, p);
    *g = def->geom;
    if (def->geometry)
        def->geometry(p, g);
}

int act_activation_kinks(int id, const double *params, double *kinks)
{
    if (!act_activation_get(id))
        return 0;
    act_activation_geom g;
    geometry(id, params, &g);
    memcpy(kinks, g.kinks, sizeof(double) * (size_t)g.nkinks);
    return g.nkinks;
}

void act_activation_range(int id, const double *params, double *lo, double *hi)
{
    act_activation_geom g = {-INF, INF, 0, {0}};
    if (act_activation_get(id))
        geometry(id, params, &g);
    *lo = g.lo;
    *hi = g.hi;
}

/* The generic checks every parameter gets from its kind. */
static bool check_kind(const act_activation_param *par, double v, char *msg,
                       size_t size)
{
    if (v != v)
        return complain(msg, size, "%s is NaN", par->name);
    switch (par->kind) {
    case ACT_PARAM_CHOICE: {
        int n = 0;
        while (n < ACT_PARAM_MAX_CHOICES && par->choices[n])
            n++;
        if (v != floor(v) || v < 0 || v >= n)
            return complain(msg, size, "%s must be a choice from 0 to %d, "
                            "got %g", par->name, n - 1, v);
        return true;
    }
    case ACT_PARAM_FLAG:
        if (v != 0 && v != 1)
            return complain(msg, size, "%s is a flag (0 or 1), got %g",
                            par->name, v);
        return true;
    case ACT_PARAM_DIM:
        if (v != floor(v) || fabs(v) > ACT_MAX_DIMS)
            return complain(msg, size, "%s must be an integer from %d to "
                            "%d, got %g", par->name, -ACT_MAX_DIMS,
                            ACT_MAX_DIMS - 1, v);
        return true;
    default:
        return true;
    }
}

act_status act_activation_params(act_context *ctx, int id,
                                 const double *params, double *out)
{
    const act_activation_info *info = act_activation_get(id);
    if (!info)
        return act_fail(ctx, ACT_E_ARG, "activation", 1,
                        "unknown activation id %d (expected 0 to %d)", id,
                        ACT_ACTIVATION_COUNT - 1);
    const act_activation_def *def = &act_activation_defs[id];
    fill_params(def, params, out);
    char msg[160];
    for (int k = 0; k < info->nparams; k++)
        if (!check_kind(&info->params[k], out[k], msg, sizeof msg))
            return act_fail(ctx, ACT_E_ARG, info->name, 3, "%s", msg);
    if (def->check && !def->check(out, msg, sizeof msg))
        return act_fail(ctx, ACT_E_ARG, info->name, 3, "%s", msg);
    return ACT_OK;
}
