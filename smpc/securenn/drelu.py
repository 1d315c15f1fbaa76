"""DReLU, ReLU and SelectShare on raw shares: the sign bit that every comparison rests on.

Wagh, Gupta & Chandran, "SecureNN", PETS 2019: DReLU is Algorithm 5 (on the
doubled input; ``docs/PROTOCOLS.md``, section 6); SelectShare is Algorithm 1.

Valid range.  DReLU is correct for every input a with -2^62 <= a < 2^62 as a signed
ring value (|a| < 2^62 in short).  Doubling keeps the sign exactly there, and makes the
value even, so never L - 1, which ShareConvert cannot take.  Outside the range the sign
comes out wrong.  The inputs are secret, so the range cannot be checked here; fixed-
point encodings are at most 2^31 in size (:mod:`smpc.fixed_point`), so the difference
of two encodings, or a sum of products of them, stays far inside it.

These functions take and return stacked int64 shares, shape ``(2, *shape)``, and the
parties; the user-facing layer is :mod:`smpc.comparisons`.
"""
import math

import numpy as np

from ..beaver import beaver_product
from ..errors import ProtocolError
from ..rows import add_public
from .compute_msb import compute_msb
from .share_convert import share_convert


def _check_two_holders(holders):
    if len(holders) != 2:
        raise ProtocolError(
            f"SecureNN compares values shared between exactly two holders (with the crypto "
            f"provider as helper), got {len(holders)} holders")


def drelu_bits(shares, holders, crypto_provider):
    """Shares in Z_L of DReLU(a) = 1 if a >= 0 else 0, for int64 shares of any shape.

    1. Holder j doubles its share: 2a_j (2a is even, so never L - 1).
    2. ShareConvert(2a) gives shares of 2a in Z_{L-1}.
    3. ComputeMSB gives shares in Z_L of MSB(2a), which is 1 exactly for a < 0 in range.
    4. DReLU = 1 - MSB (party 0 adds the 1).

    Who learns what: nobody learns anything about a; the crypto provider P2, as helper,
    sees only uniformly masked values and bits XORed with coins it does not know.

    Communication (2 holders, n elements): ShareConvert 304n + ComputeMSB 192n =
    **496 n bytes, 8 rounds** online (offline: 160n bytes from P2 and one Beaver triple).
    """
    _check_two_holders(holders)
    shape = shares.shape[1:]
    flat = np.ascontiguousarray(shares.reshape(shares.shape[0], math.prod(shares.shape[1:])))
    with crypto_provider.network.protocol("drelu"):
        converted = share_convert(2 * flat, holders, crypto_provider)
        msb = compute_msb(converted, holders, crypto_provider)
    bit = add_public(-msb, holders, 1)                      # 1 - MSB: party 0 adds the 1
    return bit.reshape(shares.shape[:1] + shape)


def relu_shares(shares, holders, crypto_provider):
    """ReLU(a) = DReLU(a) * a, returned with the DReLU bit: ``(relu_shares, bit_shares)``.

    1. bit = DReLU(a) (:func:`drelu_bits`).
    2. relu = bit * a by one Beaver multiplication.  The bit is an integer (scale 1), so the
       product keeps a's scale and needs no truncation.

    Keep the bit: the backward pass multiplies the gradient by it, with no new comparison.

    Communication (2 holders, n elements): 496n + 32n = **528 n bytes, 9 rounds**.
    """
    bit = drelu_bits(shares, holders, crypto_provider)
    with crypto_provider.network.protocol("relu"):
        relu = beaver_product(bit, shares, holders, crypto_provider)
    return relu, bit


def select_share_shares(bit, x, y, holders, crypto_provider):
    """SelectShare: shares of x where bit = 0 and of y where bit = 1 (SecureNN Alg. 1).

    1. Locally, d = y - x.
    2. One Beaver multiplication: bit * d (bit at integer scale: no truncation).
    3. Locally, x + bit * d.

    Communication (2 holders, n elements of the broadcast shape of bit and d, n_b of
    bit and n_d of d): 16 (n_b + n_d) bytes, **1 round** (32 n bytes when the shapes agree).
    """
    with crypto_provider.network.protocol("select_share"):
        return x + beaver_product(bit, y - x, holders, crypto_provider)
