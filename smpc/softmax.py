"""Softmax and log-softmax of shares along an axis, with the maximum subtracted first.

``softmax(x)_i = e^(x_i - max x) / sum_j e^(x_j - max x)``: subtracting the maximum does
not change the result, and it puts every exponent in ``(-inf, 0]`` and the sum in
``[1, c]`` for ``c`` classes, the ranges where :mod:`smpc.exponential` and
:mod:`smpc.reciprocal` are accurate.  (The same normalisation as CrypTen's, Knott et al.,
NeurIPS 2021; it is the textbook way to compute softmax in floats, too.)

1. ``m = max(x)`` along the axis: the tournament of :func:`smpc.comparisons.max_along`;
2. ``z = max(x - m, -16)``: a ReLU, ``-16 + relu(x - m + 16)`` (below -16 the
   exponential is under one unit; this keeps ``1 + z / 2^n`` positive);
3. ``e = exp(z)`` by repeated squaring (:func:`smpc.exponential.exp_in_range`);
4. ``s = sum(e)`` along the axis (local), in ``[1, c]``;
5. softmax: ``e * reciprocal(s)`` (:mod:`smpc.reciprocal`, on ``[1/2, 2^ceil(log2 c)]``,
   one broadcast product); log-softmax: ``z - log(s)`` (:mod:`smpc.logarithm`, same
   range).

Valid range: any encodable logits; differences to the maximum below -16 are **clamped**
to -16 (their softmax is under 1.2e-7 either way).  Float arrays are computed the same
way in float64 (maximum subtracted, clamped at -16).  Error (defaults, measured by
``python benchmarks/accuracy_functions.py``): absolute 3.7e-3 for softmax and 5.2e-3 for
log-softmax of 10 classes, from the exponential.

Cost for ``R`` rows of ``c`` classes (``N = R c``), ``n`` squarings, ``t`` Newton steps,
``J = ceil(log2 c) + 1`` compared exponents (two holders, SecureNN, local
truncation):

* common steps 1-3: ``528 (c - 1) R + 528 N + 16 n N`` bytes,
  ``9 ceil(log2 c) + 9 + n`` rounds;
* softmax adds ``496 J R + 32 R + 64 t R + 16 (N + R)`` bytes, ``10 + 2 t`` rounds;
* log-softmax adds ``496 J R + 64 R + 256 t' R`` bytes, ``10 + 6 t'`` rounds (``t'``
  Householder steps); :func:`softmax_with_log` adds both (one after the other).
"""
import math

import numpy as np

from .exponential import EXP_ITERATIONS, exp_in_range
from .logarithm import LOG_ITERATIONS, log, log_cost
from .ranges import is_shared
from .reciprocal import RECIPROCAL_ITERATIONS, reciprocal, reciprocal_cost

SOFTMAX_FLOOR = -16.0


def denominator_range(classes):
    """The public ``[low, high]`` (powers of two) holding a sum of ``classes`` exponentials."""
    return 0.5, 2.0 ** max(1, math.ceil(math.log2(classes)))


def _normalise_axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return axis % ndim


def _shifted_exponentials(x, axis):
    """Steps 1-4: (z, e, s) with the sum ``s`` keeping the reduced axis."""
    axis = _normalise_axis(axis, x.ndim)
    kept = tuple(1 if i == axis else size for i, size in enumerate(x.shape))
    if not is_shared(x):
        x = np.asarray(x, dtype=np.float64)
        z = np.maximum(x - x.max(axis=axis, keepdims=True), SOFTMAX_FLOOR)
        e = np.exp(z)
        return z, e, e.sum(axis=axis, keepdims=True)
    with x.network.protocol("softmax"):
        shifted = x - x.max(axis).reshape(kept)
        z = (shifted - SOFTMAX_FLOOR).relu() + SOFTMAX_FLOOR
    e = exp_in_range(z, EXP_ITERATIONS)
    return z, e, e.sum(axis=axis, keepdims=True)


def softmax(x, axis=-1):
    """e^(x - max) / sum e^(x - max) along ``axis``."""
    _, e, s = _shifted_exponentials(x, axis)
    low, high = denominator_range(x.shape[axis])
    return e * reciprocal(s, low=low, high=high)


def log_softmax(x, axis=-1):
    """(x - max) - log sum e^(x - max) along ``axis``."""
    z, _, s = _shifted_exponentials(x, axis)
    low, high = denominator_range(x.shape[axis])
    return z - log(s, low=low, high=high)


def softmax_with_log(x, axis=-1):
    """(softmax, log_softmax) sharing steps 1-4: what cross-entropy needs."""
    z, e, s = _shifted_exponentials(x, axis)
    low, high = denominator_range(x.shape[axis])
    return e * reciprocal(s, low=low, high=high), z - log(s, low=low, high=high)


def softmax_cost(shape, axis=-1, kind="softmax"):
    """(bytes, rounds) of ``softmax``, ``log_softmax`` or ``both`` (``kind``) on ``shape``."""
    axis = _normalise_axis(axis, len(shape))
    classes = shape[axis]
    size = int(np.prod(shape))
    rows = size // classes
    low, high = denominator_range(classes)
    bytes_ = 528 * (classes - 1) * rows + 528 * size + 16 * EXP_ITERATIONS * size
    rounds = 9 * math.ceil(math.log2(classes)) + 9 + EXP_ITERATIONS
    if kind in ("softmax", "both"):
        b, r, _ = reciprocal_cost(rows, RECIPROCAL_ITERATIONS, low, high)
        bytes_, rounds = bytes_ + b + 16 * (size + rows), rounds + r + 1
    if kind in ("log_softmax", "both"):
        b, r, _ = log_cost(rows, LOG_ITERATIONS, low, high)
        bytes_, rounds = bytes_ + b, rounds + r
    return bytes_, rounds
