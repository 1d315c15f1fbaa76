"""ShareConvert: shares of a in Z_L become shares of the same a in Z_{L-1}.

Wagh, Gupta & Chandran, "SecureNN", PETS 2019, Algorithm 2.

Since L = 2^64 = 1 (mod L-1), ``a = a_0 + a_1 - wrap(a_0, a_1) (mod L-1)``: the whole
protocol is about sharing the one bit ``wrap(a_0, a_1)`` without anybody learning it.
:func:`wrap_bit_shares` does that, in Z_{L-1} for ShareConvert or in Z_L for the exact
truncation (``docs/PROTOCOLS.md``, section 5, "Exact, through the helper").
"""
import math

import numpy as np

from ..rows import played_rows
from .field import (BITS, Z_L, Z_L_MINUS_1, add_lm1, bit_planes, reduce_lm1, share_zp,
                    sub_lm1, xor_public)
from .messages import from_helper, to_helper
from .private_compare import private_compare_planes


def _unsigned_wrap(a, b):
    """1 where the uint64 sum a + b overflows 2^64."""
    return (a + b) < a


def wrap_bit_shares(shares, holders, helper, ring=Z_L):
    """Shares in ``ring`` (Z_L: int64, or Z_{L-1}: uint64) of wrap(a_0, a_1) for shares a_j.

    ``shares``: int64, shape ``(rows, *shape)``, holder j's share a_j in Z_L in its row.
    The result has the same shape.

    1. The holders draw in common r uniform in Z_L \\ {0}, shares r_0, r_1 of it, their
       wrap alpha = wrap(r_0, r_1), and a random bit eta''.  Holder j sends
       ã_j = a_j + r_j to P2 and keeps beta_j = wrap(a_j, r_j).
    2. P2 computes x = ã_0 + ã_1 = a + r and delta = wrap(ã_0, ã_1), and sends the holders
       shares of the 64 bits of x in Z_p and of delta in ``ring``.
    3. PrivateCompare(bits of x, r - 1, eta'') gives P2 eta' = eta'' XOR (x > r - 1);
       P2 sends the holders shares of eta' in ``ring``.
    4. Holder j: eta_j = eta'_j XOR eta'' (party 0 adds the public eta''), and
       theta_j = beta_j + delta_j + eta_j, party 0 also subtracting alpha + 1.

    Then theta_0 + theta_1 = beta_0 + beta_1 + delta + (x >= r) - alpha - 1 = wrap(a_0, a_1)
    (write a_0 + a_1 and r_0 + r_1 with their wraps, and x = a + r - L*(x < r)).
    r is drawn non-zero because r = 0 makes "x > r - 1 = L-1" the wrong test for x >= r.

    Who learns what: P2 sees x = a + r, uniform whatever a is, and the masked bit eta';
    the holders see only fresh shares.

    Communication (2 holders, n elements): 16n (ã) + 128n + 16n (bits, delta) + 128n
    (PrivateCompare) + 16n (eta') = **304 n bytes, 4 rounds**; nothing offline.
    """
    network = helper.network
    workspace = network.workspace
    common = network.randomness.common(holders)
    rows = played_rows(holders)
    out_shape = shares.shape
    a = np.ascontiguousarray(shares.reshape(len(rows), math.prod(shares.shape[1:]))).view(np.uint64)
    n = a.shape[1]
    with network.protocol("share_convert"):
        # 1. Common randomness, and the masked shares to P2.
        r_shares = common.ring((2, n)).view(np.uint64)
        r = r_shares[0] + r_shares[1]
        zero = r == 0
        if zero.any():  # probability 2^-64 per element: move r off 0
            r_shares[1, zero] += np.uint64(1)
            r[zero] = np.uint64(1)
        alpha = _unsigned_wrap(r_shares[0], r_shares[1])
        eta_pp = common.bits(n).astype(bool)
        own_r = r_shares[list(rows)]
        masked = a + own_r
        beta = _unsigned_wrap(a, own_r)
        received = to_helper(masked, holders, helper)
        # 2. P2: x, delta, and their shares.
        bits_sent = delta_sent = None
        if network.plays(helper):
            x = received[0] + received[1]
            delta = _unsigned_wrap(received[0], received[1])
            bits_sent = share_zp(bit_planes(x, out=workspace.buffer("sc.bits", (BITS, n), np.uint8)),
                                 helper.source, workspace,
                                 out=workspace.buffer("sc.bit_shares", (2, BITS, n), np.uint8))
            delta_sent = ring.split(delta, helper.source)
        with network.round():
            bit_shares = from_helper(helper, bits_sent, holders, (BITS, n), np.uint8)
            delta_shares = from_helper(helper, delta_sent, holders, (n,), ring.dtype)
        # 3. PrivateCompare against r - 1; P2 shares its bit.
        eta_p = private_compare_planes(bit_shares, r - np.uint64(1), eta_pp, holders, helper)
        eta_p_sent = ring.split(eta_p, helper.source) if network.plays(helper) else None
        eta_p_shares = from_helper(helper, eta_p_sent, holders, (n,), ring.dtype)
        # 4. Local: theta_j = beta_j + delta_j + (eta'_j XOR eta''), minus alpha + 1 at party 0.
        eta = xor_public(ring, eta_p_shares, eta_pp, holders)
        theta = ring.add(ring.add(beta.astype(ring.dtype), delta_shares), eta)
        if rows[:1] == (0,):
            theta[0] = ring.sub(theta[0], alpha.astype(ring.dtype) + ring.dtype(1))
    return theta.reshape(out_shape)


def share_convert(shares, holders, helper):
    """Shares of a in Z_L (int64, shape ``(rows, n)``) -> shares of a in Z_{L-1} (uint64).

    Requires a != L - 1 (as a signed value: a != -1); DReLU feeds it 2x, which is even.

    1.-4. Shares theta_j of wrap(a_0, a_1) in Z_{L-1} (:func:`wrap_bit_shares`).
    5. Holder j: y_j = a_j - theta_j + its share of a common random sharing of zero, all
       mod L-1.  Then y_0 + y_1 = a_0 + a_1 - wrap(a_0, a_1) = a (mod L-1).

    Who learns what, and communication: as :func:`wrap_bit_shares`,
    **304 n bytes, 4 rounds** for 2 holders and n elements.
    """
    theta = wrap_bit_shares(shares, holders, helper, ring=Z_L_MINUS_1)
    zero = _zero_sharing_lm1(holders, shares.shape[1])
    return add_lm1(sub_lm1(reduce_lm1(shares.view(np.uint64)), theta), zero)


def _zero_sharing_lm1(holders, n):
    """A common random sharing of zero in Z_{L-1}: ``(u, -u)`` from the holders' key."""
    u = reduce_lm1(holders[0].network.randomness.common(holders).ring((n,)).view(np.uint64))
    both = np.stack([u, sub_lm1(np.zeros_like(u), u)])
    return both[list(played_rows(holders))]

