/*
 * simd.c — whether the vector math of simd_sleef.inc can and should run,
 * and which instance: the CPU check, the ACTLUA_NO_SIMD and ACTLUA_SIMD
 * switches (simd.h). Compiled for the baseline, unlike simd_avx2.c and
 * simd_avx512.c, so it runs on any x86-64.
 */
#include "simd.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

act_simd_isa act_simd_cpu_isa(void)
{
#if ACT_SIMD_X86
    /* libgcc's answers also require the OS to save the registers (the
     * YMM state for AVX2, the ZMM and mask state for AVX-512). */
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
        return ACT_SIMD_NONE;
    return __builtin_cpu_supports("avx512f") ? ACT_SIMD_AVX512 : ACT_SIMD_AVX2;
#else
    return ACT_SIMD_NONE; /* the instances are compiled empty */
#endif
}

bool act_simd_cpu(void) { return act_simd_cpu_isa() != ACT_SIMD_NONE; }

/* The table act_simd_f32 runs, chosen once the environment is read; a
 * race between threads that choose stores the same answer. */
static _Atomic(const act_simd_fn *) active;

static const act_simd_fn *table_of(act_simd_isa isa)
{
    return isa == ACT_SIMD_AVX512 ? act_simd_avx512 : act_simd_avx2;
}

/* ACTLUA_SIMD=avx2 keeps AVX-512 CPUs on the 8-lane instance (to compare,
 * or where 512-bit instructions slow the clock); anything else: the best. */
static const act_simd_fn *choose(void)
{
    act_simd_isa isa = act_simd_cpu_isa();
    const char *want = getenv("ACTLUA_SIMD");
    if (want && strcmp(want, "avx2") == 0 && isa > ACT_SIMD_AVX2)
        isa = ACT_SIMD_AVX2;
    const act_simd_fn *t = table_of(isa);
    atomic_store_explicit(&active, t, memory_order_relaxed);
    return t;
}

bool act_simd_default(void)
{
    const char *off = getenv("ACTLUA_NO_SIMD");
    if (!act_simd_cpu())
        return false;
    choose();
    return !(off && *off && strcmp(off, "0") != 0);
}

act_simd_isa act_simd_active_isa(void)
{
    if (!act_simd_cpu())
        return ACT_SIMD_NONE;
    const act_simd_fn *t = atomic_load_explicit(&active, memory_order_relaxed);
    if (!t)
        t = choose();
    return t == act_simd_avx512 ? ACT_SIMD_AVX512 : ACT_SIMD_AVX2;
}

void act_simd_f32(act_vfn f, float *d, const float *a, const float *b, int n)
{
    const act_simd_fn *t = atomic_load_explicit(&active, memory_order_relaxed);
    if (!t)
        t = choose();
    t[f](d, a, b, n);
}

void act_simd_f32_isa(act_simd_isa isa, act_vfn f, float *d, const float *a,
                      const float *b, int n)
{
    table_of(isa)[f](d, a, b, n);
}

static const act_simd_fn2 *table2_of(act_simd_isa isa)
{
    return isa == ACT_SIMD_AVX512 ? act_simd_avx512_x2 : act_simd_avx2_x2;
}

void act_simd_f32x2(act_vfn2 f, float *d, float *e, const float *a, int n)
{
    const act_simd_fn *t = atomic_load_explicit(&active, memory_order_relaxed);
    if (!t)
        t = choose();
    (t == act_simd_avx512 ? act_simd_avx512_x2 : act_simd_avx2_x2)[f](d, e, a, n);
}

void act_simd_f32x2_isa(act_simd_isa isa, act_vfn2 f, float *d, float *e,
                        const float *a, int n)
{
    table2_of(isa)[f](d, e, a, n);
}
