"""SecureNN's comparison protocols on two-party additive shares, with the crypto provider as helper.

Wagh, Gupta & Chandran, "SecureNN: 3-Party Secure Computation for Neural Network
Training", PETS 2019.  The maths, ranges and costs are in ``docs/PROTOCOLS.md`` (section 6);
what the profile taught about making them fast is in ``docs/PERFORMANCE.md``.

One protocol per module, lowest first:

* :mod:`~smpc.securenn.field` -- Z_p (p = 67), Z_{L-1}, bit decomposition;
* :mod:`~smpc.securenn.messages` -- the three message patterns (to, from the helper; swap);
* :mod:`~smpc.securenn.workspace` -- reused buffers for the big temporaries;
* :mod:`~smpc.securenn.private_compare` -- PrivateCompare (Algorithm 3);
* :mod:`~smpc.securenn.share_convert` -- ShareConvert (Algorithm 2) and the wrap-bit shares
  the exact truncation needs;
* :mod:`~smpc.securenn.compute_msb` -- ComputeMSB (Algorithm 4);
* :mod:`~smpc.securenn.drelu` -- DReLU, ReLU, SelectShare (Algorithms 5 and 1);
* :mod:`~smpc.securenn.textbook` -- PrivateCompare, ShareConvert, ComputeMSB and DReLU
  again, written one line per step of the paper for reading (no buffers, no uint8
  tricks), tested to give the same shares as the modules above on the same seed.

On a first reading, read ``textbook.py`` and skip ``field.py``'s random draws and
``workspace.py``: the fast modules compute the same thing with reused buffers and
bit-plane layouts for speed.

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
