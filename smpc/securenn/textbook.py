"""SecureNN's comparison, written the way the paper states it: one line per numbered step.

Wagh, Gupta & Chandran, "SecureNN: 3-Party Secure Computation for Neural Network
Training", PETS 2019: PrivateCompare (Algorithm 3), ShareConvert (Algorithm 2),
ComputeMSB (Algorithm 4), DReLU (Algorithm 5, on the doubled input).  The maths, the
valid range and the costs are in ``docs/PROTOCOLS.md`` and in the docstrings of the fast
modules beside this one.

This module is for reading.  It computes exactly what :func:`smpc.securenn.private_compare`,
:func:`~smpc.securenn.share_convert`, :func:`~smpc.securenn.compute_msb` and
:func:`~smpc.securenn.drelu_bits` compute, and sends the same messages, but in plain
NumPy: int64 arithmetic followed by ``% P`` in Z_p, bits as an ``(n, 64)`` array of 0/1
(least significant bit first), one row per compared value, and no buffers kept between
calls.  It is about ten times slower (DReLU on 10,000 values: 0.67 s against 0.06 s, best of
five on a busy 2-core machine); the framework runs the fast modules.

**The same randomness.**  Every random draw here is the fast path's draw, from the same
stream (the holders' common coins ``network.randomness.common(holders)``, the helper's
own generator ``helper.source``), in the same order and with the same function (the
helpers of :mod:`smpc.securenn.field`), so that with the same seed both paths give the
same shares bit for bit (``tests/test_securenn_textbook.py`` checks it).  Two draws
follow the fast path's layout, and are transposed here: the helper's Z_p shares of the
64 bits and PrivateCompare's multipliers ``s`` and masks ``z`` are drawn bit-major,
shape ``(64, n)``, and ``s``, ``z`` in blocks of ``BLOCK`` values.  The section
"Randomness" below is the only place that knows this.

**The simulation only.**  For the clarity of one line per step, this version holds both
holders' shares at once (``shares[0]``, ``shares[1]``), as the simulation does; the fast
modules are the ones written for any process (one holder's row, or none), and they are
what runs when the parties are separate processes.

Conventions: holder j is alice for j = 0 and bob for j = 1; ``L = 2^64``.  In Z_L the
public constants are added by party 0 (as everywhere in the framework); inside
PrivateCompare the paper's formulas add them at party 1 (``j`` multiplies them).
"""
import numpy as np

from ..beaver import beaver_product
from ..sharing import fresh_zero_shares, split
from ..workspace import BLOCK
from .field import P, random_lm1, random_multiplier_and_mask, random_zp, split_lm1
from .messages import exchange, from_helper, to_helper

BITS = 64
ALL_ONES = np.uint64(2**64 - 1)       # L - 1, the same element as 0 in Z_{L-1}


# -- small arithmetic: bits, Z_{L-1}, wrap bits ---------------------------------------------
def bits_of(values):
    """The 64 bits of uint64 ``values`` (shape ``(n,)``), least significant first: int64 ``(n, 64)``."""
    values = np.asarray(values, dtype=np.uint64)
    positions = np.arange(BITS, dtype=np.uint64)
    return ((values[:, None] >> positions) & np.uint64(1)).astype(np.int64)


def wraps(a, b):
    """1 where ``a + b`` of two uint64 words passes 2^64 (as integers, a + b >= L)."""
    return ((a + b) < a).astype(np.int64)


def lm1(values):
    """uint64 words as elements of Z_{L-1} in [0, L-2]: the word L-1 is 0 there."""
    return np.where(values == ALL_ONES, np.uint64(0), values)


def add_lm1(a, b):
    """``a + b mod (L-1)``.  The uint64 sum loses 2^64 when it wraps, and 2^64 = 1 mod L-1."""
    return lm1(a + b + wraps(a, b).astype(np.uint64))


def sub_lm1(a, b):
    """``a - b mod (L-1)``: add ``-b``, which is ``L-1-b``, the bitwise complement of b."""
    return add_lm1(a, lm1(~b))


def share_public_bit_flip(shares, bit, add, neg, one):
    """Shares of ``u XOR b`` from shares of a bit u and a public bit b: ``u + b - 2bu``.

    Where b = 0 that is u; where b = 1 it is 1 - u: both holders negate, party 0 adds 1.
    """
    flipped = np.where(bit.astype(bool), neg(shares), shares)
    flipped[0] = add(flipped[0], np.where(bit.astype(bool), one, 0 * one))
    return flipped


# -- randomness, drawn as the fast path draws it -------------------------------------------
def draw_rotations(common, n):
    """PrivateCompare's common random rotation of each row: n integers in [0, 64)."""
    return common.integers(0, BITS, n)


def draw_multipliers_and_masks(common, n):
    """PrivateCompare's common s in {1..p-1} and z in Z_p, int64 ``(n, 64)``.

    Drawn bit-major, ``(64, n)``, in blocks of ``BLOCK`` values, as the fast path
    draws them; transposed here to one row per value.
    """
    s, z = np.empty((n, BITS), np.int64), np.empty((n, BITS), np.int64)
    for start in range(0, n, BLOCK):
        block = slice(start, min(start + BLOCK, n))
        s_block, z_block = random_multiplier_and_mask((BITS, block.stop - block.start), common)
        s[block], z[block] = s_block.T, z_block.T     # copies: the draws are reused buffers
    return s, z


