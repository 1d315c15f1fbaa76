"""Truncation: dividing secret-shared fixed-point values by a public integer.

A product of two encodings carries ``scale^2`` and must be divided by ``scale``;
``x / d`` for a public positive integer ``d`` is the same operation.  Three
methods, chosen by ``smpc.config.settings.truncation``:

``local`` -- two-party local truncation (SecureML, Mohassel & Zhang 2017, Thm. 1).
    1. party 0 computes ``floor(x_0 / d)``;
    2. party 1 computes ``-floor(-x_1 / d)``.
    No communication.  The result is ``x / d`` within one unit, *except* with
    probability about ``|x| / 2^64`` per element, when the shares' true sum
    crosses the int64 boundary and the result is off by about ``2^64 / d``
    (a "wild" error).  Holds only for exactly two holders.

``masked`` and ``exact`` -- see :mod:`smpc.safe_truncation` (never wild).
"""
import numpy as np

from . import config
from .errors import ProtocolError


def _is_power_of_two(d):
    return d > 0 and d & (d - 1) == 0


def truncate_local(shares, divisor):
    """SecureML's two-party local truncation of stacked shares by ``divisor``."""
    if shares.shape[0] != 2:
        raise ProtocolError(
            f"local truncation works for exactly two holders, these shares have {shares.shape[0]}; "
            "use smpc.config.using(truncation='masked') for more holders")
    out = np.empty_like(shares)
    if _is_power_of_two(divisor):
        shift = np.int64(divisor.bit_length() - 1)
        out[0] = shares[0] >> shift
        out[1] = -((-shares[1]) >> shift)
    else:
        d = np.int64(divisor)
        out[0] = shares[0] // d
        out[1] = -((-shares[1]) // d)
    return out


def check_can_truncate(divisor, holder_count):
    """Refuse, before any work, a truncation the configured method cannot do."""
    if divisor > 1 and config.settings.truncation == "local" and holder_count != 2:
        raise ProtocolError(
            f"local truncation works for exactly two holders, these shares have {holder_count}; "
            "use smpc.config.using(truncation='masked') for more holders")
    if divisor > 1 and config.settings.truncation == "exact" and holder_count != 2:
        raise ProtocolError("exact truncation is a two-holder protocol; use 'masked' for more holders")


def truncate(shares, divisor, holders, crypto_provider):
    """Divide stacked shares by a public positive integer with the configured method."""
    divisor = int(divisor)
    if divisor <= 0:
        raise ValueError(f"can only divide shares by a positive integer, got {divisor}")
    if divisor >= 2 ** 62:  # no method is valid beyond (local would shift an int64 by >= 63)
        raise ValueError(f"truncation divides by an integer in [1, 2^62), got {divisor}")
    if divisor == 1:
        return shares
    method = config.settings.truncation
    if method == "local":
        return truncate_local(shares, divisor)
    from . import safe_truncation  # builds on the comparison protocols
    return safe_truncation.truncate(method, shares, divisor, holders, crypto_provider)
