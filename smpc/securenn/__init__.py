"""SecureNN's comparison protocols on two-party additive shares, with the crypto provider as helper.

Wagh, Gupta & Chandran, "SecureNN: 3-Party Secure Computation for Neural Network
Training", PETS 2019.  The maths, checked numerically, is in PROTOCOLS.md.

One protocol per module, lowest first:

* :mod:`~smpc.securenn.field` -- Z_p (p = 67), Z_{L-1}, bit decomposition;
* :mod:`~smpc.securenn.messages` -- the three message patterns (to, from the helper; swap);
* :mod:`~smpc.securenn.workspace` -- reused buffers for the big temporaries;
* :mod:`~smpc.securenn.private_compare` -- PrivateCompare (Algorithm 3);
* :mod:`~smpc.securenn.share_convert` -- ShareConvert (Algorithm 2) and the wrap-bit shares
  the exact truncation needs;
* :mod:`~smpc.securenn.compute_msb` -- ComputeMSB (Algorithm 4);
* :mod:`~smpc.securenn.drelu` -- DReLU, ReLU, SelectShare (Algorithms 5 and 1).

Speed (issue 9): what the profile taught.  ReLU on 100x100 took 24-35 ms (72-120 ms
with BLAS threads fighting over two cores); it now takes about 10 ms, with no BLAS call.
Three lessons, in order of weight:

1. *Fresh multi-megabyte temporaries are the hidden cost.*  PrivateCompare's arrays are
   ``(2, 64, n)``: 1.3 MB of uint8 per 10,000 elements.  glibc serves blocks that size
   by ``mmap`` and gives them back on free, so each new one pays a page fault per 4 kB on
   first touch -- two thirds of the whole ReLU, which cProfile shows only as "slow NumPy
   calls" (it vanished with ``MALLOC_MMAP_THRESHOLD_`` set, which is how we found it).
   The hot path now writes into reused buffers (:mod:`~smpc.securenn.workspace`,
   ``out=`` everywhere) and the helper's messages are no longer re-stacked.
2. *Layout and NumPy's fast paths decide the rest.*  Work on bit planes ``(2, 64, n)``
   so the suffix sums are 63 in-place adds of contiguous rows (``np.cumsum`` along a
   64-long axis: 2.5 ms; the former float32 matrix product: BLAS-thread sensitive).
   Avoid ``np.where`` (4 ms on 1.3 MB of uint8), ``%`` on integers (1.2 ms; ``v - p *
   (v // p)`` is 0.1 ms, as NumPy divides by a constant with a multiply-shift), table
   lookups (``np.take`` widens every index to 8 bytes), strided views in arithmetic,
   and ``flatnonzero`` at high density (so s and z come from two 16-bit draws with
   0.1% rejection, not one draw with 5.5%).  Z_p lives in uint8, uint16 where a product
   needs room.  Beware power-of-two strides: at n = 8192 the transposition ran 4x
   slower until its source rows were padded.
3. *What is left is mostly randomness and one transposition.*  Per PrivateCompare,
   three 16-bit words per bit position (s, z, the helper's Z_p share) are about 0.75 ms
   at PCG64's 5 GB/s, and the per-row rotation, fused with the transposition to the
   message's rows of 64, about 0.7 ms.

Costs for 2 holders and n elements (online bytes, rounds): PrivateCompare 128n, 1;
ShareConvert 304n, 4; ComputeMSB 192n, 4; DReLU 496n, 8; ReLU 528n, 9; SelectShare
32n, 1.  Every function works on stacked raw shares; :mod:`smpc.comparisons` wraps them
for :class:`~smpc.shared_tensor.SharedTensor`.
"""
from .compute_msb import compute_msb
from .drelu import drelu_bits, relu_shares, select_share_shares
from .field import P, Z_L, Z_L_MINUS_1
from .private_compare import private_compare
from .share_convert import share_convert, wrap_bit_shares

__all__ = ["P", "Z_L", "Z_L_MINUS_1", "compute_msb", "drelu_bits", "private_compare",
           "relu_shares", "select_share_shares", "share_convert", "wrap_bit_shares"]
