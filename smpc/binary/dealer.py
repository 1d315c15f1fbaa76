"""The crypto provider's binary correlated randomness: AND triples and bit pairs.

These are dealer methods written as functions of the crypto provider, so the
binary protocols need nothing new from :class:`smpc.dealer.CryptoProvider`.
The dealer never sees data: everything here is drawn before any input exists
(all messages are ``phase="offline"``).

* :func:`and_triple` -- XOR shares of random ``alpha``, ``beta`` and
  ``gamma = alpha & beta`` (a Beaver triple over Z_2, bit by bit, as in ABY's
  multiplication triples and CrypTen's binary triples);
* :func:`private_and_triple` -- the same for an AND whose left operand is known
  to holder 0 and right operand to holder 1: ``u`` goes to holder 0 alone,
  ``v`` to holder 1 alone, and only ``u & v`` is shared;
* :func:`bit_pair` -- a random bit ``r`` shared twice, by XOR and additively in
  Z_2^64 (a "doubly authenticated bit", daBit, without the authentication):
  the bridge from binary back to arithmetic shares.

Two delivery modes, as in :mod:`smpc.dealer` (``crypto_provider.prg_seeds``):

* **PRG seeds**: each holder gets a 16-byte seed per deal and expands its
  shares of the random values from it; only a *derived* value (``gamma``,
  ``u & v``, the arithmetic ``r``) needs a correction share, sent to the last
  holder.  Offline bytes for ``n`` values of ``w`` bits, ``N`` holders:
  ``16 N + B(n, w)`` for an AND triple, ``32 + 8 n`` for a private triple,
  ``32 + 8 n`` for bit pairs.
* **full shares**: every share travels: ``3 N B(n, w)`` for an AND triple,
  ``32 n`` for a private triple (2 holders), ``N (B(n, 1) + 8 n)`` for bit pairs.

``B(n, w) = ceil(n w / 8)``.  Each triple is a :class:`smpc.dealer.Triple`: a
second use raises :class:`~smpc.errors.TripleReuseError`.
"""
import numpy as np

from ..dealer import Triple
from ..errors import ProtocolError
from ..randomness import default_source, prg
from ..sharing import split
from .sharing import reconstruct_xor, send_words, split_xor
from .words import random_words


def _holder_prgs(crypto_provider, holders):
    """Send every holder a fresh seed (offline) and return the PRGs they expand."""
    network = crypto_provider.network
    return [prg(network.send(crypto_provider, holder, default_source.new_seed(), phase="offline"))
            for holder in holders]


def _derived_xor_shares(crypto_provider, holders, prgs, value, width):
    """XOR shares of ``value``: PRG shares for all but the last holder, who gets the correction."""
    own = [random_words(g, value.shape, width) for g in prgs[:-1]]
    correction = value ^ np.bitwise_xor.reduce(own, axis=0) if own else value
    send_words(crypto_provider, holders[-1], correction, width, phase="offline")
    return np.stack(own + [correction])


def _send_xor_shares(crypto_provider, holders, value, width):
    """Full-share mode: split ``value`` and send each holder its share."""
    shares = split_xor(value, len(holders), width)
    for holder, share in zip(holders, shares):
        send_words(crypto_provider, holder, share, width, phase="offline")
    return shares


def and_triple(crypto_provider, holders, shape, width=64):
    """XOR shares of random ``alpha``, ``beta`` and ``gamma = alpha & beta`` (``width`` bits)."""
    shape = tuple(shape)
    network = crypto_provider.network
    with network.protocol("dealer"):
        if crypto_provider.prg_seeds:
            prgs = _holder_prgs(crypto_provider, holders)
            alpha = np.stack([random_words(g, shape, width) for g in prgs])
            beta = np.stack([random_words(g, shape, width) for g in prgs])
            gamma_value = reconstruct_xor(alpha) & reconstruct_xor(beta)
            gamma = _derived_xor_shares(crypto_provider, holders, prgs, gamma_value, width)
        else:
            alpha_value = random_words(default_source, shape, width)
            beta_value = random_words(default_source, shape, width)
            alpha, beta, gamma = [_send_xor_shares(crypto_provider, holders, v, width)
                                  for v in (alpha_value, beta_value, alpha_value & beta_value)]
    return Triple("and", (alpha, beta, gamma))


def private_and_triple(crypto_provider, holders, shape):
    """For ``x & y`` with ``x`` known to holder 0 and ``y`` to holder 1 (64-bit words).

    Holder 0 gets a random ``u``, holder 1 a random ``v``, and both XOR shares of
    ``u & v``.  Returns ``(u, v, shares of u & v)``.
    """
    if len(holders) != 2:
        raise ProtocolError(f"a private-operand AND triple is for 2 holders, got {len(holders)}")
    shape = tuple(shape)
    network = crypto_provider.network
    with network.protocol("dealer"):
        if crypto_provider.prg_seeds:
            prgs = _holder_prgs(crypto_provider, holders)
            u, v = random_words(prgs[0], shape), random_words(prgs[1], shape)
            gamma = _derived_xor_shares(crypto_provider, holders, prgs, u & v, 64)
        else:
            u, v = random_words(default_source, shape), random_words(default_source, shape)
            send_words(crypto_provider, holders[0], u, 64, phase="offline")
            send_words(crypto_provider, holders[1], v, 64, phase="offline")
            gamma = _send_xor_shares(crypto_provider, holders, u & v, 64)
    return Triple("private_and", (u, v, gamma))


def bit_pair(crypto_provider, holders, shape):
    """A random bit ``r`` per element, as XOR shares (uint8) and as additive shares (int64)."""
    shape = tuple(shape)
    network = crypto_provider.network
    with network.protocol("dealer"):
        if crypto_provider.prg_seeds:
            prgs = _holder_prgs(crypto_provider, holders)
            r_xor = np.stack([random_words(g, shape, 1) for g in prgs])
            r = reconstruct_xor(r_xor).astype(np.int64)
            own = [g.ring(shape) for g in prgs[:-1]]
            correction = r - np.sum(own, axis=0, dtype=np.int64)
            network.send(crypto_provider, holders[-1], correction, phase="offline")
            r_arith = np.stack(own + [correction])
        else:
            r_bits = random_words(default_source, shape, 1)
            r_xor = _send_xor_shares(crypto_provider, holders, r_bits, 1)
            r_arith = split(r_bits.astype(np.int64), len(holders))
            for holder, share in zip(holders, r_arith):
                network.send(crypto_provider, holder, share, phase="offline")
    return Triple("bit_pair", (r_xor, r_arith))
