"""Comparisons of secret-shared tensors: drelu, relu, gt/ge/lt/le/eq, select, max, argmax.

Everything here rests on one primitive, DReLU(a) = 1 if a >= 0 else 0, computed on
shares.  Which protocol computes it is a setting::

    smpc.config.settings.comparison = "securenn"   # default: smpc.securenn (PETS 2019)
    smpc.config.settings.comparison = "binary"     # smpc.binary

Results are :class:`~smpc.shared_tensor.SharedTensor` of 0/1 at integer scale
(``INTEGER_ENCODER``): they multiply into fixed-point tensors without truncation and add
to them exactly, so ``pred.eq(target).sum()`` can be revealed as a count alone.

Valid range: the compared difference must satisfy |x - y| < 2^62 as an encoded ring
value (see :mod:`smpc.securenn.drelu`).  Encodings are at most 2^31, so any two encoded
values compare correctly; public operands are range-checked when they are encoded.

Costs for 2 holders and n elements of the (broadcast) shape, online:

==========================  ====================================  =================
``drelu``, ``gt ge lt le``  one DReLU                             496 n B, 8 rounds
``eq``                      two DReLUs batched into one           992 n B, 8 rounds
``relu_with_drelu``         DReLU + one Beaver product            528 n B, 9 rounds
``select_share``            one Beaver product                    32 n B, 1 round
``max_along`` (m lanes)     n - 1 pairwise steps, ceil(log2 n)    528 (n-1) m B, 9 ceil(log2 n) rounds
``argmax`` (m lanes)        the same, selecting indices too       544 (n-1) m B, 9 ceil(log2 n) rounds
==========================  ====================================  =================
"""
import numpy as np

from . import securenn
from .beaver import beaver_product
from .fixed_point import INTEGER_ENCODER
from .rows import add_public

# -- the primitive -------------------------------------------------------------------------


def _drelu_protocol(network):
    if network.settings.comparison == "binary":
        from . import binary  # written separately; loaded only when selected
        return binary.drelu_bits
    return securenn.drelu_bits


def _drelu_shares(shares, holders, crypto_provider):
    network = holders[0].network
    if not network.rows(holders) and not network.plays(crypto_provider):
        # A process with no part in the comparison (the model owner's): only shapes flow on.
        return np.zeros(shares.shape, dtype=np.int64)
    return _drelu_protocol(network)(shares, holders, crypto_provider)


def _is_shared(value):
    # SharedTensor is not imported here: it imports this module for its methods.
    return hasattr(value, "shares") and hasattr(value, "holders")


def drelu(x):
    """Shared 0/1 at integer scale: 1 where x >= 0, 0 where x < 0."""
    bits = _drelu_shares(x.shares, x.holders, x.crypto_provider)
    return x._new(bits, INTEGER_ENCODER)


def relu_with_drelu(x):
    """``(relu(x), drelu(x))``: relu = bit * x by one Beaver product, no truncation.

    Keep the bit for the backward pass: d relu / dx = bit, with no second comparison.
    """
    bit = drelu(x)
    with x.network.protocol("relu"):
        product = beaver_product(bit.shares, x.shares, x.holders, x.crypto_provider)
    return x._new(product, x.encoder), bit


# -- comparisons ---------------------------------------------------------------------------


def _difference(x, y):
    """x - y as a SharedTensor, with either side possibly public (numbers, arrays)."""
    if _is_shared(x):
        return x - y
    if _is_shared(y):
        return -(y - x)
    raise TypeError("a comparison needs at least one SharedTensor operand; for two public "
                    "values use NumPy")


def _not(bit):
    return 1 - bit  # party 0 adds the public 1


def ge(x, y):
    """x >= y, elementwise (broadcasting): DReLU(x - y)."""
    return drelu(_difference(x, y))


def le(x, y):
    """x <= y: DReLU(y - x)."""
    return drelu(_difference(y, x))


