"""The small algebra SecureNN needs besides Z_{2^64}: the field Z_p, the ring Z_{L-1}, bits.

* **Z_p, p = 67.**  PrivateCompare shares the 64 bits of a number in Z_p, because it
  needs a *field*: multiplying by a random non-zero ``s`` keeps a zero a zero and sends
  every other value to a uniform non-zero one.  Any prime above 64 + 2 works (the sums it
  forms stay below p); 67 is the paper's.  Elements are stored and sent as ``uint8``.
* **Z_{L-1}, L = 2^64.**  L - 1 is odd, which is what ComputeMSB relies on.  Elements are
  ``uint64`` in ``[0, L-2]``; the all-ones word ``L-1`` is the same class as 0.
  Addition is a wrapping add plus one if it wrapped (``2^64 = 1 mod L-1``); doubling is
  a rotation left by one bit.
* **Bits.**  :func:`bit_decompose` turns uint64 values into their 64 bits, least
  significant first, with one ``np.unpackbits`` call (no loop over bit positions);
  :func:`bit_planes` gives the same bits bit-major, ``(64, n)``, the layout
  PrivateCompare computes in (eight shifts of the transposed bytes).

Randomness comes from the ``source`` each function is given: the drawing party's own
generator, or the holders' common coins.  Uniform Z_p elements are
drawn *exactly* uniform from 16-bit words by rejection (a word is redrawn with
probability 10/65536) and a remainder (:func:`uniform_below`): no table lookup
(``np.take`` would first widen every index to 8 bytes), faster than
``Generator.integers`` for small dtypes, and unbiased.  Uniform Z_{L-1} elements map the
one word ``L-1`` to 0, a bias of 2^-64.
"""
from collections import namedtuple

import numpy as np

from ..randomness import default_source
from ..sharing import split
from ..workspace import Workspace

P = 67                      # the prime of PrivateCompare
BITS = 64                   # bits of a ring element
ALL_ONES = np.uint64(2**64 - 1)   # L - 1: the same class as 0 in Z_{L-1}
_ONE, _SIXTY_THREE = np.uint64(1), np.uint64(63)

def _by_hand(source, workspace):
    """Protocols pass the drawing party's generator and the session's workspace; by hand
    (tests, tutorials) the process-wide generator and a fresh workspace are used."""
    return (default_source if source is None else source,
            Workspace() if workspace is None else workspace)


