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
  significant first, with one ``np.unpackbits`` call (no loop over bit positions).

Randomness comes from :data:`smpc.randomness.default_source`.  Uniform Z_p elements are
drawn *exactly* uniform by rejection from 16-bit words (a word is redrawn with
probability 10/65536), then reduced with a lookup table: faster than
``Generator.integers`` for small dtypes, and unbiased.  Uniform Z_{L-1} elements map the
one word ``L-1`` to 0, a bias of 2^-64.
"""
from collections import namedtuple

import numpy as np

from ..randomness import default_source
from ..sharing import split

P = 67                      # the prime of PrivateCompare
BITS = 64                   # bits of a ring element
ALL_ONES = np.uint64(2**64 - 1)   # L - 1: the same class as 0 in Z_{L-1}
_ONE, _SIXTY_THREE = np.uint64(1), np.uint64(63)

# Lookup tables from a uniform 16-bit word to Z_p and to Z_p^* = {1..p-1}.  Words at or
# above the largest multiple of the modulus are rejected, so the result is exactly uniform.
_WORD = np.arange(2**16)
_ZP_LIMIT, _ZP_TABLE = 2**16 - 2**16 % P, (_WORD % P).astype(np.uint8)
_NONZERO_LIMIT, _NONZERO_TABLE = 2**16 - 2**16 % (P - 1), (1 + _WORD % (P - 1)).astype(np.uint8)


# -- Z_p -----------------------------------------------------------------------------------
def _uniform_words(count, limit):
    """``count`` uniform 16-bit words below ``limit`` (rejection sampling, as uint16)."""
    raw = default_source.generator.bit_generator.random_raw(-(-count // 4))
    words = raw.view(np.uint16)[:count]
    bad = np.flatnonzero(words >= limit)
    while bad.size:
        words[bad] = default_source.generator.bit_generator.random_raw(bad.size).astype(np.uint16)
        bad = bad[words[bad] >= limit]
    return words


def random_zp(shape):
    """Uniform elements of Z_p as uint8."""
    count = int(np.prod(shape, dtype=np.int64))
    return np.take(_ZP_TABLE, _uniform_words(count, _ZP_LIMIT)).reshape(shape)


def random_nonzero_zp(shape):
    """Uniform elements of Z_p^* = {1, ..., p-1} as uint8."""
    count = int(np.prod(shape, dtype=np.int64))
    return np.take(_NONZERO_TABLE, _uniform_words(count, _NONZERO_LIMIT)).reshape(shape)


def share_zp(values):
    """Two additive shares in Z_p of uint8 ``values`` in [0, p): ``(u, values - u)``."""
    mask = random_zp(values.shape)
    other = values + np.uint8(P) - mask          # in [1, 2p-1]: no uint8 overflow
    other -= np.uint8(P) * (other >= P).astype(np.uint8)
    return np.stack([mask, other])


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


def random_lm1(shape):
    """Uniform elements of Z_{L-1} (the word L-1 folds onto 0: bias 2^-64)."""
    return reduce_lm1(default_source.ring(tuple(shape)).view(np.uint64))


def split_lm1(values):
    """Two additive shares in Z_{L-1}: ``(u, values - u)``."""
    mask = random_lm1(values.shape)
    return np.stack([mask, sub_lm1(values, mask)])


# -- the two rings a wrap bit can be shared in ---------------------------------------------
Ring = namedtuple("Ring", "name dtype add sub neg split")

Z_L = Ring("Z_L", np.int64, np.add, np.subtract, np.negative,
           lambda values: split(values.astype(np.int64), 2))
Z_L_MINUS_1 = Ring("Z_{L-1}", np.uint64, add_lm1, sub_lm1, neg_lm1,
                   lambda values: split_lm1(values.astype(np.uint64)))


def xor_public(ring, shares, bit):
    """Shares of ``u XOR b`` for shared bit u and public bit b: ``u + b - 2bu``.

    Where b = 0 the shares stay; where b = 1 they are negated and party 0 adds 1
    (our convention: public constants are added by party 0).
    """
    flip = bit.astype(bool)
    out = np.where(flip, ring.neg(shares), shares)
    out[0] = ring.add(out[0], flip.astype(ring.dtype))
    return out
