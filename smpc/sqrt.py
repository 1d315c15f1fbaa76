"""Square root and inverse square root of positive shares, by Newton's iteration.

Method (Newton's iteration for f(y) = 1/y^2 - x, which needs no division; on shares in
CrypTen, Knott et al., NeurIPS 2021; the initial guesses are ours):

1. initial guess, one of two (``guess=``):

   * ``"octaves"`` (default): compare ``x`` with every power of two in ``[low, high)`` in
     one batched DReLU (:func:`smpc.ranges.octaves`), clamp from below with the lowest
     bit (one bit product), and take ``y0 = sqrt(2/3) 2^(-k/2)`` for the octave
     ``k = floor(log2 x)``, a public combination of the bits.  Then ``z = y0 sqrt(x)``
     lies in ``[0.82, 1.15)``: the error ``e = 1 - x y^2`` starts within 1/3;
   * ``"below"``: clamp ``x`` into ``[low, high]`` (:func:`smpc.ranges.clamp`) and start
     from the constant ``y0 = 1 / sqrt(high)``, below the root for every input, where
     Newton's iteration grows ``z`` monotonically to 1 (by a factor up to 1.5 per step).
     Fewer comparisons, more iterations: for many elements with a narrow range (Adam's
     second moments);

2. ``iterations`` times: ``y <- y (3 - (x y) y) / 2`` (three Beaver products, the
   halving a free truncation; ``x y`` comes first because ``y^2`` alone would fall below
   one unit for large ``x``).  Near the root the error squares: ``e <- 3 e^2 / 4``;
3. ``sqrt(x) = x inv_sqrt(x)``, one more product.

Valid range: ``[low, high]``, defaults ``[2^-12, 2^15]``; ``low`` and ``high`` are
powers of two.  Inputs below ``low`` (zero and negatives included) are **clamped** to
``low`` (so ``sqrt(0)`` is ``2^-6``); with ``"below"`` inputs above ``high`` are clamped to
``high`` too, with ``"octaves"`` the top is the fixed-point range.  Float arrays are
clamped the same way.

Default iterations: 3 with ``"octaves"`` (``1/3 -> 0.09 -> 0.007 -> 3e-5``, the
rounding of 16 fractional bits from there on: measured, a fourth step gains nothing);
with ``"below"`` the smallest count that takes ``z`` from ``sqrt(low / high)`` to within
2^-17 of 1 (:func:`below_iterations`; 14 for ``high / low = 2^12``).

Error (``python benchmarks/accuracy_functions.py``, octaves): inv_sqrt relative 4e-4
where the result is above 2^-4, absolute 0.025 at the bottom of the range (where the
result is 64); sqrt relative 2.5e-3, absolute 0.45 at the top (where it is 181).

Cost on ``N`` elements, ``t`` iterations, ``J = log2(high / low)`` exponents (two
holders, SecureNN, local truncation):

* ``inv_sqrt``, octaves: ``496 J N + 32 N + 96 t N`` bytes, ``9 + 3 t`` rounds;
* ``inv_sqrt``, below: ``1056 N + 96 t N`` bytes, ``9 + 3 t`` rounds;
* ``sqrt``: one more product, ``+ 32 N`` bytes, ``+ 1`` round.

Per iteration ``3 N`` triples; octaves ``J N`` DReLUs and ``N``
triples, below ``2 N`` DReLUs and ``2 N`` triples.
"""
import numpy as np

from .ranges import (DRELU_BYTES, DRELU_ROUNDS, PRODUCT_BYTES, clamp,
                     clamp_cost, is_shared, octave_function)
from .reciprocal import check_iterations, clamped_with_octaves, octave_exponents

SQRT_LOW, SQRT_HIGH = 2.0 ** -12, 2.0 ** 15
INV_SQRT_ITERATIONS = 3
GUESSES = ("octaves", "below")


def below_iterations(low, high):
    """Newton steps that take ``z = sqrt(low / high)`` to within 2^-17 of 1."""
    z, steps = np.sqrt(low / high), 0
    while 1 - z > 2.0 ** -17:
        z, steps = z * (3 - z * z) / 2, steps + 1
    return steps