def gt(x, y):
    """x > y: not (y - x >= 0), i.e. 1 - DReLU(y - x)."""
    return _not(le(x, y))


def lt(x, y):
    """x < y: 1 - DReLU(x - y)."""
    return _not(ge(x, y))


def eq(x, y):
    """x == y: (x >= y) + (x <= y) - 1, both DReLUs in one batched call.

    The same value as the product (x >= y) * (y >= x), since exactly one of the two is 1
    unless x == y, without the multiplication and its round (``docs/PROTOCOLS.md``, section 9).
    """
    d = _difference(x, y)
    both = _drelu_shares(np.stack([d.shares, -d.shares], axis=1), d.holders, d.crypto_provider)
    total = add_public(both[:, 0] + both[:, 1], d.holders, 1, sign=-1)
    return d._new(total, INTEGER_ENCODER)


def select_share(bit, x, y):
    """SelectShare (SecureNN Alg. 1): x where bit = 0, y where bit = 1; x + bit * (y - x).

    ``bit`` is a shared 0/1 at integer scale; at least one of x and y is shared.  One
    Beaver product; the bit's integer scale needs no truncation.
    """
    with bit.network.protocol("select_share"):
        return bit * _difference(y, x) + x


# -- max and argmax by a tournament --------------------------------------------------------


def _tournament(x, axis, with_index):
    """Shares of the maximum along ``axis`` (and of its first index), in ceil(log2 n) levels.

    Each level pairs neighbours (0, 1), (2, 3), ...; an odd last element waits for the
    next level.  One batched comparison per level gives, for every pair, the bit
    ``right > left``; one batched Beaver product selects the winner (and its index).  A
    left element always has smaller indices than its right neighbour and wins ties, so
    the first index of the maximum wins.
    """
    holders, cp = x.holders, x.crypto_provider
    values = np.moveaxis(x.shares, _party_axis(axis, x.ndim), 1)
    count = values.shape[1]
    if count == 0:
        raise ValueError("max/argmax of an empty axis")
    # The indices are public: holder 0 holds them, the others hold zeros.
    index = add_public(np.zeros_like(values), holders,
                       np.arange(count).reshape((count,) + (1,) * (values.ndim - 2)))
    with x.network.protocol("tournament"):
        while values.shape[1] > 1:
            pairs = values.shape[1] // 2
            left, right = values[:, 0:2 * pairs:2], values[:, 1:2 * pairs:2]
            rest = values[:, 2 * pairs:]
            right_wins = _drelu_shares(left - right, holders, cp)   # 1 - (left >= right)
            right_wins = add_public(-right_wins, holders, 1)
            if with_index:
                left_i, right_i = index[:, 0:2 * pairs:2], index[:, 1:2 * pairs:2]
                moves = beaver_product(right_wins[:, None],
                                       np.stack([right - left, right_i - left_i], axis=1),
                                       holders, cp)
                values = np.concatenate([left + moves[:, 0], rest], axis=1)
                index = np.concatenate([left_i + moves[:, 1], index[:, 2 * pairs:]], axis=1)
            else:
                values = np.concatenate(
                    [left + beaver_product(right_wins, right - left, holders, cp), rest], axis=1)
    return values[:, 0], index[:, 0]


def _party_axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for a tensor with {ndim} dimensions")
    return axis % ndim + 1


def max_along(x, axis=-1):
    """The maximum along ``axis`` (removed from the shape), by a tournament of comparisons."""
    values, _ = _tournament(x, axis, with_index=False)
    return x._new(values, x.encoder)


def argmax(x, axis=-1):
    """The index of the maximum along ``axis`` (first one on ties), shared at integer scale.

    A shared *index* (not a one-hot vector), so ``argmax(output).eq(target)`` compares it
    with shared or public label indices directly.
    """
    _, index = _tournament(x, axis, with_index=True)
    return x._new(index, INTEGER_ENCODER)
