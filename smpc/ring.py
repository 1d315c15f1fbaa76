"""The ring Z_{2^64} on int64 NumPy arrays.

NumPy's int64 ``+``, ``-`` and ``*`` wrap modulo 2^64, which is exactly the ring
arithmetic additive secret sharing needs, so most of this module is a handful of
helpers around that fact:

* ``random_ring`` and friends live in :mod:`smpc.randomness`;
* :func:`wrap` tells whether an unsigned addition overflowed (SecureNN needs it);
* :func:`matmul` multiplies matrices mod 2^64 *exactly*, but through float64 BLAS.

Why the float path.  NumPy has no BLAS kernel for int64 matrix products, so an
int64 ``@`` runs a plain loop about 20x slower than float64.  We split every
64-bit entry into three signed 22-bit limbs, ``x = x0 + x1*2^22 + x2*2^44``
(mod 2^64), multiply limb matrices in float64 and recombine.  Each limb is at
most 2^21 in size, so each product is below 2^42 and a sum of ``k`` of them
stays below 2^53 (float64's exact-integer range) while ``k < 2^11``.  For larger
``k`` the limbs get narrower.  Terms whose shift is 64 or more vanish mod 2^64,
so three limbs need only six limb products.
"""
import numpy as np

RING_BITS = 64
# Largest inner dimension for which the float path stays exact at a limb width.
_FLOAT_EXACT_BITS = 53
# Below this many multiply-adds per matrix the int64 loop is faster than the float path
# (measured: 64x64 @ 64x64 is faster in int64, 64x128 @ 128x64 in float limbs).
_FLOAT_MATMUL_MIN_WORK = 300_000


def as_unsigned(x):
    """Reinterpret int64 ring elements as uint64 (no copy)."""
    return np.asarray(x).view(np.uint64)


def as_signed(x):
    """Reinterpret uint64 ring elements as int64 (no copy)."""
    return np.asarray(x).view(np.int64)


def wrap(a, b):
    """1 where ``a + b`` overflows 2^64 as unsigned integers, else 0 (int64 array).

    This is SecureNN's ``wrap(a, b)``: the sum of two shares equals the secret
    plus ``wrap * 2^64``.
    """
    ua, ub = as_unsigned(np.ascontiguousarray(a)), as_unsigned(np.ascontiguousarray(b))
    return ((ua + ub) < ua).astype(np.int64)


def limb_width(inner_dim):
    """Bits per signed limb so that ``inner_dim`` limb products sum exactly in float64."""
    # |limb| <= 2^(w-1), so a product is <= 2^(2w-2); k of them must stay <= 2^53.
    k_bits = int(np.ceil(np.log2(max(inner_dim, 2))))
    return (_FLOAT_EXACT_BITS - k_bits + 2) // 2


