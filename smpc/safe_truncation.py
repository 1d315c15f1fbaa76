"""Truncations that never fail wildly: statistically masked pairs, and exact.

Two-party local truncation (:func:`smpc.truncation.truncate_local`) is free but
wrong by about ``2^64 / d`` with probability about ``|x| / 2^64`` per value.  A
training run truncates hundreds of thousands of values per batch, so at full
scale it eventually meets one, and one wild weight ruins the model.  These two
methods trade communication for that risk.  Errors below are ``result -
floor(x / d)``, in units of the last place, for the secret ``x`` and the public
positive integer ``d``.

``masked`` -- statistically masked pairs (the idea of Catrina & Saxena, FC 2010,
and of SecureML's preprocessing variant); :func:`truncate_masked`.
    0. Offline, the dealer draws ``r`` uniform in ``[0, 2^63)`` and shares both
       ``r`` and ``floor(r / d)``.
    1. The holders add ``B = d * ceil(2^(k-1) / d)`` (holder 0 only) and open
       ``z = x + B + r``.
    2. Each outputs its share of ``floor(z / d) - floor(r / d) - B / d``
       (the public terms by holder 0).
    Error **0 or +1** (like ``local``), for any ``d`` and any number of holders.
    Valid range: ``|x| < 2^(k-1)`` (``k = 48`` by default: ``|x| < 2^47``, that is
    a product below 2^15 = 32768 in size at 16 fractional bits).  Correctness
    actually holds for ``-B <= x < 2^63 - B`` (then ``0 <= z < 2^64``: no wrap);
    below ``-B`` it fails wildly with probability ``(-B - x) / 2^63``, so the
    range is a real condition, not a formality.
    Privacy is *statistical*: for two secrets ``x, x'`` in the range, the
    distributions of ``z`` differ by statistical distance ``|x - x'| / 2^63 <
    2^(k-63)`` per element -- **2^-15 with the default k = 48**.  In words: with probability about 2^-15 per value, ``z``
    falls so close to an end of its range that it tells the holders a bound on
    ``x``.  That is the price of a one-round truncation in Z_2^64.
    Cost (``n`` values, ``N`` holders): online ``8 n N (N - 1)`` bytes, 1 round;
    offline, from the dealer, ``16 n`` bytes with PRG keys (one correction share
    each for ``r`` and ``floor(r / d)``), ``16 N n``
    with full shares.

``exact`` -- through the helper, with SecureNN's wrap bit (``docs/PROTOCOLS.md``,
section 5); :func:`truncate_exact`.
    Error **0 or +1** when ``d`` is a power of two (the default encoding's
    ``2^16``), as the other two methods; **0, +1 or +2** for any other ``d`` (base
    10's ``1000``: see the function).  Never wild for ``-2^62 <= x < 2^63``, which covers every product
    of two valid encodings.  No leak beyond SecureNN's: the helper sees ``x`` plus
    a uniform mask and a masked bit.  Two holders only.
    Cost: that of one wrap bit, **304 n bytes, 4 rounds**, nothing offline, and
    the CPU of a PrivateCompare over 64 bits per value (about 4 s per million
    values here, against 0.1 s for ``masked``).

The ``local`` method refuses three holders; ``masked`` serves them; ``exact``
refuses them with a :class:`~smpc.errors.ProtocolError` naming ``masked``.

Which default, and why: ``local`` stays the default; the measurements behind that choice
(time, traffic and risk of each method per batch and per epoch) are in
``docs/PERFORMANCE.md`` ("Truncation: which default").
"""
import numpy as np

from . import ring
from .dealer import Triple
from .errors import ProtocolError
from .rows import add_public
from .sharing import open_among

MASKED_VALUE_BITS = 48  # k: the masked method needs |x| < 2^(k-1)
EXACT_OFFSET_BITS = 62  # the exact method shifts x by about 2^62 to make it non-negative


