"""Adding two XOR-shared 64-bit numbers in log depth: arithmetic-to-binary conversion.

Two holders have additive shares ``x = x_0 + x_1 (mod 2^64)``.  Holder ``j``'s
share is a number it knows in full, so it is *already* an XOR sharing of
itself, ``(x_0, 0)`` and ``(0, x_1)``: nothing is sent to get there.  (A fresh
re-randomisation would change nothing: every bit that leaves a holder below is
masked by a one-time pad from the dealer.)  What remains is a binary adder
circuit for ``x_0 + x_1`` evaluated on XOR shares, where only AND gates cost a
round.  A ripple-carry adder would need 63 rounds; a parallel-prefix adder
needs ``log2 64 = 6`` (ABY, Demmler, Schneider, Zohner, NDSS 2015; CrypTen,
Knott et al., NeurIPS 2021, ``binary.py``; the prefix network is Kogge and
Stone's, IEEE Trans. Computers 1973).

Carries as a prefix problem.  Per bit ``i``, with ``a = x_0`` and ``b = x_1``:
*generate* ``g_i = a_i & b_i`` (a carry starts here) and *propagate*
``p_i = a_i ^ b_i`` (an incoming carry passes through).  A block of bits
``[lo, hi]`` generates/propagates by the rule

    (G, P)[hi block] o (G, P)[lo block] = (G_hi ^ (P_hi & G_lo),  P_hi & P_lo)

(``^`` may stand for OR: a block that propagates cannot also generate).  The
carry into bit ``i`` is ``G`` of the block ``[0, i-1]``, and the sum is
``s = p ^ (carries)``.

:func:`a2b` -- all 64 carries, Kogge-Stone: every bit position is a prefix node,
all positions of all elements in one uint64 word operation.

1. ``g = a & b`` with :func:`~smpc.binary.gates.and_private` (1 round, 16 n bytes);
   ``p = a ^ b`` is free: holder ``j``'s share of ``p`` is its own share ``x_j``.
2. for ``k = 0 .. 5``, ``s = 2^k``: ``G <- G ^ (P & (G << s))`` and
   ``P <- P & (P << s)``; both ANDs are batched into one :func:`and_shared` call
   (1 round); the last level needs no ``P`` (one AND).  After level ``k``
   position ``i`` holds the block ``[i - 2^(k+1) + 1, i]``, clipped at 0.
3. ``s = p ^ (G << 1)``, locally.

Cost for ``n`` elements, 2 holders: ``16 n + 5 * 64 n + 32 n = 368 n`` bytes, 7
rounds online.  Nobody learns anything: every opening is a one-time-padded AND
operand.

:func:`carry_into_top_bit` -- only the carry into bit 63, which is all the sign
needs (``MSB(x) = a_63 ^ b_63 ^ c_63``).  A tree (the up-sweep of a Brent-Kung
adder) instead of a prefix network; the number of live bits halves at every
level, so the later rounds carry 32, 16, ... bits instead of 64.

1. holder ``j`` drops bit 63 of its share and shifts a zero in below bit 0
   (``x_j << 1``): the carry *out of* the 64-bit sum of those words is the
   carry *into* bit 63 of ``x_0 + x_1``;
2. holder ``j`` moves bit ``i`` of its word to bit ``reverse6(i)``, the 6 binary
   digits of the index reversed, as in the FFT's reordering
   (:func:`~smpc.binary.words.bit_reversal_permute`; a bit permutation is free
   on XOR shares).  In this order the two blocks a tree node combines are
   always bit ``i`` of the top half and bit ``i`` of the bottom half of the word:
   the top half holds the odd-numbered (higher) blocks, the bottom half the
   even ones, and the combined block ``i`` lands at bit ``i``, again in
   bit-reversed order for the next level.  Splitting a word into halves is a
   shift and a cast, with no shuffling at any level;
3. ``g = a & b`` (:func:`and_private`, 1 round), ``P`` = the holders' own words;
4. for widths ``w = 64, 32, 16, 8, 4, 2``, with ``h = w / 2``: split ``G`` and ``P``
   into halves ``hi`` and ``lo`` of ``h`` bits; one :func:`and_shared` call (1
   round) on the ``2 n`` values ``[P_hi, P_hi] & [G_lo, P_lo]`` gives
   ``G <- G_hi ^ P_hi & G_lo`` and ``P <- P_hi & P_lo``.  At ``h = 1`` only ``G``
   is needed: one AND of ``n`` bits.
5. ``G`` (1 bit per element) is the carry.

Cost for ``n`` elements, 2 holders: ``16 n + 2 (16 n + 8 n + 4 n + 2 n + n) +
2 ceil(n/4) = 78 n + 2 ceil(n/4)`` bytes, 7 rounds online (an AND's two openings
packed together, sub-byte values 8 bits a byte).
"""
import numpy as np

from ..errors import ProtocolError
from ..ring import as_unsigned
from .gates import and_private, and_shared
from .words import WORD_BITS, bit_reversal_permute, dtype_for, low_mask

LEVELS = 6  # log2(64)


def _size(shares):
    """Elements per row (also when this process holds no row)."""
    return int(np.prod(shares.shape[1:], dtype=np.int64))


def _require_two(holders):
    if len(holders) != 2:
        raise ProtocolError(f"the binary adder converts shares of 2 holders, got {len(holders)}")


def a2b(shares, holders, crypto_provider):
    """XOR shares (uint64, stacked) of the secret ``x`` whose additive shares are ``shares``."""
    _require_two(holders)
    x = np.ascontiguousarray(as_unsigned(shares)).reshape(shares.shape[0], _size(shares))
    network = holders[0].network
    with network.protocol("a2b"):
        p = x                                            # holder j's share of a ^ b is x_j
        G = and_private(x, holders, crypto_provider)
        P = p
        for level in range(LEVELS):
            shift = 1 << level
            if level < LEVELS - 1:
                z = and_shared(np.stack([P, P], axis=1), np.stack([G << shift, P << shift], axis=1),
                               holders, crypto_provider)
                G, P = G ^ z[:, 0], z[:, 1]
            else:
                G = G ^ and_shared(P, G << shift, holders, crypto_provider)
        total = p ^ (G << 1)
    return total.reshape(shares.shape)


def _halves(words, width):
    """The top and bottom ``width / 2`` bits of ``width``-bit words, in the narrower dtype."""
    half = width // 2
    small = dtype_for(half)
    return (words >> half).astype(small), (words & low_mask(half)).astype(small)


def carry_into_top_bit(shares, holders, crypto_provider):
    """XOR shares (uint8 0/1, stacked) of the carry into bit 63 of ``x_0 + x_1``.

    ``shares`` are the additive int64 shares, party axis first, any shape.
    """
    _require_two(holders)
    x = np.ascontiguousarray(as_unsigned(shares)).reshape(shares.shape[0], _size(shares))
    P = bit_reversal_permute(x << 1)                           # steps 1-2, each holder on its own word
    G = and_private(P, holders, crypto_provider)               # step 3
    width = WORD_BITS
    while width > 1:                                     # step 4
        half = width // 2
        G_hi, G_lo = _halves(G, width)
        P_hi, P_lo = _halves(P, width)
        if half > 1:
            z = and_shared(np.stack([P_hi, P_hi], axis=1), np.stack([G_lo, P_lo], axis=1),
                           holders, crypto_provider, width=half)
            G, P = G_hi ^ z[:, 0], z[:, 1]
        else:
            G = G_hi ^ and_shared(P_hi, G_lo, holders, crypto_provider, width=1)
        width = half
    return G.reshape(shares.shape)