def split_limbs(x, width, out=None):
    """Split int64 ``x`` into signed limbs of ``width`` bits, lowest first, as float64.

    ``sum(limb_i * 2^(width*i)) == x (mod 2^64)``; every limb lies in
    ``[-2^(width-1), 2^(width-1))``.  Returns an array of shape ``(count,) + x.shape``
    (or fills ``out``, a float64 array or view of that shape).

    Balanced digits halve the size of every product.  They come from plain ones:
    with ``H = sum_i 2^(width-1) * 2^(width*i)``, the plain base-2^width digits of
    ``x + H`` (as an unsigned number), each minus ``2^(width-1)``, sum to ``x`` mod 2^64.
    """
    count = -(-RING_BITS // width)
    half = 1 << (width - 1)
    offset = sum(half << (width * i) for i in range(count)) % (1 << RING_BITS)
    shifted = as_unsigned(np.asarray(x, dtype=np.int64)) + np.uint64(offset)
    if out is None:
        out = np.empty((count,) + shifted.shape)
    digit = np.empty_like(shifted)
    for i in range(count):
        np.right_shift(shifted, np.uint64(width * i), out=digit)
        digit &= np.uint64((1 << width) - 1)
        out[i] = as_signed(digit)  # the digit is below 2^width: int64 converts faster
        out[i] -= half
    return out


def matmul_float_limbs(a, b):
    """Exact ``a @ b mod 2^64`` computed with float64 BLAS on split limbs."""
    width = limb_width(a.shape[-1])
    count = -(-RING_BITS // width)
    rows = a.shape[-2]
    # The a-limbs stacked row-block by row-block, (..., count * rows, k), so that one
    # BLAS call per b-limb meets all the a-limbs it needs: a leading block of rows.
    a_limbs = np.empty(a.shape[:-2] + (count,) + a.shape[-2:])
    split_limbs(a, width, out=np.moveaxis(a_limbs, -3, 0))
    a_limbs = a_limbs.reshape(a.shape[:-2] + (count * rows, a.shape[-1]))
    b_limbs = split_limbs(b, width)
    total = None
    for j in range(count):
        # Products a_i @ b_j with width*(i+j) >= 64 vanish mod 2^64.
        used = [i for i in range(count) if width * (i + j) < RING_BITS]
        product = np.matmul(a_limbs[..., :len(used) * rows, :], b_limbs[j])
        for i in used:
            part = as_unsigned(product[..., i * rows:(i + 1) * rows, :].astype(np.int64))
            part <<= np.uint64(width * (i + j))
            total = part if total is None else total + part
    return as_signed(total)


def matmul(a, b):
    """Matrix product in Z_{2^64} with NumPy's broadcasting rules for batch dimensions.

    Uses the float-limb path when it is exact and worth it, else int64 ``@``.
    Both give bit-identical results (tested on random full-range inputs).
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.ndim < 2 or b.ndim < 2:
        return np.matmul(a, b)
    work = a.shape[-2] * a.shape[-1] * b.shape[-1]
    if work < _FLOAT_MATMUL_MIN_WORK or limb_width(a.shape[-1]) < 8:
        return np.matmul(a, b)
    return matmul_float_limbs(a, b)


def matmul_with_small(a, b, small="b"):
    """``a @ b mod 2^64`` when one operand (``small``: "a" or "b") has small entries.

    A public fixed-point matrix, such as a model's weights in the public-model mode,
    has entries far below 2^64 (a weight of 0.1 encodes to about 2^12.7).  Then only
    the full-range operand needs splitting, into limbs as wide as exactness allows:
    ``k * 2^(w-1) * max|small| <= 2^53`` -- for a 784-long product of weights below
    2^15, three 29-bit limbs, so three limb products instead of six, in one BLAS call.
    Falls back to :func:`matmul` when the small operand is not small enough to gain.
    """
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    if a.ndim < 2 or b.ndim < 2:
        return np.matmul(a, b)
    small_values = a if small == "a" else b
    inner = a.shape[-1]
    bound_bits = int(np.abs(small_values).max(initial=0)).bit_length()
    k_bits = int(np.ceil(np.log2(max(inner, 2))))
    width = _FLOAT_EXACT_BITS + 1 - k_bits - bound_bits
    count = -(-RING_BITS // max(width, 1))
    work = a.shape[-2] * inner * b.shape[-1]
    if work < _FLOAT_MATMUL_MIN_WORK or width < 11 or count >= 6:
        return matmul(a, b)
    if small == "b":
        limbs = split_limbs(a, width)                 # (count, ..., m, k)
        products = np.matmul(limbs, b.astype(np.float64))
    else:
        limbs = split_limbs(b, width)                 # (count, ..., k, p)
        products = np.matmul(a.astype(np.float64), limbs)
    total = as_unsigned(products[0].astype(np.int64))
    for i in range(1, count):
        part = as_unsigned(products[i].astype(np.int64))
        part <<= np.uint64(width * i)
        total = total + part
    return as_signed(total)
