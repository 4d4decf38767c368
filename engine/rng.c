/*
 * rng.c — the random generator (xoshiro256** seeded through splitmix64) and
 * the random tensors made with it. Only documented integer arithmetic and
 * IEEE double operations are used, so a seed gives the same bits everywhere.
 */
#include "act_internal.h"
#include "autograd.h"

#include <math.h>
#include <stdlib.h>

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void act_generator_seed(act_generator *gen, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        gen->s[i] = splitmix64(&sm);
}

act_generator *act_generator_new(uint64_t seed)
{
    act_generator *gen = malloc(sizeof *gen);
    if (gen)
        act_generator_seed(gen, seed);
    return gen;
}

void act_generator_free(act_generator *gen)
{
    free(gen);
}

uint64_t act_generator_next(act_generator *gen)
{
    uint64_t *s = gen->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double act_generator_uniform(act_generator *gen)
{
    return (double)(act_generator_next(gen) >> 11) * 0x1.0p-53;
}

static float uniform_f32(act_generator *gen)
{
    return (float)(act_generator_next(gen) >> 40) * 0x1.0p-24f;
}

/* Box-Muller: two uniforms give two independent normals. 1 - u keeps the
 * logarithm's argument in (0, 1]. */
static void normal_pair(act_generator *gen, double *z0, double *z1)
{
    double u1 = 1.0 - act_generator_uniform(gen);
    double u2 = act_generator_uniform(gen);
    double r = sqrt(-2.0 * log(u1));
    double theta = 6.283185307179586 * u2;
    *z0 = r * cos(theta);
    *z1 = r * sin(theta);
}

double act_generator_normal(act_generator *gen)
{
    double z0, z1;
    normal_pair(gen, &z0, &z1);
    return z0;
}

/* The random fills write a contiguous tensor in row-major order, or go
 * through act_tensor_set's addressing for views. */
static void fill_uniform(act_tensor *t, double a, double b, act_generator *gen)
{
    int64_t n = act_tensor_numel(t);
    int64_t idx[ACT_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        void *p = act_elem_ptr(t, idx);
        if (t->dtype == ACT_DTYPE_F32)
            *(float *)p = (a == 0 && b == 1) ? uniform_f32(gen)
                                             : (float)(a + (b - a) * uniform_f32(gen));
        else
            *(double *)p = a + (b - a) * act_generator_uniform(gen);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < t->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static void fill_normal(act_tensor *t, double mean, double std,
                        act_generator *gen)
{
    int64_t n = act_tensor_numel(t);
    int64_t idx[ACT_MAX_DIMS] = {0};
    double z[2];
    for (int64_t k = 0; k < n; k++) {
        if (k % 2 == 0)
            normal_pair(gen, &z[0], &z[1]);
        act_store(t->dtype, act_elem_ptr(t, idx), mean + std * z[k % 2]);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < t->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

static act_status check_bounds(act_context *ctx, const char *fn, double a,
                               double b, bool is_normal)
{
    if (!isfinite(a) || !isfinite(b))
        return act_fail(ctx, ACT_E_ARG, fn, 0, "%s must be finite, got %g and %g",
                        is_normal ? "mean and std" : "the bounds", a, b);
    if (is_normal && b < 0)
        return act_fail(ctx, ACT_E_ARG, fn, 0, "std must be >= 0, got %g", b);
    if (!is_normal && a > b)
        return act_fail(ctx, ACT_E_ARG, fn, 0,
                        "the lower bound %g is above the upper bound %g", a, b);
    return ACT_OK;
}

static act_status make_random(act_context *ctx, const char *fn, act_dtype dtype,
                              int ndim, const int64_t *shape, double a,
                              double b, bool is_normal, act_generator *gen,
                              act_tensor **out)
{
    if (!act_is_float(dtype))
        return act_fail(ctx, ACT_E_DTYPE, fn, 1,
                        "random tensors are float32 or float64, not %s",
                        act_dtype_name(dtype) ? act_dtype_name(dtype) : "?");
    act_status st = check_bounds(ctx, fn, a, b, is_normal);
    act_tensor *t;
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, fn, dtype, ndim, shape, false, &t);
    if (st != ACT_OK)
        return st;
    gen = gen ? gen : &ctx->gen;
    if (is_normal)
        fill_normal(t, a, b, gen);
    else
        fill_uniform(t, a, b, gen);
    *out = t;
    return ACT_OK;
}

act_status act_rand(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, act_generator *gen, act_tensor **out)
{
    return make_random(ctx, "rand", dtype, ndim, shape, 0, 1, false, gen, out);
}

act_status act_uniform(act_context *ctx, act_dtype dtype, int ndim,
                       const int64_t *shape, double a, double b,
                       act_generator *gen, act_tensor **out)
{
    return make_random(ctx, "uniform", dtype, ndim, shape, a, b, false, gen, out);
}

act_status act_randn(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_generator *gen, act_tensor **out)
{
    return make_random(ctx, "randn", dtype, ndim, shape, 0, 1, true, gen, out);
}

act_status act_normal(act_context *ctx, act_dtype dtype, int ndim,
                      const int64_t *shape, double mean, double std,
                      act_generator *gen, act_tensor **out)
{
    return make_random(ctx, "normal", dtype, ndim, shape, mean, std, true, gen,
                       out);
}

act_status act_uniform_(act_context *ctx, act_tensor *t, double a, double b,
                        act_generator *gen)
{
    act_status st = act_require_float(ctx, "uniform_", 1, t);
    if (st == ACT_OK)
        st = check_bounds(ctx, "uniform_", a, b, false);
    if (st == ACT_OK)
        st = act_prepare_inplace(ctx, "uniform_", t);
    if (st == ACT_OK)
        fill_uniform(t, a, b, gen ? gen : &ctx->gen);
    return st;
}

act_status act_normal_(act_context *ctx, act_tensor *t, double mean,
                       double std, act_generator *gen)
{
    act_status st = act_require_float(ctx, "normal_", 1, t);
    if (st == ACT_OK)
        st = check_bounds(ctx, "normal_", mean, std, true);
    if (st == ACT_OK)
        st = act_prepare_inplace(ctx, "normal_", t);
    if (st == ACT_OK)
        fill_normal(t, mean, std, gen ? gen : &ctx->gen);
    return st;
}
