"""Deterministic randomness: every random stream is seeded from a stable hash of its purpose.

Python's `hash()` of a string changes from one process to the next, so nothing here uses it.
A stream is named by the scenario seed plus what it is for (a symbol, a contract ticker, a
day), which also makes each stream independent of the order things are built in: the chain
of AAPL is the same whether SPY was built before it or not.
"""

from __future__ import annotations

import hashlib
import math
import random
from statistics import NormalDist

_MASK64 = (1 << 64) - 1


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts' text, the same in every process."""
    text = "\x1f".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def stream(*parts: object) -> random.Random:
    """A random stream named by `parts`."""
    return random.Random(stable_int(*parts))


def mix64(value: int) -> int:
    """SplitMix64's finaliser: a fast, well-spread hash of an integer. Used where a value is
    needed for millions of (key, index) pairs, such as quote sizes second by second, and
    building a `random.Random` each time would be far too slow."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def poisson(uniform: float, mean: float) -> int:
    """The Poisson count at quantile `uniform` (by inversion; a normal approximation for
    large means). Taking the uniform from a keyed hash lets a caller learn that a contract
    never trades without building a random stream for it."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(
            0, round(mean + math.sqrt(mean) * NormalDist().inv_cdf(min(max(uniform, 1e-12), 1 - 1e-12)))
        )
    count, term = 0, math.exp(-mean)
    total = term
    while uniform > total and term > 0:
        count += 1
        term *= mean / count
        total += term
    return count


def unit(key: int) -> float:
    """A uniform draw in [0, 1) determined by `key`."""
    return (mix64(key) >> 11) / float(1 << 53)


def lognormal(key: int, sigma: float) -> float:
    """A lognormal draw with median 1 determined by `key` (Box-Muller on two keyed uniforms)."""
    first, second = unit(key), unit(key ^ 0x5DEECE66D)
    normal = math.sqrt(-2.0 * math.log(1.0 - first)) * math.cos(2.0 * math.pi * second)
    return math.exp(sigma * normal)