# -- Z_p -----------------------------------------------------------------------------------
def uniform_below(shape, m, source=None, workspace=None, out=None):
    """Exactly uniform integers in ``[0, m)`` (``m < 2^16``), one 16-bit word each.

    Written to ``out`` (any unsigned dtype wide enough; a new uint16 array if None).
    A word w at or above the largest multiple of m below 2^16 is redrawn (probability
    ``(2^16 mod m) / 2^16``: 0.015% for p, 0.1% for p - 1), the others give
    ``w - m * (w // m)``.  No lookup table (``np.take`` would first widen every index to
    8 bytes) and no ``%`` (twenty times slower than NumPy's division by a constant,
    which is a multiply-shift): five uint16 passes into reused buffers.
    """
    source, workspace = _by_hand(source, workspace)
    if out is None:
        out = np.empty(shape, dtype=np.uint16)
    count = out.size
    draw = source.random_raw
    words = draw(-(-count // 4)).view(np.uint16)[:count]
    limit = np.uint16(2**16 - 2**16 % m)
    rejected = workspace.buffer("uniform.rejected", (count,), bool)
    bad = np.flatnonzero(np.greater_equal(words, limit, out=rejected))
    while bad.size:
        words[bad] = draw(bad.size).astype(np.uint16)
        bad = bad[words[bad] >= limit]
    quotient = np.floor_divide(words, np.uint16(m),
                               out=workspace.buffer("uniform.quotient", (count,), np.uint16))
    quotient *= np.uint16(m)
    np.subtract(words.reshape(out.shape), quotient.reshape(out.shape), out=out, casting="unsafe")
    return out


def random_zp(shape, source=None, workspace=None, out=None):
    """Uniform elements of Z_p as uint8."""
    return uniform_below(shape, P, source, workspace,
                         np.empty(shape, np.uint8) if out is None else out)


def random_nonzero_zp(shape, source=None, workspace=None, out=None):
    """Uniform elements of Z_p^* = {1, ..., p-1} as uint8."""
    out = uniform_below(shape, P - 1, source, workspace,
                        np.empty(shape, np.uint8) if out is None else out)
    out += np.uint8(1)
    return out


def random_multiplier_and_mask(shape, source=None, workspace=None):
    """Independent uniform ``s`` in Z_p^* and ``z`` in Z_p, uint16 (reused buffers).

    Two draws of one 16-bit word each.  (One word split as ``j = (s - 1) p + z`` would
    halve the random words, but 5.5% of them are rejected for ``(p - 1) p``, and finding
    that many positions costs more than the second draw saves.)
    """
    source, workspace = _by_hand(source, workspace)
    s = uniform_below(shape, P - 1, source, workspace,
                      workspace.buffer("multiplier", shape, np.uint16))
    s += np.uint16(1)
    z = uniform_below(shape, P, source, workspace, workspace.buffer("mask", shape, np.uint16))
    return s, z


def mod_p(values, workspace=None):
    """``values mod p`` in place for uint16 ``values``: ``v - p * (v // p)``."""
    _, workspace = _by_hand(None, workspace)
    quotient = np.floor_divide(values, np.uint16(P),
                               out=workspace.buffer("mod_p", values.shape, np.uint16))
    quotient *= np.uint16(P)
    values -= quotient
    return values


def share_zp(values, source=None, workspace=None, out=None):
    """Two additive shares in Z_p of uint8 ``values`` in [0, p): ``(u, values - u)``."""
    source, workspace = _by_hand(source, workspace)
    if out is None:
        out = np.empty((2,) + values.shape, dtype=np.uint8)
    random_zp(values.shape, source, workspace, out=out[0])
    other = out[1]
    np.subtract(values, out[0], out=other)     # wraps mod 256 where values < u ...
    other += np.uint8(P)                        # ... and is in [1, 2p-1] after this
    smaller = np.subtract(other, np.uint8(P), out=workspace.buffer("share_zp", other.shape,
                                                                    np.uint8))
    np.minimum(other, smaller, out=other)      # v or v - p, whichever is in [0, p)
    return out


def bit_planes(values, out=None):
    """The 64 bits of uint64 ``values`` (shape ``(n,)``), bit-major: shape ``(64, n)``, uint8.

    Row i holds bit i (least significant first) of every value, so the suffix sums of
    PrivateCompare run over contiguous rows.  Eight shifts of the transposed bytes.
    """
    values = np.ascontiguousarray(values, dtype="<u8")
    n = values.shape[0]
    if out is None:
        out = np.empty((BITS, n), dtype=np.uint8)
    columns = np.ascontiguousarray(values.view(np.uint8).reshape(n, 8).T)   # (8, n)
    planes = out.reshape(8, 8, n)                                            # (byte, bit, n)
    for bit in range(8):
        np.right_shift(columns, bit, out=planes[:, bit])
    planes &= np.uint8(1)
    return out


def bit_decompose(values):
    """The 64 bits of uint64 ``values``, least significant first: shape ``(..., 64)``, uint8."""
    little = np.ascontiguousarray(values, dtype="<u8")
    return np.unpackbits(little.view(np.uint8).reshape(little.shape + (8,)),
                         axis=-1, bitorder="little")


# -- Z_{L-1} -------------------------------------------------------------------------------
def reduce_lm1(values):
    """uint64 words as elements of Z_{L-1}: the word L-1 becomes 0."""
    return np.where(values == ALL_ONES, np.uint64(0), values)


def add_lm1(a, b):
    """``a + b mod L-1``: a wrapping add, plus 1 where it wrapped, since 2^64 = 1 mod L-1."""
    total = a + b
    total += total < a
    return reduce_lm1(total)


def neg_lm1(a):
    """``-a mod L-1`` is ``L-1-a``, the bitwise complement."""
    return reduce_lm1(~a)


def sub_lm1(a, b):
    """``a - b mod L-1``.  (The complement of b may be the word L-1; add_lm1 handles it.)"""
    return add_lm1(a, ~b)


def double_lm1(a):
    """``2a mod L-1``: a rotation left by one bit (the carried-out 2^64 is worth 1)."""
    return (a << _ONE) | (a >> _SIXTY_THREE)


def random_lm1(shape, source=None):
    """Uniform elements of Z_{L-1} (the word L-1 folds onto 0: bias 2^-64)."""
    source, _ = _by_hand(source, None)
    return reduce_lm1(source.ring(tuple(shape)).view(np.uint64))


def split_lm1(values, source=None):
    """Two additive shares in Z_{L-1}: ``(u, values - u)``."""
    mask = random_lm1(values.shape, source)
    return np.stack([mask, sub_lm1(values, mask)])


# -- the two rings a wrap bit can be shared in ---------------------------------------------
Ring = namedtuple("Ring", "name dtype add sub neg split")

Z_L = Ring("Z_L", np.int64, np.add, np.subtract, np.negative,
           lambda values, source=None: split(values.astype(np.int64), 2, source))
Z_L_MINUS_1 = Ring("Z_{L-1}", np.uint64, add_lm1, sub_lm1, neg_lm1,
                   lambda values, source=None: split_lm1(values.astype(np.uint64), source))


def xor_public(ring, shares, bit, holders):
    """Shares of ``u XOR b`` for shared bit u and public bit b: ``u + b - 2bu``.

    Where b = 0 the shares stay; where b = 1 they are negated and party 0 adds 1
    (our convention: public constants are added by party 0).
    """
    flip = bit.astype(bool)
    out = np.where(flip, ring.neg(shares), shares)
    if holders[0].network.rows(holders)[:1] == (0,):
        out[0] = ring.add(out[0], flip.astype(ring.dtype))
    return out
