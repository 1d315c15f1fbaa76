"""The natural logarithm of positive shares, by Householder iterations on the mantissa.

Householder's method of order 3 for ``log``: for a guess ``y`` of ``log m``, let
``h = 1 - m e^-y``; then ``log m = y + log(1 - h) = y - h - h^2/2 - h^3/3 - ...``, and
keeping three terms leaves an error below ``h^4 / 4``.  (CrypTen, Knott et al.,
NeurIPS 2021, iterates the same update on ``x`` itself; the range reduction is ours: it
keeps ``e^-y`` in ``[1/2, 1]``, where it can be computed accurately.)

1. compare ``x`` with every power of two in ``[low, high)`` in one batched DReLU
   (:func:`smpc.ranges.octaves`); clamp from below with the lowest bit (one bit product);
2. the mantissa ``m = x 2^-k`` in ``[1, 2)`` for the octave ``k = floor(log2 x)``: one
   product with ``2^-k``, a public combination of the bits (powers of two down to 2^-16
   are exact in fixed point);
3. the guess ``y = 0.6607 m - 0.6380``, the line through ``log`` on ``[1, 2]`` with the
   smallest largest error (0.030, so ``|h| < 0.031``);
4. ``iterations`` times: ``e^-y`` by its Taylor series to ``y^7`` (powers of ``y`` in three
   rounds; error below 2e-6 for ``y`` in ``[0, 0.7]``), ``h = 1 - m e^-y`` (one product),
   ``h^2`` and ``h^3`` (two rounds), ``y <- y - h - h^2/2 - h^3/3``;
5. ``log x = y + k log 2`` (``k log 2`` a public combination of the bits).

Repeated squaring (:mod:`smpc.exponential`) would do for step 4 too, but its relative
error of about 1e-3 would become the logarithm's absolute error.

Valid range: ``[low, high]``, defaults ``[2^-12, 2^15]`` (powers of two).  Inputs below
``low``, zero and negatives included, are **clamped** to ``low`` (``log(0)`` gives
``-12 log 2 = -8.32``); the top is the fixed-point range.  Float arrays are clamped the
same way.  Error (one iteration, the default; a second gains nothing measurable):
absolute 1e-4 over the range (``python benchmarks/accuracy_functions.py``).

Cost on ``N`` elements, ``t`` iterations, ``J = log2(high / low)`` exponents (two
holders, SecureNN, local truncation): ``496 J N + 64 N + 256 t N`` bytes,
``10 + 6 t`` rounds; ``J N`` DReLUs, ``2 N + 7 t N`` triples and ``2 t N`` square pairs.
"""
import math

import numpy as np

from .ranges import DRELU_BYTES, DRELU_ROUNDS, PRODUCT_BYTES, stack, is_shared, octave_function
from .reciprocal import RECIPROCAL_HIGH, check_iterations, clamped_with_octaves, octave_exponents

LOG_LOW, LOG_HIGH = 2.0 ** -12, RECIPROCAL_HIGH
LOG_ITERATIONS = 1
GUESS_SLOPE, GUESS_INTERCEPT = 0.6607, -0.6380
TAYLOR_DEGREE = 7


def exp_of_negative_small(y):
    """e^-y by Taylor's series to y^7, powers of y in three rounds (for y in [0, 0.7])."""
    powers = {1: y, 2: y.square()}
    # Products of one round are batched into one Beaver product (one round, not three).
    powers[3], powers[4] = stack([powers[2]] * 2) * stack([y, powers[2]])
    powers[5], powers[6], powers[7] = stack([powers[4]] * 3) * stack([y, powers[2], powers[3]])
    total = 1.0 - y
    for k in range(2, TAYLOR_DEGREE + 1):
        total = total + powers[k] * ((-1) ** k / math.factorial(k))
    return total


def householder_log(m, y, iterations):
    """Step 4: ``iterations`` order-3 Householder steps on ``log m`` from the guess ``y``."""
    with m.network.protocol("log"):
        for _ in range(iterations):
            h = 1.0 - m * exp_of_negative_small(y)
            h_squared = h.square()
            y = y - h - h_squared / 2 - (h_squared * h) * (1.0 / 3.0)
    return y


def log(x, iterations=None, *, low=LOG_LOW, high=LOG_HIGH):
    """log(x) for x in [low, high] (clamped below); ``iterations`` Householder steps (1)."""
    iterations = check_iterations(LOG_ITERATIONS if iterations is None else iterations)
    octave_exponents(low, high)
    if not is_shared(x):
        return np.log(np.maximum(np.asarray(x, dtype=np.float64), low))
    x, bits, j_low = clamped_with_octaves(x, low, high)
    with x.network.protocol("log"):
        mantissa = x * octave_function(bits, j_low, lambda k: 2.0 ** -k)
    guess = mantissa * GUESS_SLOPE + GUESS_INTERCEPT
    y = householder_log(mantissa, guess, iterations)
    return y + octave_function(bits, j_low, lambda k: k * math.log(2.0))


def log_cost(size, iterations=LOG_ITERATIONS, low=LOG_LOW, high=LOG_HIGH):
    """(bytes, rounds, Beaver triples and square pairs) of :func:`log` on ``size`` elements."""
    j_low, j_high = octave_exponents(low, high)
    per_iteration = (2 * 16 + 7 * PRODUCT_BYTES) * size   # 2 squares, 7 products in 6 rounds
    bytes_ = DRELU_BYTES * (j_high - j_low + 1) * size + 2 * PRODUCT_BYTES * size
    return (bytes_ + per_iteration * iterations, DRELU_ROUNDS + 2 + 6 * iterations,
            (2 + 9 * iterations) * size)
