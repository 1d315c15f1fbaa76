"""DReLU by binary sharing: the sign bit through a log-depth adder, then back to Z_2^64.

``drelu_bits(shares, holders, crypto_provider)`` returns additive shares in Z_2^64
of ``1 - MSB(x)``, i.e. 1 where ``x >= 0`` as a signed 64-bit number.  It is the
second comparison protocol of the package (``smpc.config.settings.comparison ==
"binary"``), after SecureNN's (Wagh, Gupta, Chandran, PETS 2019).  The route is
ABY's and CrypTen's: arithmetic-to-binary conversion with a parallel-prefix
adder over XOR shares and AND triples (Demmler, Schneider, Zohner, NDSS 2015;
Knott et al., NeurIPS 2021), keeping only the carry the sign needs.

Steps (2 holders ``P0``, ``P1`` with ``x = x_0 + x_1 mod 2^64``; the crypto
provider only deals, offline, and receives nothing):

1. holder ``j`` reads its own top bit ``t_j = bit 63 of x_j`` (local);
2. the carry into bit 63 of ``x_0 + x_1``, XOR-shared, by the carry tree of
   :func:`smpc.binary.adder.carry_into_top_bit`: one private-operand AND and
   six levels of batched ANDs, 7 rounds;
3. ``MSB(x) = t_0 ^ t_1 ^ carry``: holder ``j``'s XOR share is ``t_j ^ carry_j``;
   ``1 - MSB`` is a XOR with the public 1, by holder 0 (local);
4. the bit goes back to additive shares with a dealer's bit pair,
   :func:`smpc.binary.convert.b2a_bit` (1 round).

Who learns what: each holder receives only values XOR-masked by one-time pads
from the dealer (the AND openings ``x ^ alpha``, ``y ^ beta``, the masked
operands ``x_j ^ u``, ``x_j ^ v`` and the masked bit ``b ^ r``): uniform bits,
whatever ``x`` is.  The dealer sends corrections and receives nothing.

Valid range: *every* ``x`` in Z_2^64 read as a signed integer, ``-2^63`` to
``2^63 - 1``; the adder is exact, so unlike SecureNN (which doubles ``x`` and
needs ``|x| < 2^62``) there is no bound to respect.

Communication, ``n`` elements, 2 holders (sub-byte values packed eight bits to a byte;
see :mod:`smpc.binary.costs`):

* online ``78 n + 2 ceil(n/4) + 2 ceil(n/8)`` bytes (about 78.75 bytes per
  element), 8 rounds;
* offline with PRG keys ``31 n + ceil(n/2) + ceil(n/8)`` bytes (one correction share
  per derived value of the 8 deals); with full shares ``138 n + 6 ceil(n/2) +
  8 ceil(n/8)`` bytes.
"""
import numpy as np

from ..ring import as_unsigned
from .adder import carry_into_top_bit
from .convert import b2a_bit
from .sharing import xor_public


def drelu_bits(shares, holders, crypto_provider):
    """Additive int64 shares (stacked, party axis first) of ``1`` where ``x >= 0``, else ``0``."""
    shares = np.asarray(shares, dtype=np.int64)
    network = holders[0].network
    with network.protocol("drelu_binary"):
        top = (as_unsigned(shares) >> 63).astype(np.uint8)        # step 1
        carry = carry_into_top_bit(shares, holders, crypto_provider)  # step 2
        nonnegative = xor_public(top ^ carry, 1, holders)         # step 3
        return b2a_bit(nonnegative, holders, crypto_provider)     # step 4
