"""The inverse square root of secret-shared values, by Newton-Raphson.

``inv_sqrt(x)`` returns shares of ``1 / sqrt(x)``, built only from SharedTensor
operations (comparisons, products, public arithmetic).  Newton's method for the
root of ``f(y) = 1 / y^2 - x`` needs no division::

    y  <-  y * (3 - x * y^2) / 2

It converges from any start with ``0 < x * y^2 < 3``, and quadratically once close:
writing ``t = x * y^2``, one step maps ``t`` to ``t * ((3 - t) / 2)^2``.  The work is
in the starting point, which has to be good for every ``x`` in a range that spans
many powers of two.  It is read off a batch of comparisons with the powers of two
(the "bracket" of ``x``), so four steps suffice everywhere.

The protocol, for ``x`` shared at ``2^-p`` (base 2, ``p`` fractional bits):

1. **Brackets.**  One batched comparison of ``x`` with every ``2^k``,
   ``k = lo .. hi`` (``lo = -floor(p / 2)``, ``hi = 31 - p``): shared bits
   ``b_k = [x >= 2^k]`` at integer scale.
2. **Clamp** into ``[2^lo, 2^hi]``:
   ``x' = 2^lo + b_lo (x - 2^lo) - b_hi (x - 2^hi)`` (one batched Beaver product of
   the two bits with the two differences; the bits' integer scale needs no truncation).
3. **Start.**  With ``x'`` in ``[2^k, 2^(k+1))`` take ``y_0 = c 2^(-k/2)``,
   ``c = sqrt(2/3)``, so that ``t_0 = x' y_0^2`` lies in ``[2/3, 4/3)``.  As a sum over the
   bits, ``y_0 = v_lo + sum_(k > lo) b_k (v_k - v_(k-1))`` with ``v_k = c 2^(-k/2)``:
   a product of integer-scale bits with public reals, local and exact.
4. **Newton**, ``iterations`` times (default 4): ``t = (x' y) y``,
   ``y <- y (3/2 - t/2)``.  From ``t_0`` in ``[2/3, 4/3)`` four steps bring ``|1 - t|``
   below ``10^-8``; the fixed-point rounding (a few units of ``2^-p`` relative to
   ``y``) then dominates.  ``x' y`` is formed before the second factor ``y`` so that no
   intermediate falls below the fixed-point unit (``y^2`` would, for large ``x``).

Valid range: ``2^lo <= x <= 2^hi``, for 16 fractional bits ``[2^-8, 2^15]``, where the
result is within ``8 * 2^-p * max(1, y)`` of ``y = 1/sqrt(x)`` for the encoded ``x``
(measured: at most 6.2 units; each Newton step's rounding is amplified by ``y``).  Inputs below the range are computed as
``2^lo`` and inputs above as ``2^hi`` (step 2): a caller whose values may leave the
range must handle them itself; it cannot be checked without revealing the secret.
Only base-2 encoders with at least 8 fractional bits are accepted.

Cost for ``n`` elements, two holders, ``K = hi - lo + 1`` brackets (``K = 24`` for 16
bits) and ``I`` iterations, online: one comparison of ``K n`` elements (SecureNN:
``496 K n`` bytes, 8 rounds), one product of ``2 n`` pairs (``64 n`` bytes, 1 round), then
``3 I`` products of ``n`` pairs (``96 I n`` bytes, ``3 I`` rounds).  With the defaults:
``12,352 n`` bytes and 21 rounds.
"""
import numpy as np

from .errors import ProtocolError
from .shared_tensor import SharedTensor, concatenate

DEFAULT_ITERATIONS = 4
_START_FACTOR = np.sqrt(2.0 / 3.0)


def valid_range(encoder):
    """``(lowest, highest)`` input for which :func:`inv_sqrt` is accurate with ``encoder``."""
    low_exponent, high_exponent = _bracket_exponents(encoder)
    return 2.0 ** low_exponent, 2.0 ** high_exponent


def _bracket_exponents(encoder):
    if encoder.base != 2 or encoder.precision < 8:
        raise ProtocolError(
            f"inv_sqrt needs a base-2 encoder with at least 8 fractional bits, got {encoder}; "
            "re-encode with smpc.FixedPointEncoder(base=2, precision=16)")
    return -(encoder.precision // 2), 31 - encoder.precision


def _check_iterations(iterations):
    if iterations is None:
        return DEFAULT_ITERATIONS
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) \
            or iterations < 0:
        raise ValueError(f"iterations must be a whole number of at least 0, got {iterations!r}")
    return int(iterations)


def _stack_last(tensors):
    """Join same-shaped shared tensors along a new last axis."""
    return concatenate([t.reshape(t.shape + (1,)) for t in tensors], axis=-1)


def inv_sqrt(x, iterations=None):
    """Shares of ``1 / sqrt(x)``, elementwise, for ``x`` in :func:`valid_range` (see above)."""
    if not isinstance(x, SharedTensor):
        raise TypeError(f"inv_sqrt takes a SharedTensor, got {type(x).__name__}; "
                        "for public values use numpy")
    iterations = _check_iterations(iterations)
    low, high = _bracket_exponents(x.encoder)
    exponents = np.arange(low, high + 1)
    powers = 2.0 ** exponents

    with x.network.protocol("inv_sqrt"):
        # 1. b_k = [x >= 2^k] for every bracket, in one comparison.
        bits = x.reshape(x.shape + (1,)).ge(powers)
        # 2. Clamp into [2^lo, 2^hi].
        edges = bits[..., [0, -1]] * _stack_last([x - powers[0], x - powers[-1]])
        clamped = edges[..., 0] - edges[..., 1] + powers[0]
        # 3. The start y_0 = c 2^(-k/2) of x's bracket, as a sum over the bits.
        levels = _START_FACTOR * 2.0 ** (-exponents / 2.0)
        steps = np.concatenate([[0.0], np.diff(levels)])
        y = (bits * steps).sum(axis=-1) + levels[0]
        # 4. Newton: y <- y (3/2 - t/2), t = (x y) y.
        for _ in range(iterations):
            t = (clamped * y) * y
            y = y * (1.5 - t / 2)
    return y
