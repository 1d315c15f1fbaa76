"""Truncation: dividing secret-shared fixed-point values by a public integer.

A product of two encodings carries ``scale^2`` and must be divided by ``scale``;
``x / d`` for a public positive integer ``d`` is the same operation.  Three
methods, chosen by the session's settings (``network.settings.truncation``, by default
the process-wide ``smpc.config.settings``):

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
from .rows import row_holders


def _is_power_of_two(d):
    return d > 0 and d & (d - 1) == 0


def truncate_local(shares, divisor, holders=None):
    """SecureML's two-party local truncation of the rows ``shares`` by ``divisor``.

    Party 0 rounds its share down, party 1 rounds its share up.  Without ``holders``,
    ``shares`` is a full stack (one row per holder, as a learner builds by hand).
    """
    count = shares.shape[0] if holders is None else len(holders)
    if count != 2:
        raise ProtocolError(
            f"local truncation works for exactly two holders, these shares have {count}; "
            "use smpc.config.using(truncation='masked') for more holders")
    rows = range(2) if holders is None else row_holders(holders)
    out = np.empty_like(shares)
    power_of_two = _is_power_of_two(divisor)
    shift, d = np.int64(divisor.bit_length() - 1), np.int64(divisor)
    with np.errstate(over="ignore"):
        for row, j in enumerate(rows):
            if j == 0:      # floor(x_0 / d)
                out[row] = shares[row] >> shift if power_of_two else shares[row] // d
            else:           # -floor(-x_1 / d), the ceiling
                out[row] = -((-shares[row]) >> shift) if power_of_two else -((-shares[row]) // d)
    return out


def check_can_truncate(divisor, holders):
    """Refuse, before any work, a truncation the configured method cannot do."""
    method = holders[0].network.settings.truncation
    holder_count = len(holders)
    if divisor > 1 and method == "local" and holder_count != 2:
        raise ProtocolError(
            f"local truncation works for exactly two holders, these shares have {holder_count}; "
            "use smpc.config.using(truncation='masked') for more holders")
    if divisor > 1 and method == "exact" and holder_count != 2:
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
    # By hand, without parties, the process-wide settings apply (local truncation needs none).
    method = (holders[0].network.settings if holders else config.settings).truncation
    if method == "local":
        return truncate_local(shares, divisor, holders)
    from . import safe_truncation  # builds on the comparison protocols
    return safe_truncation.truncate(method, shares, divisor, holders, crypto_provider)
