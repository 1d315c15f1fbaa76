"""Truncations that never fail wildly: statistically masked pairs, and exact.

Two-party local truncation (:func:`smpc.truncation.truncate_local`) is free but
wrong by about ``2^64 / d`` with probability about ``|x| / 2^64`` per value.  A
training run truncates hundreds of thousands of values per batch, so at full
scale it eventually meets one, and one wild weight ruins the model.  These two
methods trade communication for that risk.

``masked`` -- statistically masked pairs (the idea of Catrina & Saxena, FC 2010,
and of SecureML's preprocessing variant).  Valid when ``|x| < 2^(k-1)``.
    0. Offline, the dealer draws ``r`` uniform in ``[0, 2^63)`` and shares both
       ``r`` and ``floor(r / d)``.
    1. The holders add ``B = d * ceil(2^(k-1) / d)`` (holder 0 only), so
       ``x + B`` lies in ``[0, 2^k + d)``, and open ``z = x + B + r``; it cannot
       wrap modulo 2^64.
    2. Each outputs its share of ``floor(z / d) - floor(r / d) - B / d``
       (the public terms by holder 0).
    Result: ``floor(x / d)`` plus 0 or 1 unit.  Works for any number of holders.
    Cost: online ``8 n N (N - 1)`` bytes, 1 round; offline two derived values,
    ``16 n`` bytes in PRG-seed mode.  Privacy is *statistical*: ``z`` hides
    ``x`` up to statistical distance about ``2^(k-63)`` per element (with the
    default ``k = 48``: 2^-15).  That is the price of a one-round truncation in
    Z_2^64; use ``exact`` where that is not enough.

``exact`` -- through the helper, with SecureNN's wrap bit (PROTOCOLS.md,
"Exact, through the helper"); see :func:`truncate_exact`.
"""
import math

import numpy as np

from . import ring
from .errors import ProtocolError
from .randomness import default_source
from .sharing import open_among

MASKED_VALUE_BITS = 48  # k: the masked method needs |x| < 2^(k-1)


def masked_pair(crypto_provider, holders, shape, divisor):
    """Dealer: shares of ``r`` uniform in [0, 2^63) and of ``floor(r / divisor)``."""
    def derive(_):
        r = ring.as_signed(default_source.ring(shape).view(np.uint64) >> np.uint64(1))
        return [r, r // np.int64(divisor)]

    with crypto_provider.network.protocol("masked_pair"):
        return crypto_provider.deal(holders, [], derive)


def truncate_masked(shares, divisor, holders, crypto_provider, value_bits=MASKED_VALUE_BITS):
    """Statistically masked truncation of stacked shares by a public positive integer."""
    if value_bits > 62:
        raise ProtocolError("masked truncation needs k <= 62 so that z = x + B + r cannot wrap")
    r, r_divided = masked_pair(crypto_provider, holders, shares.shape[1:], divisor)
    offset = divisor * math.ceil(2 ** (value_bits - 1) / divisor)
    masked = shares + r
    masked[0] += np.int64(offset)
    network = holders[0].network
    with network.protocol("truncate_masked"):
        z = ring.as_unsigned(open_among(masked, holders, "truncate_masked"))
    out = -r_divided
    out[0] += (z // np.uint64(divisor)).astype(np.int64) - np.int64(offset // divisor)
    return out


def truncate_exact(shares, divisor, holders, crypto_provider):
    """Exact truncation through the helper (error 0 or -1 unit, never wild).

    1. Holder 0 adds ``2^62``, so ``x' = x + 2^62`` lies in ``[0, 2^63)``.
    2. The holders obtain shares in Z_L of ``w = wrap(x'_0, x'_1)`` with
       SecureNN's ShareConvert steps (:func:`smpc.securenn.wrap_bit_shares`).
    3. Since ``x' = x'_0 + x'_1 - w 2^64`` over the integers,
       ``floor(x' / d) = floor(x'_0/d) + floor(x'_1/d) - w * 2^64/d + c`` with
       ``c`` in {0, 1}: holder ``j`` outputs ``floor(x'_j / d) - w_j * (2^64 / d)``
       (unsigned division), holder 0 also subtracts ``2^62 / d``.
    Needs ``d`` a power of two (so ``2^64 / d`` is an integer), two holders and
    ``|x| < 2^62``.  Cost: that of one wrap-bit computation (a PrivateCompare).
    """
    if len(holders) != 2:
        raise ProtocolError("exact truncation is a two-holder protocol; use 'masked' for more holders")
    if divisor & (divisor - 1):
        raise ProtocolError(f"exact truncation divides by a power of two, not {divisor}; "
                            "use truncation='masked' for other divisors")
    from .securenn import wrap_bit_shares  # the comparison machinery provides the wrap bit

    shifted = shares.copy()
    shifted[0] += np.int64(1 << 62)
    wrap_bit = wrap_bit_shares(shifted, holders, crypto_provider)
    shift = np.uint64(divisor.bit_length() - 1)
    out = ring.as_signed(ring.as_unsigned(shifted) >> shift).copy()
    out -= wrap_bit * np.int64(1 << (64 - int(shift))) if int(shift) > 0 else 0
    out[0] -= np.int64((1 << 62) // divisor)
    return out


def truncate(method, shares, divisor, holders, crypto_provider):
    """Dispatch to the masked or exact method."""
    if method == "masked":
        return truncate_masked(shares, divisor, holders, crypto_provider)
    if method == "exact":
        return truncate_exact(shares, divisor, holders, crypto_provider)
    raise ValueError(f"unknown truncation method {method!r}")
