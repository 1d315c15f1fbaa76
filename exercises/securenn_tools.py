"""The building blocks exercise 5 may use: smpc's real SecureNN pieces, given as a toolbox.

Exercise 5 (ComputeMSB and DReLU) is about how the pieces fit together, not about
re-writing each of them. A :class:`SecureNNTools` holds two parties (alice, bob) and the
helper (the crypto provider), and offers each step as one call. All shares are stacked,
party axis first, shape ``(2, n)``:

* Z_L (the usual ring, int64),
* Z_{L-1} (uint64; L - 1 = 2^64 - 1 is odd, which ComputeMSB relies on),
* Z_p bits (uint8, shape ``(2, n, 64)``).
"""
import numpy as np

import smpc
from smpc.beaver import beaver_product
from smpc.securenn import field
from smpc.securenn import share_convert as _share_convert
from smpc.securenn.messages import exchange, from_helper
from smpc.securenn.private_compare import private_compare as _private_compare
from smpc.sharing import fresh_zero_shares, split

# Arithmetic modulo L - 1 on uint64 arrays (local, no communication).
add_lm1 = field.add_lm1          # a + b mod L-1
sub_lm1 = field.sub_lm1          # a - b mod L-1
double_lm1 = field.double_lm1    # 2a mod L-1


class SecureNNTools:
    """alice, bob and the helper, with SecureNN's steps as methods."""

    def __init__(self, seed=None):
        self.alice, self.bob, self.helper = smpc.make_parties(seed=seed)
        self.holders = (self.alice, self.bob)
        self.network = self.alice.network

    def deal_mask(self, n):
        """The helper's random x uniform in Z_{L-1}, dealt three ways.

        Returns ``(x_shares, x_bit_shares, x0_shares)``: shares of x in Z_{L-1} (uint64
        ``(2, n)``), of its 64 bits in Z_p (uint8 ``(2, n, 64)``), and of its least
        significant bit in Z_L (int64 ``(2, n)``).
        """
        own = self.helper.source                 # the helper's own generator
        x = field.random_lm1((n,), own)
        with self.network.round():
            x_shares = from_helper(self.helper, field.split_lm1(x, own), self.holders, (n,),
                                   np.uint64, phase="offline")
            x_bits = from_helper(self.helper, field.share_zp(field.bit_decompose(x), own),
                                 self.holders, (n, 64), np.uint8, phase="offline")
            x0 = from_helper(self.helper, split((x & np.uint64(1)).astype(np.int64), 2, own),
                             self.holders, (n,), np.int64, phase="offline")
        return x_shares, x_bits, x0

    def coin(self, n):
        """Random bits (bool ``(n,)``) that alice and bob draw in common; the helper does not know them."""
        return self.network.randomness.common(self.holders).bits(n).astype(bool)

    def open_lm1(self, shares):
        """Open shares in Z_{L-1} between alice and bob: the public value (uint64 ``(n,)``)."""
        opened = exchange(shares, self.holders)
        return add_lm1(opened[0], opened[1])

    def private_compare(self, x_bit_shares, r, beta):
        """PrivateCompare; the helper then shares its bit ``beta XOR (x > r)`` in Z_L (int64 ``(2, n)``)."""
        bit = _private_compare(x_bit_shares, r, beta, self.holders, self.helper)
        return from_helper(self.helper, split(bit.astype(np.int64), 2, self.helper.source),
                           self.holders, (len(bit),), np.int64)

    def multiply(self, u_shares, v_shares):
        """Shares in Z_L of u * v (one Beaver multiplication, no truncation)."""
        return beaver_product(u_shares, v_shares, self.holders, self.helper)

    def share_convert(self, shares):
        """Shares of a in Z_L (int64 ``(2, n)``, a != -1) -> shares of a in Z_{L-1} (uint64)."""
        return _share_convert(shares, self.holders, self.helper)

    def zero_shares(self, n):
        """A fresh sharing of zero in Z_L, to re-randomise a result."""
        return fresh_zero_shares(self.holders, (n,))
