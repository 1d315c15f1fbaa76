"""Checks at the public entry points: who may hold shares, what may be encoded.

Every check here runs before any work is done and fails with an error that says what
was wrong and what to do.  They guard the security model and the arithmetic:

* :func:`check_sharing_parties` -- a sharing needs at least two *distinct* workers as
  holders and a crypto provider that is none of them.  If one party held every share
  (``share(x, alice, alice, ...)``), or the crypto provider or the local client held
  one, a single party could reconstruct the secret or see both sides of a Beaver
  product, and the protocol's promise would be void without a word.
* :func:`check_receiver` -- ``get(receiver)`` reveals to a party on the same network.
* :func:`real_array` -- only real numbers are encoded: booleans, integers and floats
  (NumPy kinds ``b``, ``i``, ``u``, ``f``).  Complex numbers (NumPy would drop the
  imaginary part), strings (``"1.5"`` would be parsed), datetimes and Python objects
  are refused with the dtype named.
* :func:`check_encoder` -- an encoder is a :class:`~smpc.fixed_point.FixedPointEncoder`,
  not a setting such as ``"10:3"`` (that goes through ``encoder_from_setting``).
"""
import numbers

import numpy as np

from .errors import FixedPointRangeError, PartyMismatchError

REAL_KINDS = "biuf"
_KIND_NAMES = {"c": "complex", "U": "string", "S": "bytes", "M": "datetime",
               "m": "time delta", "O": "Python object", "V": "structured"}


def real_array(values):
    """``values`` as a NumPy array of real numbers, or a TypeError naming its dtype."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind == "O" and all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in array.flat):
        return array.astype(np.float64)  # Python integers too large for int64, Fractions
    if array.dtype.kind not in REAL_KINDS:
        kind = _KIND_NAMES.get(array.dtype.kind, "non-numeric")
        raise TypeError(
            f"only real numbers can be encoded as fixed point, got {kind} values of dtype "
            f"{array.dtype}; convert them to floats first"
            + (" (encode the real and imaginary parts as two tensors)" if kind == "complex" else ""))
    return array


def check_encoder(encoder, where="encoder"):
    """Refuse anything but a FixedPointEncoder (or None, meaning the default)."""
    from .fixed_point import FixedPointEncoder  # the encoder module uses real_array
    if encoder is None or isinstance(encoder, FixedPointEncoder):
        return encoder
    hint = (f"; for the setting {encoder!r} use smpc.encoder_from_setting({encoder!r})"
            if isinstance(encoder, (str, int)) else "")
    raise TypeError(f"{where} must be a smpc.FixedPointEncoder, got {type(encoder).__name__} "
                    f"{encoder!r}{hint}")


def _check_is_party(party, role):
    from .parties import Party  # parties build on the network, not on this module
    if not isinstance(party, Party):
        raise TypeError(f"the {role} must be a party (from smpc.make_parties()), "
                        f"got {type(party).__name__} {party!r}")


def check_sharing_parties(holders, crypto_provider, owner=None):
    """Refuse holders and a crypto provider that would void the security model.

    1. every holder and the crypto provider is a :class:`~smpc.parties.Party`;
    2. at least two holders, all distinct (the network already refuses two of one name);
    3. the crypto provider is a :class:`~smpc.dealer.CryptoProvider` and holds no share;
    4. no holder is the crypto provider or the network's local client;
    5. every party (and the owner, if given) is on the holders' network.
    """
    from .dealer import CryptoProvider  # the dealer builds on parties
    holders = tuple(holders)
    for holder in holders:
        _check_is_party(holder, "holder")
    _check_is_party(crypto_provider, "crypto provider")
    if len(holders) < 2:
        raise ValueError("secret sharing needs at least two holders, e.g. share(x, alice, bob, ...)")
    if len({id(h) for h in holders}) != len(holders):
        names = [h.name for h in holders]
        raise PartyMismatchError(
            f"the holders {names} name a party more than once: that party would hold several "
            "shares of the secret (all of them with two holders); share among distinct workers")
    if not isinstance(crypto_provider, CryptoProvider):
        raise PartyMismatchError(
            f"{crypto_provider} is not a crypto provider: the dealer of triples must be a "
            "CryptoProvider distinct from the workers (the third value of smpc.make_parties())")
    network = holders[0].network
    local = getattr(network, "local", None)
    for holder in holders:
        if holder is crypto_provider or isinstance(holder, CryptoProvider):
            raise PartyMismatchError(
                f"the crypto provider {holder} cannot hold a share: it knows every triple, so "
                "with a share it could unmask the other holders' values; share among workers")
        if local is not None and holder is local:
            raise PartyMismatchError(
                f"the local client {holder} cannot hold a share: it owns the data and receives "
                "results; share among workers (alice, bob)")
    if owner is not None:
        _check_is_party(owner, "owner")
    for party in holders + (crypto_provider,) + (() if owner is None else (owner,)):
        if party.network is not network:
            raise PartyMismatchError(f"{party} is on a different network from {holders[0]}")
    return holders


def check_receiver(receiver, network):
    """A party on ``network`` to reveal a value to."""
    _check_is_party(receiver, "receiver of get()")
    if receiver.network is not network:
        raise PartyMismatchError(f"{receiver} is on a different network from the holders")
    return receiver


def check_public_divisor(divisor, encoder):
    """Refuse, before anything is computed, a public divisor of shares that cannot work.

    1. a real number (not a bool), positive and finite;
    2. at most 2^31: above it every quotient of an encodable value is below one unit;
    3. at least ``1 / encoder.max_value``: below it the quotient of every nonzero value
       leaves the fixed-point range.
    """
    from .fixed_point import MAX_ENCODED_BITS   # fixed_point builds on this module

    if isinstance(divisor, (bool, np.bool_)) or not isinstance(
            divisor, (int, np.integer, float, np.floating)):
        raise TypeError(f"a SharedTensor can be divided by a public positive number, "
                        f"not {divisor!r}")
    if isinstance(divisor, (float, np.floating)) and not np.isfinite(divisor) or divisor <= 0:
        raise ValueError(f"can only divide shares by a positive finite number, got {divisor!r}; "
                         "for a negative divisor d write -(x / -d)")
    largest = 2 ** MAX_ENCODED_BITS
    if divisor > largest:
        raise FixedPointRangeError(
            f"cannot divide shares by {divisor!r}: above 2^{MAX_ENCODED_BITS} every quotient of "
            f"a value in the fixed-point range is below one unit ({encoder.ulp:g}); "
            "divide by at most 2^31")
    if divisor * encoder.max_value < 1:
        raise FixedPointRangeError(
            f"cannot divide shares by {divisor!r}: its reciprocal {1 / divisor:g} is outside "
            f"the fixed-point range [-{encoder.max_value:g}, {encoder.max_value:g}] "
            f"of {encoder}, so the quotient of every nonzero value would leave it; "
            f"divide by at least {1 / encoder.max_value:g}")
