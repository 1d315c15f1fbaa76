"""PrivateCompare: the helper learns whether a shared number exceeds a public one, masked.

Wagh, Gupta & Chandran, "SecureNN: 3-Party Secure Computation for Neural Network
Training", PETS 2019, Algorithm 3.

The steps are in :func:`private_compare`; ``textbook.py`` writes the same protocol one line
per step.  This module computes it fast: on bit planes ``(2, 64, n)`` (row i holds bit i of
every element, so the suffix sums are adds of contiguous rows), Z_p in uint8/uint16, the
transposition back to rows fused with the per-row rotation, and the big temporaries in
:mod:`~smpc.securenn.workspace` buffers.  Why each of these, with the measurements, is in
``docs/PERFORMANCE.md``.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..rows import per_holder, row_holders
from ..workspace import BLOCK
from .field import BITS, P, bit_planes, mod_p, random_multiplier_and_mask
from .messages import to_helper

_SIGMA = np.array([1, 255], dtype=np.uint8)                         # +1, -1 as uint8 factors
_SPECIAL = np.uint64(2**64 - 1)


def _rotate_rows(planes, shifts, out, workspace):
    """Rows of ``out`` (shape ``(2, n, 64)``): row e of holder j is its column e of
    ``planes`` (shape ``(2, 64, n)``, values below 256), rotated left by ``shifts[e]``.

    A uniformly random rotation per row is our "random permutation": the entries other
    than the (at most one) zero are independent and uniform on Z_p^* whatever the input,
    so only the zero's position carries information, and a uniform rotation makes that
    position uniform: the helper's view is exactly as with a uniform permutation.  Cost:
    one transposing copy into rows of 128 (each row twice), then one 64-byte block per
    row picked from its sliding windows -- no sort, no per-byte index, no ``np.take``
    on an overlapping view (it would first copy the whole view: 20 ms).
    """
    n = shifts.shape[0]
    count = planes.shape[0]   # the holders' rows played here
    # Rows of ``narrow`` padded to an odd number of 64-byte lines: with n = 8192 the
    # transposition read 64 rows 8 kB apart, which share cache sets (4x slower).
    padded = (-(-n // 64) | 1) * 64                              # >= n, odd lines of 64 B
    narrow = workspace.buffer("pc.narrow", (count, BITS, padded), np.uint8)[:, :, :n]
    np.copyto(narrow, planes, casting="unsafe")                # uint16 -> uint8 first: then
    doubled = workspace.buffer("pc.doubled", (count, n, 2 * BITS), np.uint8)
    np.copyto(doubled[:, :, :BITS], narrow.transpose(0, 2, 1))  # the transposition moves bytes
    words = doubled.view(np.uint64)                             # the second copy, 8 bytes a step
    np.copyto(words[:, :, BITS // 8:], words[:, :, :BITS // 8])
    windows = sliding_window_view(doubled, BITS, axis=-1)      # (rows, n, 65, 64), a view
    rows = np.arange(n)
    for j in range(count):   # per holder: half the temporary of one fancy index over both
        out[j] = windows[j, rows, shifts]
    return out


def _masked_planes(x, r, beta, holders, common, workspace):
    """Steps 1-3 of :func:`private_compare` for the holders played here, on bit planes.

    ``x``: uint8 ``(rows, 64, n)``, the holders' Z_p shares of the bits of x; ``common``
    the holders' common coins.  The result (d in uint16) is a reused buffer, valid until
    the next call.
    """
    n = r.shape[0]
    count = x.shape[0]
    buffer = workspace.buffer
    j_of_row = row_holders(holders)
    p_plus_j = per_holder(holders, [P, P + 1], 2, np.uint8)             # p + j, per holder j
    # 1. q = r + beta and its bits; w_j = x_j XOR q = x_j + q (p + j - 2 x_j), exact in
    #    uint8 (the true value lies in [0, p + 1]; intermediate wraps mod 256 cancel).
    q_bits = bit_planes(r + beta.astype(np.uint64), out=buffer("pc.q", (BITS, n), np.uint8))
    w = np.add(x, x, out=buffer("pc.w", (count, BITS, n), np.uint8))
    np.subtract(p_plus_j, w, out=w)
    w *= q_bits
    w += x
    # 2. e_j = p + j + sigma (j q - x_j), in [1, 2p + 1]; c_j = e_j + sum_{k > i} w_k.
    e = np.negative(x, out=buffer("pc.e", (count, BITS, n), np.uint8))
    for row, j in enumerate(j_of_row):
        if j == 1:                                            # party 1 adds the public q
            e[row] += q_bits
    e *= _SIGMA[beta.view(np.uint8)]
    e += p_plus_j
    # Suffix sums in place: after the loop, above[:, i] = sum over k >= i of w_k.
    above = buffer("pc.above", (count, BITS, n), np.uint16)
    np.copyto(above, w)
    for i in range(BITS - 2, -1, -1):
        above[:, i] += above[:, i + 1]
    c = buffer("pc.c", (count, BITS, n), np.uint16)
    np.add(e[:, :BITS - 1], above[:, 1:], out=c[:, :BITS - 1])
    np.copyto(c[:, BITS - 1], e[:, BITS - 1])
    special = beta & (r == _SPECIAL)
    if special.any():  # x <= 2^64 - 1 always: shares of a vector with one zero
        for row, j in enumerate(j_of_row):
            c[row][:, special] = 1 if j == 0 else 0
            if j == 0:
                c[row][0, special] = 0
    mod_p(c, workspace)                                       # c < 64 (p + 1) + 2p + 2
    # 3. Mask: d = s c + (-1)^j z (mod p), with s, z common to the holders.
    s, z = random_multiplier_and_mask((BITS, n), common, workspace)
    c *= s                                                    # < (p - 1)^2 + p: no overflow
    minus_z = np.uint16(P) - z                                # p - z, in [1, p]
    for row, j in enumerate(j_of_row):
        c[row] += z if j == 0 else minus_z
    return mod_p(c, workspace)


def private_compare(bit_shares, r, beta, holders, helper):
    """The helper P2 learns ``beta XOR (x > r)``, elementwise; nobody learns more.

    Inputs: ``bit_shares`` (shape ``(2, n, 64)``, uint8): holder j's shares in Z_p of the
    64 bits of x, least significant first; ``r`` (uint64, shape ``(n,)``) known to both
    holders; ``beta`` (0/1, shape ``(n,)``), a random bit the holders share in common.
    Output: ``beta XOR (x > r)`` as a bool array, **known to the helper only**: returned in
    the helper's process, None elsewhere (the caller has the helper share it).  All arithmetic below is in Z_p; public terms
    inside Z_p are added by party 1 (``j`` is 0 for party 0, 1 for party 1).

    1. Let q = r where beta = 0 and q = r + 1 where beta = 1 (mod 2^64).  Holder j forms
       w_i = x_i XOR q_i = x_i + j*q_i - 2*q_i*x_i for every bit position i.
    2. It forms c_i = sigma*(j*q_i - x_i) + j + sum over k > i of w_k, with sigma = +1
       for beta = 0 and -1 for beta = 1.  Summed over the holders, c_i = 0 for exactly
       one i if x > r (beta = 0), resp. x < r + 1 (beta = 1), and for no i otherwise:
       position i is the highest bit where x and q differ, and the sums stay below p.
       Where beta = 1 and r = 2^64 - 1 (then x <= r always, the answer is 1) the
       holders use instead the pattern (0, 1, 1, ..., 1) for party 0 and 0 for party 1.
    3. Each holder masks: d_i = s_i * c_i + (-1)^j z_i, with common random s_i in Z_p^*
       and z_i in Z_p.  s_i turns every non-zero c_i into a uniform non-zero value; z_i
       re-randomises the two shares, so the pair (d^0, d^1) says nothing beyond their sum
       (P2 dealt the bit shares, so without z the ratio d^0_i / d^1_i would leak).
    4. Each holder rotates every row by a common random amount (see :func:`_rotate_rows`)
       and sends it to P2.
    5. P2 adds the two messages and outputs 1 for a row with a zero entry.

    Who learns what: the holders nothing (they only send); P2 the bit beta XOR (x > r),
    a fair coin to it, because beta is a uniform bit it never sees.

    Communication (2 holders, n elements): each holder sends 64 Z_p elements as uint8
    per element: **128 n bytes, 1 round**.
    """
    planes = np.ascontiguousarray(np.asarray(bit_shares, dtype=np.uint8).transpose(0, 2, 1))
    return private_compare_planes(planes, r, beta, holders, helper)


def private_compare_planes(planes, r, beta, holders, helper):
    """:func:`private_compare` on bit-plane shares, uint8 shape ``(2, 64, n)``.

    The same protocol and the same messages (rows of 64, shape ``(2, n, 64)``); ShareConvert
    and ComputeMSB have the helper deal the bits in this layout, which saves a transposition.
    Steps 1-4 run in blocks of at most ``BLOCK`` elements.
    """
    network = helper.network
    workspace = network.workspace
    common = network.randomness.common(holders)
    r = np.asarray(r, dtype=np.uint64)
    beta = np.asarray(beta).astype(bool)
    n = r.shape[0]
    count = planes.shape[0]
    message = workspace.buffer("pc.message", (count, n, BITS), np.uint8)
    shifts = common.integers(0, BITS, n)                    # the common rotations
    for start in range(0, n, BLOCK):
        block = slice(start, start + BLOCK)
        d = _masked_planes(planes[:, :, block], r[block], beta[block], holders, common, workspace)
        _rotate_rows(d, shifts[block], message[:, block], workspace)
    with network.protocol("private_compare"):
        received = to_helper(message, holders, helper)
    if not network.plays(helper):
        return None
    # 5. The helper: a zero entry of d^0 + d^1 (each below p, so the sum fits in uint8).
    total = np.add(received[0], received[1],
                   out=workspace.buffer("pc.total", (n, BITS), np.uint8))
    smaller = np.subtract(total, np.uint8(P), out=workspace.buffer("pc.total_minus_p",
                                                                   (n, BITS), np.uint8))
    np.minimum(total, smaller, out=total)                   # the sum mod p
    zero = np.equal(total, 0, out=workspace.buffer("pc.zero", (n, BITS), bool))
    return zero.view(np.uint64).any(axis=-1)                # 8 words of 8 flags per row
