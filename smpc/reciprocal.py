"""The reciprocal 1/x of positive shares, by Newton-Raphson from an octave guess.

Method (Newton's iteration for f(y) = 1/y - x, the classical division without division;
on shares in CrypTen, Knott et al., NeurIPS 2021; the initial guess is ours):

1. compare ``x`` with every power of two ``2^j``, ``j = J_low..J_high``, in one batched
   DReLU (:func:`smpc.ranges.octaves`): the bits give the octave ``k = floor(log2 x)``;
2. clamp from below, ``x <- low + [x >= low] (x - low)`` with the bit of step 1 at
   ``j = J_low`` (one bit product);
3. the initial guess ``y0 = (2/3) 2^-k`` is a public combination of the bits (local).
   Then ``x y0`` lies in ``[2/3, 4/3)``: the error ``e = 1 - x y`` starts below 1/3;
4. ``iterations`` times: ``y <- y (2 - x y)`` (two Beaver products).  The error squares
   each time, ``e <- e^2``: 1/9, 1/81, 1.5e-4, 2.3e-8.

Valid range: ``[low, high]`` with defaults ``[2^-12, 2^15]`` (any positive encodable
value from one unit of 2^-12 up).  Inputs below ``low`` (zero and negatives included) are
**clamped** to ``low``; the top, 2^15 = 32768, is the fixed-point range itself.  Float
arrays are clamped the same way.  A narrower range (softmax's denominators lie in
``[1, classes]``) needs fewer comparisons: pass ``low`` and ``high`` (powers of two).

Error (default 3 iterations, ``python benchmarks/accuracy_functions.py``): relative
3e-4 where the result is above 2^-4 (absolute 0.65 at the bottom, where it is 4096),
and within a few units of 2^-16 where it is below 2^-4: the result
itself is a fixed-point number, so for large ``x`` (1/x near one unit) the error is
absolute, not relative.

Cost on ``N`` elements with ``J = log2(high / low)`` exponents and ``t`` iterations
(two holders, SecureNN, local truncation):
``496 J N + 32 N + 64 t N`` bytes, ``9 + 2 t`` rounds; ``J N`` DReLUs, ``N`` bit products,
``2 t N`` Beaver triples.
"""
import numpy as np

from .ranges import (DRELU_BYTES, DRELU_ROUNDS, PRODUCT_BYTES, is_shared, octave_function,
                     octaves)

RECIPROCAL_LOW, RECIPROCAL_HIGH = 2.0 ** -12, 2.0 ** 15
RECIPROCAL_ITERATIONS = 3


def octave_exponents(low, high):
    """The exponents ``J_low..J_high`` compared for inputs in ``[low, high]`` (powers of two)."""
    for name, bound in (("low", low), ("high", high)):
        if not bound > 0 or not float(np.log2(bound)).is_integer():
            raise ValueError(f"{name} must be a positive power of two, got {bound!r}")
    if not low < high <= RECIPROCAL_HIGH:
        raise ValueError(f"need low < high <= 2^15, got [{low}, {high}]")
    return int(np.log2(low)), int(np.log2(high)) - 1


def clamped_with_octaves(x, low, high):
    """(x clamped below at ``low``, octave bits, lowest exponent): steps 1 and 2."""
    j_low, j_high = octave_exponents(low, high)
    bits = octaves(x, j_low, j_high)
    with x.network.protocol("clamp"):
        clamped = bits[0] * (x - float(low)) + float(low)
    return clamped, bits, j_low


def newton_reciprocal(x, y, iterations):
    """Step 4: ``iterations`` Newton steps ``y <- y (2 - x y)`` from the guess ``y``."""
    with x.network.protocol("reciprocal"):
        for _ in range(iterations):
            y = y * (2.0 - x * y)
    return y


def reciprocal(x, iterations=None, *, low=RECIPROCAL_LOW, high=RECIPROCAL_HIGH):
    """1/x for x in [low, high] (clamped below); ``iterations`` Newton steps (3)."""
    iterations = check_iterations(RECIPROCAL_ITERATIONS if iterations is None else iterations)
    octave_exponents(low, high)
    if not is_shared(x):
        return 1.0 / np.maximum(np.asarray(x, dtype=np.float64), low)
    x, bits, j_low = clamped_with_octaves(x, low, high)
    guess = octave_function(bits, j_low, lambda k: (2.0 / 3.0) * 2.0 ** -k)
    return newton_reciprocal(x, guess, iterations)


def check_iterations(iterations):
    if not isinstance(iterations, (int, np.integer)) or not 0 <= iterations <= 20:
        raise ValueError(f"the number of Newton iterations must be a whole number in 0..20, "
                         f"got {iterations!r}")
    return int(iterations)


def reciprocal_cost(size, iterations=RECIPROCAL_ITERATIONS, low=RECIPROCAL_LOW,
                    high=RECIPROCAL_HIGH):
    """(bytes, rounds, Beaver triples) of :func:`reciprocal` on ``size`` elements."""
    j_low, j_high = octave_exponents(low, high)
    count = j_high - j_low + 1
    bytes_ = DRELU_BYTES * count * size + PRODUCT_BYTES * size + 2 * PRODUCT_BYTES * iterations * size
    return bytes_, DRELU_ROUNDS + 1 + 2 * iterations, 2 * iterations * size + size
