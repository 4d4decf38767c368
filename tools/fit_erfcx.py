#!/usr/bin/python3
"""Fits the polynomial of engine/simd_sleef.inc's v_erfc (run with Debian's
python3, which has numpy and mpmath): S Q(y) = S (1 + 2a) erfcx(a) with
y = (a - 2)/(a + 2), by least squares in relative error on Chebyshev nodes
in y over a in [0, AMAX], where float32 erfc stops rounding to 0. S places
S Q near the top of its binade ([1.75, 1.98)), which halves its rounding
errors against those of erfc near 1. Prints the float32 coefficients,
constant first, and their maximum relative error on a fine grid."""
import mpmath as mp
import numpy as np

mp.mp.dps = 40
K, DEG, AMAX, S, NODES = 2.0, 11, 10.1, 1.75, 400


def q(a):
    a = mp.mpf(a)
    return float(S * (1 + 2 * a) * mp.exp(a * a) * mp.erfc(a))


def a_of(y):
    return K * (1 + y) / (1 - y)


ymax = (AMAX - K) / (AMAX + K)
c = np.cos(np.pi * (np.arange(NODES) + 0.5) / NODES)
y = -1 + (c + 1) / 2 * (ymax + 1)
target = np.array([q(v) for v in a_of(y)])
V = np.vander(y, DEG + 1, increasing=True)
coef = np.linalg.lstsq(V / target[:, None], np.ones_like(y), rcond=None)[0]
c32 = coef.astype(np.float32)

yt = np.linspace(-1, ymax, 20001)
qt = np.array([q(v) for v in a_of(yt)])
err = np.max(np.abs(np.polyval(c32.astype(np.float64)[::-1], yt) / qt - 1))
for v in c32:
    print("%.9e" % v)
print("max relative error with float32 coefficients: %.3g" % err)
