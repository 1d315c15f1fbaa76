"""PrivateCompare: the helper learns whether a shared number exceeds a public one, masked.

Wagh, Gupta & Chandran, "SecureNN: 3-Party Secure Computation for Neural Network
Training", PETS 2019, Algorithm 3.
"""
import numpy as np

from ..randomness import default_source
from .field import BITS, P, bit_decompose, random_nonzero_zp, random_zp
from .messages import to_helper

# S_i = sum over k > i of w_k, for all i at once, is ``w @ _ABOVE``: one BLAS call on
# float32 (exact: every sum is an integer far below 2^24), faster than a cumulative sum.
_ABOVE = np.tril(np.ones((BITS, BITS), dtype=np.float32), -1)
_BLOCK = 4096  # rows per block of local work: keeps the float32 temporaries in cache
_P32, _INV_P32, _HALF = np.float32(P), np.float32(1.0 / P), np.float32(0.5)


def _mod_p(values):
    """``values mod p`` in place, for float32 integers below 2^23 in size.

    floor((v + 1/2) / p) is the quotient: (v + 1/2) / p stays at least 1/(2p) away from an
    integer, far more than float32's rounding error at these sizes.
    """
    quotient = values + _HALF
    quotient *= _INV_P32
    np.floor(quotient, out=quotient)
    quotient *= _P32
    values -= quotient
    return values


def _rotate_rows(stacked, shifts):
    """Rotate every row of ``stacked`` (shape ``(2, n, 64)``) left by its own shift.

    A uniformly random rotation per row is our "random permutation": the entries other
    than the (at most one) zero are independent and uniform on Z_p^* whatever the input,
    so only the zero's position carries information, and a uniform rotation makes that
    position uniform: the helper's view is exactly as with a uniform permutation, for one
    gather instead of a sort per row.
    """
    row_starts = np.arange(0, shifts.size * BITS, BITS, dtype=np.intp)[:, None]
    columns = (np.arange(BITS, dtype=np.intp) + shifts[:, None]) & (BITS - 1)
    flat = (columns + row_starts).ravel()
    return np.take(stacked.reshape(2, -1), flat, axis=1).reshape(stacked.shape)


def _masked_terms(bit_shares, r, beta):
    """Steps 1-3 of :func:`private_compare` for both holders: the masked d_i, as uint8."""
    n = r.shape[0]
    # 1. The public number q and its bits, and the sign sigma, per row.
    q = r + beta.astype(np.uint64)
    q_bits = bit_decompose(q).astype(np.float32)                   # (n, 64)
    sigma = np.where(beta, np.float32(-1), np.float32(1))[:, None]  # (n, 1)
    x = bit_shares.astype(np.float32)                              # (2, n, 64)
    w = x * (1 - 2 * q_bits)
    w[1] += q_bits
    # 2. c_i = sigma * (j q_i - x_i) + j + (sum over k > i of w_k).
    c = (w.reshape(-1, BITS) @ _ABOVE).reshape(w.shape)
    x *= sigma
    c -= x
    q_bits *= sigma
    q_bits += 1
    c[1] += q_bits
    special = beta & (r == np.uint64(2**64 - 1))
    if special.any():  # x <= 2^64 - 1 always: shares of a vector with one zero
        c[0, special] = np.float32(1)
        c[0, special, 0] = np.float32(0)
        c[1, special] = np.float32(0)
    # 3. Mask: d = s * c + (-1)^j z  (mod p).
    c *= random_nonzero_zp((n, BITS))
    z = random_zp((n, BITS))
    c[0] += z
    c[1] -= z
    return _mod_p(c).astype(np.uint8)


def private_compare(bit_shares, r, beta, holders, helper):
    """The helper P2 learns ``beta XOR (x > r)``, elementwise; nobody learns more.

    Inputs: ``bit_shares`` (shape ``(2, n, 64)``, uint8): holder j's shares in Z_p of the
    64 bits of x, least significant first; ``r`` (uint64, shape ``(n,)``) known to both
    holders; ``beta`` (0/1, shape ``(n,)``), a random bit the holders share in common.
    Output: ``beta XOR (x > r)`` as a bool array, **known to the helper only** (the
    caller has the helper share it).  All arithmetic below is in Z_p; public terms
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
    n = r.shape[0]
    beta = np.asarray(beta).astype(bool)
    # Steps 1-3 are local to each holder: done in blocks of rows that fit in the cache.
    d = np.empty((2, n, BITS), dtype=np.uint8)
    for start in range(0, n, _BLOCK):
        rows = slice(start, start + _BLOCK)
        d[:, rows] = _masked_terms(bit_shares[:, rows], r[rows], beta[rows])
    # 4. A common random rotation of each row, then to the helper.
    d = _rotate_rows(d, default_source.integers(0, BITS, n))
    with helper.network.protocol("private_compare"):
        received = to_helper(d, holders, helper)
    # 5. The helper: a zero entry of d^0 + d^1 (each below p, so the sum fits in uint8).
    total = received[0] + received[1]
    return ((total == 0) | (total == P)).any(axis=-1)