def _iterations(iterations, guess, low, high):
    if guess not in GUESSES:
        raise ValueError(f"guess must be one of {GUESSES}, got {guess!r}")
    octave_exponents(low, high)
    if iterations is None:
        return INV_SQRT_ITERATIONS if guess == "octaves" else below_iterations(low, high)
    return check_iterations(iterations)


def newton_inv_sqrt(x, y, iterations):
    """Step 2: ``iterations`` Newton steps ``y <- y (3 - x y^2) / 2`` from the guess ``y``."""
    with x.network.protocol("inv_sqrt"):
        for _ in range(iterations):
            y = y * (3.0 - (x * y) * y) / 2  # x y first: y^2 alone underflows for large x
    return y


def _clamped_inv_sqrt(x, iterations, guess, low, high):
    """(x as clamped, 1/sqrt of it) on shares."""
    if guess == "octaves":
        x, bits, j_low = clamped_with_octaves(x, low, high)
        y = octave_function(bits, j_low, lambda k: np.sqrt(2.0 / 3.0) * 2.0 ** (-k / 2))
    else:
        x = clamp(x, low, high)
        y = x.new_zeros(x.shape) + 1.0 / np.sqrt(high)
    return x, newton_inv_sqrt(x, y, iterations)


def _clamped_float(x, guess, low, high):
    x = np.maximum(np.asarray(x, dtype=np.float64), low)
    return np.minimum(x, high) if guess == "below" else x


def inv_sqrt(x, iterations=None, *, guess="octaves", low=SQRT_LOW, high=SQRT_HIGH):
    """1/sqrt(x) for x in [low, high] (clamped as the module says); Newton from ``guess``."""
    iterations = _iterations(iterations, guess, low, high)
    if not is_shared(x):
        return 1.0 / np.sqrt(_clamped_float(x, guess, low, high))
    return _clamped_inv_sqrt(x, iterations, guess, low, high)[1]


def sqrt(x, iterations=None, *, guess="octaves", low=SQRT_LOW, high=SQRT_HIGH):
    """sqrt(x) = x * inv_sqrt(x) for x in [low, high] (clamped as the module says)."""
    iterations = _iterations(iterations, guess, low, high)
    if not is_shared(x):
        return np.sqrt(_clamped_float(x, guess, low, high))
    x, y = _clamped_inv_sqrt(x, iterations, guess, low, high)
    with x.network.protocol("sqrt"):
        return x * y


def inv_sqrt_cost(size, iterations=None, guess="octaves", low=SQRT_LOW, high=SQRT_HIGH,
                  root=False):
    """(bytes, rounds, Beaver triples and square pairs) of inv_sqrt (``root``: of sqrt)."""
    iterations = _iterations(iterations, guess, low, high)
    if guess == "octaves":
        j_low, j_high = octave_exponents(low, high)
        bytes_ = DRELU_BYTES * (j_high - j_low + 1) * size + PRODUCT_BYTES * size
        rounds, triples = DRELU_ROUNDS + 1, size
    else:
        (bytes_, rounds), triples = clamp_cost(size), 2 * size
    bytes_ += 3 * PRODUCT_BYTES * iterations * size
    rounds += 3 * iterations
    triples += 3 * iterations * size
    if root:
        bytes_, rounds, triples = bytes_ + PRODUCT_BYTES * size, rounds + 1, triples + size
    return bytes_, rounds, triples


def sqrt_with_inverse(x, iterations=None, *, guess="octaves", low=SQRT_LOW, high=SQRT_HIGH):
    """(sqrt(x), 1/sqrt(x)) from one Newton run: the gradient of sqrt needs the inverse."""
    iterations = _iterations(iterations, guess, low, high)
    if not is_shared(x):
        root = np.sqrt(_clamped_float(x, guess, low, high))
        return root, 1.0 / root
    x, y = _clamped_inv_sqrt(x, iterations, guess, low, high)
    with x.network.protocol("sqrt"):
        return x * y, y
