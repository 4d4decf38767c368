/*
 * simd.c — whether the vector math of simd_sleef.c can and should run: the
 * CPU check and the ACTLUA_NO_SIMD switch (simd.h). Compiled for the
 * baseline, unlike simd_sleef.c, so it runs on any x86-64.
 */
#include "simd.h"

#include <stdlib.h>
#include <string.h>

bool act_simd_cpu(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    /* libgcc's answer also requires the OS to save the AVX registers. */
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false; /* simd_sleef.c is compiled empty */
#endif
}

bool act_simd_default(void)
{
    const char *off = getenv("ACTLUA_NO_SIMD");
    if (off && *off && strcmp(off, "0") != 0)
        return false;
    return act_simd_cpu();
}
