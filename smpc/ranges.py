"""Clamping into a range, and the octave of a shared value: the helpers of the approximations.

The functions of :mod:`smpc.exponential`, :mod:`smpc.reciprocal`, :mod:`smpc.sqrt`,
:mod:`smpc.logarithm`, :mod:`smpc.sigmoid` and :mod:`smpc.softmax` are accurate only on a
stated range of inputs.  A secret value cannot be checked against a range without
revealing something, so inputs outside it are *clamped* into it, with comparisons on
shares; plain float arrays are clamped the same way, so that both kinds agree.

``clamp(x, low, high)`` (SecureNN comparisons, two holders, ``n`` elements):
    1. form ``d = [x - low, high - x]`` (local) and compare both halves with zero in one
       batched DReLU: ``b_low = [x >= low]``, ``b_high = [x <= high]``;
    2. one batched Beaver product of the 0/1 bits (integer scale: no truncation) with
       ``d``: ``result = low + b_low (x - low) + (1 - b_high)(high - x)``.
    Exact.  Cost: **1056 n bytes, 9 rounds**, 2n DReLUs and 2n bit products.

``octaves(x, low_exponent, high_exponent)``: the bits ``c_j = [x >= 2^j]`` for every
``j`` in ``low_exponent..high_exponent``, from one batched DReLU (8 rounds, ``496 J n``
bytes for ``J`` exponents).  The bits are monotone in ``j``, so any function of the
octave ``k = floor(log2 x)`` is a *public* combination of them,
``f(k) = f(low - 1) + sum_j c_j (f(j) - f(j - 1))``, which costs nothing more
(:func:`octave_function`).  This is how the reciprocal, the square roots and the
logarithm get initial guesses good to a constant factor over thirty octaves.
"""
import numpy as np

from .fixed_point import DEFAULT_ENCODER
from .fixed_precision_tensor import FixedPrecisionTensor
from .shared_tensor import SharedTensor, concatenate

#: Online cost of one SecureNN DReLU per element, two holders (see smpc.comparisons).
DRELU_BYTES, DRELU_ROUNDS = 496, 8
#: Online cost of one Beaver product per element of two same-shape operands, two holders.
PRODUCT_BYTES, SQUARE_BYTES = 32, 16


def is_shared(x):
    return isinstance(x, SharedTensor)


def stack(parts):
    """Shared tensors of one shape stacked along a new leading axis (local)."""
    return concatenate([p.reshape((1,) + tuple(p.shape)) for p in parts], axis=0)


def clamp(x, low, high):
    """``min(max(x, low), high)`` for public numbers ``low < high``, on shares or floats."""
    if not low < high:
        raise ValueError(f"clamp needs low < high, got [{low}, {high}]")
    if not is_shared(x):
        return np.clip(np.asarray(x, dtype=np.float64), low, high)
    with x.network.protocol("clamp"):
        distances = stack([x - float(low), float(high) - x])
        bits = distances.ge(0)
        selectors = stack([bits[0], 1 - bits[1]])
        moves = selectors * distances
        return moves[0] + moves[1] + float(low)


def clamp_cost(n):
    """(bytes, rounds) of :func:`clamp` on ``n`` elements."""
    return 2 * n * (DRELU_BYTES + PRODUCT_BYTES), DRELU_ROUNDS + 1


def octaves(x, low_exponent, high_exponent):
    """Shared bits ``[x >= 2^j]`` for ``j = low_exponent..high_exponent``, stacked on axis 0."""
    exponents = range(low_exponent, high_exponent + 1)
    with x.network.protocol("octaves"):
        return stack([x - float(2.0 ** j) for j in exponents]).ge(0)


def octave_function(bits, low_exponent, f):
    """``f(floor(log2 x))`` from the bits of :func:`octaves` (public weights: local, exact).

    Below ``2^low_exponent`` the octave counts as ``low_exponent - 1``.  ``f`` maps an
    integer octave to a real; its values are encoded once, and their differences are
    used as weights so that the sum telescopes to exactly the encoding of ``f(k)``.
    """
    count = bits.shape[0]
    ks = np.arange(low_exponent - 1, low_exponent + count)
    encoded = DEFAULT_ENCODER.encode([f(int(k)) for k in ks])
    steps = np.diff(encoded).reshape((count,) + (1,) * (bits.ndim - 1))
    weighted = bits * FixedPrecisionTensor(steps, DEFAULT_ENCODER)
    return weighted.sum(axis=0) + FixedPrecisionTensor(encoded[0], DEFAULT_ENCODER)


def octaves_cost(n, count):
    """(bytes, rounds) of :func:`octaves` with ``count`` exponents on ``n`` elements."""
    return DRELU_BYTES * count * n, DRELU_ROUNDS
