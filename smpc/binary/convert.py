"""From a XOR-shared bit back to additive shares in Z_2^64 (binary-to-arithmetic).

A bit ``b = b_0 ^ b_1`` is the same number 0 or 1 in both worlds, but its XOR
shares do not add up to it.  With a dealer's *bit pair* (a random bit ``r``
shared both by XOR and additively, :func:`~smpc.binary.dealer.bit_pair`; the
"daBit" of Rotaru and Wood, INDOCRYPT 2019, used the same way in CrypTen's
binary-to-arithmetic of a bit) one opening suffices:

1. holder ``j`` computes ``c_j = b_j ^ r_j`` and sends it to the other holders;
   all learn ``c = b ^ r`` (one round).  ``r`` is a uniform one-time pad, so
   ``c`` is a uniform bit that says nothing about ``b``.
2. Since ``b = c ^ r = c + r - 2 c r`` and ``c`` is public, this is linear in
   ``r``: holder ``j`` outputs ``(1 - 2c) [r]_j``, and holder 0 also adds ``c``.

Cost, ``n`` bits, ``N`` holders: ``N (N-1) ceil(n/8)`` bytes (bits packed eight
to a byte), 1 round; offline one bit pair per bit.
"""
import numpy as np

from ..rows import add_public
from .dealer import bit_pair
from .sharing import open_xor


def b2a_bit(bit_shares, holders, crypto_provider, pair=None):
    """Additive int64 shares (stacked) of the bit whose XOR shares (uint8 0/1) are given."""
    bit_shares = np.asarray(bit_shares, dtype=np.uint8)
    if pair is None:
        pair = bit_pair(crypto_provider, holders, bit_shares.shape[1:])
    r_xor, r_arith = pair.consume()
    (c,) = open_xor([bit_shares ^ r_xor], holders, 1, "b2a")
    c = c.astype(np.int64)
    return add_public(r_arith * (1 - 2 * c), holders, c)