def helper_shares_bits_in_zp(x, source):
    """P2's shares in Z_p of the bits of uint64 ``x``: uint8 ``(2, n, 64)``, (u, bit - u).

    ``u`` is drawn by P2 (``source``) bit-major, ``(64, n)``, as the fast path draws it.
    """
    u = random_zp((BITS, x.shape[0]), source).T.astype(np.int64)
    return np.stack([u, (bits_of(x) - u) % P]).astype(np.uint8)


# -- PrivateCompare (Algorithm 3) ----------------------------------------------------------
def private_compare(bit_shares, r, beta, holders, helper):
    """P2 learns ``beta XOR (x > r)`` for each value; nobody learns more.

    ``bit_shares``: ``(2, n, 64)``, holder j's Z_p shares of the bits of x, least
    significant first.  ``r``: uint64 ``(n,)``, public to the holders.  ``beta``: 0/1
    ``(n,)``, a bit the holders draw in common and P2 never sees.  Returns P2's bits.
    """
    r = np.asarray(r, dtype=np.uint64)
    beta = np.asarray(beta).astype(np.int64)
    n = r.shape[0]
    common = helper.network.randomness.common(holders)   # coins of alice and bob, not of P2
    rotation = draw_rotations(common, n)
    s, z = draw_multipliers_and_masks(common, n)
    # 1. Compare x with t = r + beta; its bits are public.  sigma = +1 or -1.
    t = r + beta.astype(np.uint64)
    t_bits = bits_of(t)
    sigma = 1 - 2 * beta[:, None]
    # r = L-1 with beta = 1 asks "x <= L-1", always true: a fixed answer, below.
    always_true = (beta == 1) & (r == ALL_ONES)
    messages = []
    for j in (0, 1):
        x_j = bit_shares[j].astype(np.int64)
        # 2. w_i = x_i XOR t_i, linear in x_i since t_i is public.
        w = (x_j + j * t_bits - 2 * t_bits * x_j) % P
        # 3. c_i = sigma (t_i - x_i) + 1 + sum_{k > i} w_k  (constants at party 1).
        sum_above = np.cumsum(w[:, ::-1], axis=1)[:, ::-1] - w
        c = (sigma * (j * t_bits - x_j) + j + sum_above) % P
        # 3'. The fixed answer: a sum with exactly one zero (0, 1, 1, ..., 1).
        c[always_true] = 0
        if j == 0:
            c[always_true, 1:] = 1
        # 4. Mask: d_i = s_i c_i + (-1)^j z_i; s hides every non-zero c_i, z the pair.
        d = (s * c + (1 - 2 * j) * z) % P
        # 5. Rotate each row by the common random amount.
        rows = np.arange(BITS)[None, :] + rotation[:, None]
        messages.append(np.take_along_axis(d, rows % BITS, axis=1).astype(np.uint8))
    # 6. Both holders send their rows to P2, which adds them and looks for a zero.
    with helper.network.protocol("private_compare"):
        received = to_helper(np.stack(messages), holders, helper)
    total = (received[0].astype(np.int64) + received[1]) % P
    return (total == 0).any(axis=1)


# -- ShareConvert (Algorithm 2) ------------------------------------------------------------
def share_convert(shares, holders, helper):
    """Shares of a in Z_L (int64 ``(2, n)``) become shares of a in Z_{L-1} (uint64).

    Requires a != L - 1 (as a signed value, a != -1).  Uses
    ``a = a_0 + a_1 - wrap(a_0, a_1)  (mod L-1)``, because L = 1 mod L-1.
    """
    network = helper.network
    common = network.randomness.common(holders)
    a = shares.view(np.uint64)
    n = a.shape[1]
    with network.protocol("share_convert"):
        # 1. Common randomness: r != 0 with shares r_0, r_1, their wrap alpha, a coin eta''.
        r_shares = common.ring((2, n)).view(np.uint64)
        r = r_shares[0] + r_shares[1]
        r_shares[1, r == 0] += np.uint64(1)           # r = 0 breaks step 4 (odds 2^-64)
        r = r_shares[0] + r_shares[1]
        alpha = wraps(r_shares[0], r_shares[1])
        eta_pp = common.bits(n)
        # 2. Holder j sends P2 its masked share a_j + r_j and keeps beta_j = wrap(a_j, r_j).
        received = to_helper(np.stack([a[0] + r_shares[0], a[1] + r_shares[1]]), holders, helper)
        beta = np.stack([wraps(a[0], r_shares[0]), wraps(a[1], r_shares[1])])
        # 3. P2: x = a + r, its wrap delta; it shares the bits of x in Z_p and delta in Z_{L-1}.
        x = received[0] + received[1]
        delta = wraps(received[0], received[1])
        x_bit_shares = helper_shares_bits_in_zp(x, helper.source)
        delta_shares = split_lm1(delta.astype(np.uint64), helper.source)
        with network.round():
            from_helper(helper, x_bit_shares, holders, (n, BITS), np.uint8)
            from_helper(helper, delta_shares, holders, (n,), np.uint64)
        # 4. PrivateCompare(x, r - 1, eta''): P2 learns eta' = eta'' XOR (x > r - 1).
        eta_p = private_compare(x_bit_shares, r - np.uint64(1), eta_pp, holders, helper)
        eta_p_shares = from_helper(helper, split_lm1(eta_p.astype(np.uint64), helper.source),
                                   holders, (n,), np.uint64)
        # 5. Shares of eta = eta' XOR eta'' = (x >= r), i.e. "adding r to a did not wrap".
        eta = share_public_bit_flip(eta_p_shares, eta_pp, add_lm1, lambda v: lm1(~v),
                                    np.uint64(1))
        # 6. theta = beta_0 + beta_1 + delta + eta - alpha - 1 = wrap(a_0, a_1), as shares.
        theta = np.stack([add_lm1(add_lm1(beta[j].astype(np.uint64), delta_shares[j]), eta[j])
                          for j in (0, 1)])
        theta[0] = sub_lm1(theta[0], alpha.astype(np.uint64) + np.uint64(1))
    # 7. y_j = a_j - theta_j (mod L-1), re-randomised with a common sharing of zero (u, -u).
    u = lm1(common.ring((n,)).view(np.uint64))
    zero = np.stack([u, sub_lm1(np.zeros_like(u), u)])
    return np.stack([add_lm1(sub_lm1(lm1(a[j]), theta[j]), zero[j]) for j in (0, 1)])