def _round_up(value, divisor):
    """The smallest multiple of ``divisor`` >= ``value``, in exact integers (no float ceil)."""
    return -(-value // divisor) * divisor


def masked_pair_kind(divisor):
    return f"masked truncation pair (divisor {divisor})"


def masked_pair(crypto_provider, holders, shape, divisor):
    """Dealer: shares of ``r`` uniform in [0, 2^63) and of ``floor(r / divisor)``.

    Returned as a one-use :class:`~smpc.dealer.Triple`: opening ``x + r`` and ``x' + r``
    with the same ``r`` would reveal ``x - x'``, so a second use raises TripleReuseError.
    """
    def derive(_, source):
        r = ring.as_signed(source.ring(shape).view(np.uint64) >> np.uint64(1))
        return [r, r // np.int64(divisor)]

    with crypto_provider.network.protocol("masked_pair"):
        return Triple(masked_pair_kind(divisor),
                      crypto_provider.deal(holders, [], [shape, shape], derive,
                                           masked_pair_kind(divisor)))


def truncate_masked(shares, divisor, holders, crypto_provider, value_bits=MASKED_VALUE_BITS,
                    pair=None):
    """Statistically masked truncation of stacked shares by a public positive integer.

    ``floor(x / divisor)`` plus 0 or 1, for ``|x| < 2^(value_bits - 1)``; z hides x
    up to statistical distance about ``2^(value_bits - 63)``.  See the module
    docstring for the steps, the cost and what happens outside the range.
    """
    divisor = int(divisor)
    if not 2 <= value_bits <= 62:
        raise ProtocolError(f"masked truncation needs 2 <= k <= 62 so that z = x + B + r cannot "
                            f"wrap, got k = {value_bits}")
    if divisor <= 0 or divisor >= 2 ** 62:
        raise ValueError(f"masked truncation divides by an integer in [1, 2^62), got {divisor}")
    pair = pair or masked_pair(crypto_provider, holders, shares.shape[1:], divisor)
    if pair.shapes[0] != tuple(shares.shape[1:]) or pair.kind != masked_pair_kind(divisor):
        raise ValueError(f"a {pair.kind} of shape {pair.shapes[0]} does not fit truncating "
                         f"shares of shape {shares.shape[1:]} by {divisor}; the pair was not used")
    r, r_divided = pair.consume()
    offset = _round_up(2 ** (value_bits - 1), divisor)               # B, a multiple of d
    with np.errstate(over="ignore"):  # ring arithmetic wraps on purpose (NumPy warns on 0-d)
        masked = add_public(shares + r, holders, np.int64(offset))
        with holders[0].network.protocol("truncate_masked"):
            z = ring.as_unsigned(open_among(masked, holders, "truncate_masked"))
        out = add_public(-r_divided, holders,
                         (z // np.uint64(divisor)).astype(np.int64) - np.int64(offset // divisor))
    return out


def truncate_exact(shares, divisor, holders, crypto_provider):
    """Exact truncation through the helper: never wild, for two holders.

    1. Holder 0 adds ``B = d * ceil(2^62 / d)`` (``2^62`` for a power of two), so
       ``x' = x + B`` lies in ``[0, 2^64)`` for every ``-2^62 <= x < 2^63``.
    2. The holders obtain shares in Z_L of ``w = wrap(x'_0, x'_1)`` with
       SecureNN's ShareConvert steps (:func:`smpc.securenn.wrap_bit_shares`).
    3. Over the integers ``x' = x'_0 + x'_1 - w 2^64`` (shares read as unsigned).
       Write ``x'_j = d q_j + s_j`` and ``2^64 = d Q + R`` (``0 <= s_j, R < d``):
       ``x' = d (q_0 + q_1 - w Q) + (s_0 + s_1 - w R)``.  Holder ``j`` outputs
       ``q_j - w_j Q``, holder 0 also subtracts ``B / d`` and adds 1.

    Without the 1, the error is ``-floor((s_0 + s_1 - w R) / d)``, the carry of the
    remainders that no holder sees: -1 or 0, -1 about half the time, so every result
    would be about one unit *below* ``x / d`` on average -- a bias that training
    accumulates (a LeNet on the embedded sample fell to chance within three epochs,
    where the unbiased methods track plaintext).  With the 1 the error is **0 or +1**
    when ``d`` divides 2^64 (``R = 0``, a power of two), like ``local`` and ``masked``,
    and about half a unit above ``floor(x / d)``: unbiased around ``x / d``.  For any
    other ``d`` it is **0, +1 or +2** (``s_0 + s_1 - w R`` lies in ``[-(d-1), 2d-2]``),
    so base 10's ``d = 1000`` works too, one unit wider; nothing falls back silently.
    Cost: that of one wrap bit, **304 n bytes, 4 rounds** for ``n`` values,
    nothing offline.
    """
    divisor = int(divisor)
    if len(holders) != 2:
        raise ProtocolError(f"exact truncation is a two-holder protocol, these shares have "
                            f"{len(holders)} holders; use truncation='masked' for more holders")
    if divisor <= 0 or divisor >= 2 ** 62:
        raise ValueError(f"exact truncation divides by an integer in [1, 2^62), got {divisor}")
    if divisor == 1:
        return shares.copy()
    from .securenn import wrap_bit_shares  # the comparison machinery provides the wrap bit

    offset = _round_up(2 ** EXACT_OFFSET_BITS, divisor)              # B < 2^63: fits int64
    quotient_of_2_64 = np.uint64(2 ** 64 // divisor)                   # Q
    with np.errstate(over="ignore"):  # ring arithmetic wraps on purpose (NumPy warns on 0-d)
        shifted = add_public(shares, holders, np.int64(offset))
        wrap_bit = ring.as_unsigned(wrap_bit_shares(shifted, holders, crypto_provider))
        out = ring.as_unsigned(shifted) // np.uint64(divisor) - wrap_bit * quotient_of_2_64
        # The 1: the remainders' carry is 1 about half the time (see the docstring).
        out = add_public(ring.as_signed(out), holders, np.int64(offset // divisor - 1), sign=-1)
    return out


def truncate(method, shares, divisor, holders, crypto_provider):
    """Dispatch to the masked or exact method."""
    if method == "masked":
        return truncate_masked(shares, divisor, holders, crypto_provider)
    if method == "exact":
        return truncate_exact(shares, divisor, holders, crypto_provider)
    raise ValueError(f"unknown truncation method {method!r}")
