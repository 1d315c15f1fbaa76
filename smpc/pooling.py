"""The maximum of each window of shares, with the one-hot of where it is.

Max pooling keeps, for the backward pass, which element of each window won (as ReLU
keeps its DReLU bit): the gradient flows to that element alone.  The argmax protocol of
:mod:`smpc.comparisons` gives a shared *index*; turning an index into a one-hot vector
would cost one equality test (two DReLUs) per window element.  Here the tournament
carries the one-hot vector along instead, built from SharedTensor operations only:

1. every element starts as a candidate with its public one-hot vector ``e_j``;
2. per level, neighbours (0, 1), (2, 3), ... meet: ``bit = right > left`` (one batched
   comparison); the winner is ``left + bit * (right - left)`` and its one-hot is
   ``left_hot + bit * (right_hot - left_hot)`` (two batched Beaver products; on the first
   level the one-hot vectors are public and the second product is local);
3. an odd last candidate waits for the next level; after ``ceil(log2 n)`` levels one
   candidate is left.

The left candidate wins ties, so the one-hot marks the first maximum (NumPy's argmax).
Bits are 0/1 at integer scale, so no product here is truncated: the maximum is exact.

Cost for ``m`` windows of ``n`` elements, two holders (SecureNN comparisons, 496 B per
DReLU): ``n - 1`` comparisons and value selections per window, ``(n - 1) 528 m`` bytes,
plus the one-hot selections after the first level (``32 n`` bytes per pair); rounds
``9`` on the first level and ``10`` on each later one.  For 2x2 windows: 1,664 B and
19 rounds per window batch.  Valid range: the compared differences, as for every
comparison (|x - y| < 2^62 as encodings, always true for encodable values).
"""
import numpy as np

from .fixed_point import INTEGER_ENCODER
from .shared_tensor import SharedTensor, concatenate


def max_with_onehot(x):
    """``(max, onehot)`` along the last axis of shared ``x``: shapes (...,) and (..., n)."""
    if not isinstance(x, SharedTensor):
        raise TypeError(f"max_with_onehot needs a SharedTensor, got {type(x).__name__}")
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError(f"max_with_onehot needs a non-empty last axis, got shape {x.shape}")
    n = x.shape[-1]
    values = x
    hot = np.broadcast_to(np.eye(n, dtype=np.int64), x.shape + (n,))  # public at first
    with x.network.protocol("max_pool"):
        while values.shape[-1] > 1:
            pairs = values.shape[-1] // 2
            left, right = values[..., 0:2 * pairs:2], values[..., 1:2 * pairs:2]
            left_hot, right_hot = hot[..., 0:2 * pairs:2, :], hot[..., 1:2 * pairs:2, :]
            bit = right.gt(left)
            winners = left + bit * (right - left)
            winner_hot = left_hot + bit.reshape(bit.shape + (1,)) * (right_hot - left_hot)
            if values.shape[-1] > 2 * pairs:  # the odd one out waits
                winners = concatenate([winners, values[..., 2 * pairs:]], axis=-1)
                waiting = hot[..., 2 * pairs:, :]
                if not isinstance(waiting, SharedTensor):
                    waiting = winner_hot.new_zeros(waiting.shape) + waiting
                winner_hot = concatenate([winner_hot, waiting], axis=-2)
            values, hot = winners, winner_hot
    if not isinstance(hot, SharedTensor):  # a single element: it is its own maximum
        zeros = x.new_zeros(hot.shape)
        hot = SharedTensor(zeros.shares, x.holders, x.crypto_provider, INTEGER_ENCODER) + hot
    return values.reshape(x.shape[:-1]), hot.reshape(x.shape)
