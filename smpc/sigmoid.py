"""The logistic sigmoid and tanh of shares, in the numerically stable form.

``sigmoid(x) = 1 / (1 + e^-x)`` for ``x >= 0`` and ``1 - sigmoid(-x)`` for ``x < 0``: the
exponential only ever sees ``-|x| <= 0`` (no overflow) and the reciprocal only
``1 + e^-|x|`` in ``[1, 2]``, where a line is a good first guess.  (The stable form is
the textbook one; CrypTen, Knott et al., NeurIPS 2021, builds sigmoid from the same exp
and reciprocal.)

1. one batched DReLU on ``[x + 16, 16 - x, x]``: ``lo = [x >= -16]``, ``hi = [x <= 16]``,
   the sign ``s = [x >= 0]``;
2. ``|x| = 2 s x - x`` (one bit product);
3. ``a = min(|x|, 16) = 16 + q (|x| - 16)`` with ``q = lo + hi - 1 = [|x| <= 16]`` (one
   bit product): the clamp;
4. ``t = e^-a`` by repeated squaring (:func:`smpc.exponential.exp_in_range`);
5. ``r = 1 / (1 + t)``: Newton's iteration (:func:`smpc.reciprocal.newton_reciprocal`)
   from ``24/17 - (8/17)(1 + t)``, the line with the smallest largest error ``|1 - d y|``
   (1/17) on ``[1, 2]``; two steps: ``1/17 -> 1/289 -> 1.2e-5``;
6. ``sigmoid(x) = (1 - r) + s (2 r - 1)`` (one bit product).

``tanh(x) = 2 sigmoid(2x) - 1``.

Valid range: all of the fixed-point range.  Inputs are **clamped** into ``[-16, 16]``
(sigmoid; ``sigmoid(16) = 1 - 1.1e-7``, within a unit of 1) and ``[-8, 8]`` (tanh),
where the functions are constant to within a unit.  Error (defaults, measured by
``python benchmarks/accuracy_functions.py``): absolute 1.5e-3 for sigmoid, 3e-3 for tanh,
from the exponential's error.

Cost on ``N`` elements with ``n`` squarings and ``t`` Newton steps (two holders,
SecureNN, local truncation): ``(1584 + 16 n + 64 t) N`` bytes, ``11 + n + 2 t`` rounds;
``3 N`` DReLUs, ``(3 + 2 t) N`` triples, ``n N`` square pairs.  Defaults ``n = 8``,
``t = 2``: 1840 N bytes, 23 rounds.
"""
import numpy as np

from .exponential import EXP_ITERATIONS, exp_in_range
from .ranges import DRELU_BYTES, DRELU_ROUNDS, PRODUCT_BYTES, SQUARE_BYTES, is_shared, stack
from .reciprocal import check_iterations, newton_reciprocal

SIGMOID_BOUND = 16.0
SIGMOID_NEWTON_ITERATIONS = 2


def sigmoid(x, exp_iterations=None, newton_iterations=None):
    """1 / (1 + e^-x), with x clamped into [-16, 16]."""
    exp_iterations = EXP_ITERATIONS if exp_iterations is None else exp_iterations
    newton_iterations = check_iterations(
        SIGMOID_NEWTON_ITERATIONS if newton_iterations is None else newton_iterations)
    if not is_shared(x):
        x = np.clip(np.asarray(x, dtype=np.float64), -SIGMOID_BOUND, SIGMOID_BOUND)
        t = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + t), t / (1.0 + t))
    bound = SIGMOID_BOUND
    with x.network.protocol("sigmoid"):
        low, high, sign = stack([x + bound, bound - x, x]).ge(0)
        magnitude = (sign * x) * 2 - x
        in_range = low + high - 1
        clamped = in_range * (magnitude - bound) + bound
    t = exp_in_range(-clamped, exp_iterations)
    denominator = t + 1.0
    r = newton_reciprocal(denominator, denominator * (-8.0 / 17.0) + 24.0 / 17.0, newton_iterations)
    with x.network.protocol("sigmoid"):
        return sign * (r * 2 - 1.0) + (1.0 - r)


def tanh(x, exp_iterations=None, newton_iterations=None):
    """2 sigmoid(2x) - 1, with x clamped into [-8, 8]."""
    return sigmoid(x * 2, exp_iterations, newton_iterations) * 2 - 1.0


def sigmoid_cost(size, exp_iterations=EXP_ITERATIONS, newton_iterations=SIGMOID_NEWTON_ITERATIONS):
    """(bytes, rounds, Beaver triples and square pairs) of sigmoid or tanh on ``size`` elements."""
    bytes_ = (3 * DRELU_BYTES + 3 * PRODUCT_BYTES + SQUARE_BYTES * exp_iterations
              + 2 * PRODUCT_BYTES * newton_iterations) * size
    rounds = DRELU_ROUNDS + 3 + exp_iterations + 2 * newton_iterations
    return bytes_, rounds, (3 + 2 * newton_iterations + exp_iterations) * size
