"""ComputeMSB: shares in Z_L of the most significant bit of a number shared in Z_{L-1}.

Wagh, Gupta & Chandran, "SecureNN", PETS 2019, Algorithm 4.

Why it works.  L - 1 is odd, so for a in [0, L-1), MSB(a) = LSB(2a mod L-1): doubling
either stays below L-1 (even result, MSB 0) or subtracts the odd L-1 once (odd result,
MSB 1).  The LSB of y = 2a is computed from a masked opening r = y + x (mod L-1):
LSB(y) = LSB(x) XOR LSB(r) XOR (x > r), since the sum wrapped exactly when x > r and a
wrap subtracts the odd L-1.
"""
import numpy as np

from ..beaver import beaver_product
from ..sharing import fresh_zero_shares, split
from .field import (BITS, Z_L, add_lm1, bit_planes, double_lm1, random_lm1, share_zp,
                    split_lm1, xor_public)
from .messages import exchange, from_helper
from .private_compare import private_compare_planes


def compute_msb(shares, holders, helper):
    """Shares in Z_L (int64 0/1) of MSB(a), for shares of a in Z_{L-1} (uint64, ``(2, n)``).

    1. (offline) P2 draws x uniform in Z_{L-1} and deals shares of x in Z_{L-1}, of the 64
       bits of x in Z_p, and of x_0 = LSB(x) in Z_L.  The holders draw a common bit beta.
    2. Holder j: y_j = 2 a_j, r_j = y_j + x_j (mod L-1); the holders open r = 2a + x.
    3. PrivateCompare(bits of x, r, beta) gives P2 beta' = beta XOR (x > r); P2 sends the
       holders shares of beta' in Z_L.
    4. gamma = beta' XOR beta = (x > r), delta = x_0 XOR LSB(r) (public bits added by party
       0); theta = gamma * delta by one Beaver multiplication;
       MSB = gamma XOR delta = gamma + delta - 2 theta, re-randomised by a sharing of zero.

    Who learns what: the holders see r = 2a + x, uniform since x is; P2 sees the masked
    bit beta' and the Beaver openings are uniform.

    Communication (2 holders, n elements), online: 16n (open r) + 128n (PrivateCompare)
    + 16n (beta') + 32n (Beaver) = **192 n bytes, 4 rounds**.  Offline, from P2: 16n
    (x) + 128n (bits of x) + 16n (x_0) bytes, plus one Beaver triple from the dealer.
    """
    network = helper.network
    workspace = network.workspace
    n = shares.shape[1]
    with network.protocol("compute_msb"):
        # 1. Offline: P2's random x, its bits and its LSB; the holders' common coin beta.
        x_sent = bits_sent = x0_sent = None
        if network.plays(helper):
            source = helper.source
            x = random_lm1((n,), source)
            x_sent = split_lm1(x, source)
            bits_sent = share_zp(bit_planes(x, out=workspace.buffer("msb.bits", (BITS, n), np.uint8)),
                                 source, workspace,
                                 out=workspace.buffer("msb.bit_shares", (2, BITS, n), np.uint8))
            x0_sent = split((x & np.uint64(1)).astype(np.int64), 2, source)
        with network.round():
            x_shares = from_helper(helper, x_sent, holders, (n,), np.uint64, phase="offline")
            x_bit_shares = from_helper(helper, bits_sent, holders, (BITS, n), np.uint8,
                                       phase="offline")
            x0_shares = from_helper(helper, x0_sent, holders, (n,), np.int64, phase="offline")
        beta = network.randomness.common(holders).bits(n).astype(bool)
        # 2. Open r = 2a + x (mod L-1).
        r_pieces = exchange(add_lm1(double_lm1(shares), x_shares), holders)
        r = add_lm1(r_pieces[0], r_pieces[1])
        # 3. PrivateCompare; P2 shares beta' in Z_L.
        beta_p = private_compare_planes(x_bit_shares, r, beta, holders, helper)
        beta_p_sent = split(beta_p.astype(np.int64), 2, helper.source) if beta_p is not None else None
        beta_p_shares = from_helper(helper, beta_p_sent, holders, (n,), np.int64)
        # 4. gamma = (x > r), delta = LSB(x) XOR LSB(r), MSB = gamma XOR delta.
        gamma = xor_public(Z_L, beta_p_shares, beta, holders)
        delta = xor_public(Z_L, x0_shares, (r & np.uint64(1)).astype(bool), holders)
        theta = beaver_product(gamma, delta, holders, helper)
        return gamma + delta - 2 * theta + fresh_zero_shares(holders, (n,))
