"""Clip factors ``min(1, C / norm)`` from squared norms, on floats and on shares.

The rule, identical in both kinds, for an example whose gradient has squared norm ``s``:

* ``s < C^2``: factor 1 (the gradient is already short enough);
* ``C^2 <= s < S_max``: factor ``C / sqrt(s)`` (the gradient is scaled to norm ``C``);
* ``s >= S_max = 2^14`` (norm 128 or more): factor 0, the example is dropped.

The last case exists because the fixed-point inverse square root is accurate only on a
bounded range (:func:`smpc.sqrt.inv_sqrt`); dropping keeps every clipped gradient's
norm at most ``C``, which is all the privacy analysis needs (a clamped ``s`` would
instead give a factor too large).  Valid clip norms: ``1/16 <= C < 128``.

On shares (two holders, ``B`` examples):

1. one batched comparison of ``s - C^2`` and ``s - S_max`` with 0: bits ``b_lo, b_hi``
   (SecureNN: ``992 B`` bytes, 8 rounds);
2. ``m = C^2 + b_lo (s - C^2) - b_hi (s - S_max)``, which is ``max(C^2, min(s, S_max))``
   (one product of the two bits with the two differences, ``64 B`` bytes, 1 round);
3. ``r = C * inv_sqrt(m)``, in ``[C / sqrt(S_max), 1]`` (inverse square root: see its
   module for the cost, 21 rounds with the default iterations; the product with the
   public ``C`` is local);
4. ``c = (1 - b_hi) r`` (one product, ``32 B`` bytes, 1 round).

Only shares leave this function; no party learns which examples were clipped.
"""
import numpy as np

from autograd import values as V
from smpc.sqrt import inv_sqrt

MAX_SQUARED_NORM = 2.0 ** 14
MIN_CLIP, MAX_CLIP = 1.0 / 16, 128.0


def check_clip(clip):
    """The clip norm as a float, or a ValueError naming the valid range."""
    if isinstance(clip, bool) or not isinstance(clip, (int, float, np.integer, np.floating)) \
            or not MIN_CLIP <= clip < MAX_CLIP:
        raise ValueError(f"the clip norm C must be a number in [{MIN_CLIP}, {MAX_CLIP:g}), got "
                         f"{clip!r}: the fixed-point inverse square root covers squared norms "
                         f"from C^2 up to {MAX_SQUARED_NORM:g}")
    return float(clip)


def clip_factors(squared_norms, clip):
    """Per-example factors ``c_i`` (see the rule above), of the kind of ``squared_norms``."""
    clip = check_clip(clip)
    if not V.is_shared(squared_norms):
        s = np.asarray(squared_norms, dtype=np.float64)
        factors = clip / np.sqrt(np.maximum(s, clip * clip))
        return np.where(s >= MAX_SQUARED_NORM, 0.0, factors)
    s = squared_norms
    offsets = np.array([clip * clip, MAX_SQUARED_NORM]).reshape((2,) + (1,) * s.ndim)
    differences = s.reshape((1,) + s.shape) - offsets                       # (2, B)
    with s.network.protocol("dp_clip"):
        bits = differences.ge(0)                                            # b_lo, b_hi
        edges = bits * differences
        clamped = edges[0] - edges[1] + clip * clip
        root = inv_sqrt(clamped) * clip
        return (1 - bits[1]) * root