# -- ComputeMSB (Algorithm 4) --------------------------------------------------------------
def compute_msb(shares, holders, helper):
    """Shares in Z_L (int64 0/1) of MSB(a), for shares of a in Z_{L-1} (uint64 ``(2, n)``).

    Uses MSB(a) = LSB(2a mod L-1) (L - 1 is odd) and, for y = 2a and r = y + x mod L-1,
    LSB(y) = LSB(x) XOR LSB(r) XOR (x > r).
    """
    network = helper.network
    n = shares.shape[1]
    with network.protocol("compute_msb"):
        # 1. (offline) P2 draws x in Z_{L-1}; it deals shares of x, of its bits, of LSB(x).
        own = helper.source                          # P2's own generator
        x = random_lm1((n,), own)
        x_split = split_lm1(x, own)
        x_bits = helper_shares_bits_in_zp(x, own)
        x0_split = split((x & np.uint64(1)).astype(np.int64), 2, own)
        with network.round():
            x_shares = from_helper(helper, x_split, holders, (n,), np.uint64, phase="offline")
            x_bit_shares = from_helper(helper, x_bits, holders, (n, BITS), np.uint8,
                                       phase="offline")
            x0_shares = from_helper(helper, x0_split, holders, (n,), np.int64, phase="offline")
        beta = network.randomness.common(holders).bits(n)   # the holders' common coin
        # 2. Holder j: y_j = 2 a_j, r_j = y_j + x_j (mod L-1); they open r = 2a + x.
        r_shares = np.stack([add_lm1(add_lm1(shares[j], shares[j]), x_shares[j]) for j in (0, 1)])
        r_pieces = exchange(r_shares, holders)
        r = add_lm1(r_pieces[0], r_pieces[1])
        # 3. PrivateCompare(x, r, beta): P2 learns beta' = beta XOR (x > r); shares it in Z_L.
        beta_p = private_compare(x_bit_shares, r, beta, holders, helper)
        beta_p_shares = from_helper(helper, split(beta_p.astype(np.int64), 2, helper.source),
                                    holders, (n,), np.int64)
        # 4. gamma = beta' XOR beta = (x > r); delta = LSB(x) XOR LSB(r).  Both public flips.
        gamma = share_public_bit_flip(beta_p_shares, beta, np.add, np.negative, 1)
        delta = share_public_bit_flip(x0_shares, r & np.uint64(1), np.add, np.negative, 1)
        # 5. MSB = gamma XOR delta = gamma + delta - 2 gamma delta: one Beaver product.
        theta = beaver_product(gamma, delta, holders, helper)
        return gamma + delta - 2 * theta + fresh_zero_shares(holders, (n,))


# -- DReLU (Algorithm 5) -------------------------------------------------------------------
def drelu_bits(shares, holders, helper):
    """Shares in Z_L of DReLU(a) = 1 if a >= 0 else 0, valid for -2^62 <= a < 2^62.

    1. Double: 2a keeps a's sign in that range, and is even, so never L - 1.
    2. ShareConvert(2a) to Z_{L-1}.  3. ComputeMSB.  4. DReLU = 1 - MSB (party 0 adds 1).
    """
    shape = shares.shape[1:]
    flat = shares.reshape(2, -1)
    with helper.network.protocol("drelu"):
        msb = compute_msb(share_convert(2 * flat, holders, helper), holders, helper)
    bit = -msb
    bit[0] += 1
    return bit.reshape((2,) + shape)
