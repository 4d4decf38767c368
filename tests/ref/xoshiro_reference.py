#!/usr/bin/env python3
"""Independent reference for actlua's generator: splitmix64 seeding and
xoshiro256** (Blackman & Vigna), written from the published algorithm.
Prints the first uniforms in [0, 1) (top 53 bits) for a few seeds, in the
form tests/lua/rng_spec.lua embeds. Run: python3 tests/ref/xoshiro_reference.py"""
M = (1 << 64) - 1

def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)

def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M

def xoshiro(seed):
    st = seed
    s = []
    for _ in range(4):
        st, v = splitmix64(st)
        s.append(v)
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result

for seed in (0, 42, 2**63 + 5):
    g = xoshiro(seed)
    vals = [(next(g) >> 11) * 2.0**-53 for _ in range(5)]
    print("  [%d] = {%s}," % (seed if seed < 2**63 else seed - 2**64,
                              ", ".join(repr(v) for v in vals)))
