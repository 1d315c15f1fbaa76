"""The exponential on shares: ``exp(x) = lim (1 + x / 2^n)^(2^n)``, by repeated squaring.

Method (the limit definition of e^x; used on shares by CrypTen, Knott et al., "CrypTen:
Secure Multi-Party Computation Meets Machine Learning", NeurIPS 2021, section 4):

1. clamp ``x`` into ``[EXP_LOW, EXP_HIGH] = [-16, 10]`` (:func:`smpc.ranges.clamp`);
2. ``y = 1 + x / 2^n``: one truncation by the public ``2^n``, and a public addition;
3. square ``y`` ``n`` times: ``y^(2^n)``, each square a Beaver square pair and a
   truncation.

Valid range and what happens outside it.  Inputs are **clamped** into ``[-16, 10]``,
shares and float arrays alike.  Above 10 the true value (e^10.4 = 32768) would leave the
fixed-point range; below -16 it is under 1.2e-7, less than one unit (2^-16 = 1.5e-5), so
the clamped result is within a unit of the truth.  :func:`exp_in_range` skips the clamp
for callers whose inputs are in range by construction (softmax after subtracting the
maximum, sigmoid of ``-|x|``).

Error.  ``(1 + x/m)^m = e^(x - x^2/(2m) + ...)``: a relative error of about
``x^2 / (2m)``, plus the rounding of ``y`` (one unit) amplified ``m`` times, about
``m 2^-16``.  With the default ``n = 8`` (``m = 256``), measured on shares
(``python benchmarks/accuracy_functions.py``, 20,001 points): maximum absolute error
3.7e-3 on ``[-16, 0]`` (relative 1.9% where e^x >= 1/16), 18% relative at ``x = 10``.  More squarings
help large ``x`` and hurt small ones; 8 gave the smallest error on ``[-16, 2]``, the
range softmax and sigmoid use.

Cost for ``n`` squarings on ``N`` elements (two holders, SecureNN comparisons, local
truncation; nothing online for the truncations):

* ``exp``: ``1056 N + 16 n N`` bytes, ``9 + n`` rounds; ``2N`` DReLUs, ``2N`` bit
  products, ``n N`` square pairs;
* ``exp_in_range``: ``16 n N`` bytes, ``n`` rounds; ``n N`` square pairs.
"""
import numpy as np

from .ranges import SQUARE_BYTES, clamp, clamp_cost, is_shared

EXP_LOW, EXP_HIGH = -16.0, 10.0
EXP_ITERATIONS = 8


def exp(x, iterations=None):
    """e^x of shares (or floats), clamped into [-16, 10]; ``iterations`` squarings (8)."""
    return exp_in_range(clamp(x, EXP_LOW, EXP_HIGH), iterations)


def exp_in_range(x, iterations=None):
    """e^x for inputs already in [-16, 10] (no clamp): steps 2 and 3 above."""
    iterations = _check_iterations(EXP_ITERATIONS if iterations is None else iterations)
    if not is_shared(x):
        return np.exp(np.asarray(x, dtype=np.float64))
    with x.network.protocol("exp"):
        y = x / 2 ** iterations + 1.0
        for _ in range(iterations):
            y = y.square()
    return y


def _check_iterations(iterations):
    if not isinstance(iterations, (int, np.integer)) or not 1 <= iterations <= 16:
        raise ValueError(f"exp needs a whole number of squarings in 1..16, got {iterations!r}; "
                         f"the default is {EXP_ITERATIONS}")
    if 2 ** iterations < -EXP_LOW:
        raise ValueError(f"{iterations} squarings are too few for inputs down to {EXP_LOW}: "
                         "1 + x / 2^n must stay positive; use at least 4")
    return int(iterations)


def exp_cost(size, iterations=EXP_ITERATIONS, clamped=True):
    """(bytes, rounds, square pairs) of :func:`exp` (or ``exp_in_range``) on ``size`` elements."""
    bytes_, rounds = (clamp_cost(size) if clamped else (0, 0))
    return bytes_ + SQUARE_BYTES * iterations * size, rounds + iterations, iterations * size
