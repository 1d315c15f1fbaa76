"""Additive secret sharing over Z_{2^64}: split, send, open, reveal, refresh.

A secret ``x`` is held by ``N`` parties as ``x_0 + ... + x_{N-1} = x (mod 2^64)``.
Every share alone is uniform, so it says nothing about ``x``; any ``N - 1`` shares
together are still uniform.  Shares of one tensor are kept as one stacked int64
array with the party axis first: ``shares[j]`` is party ``j``'s share.

Costs (``n`` elements of 8 bytes, ``N`` holders):

* :func:`share_from` -- the owner sends one share to each holder: ``8 n`` bytes
  per holder other than the owner, 1 round.
* :func:`open_among` -- every holder sends its share to every other: ``8 n N (N-1)``
  bytes, 1 round.
* :func:`reveal_to` -- every holder sends its share to one receiver: ``8 n N``
  bytes (less one share if the receiver holds one), 1 round.
* :func:`fresh_zero_shares` -- no messages: the holders derive a sharing of zero
  from common PRG keys agreed once at set-up.
"""
import numpy as np

from .randomness import default_source


def split(value, count):
    """Additive shares of an int64 array: ``count - 1`` uniform, the last makes the sum."""
    value = np.asarray(value, dtype=np.int64)
    masks = default_source.ring((count - 1,) + value.shape)
    with np.errstate(over="ignore"):  # the ring wraps on purpose (NumPy warns on 0-d values)
        last = value - masks.sum(axis=0)
    return np.concatenate([masks, last[None]])


def reconstruct(shares):
    """The secret: the sum of the shares along the party axis, mod 2^64."""
    return np.sum(shares, axis=0, dtype=np.int64)


def share_from(owner, value, holders):
    """The owner splits ``value`` and sends share ``j`` to ``holders[j]``; one round."""
    network = owner.network
    shares = split(value, len(holders))
    with network.protocol("share"), network.round():
        for holder, share in zip(holders, shares):
            network.send(owner, holder, share)
    return shares


def open_among(shares, holders, protocol="open"):
    """Every holder learns the secret: each sends its share to every other; one round."""
    network = holders[0].network
    with network.protocol(protocol), network.round():
        for sender, share in zip(holders, shares):
            for receiver in holders:
                network.send(sender, receiver, share)
    return reconstruct(shares)


def open_many_among(share_list, holders, protocol="open"):
    """Open several sharings in the same round (messages travel in parallel)."""
    network = holders[0].network
    with network.protocol(protocol), network.round():
        return [open_among(shares, holders, protocol) for shares in share_list]


def reveal_to(receiver, shares, holders):
    """Only ``receiver`` learns the secret: every holder sends it its share; one round."""
    network = receiver.network
    with network.protocol("reveal"), network.round():
        for sender, share in zip(holders, shares):
            network.send(sender, receiver, share)
    return reconstruct(shares)


def fresh_zero_shares(count, shape):
    """A fresh sharing of zero, ``(r_0, ..., -sum r)``, for re-randomising shares."""
    return split(np.zeros(shape, dtype=np.int64), count)
