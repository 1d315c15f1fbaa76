"""Binary (XOR) secret sharing and the comparison built on it.

The second comparison protocol of the package, after SecureNN's: convert the
additive shares to XOR shares with a log-depth adder, read the sign bit, and
bring that one bit back to Z_2^64 (ABY: Demmler, Schneider, Zohner, NDSS 2015;
CrypTen: Knott et al., NeurIPS 2021).  Select it with
``smpc.config.settings.comparison = "binary"``.

One concept per module, in reading order:

* :mod:`~smpc.binary.words` -- bit-sliced words, packing, bit reversal;
* :mod:`~smpc.binary.sharing` -- XOR sharing and opening;
* :mod:`~smpc.binary.dealer` -- AND triples and bit pairs from the crypto provider;
* :mod:`~smpc.binary.gates` -- the AND gate (Beaver over Z_2);
* :mod:`~smpc.binary.adder` -- Kogge-Stone A2B, and the carry into the sign bit;
* :mod:`~smpc.binary.convert` -- a XOR-shared bit back to additive shares;
* :mod:`~smpc.binary.drelu` -- DReLU = 1 - MSB, for every signed 64-bit input;
* :mod:`~smpc.binary.costs` -- the closed-form communication of all of them.
"""
from .adder import a2b, carry_into_top_bit
from .convert import b2a_bit
from .costs import Cost, a2b_cost, and_cost, b2a_bit_cost, drelu_cost
from .dealer import and_triple, bit_pair, private_and_triple
from .drelu import drelu_bits
from .gates import and_private, and_shared
from .sharing import open_xor, reconstruct_xor, share_xor_from, split_xor, xor_public

__all__ = ["a2b", "carry_into_top_bit", "b2a_bit", "Cost", "a2b_cost", "and_cost",
           "b2a_bit_cost", "drelu_cost", "and_triple", "bit_pair", "private_and_triple",
           "drelu_bits", "and_private", "and_shared", "open_xor", "reconstruct_xor",
           "share_xor_from", "split_xor", "xor_public"]
