"""Additive secret sharing over Z_{2^64}: split, send, open, reveal, refresh.

A secret ``x`` is held by ``N`` parties as ``x_0 + ... + x_{N-1} = x (mod 2^64)``.
Every share alone is uniform, so it says nothing about ``x``; any ``N - 1`` shares
together are still uniform.  A share array has one row per holder played by this
process (:mod:`smpc.rows`): all ``N`` in the simulation, one in a holder's process.

Every value that comes from another party is what :meth:`~smpc.network.Network.send`
returned; a process that plays none of the receivers gets a placeholder of zeros of
the right shape, so the same program runs there.

Costs (``n`` elements of 8 bytes, ``N`` holders):

* :func:`share_from` -- the owner sends one share to each holder: ``8 n`` bytes
  per holder other than the owner, 1 round.
* :func:`open_among` -- every holder sends its share to every other: ``8 n N (N-1)``
  bytes, 1 round.
* :func:`reveal_to` -- every holder sends its share to one receiver: ``8 n N``
  bytes (less one share if the receiver holds one), 1 round.
* :func:`fresh_zero_shares` -- no messages: every pair of holders expands ``r`` from
  its common key, one adds it and the other subtracts it.
"""
import numpy as np

from .randomness import default_source
from .rows import played_rows


def split(value, count, source=None):
    """Additive shares of an int64 array: ``count - 1`` uniform masks from ``source``,
    the last share makes the sum.

    Protocols always pass the splitting party's own generator; without one (by hand, in
    a tutorial) the process-wide :data:`~smpc.randomness.default_source` is used.
    """
    source = default_source if source is None else source
    value = np.asarray(value, dtype=np.int64)
    masks = source.ring((count - 1,) + value.shape)
    with np.errstate(over="ignore"):  # the ring wraps on purpose (NumPy warns on 0-d values)
        last = value - masks.sum(axis=0)
    return np.concatenate([masks, last[None]])


def reconstruct(shares):
    """The secret: the sum of the shares along the party axis, mod 2^64."""
    return np.sum(shares, axis=0, dtype=np.int64)


def share_from(owner, value, holders):
    """The owner splits ``value`` and sends share ``j`` to ``holders[j]``; one round.

    ``value`` is read only in the owner's process (elsewhere it only gives the shape).
    Returns the rows of the holders played here.
    """
    network = owner.network
    value = np.asarray(value, dtype=np.int64)
    shares = split(value, len(holders), owner.source) if network.plays(owner) else None
    rows = played_rows(holders)
    out = np.empty((len(rows),) + value.shape, dtype=np.int64)
    with network.protocol("share"), network.round():
        for j, holder in enumerate(holders):
            received = network.send(owner, holder, None if shares is None else shares[j])
            if j in rows:
                out[rows.index(j)] = received
    return out


def exchange_among(shares, holders, protocol="open"):
    """Every holder sends its share to every other (one round).

    Returns the list of all ``N`` shares as the holders played here see them (their own
    and what they received); zeros in a process that plays no holder.
    """
    network = holders[0].network
    rows = played_rows(holders)
    pieces = [None] * len(holders)
    with network.protocol(protocol), network.round():
        for j, sender in enumerate(holders):
            own = shares[rows.index(j)] if j in rows else None
            if own is not None:
                pieces[j] = own
            for receiver in holders:
                if receiver is not sender:
                    received = network.send(sender, receiver, own)
                    if received is not None and pieces[j] is None:
                        pieces[j] = received
    placeholder = None
    for j, piece in enumerate(pieces):
        if piece is None:
            if placeholder is None:
                placeholder = np.zeros(shares.shape[1:], dtype=shares.dtype)
            pieces[j] = placeholder
    return pieces


def open_among(shares, holders, protocol="open"):
    """Every holder learns the secret: each sends its share to every other; one round."""
    return reconstruct(np.stack(exchange_among(shares, holders, protocol)))


def open_many_among(share_list, holders, protocol="open"):
    """Open several sharings in the same round (messages travel in parallel)."""
    network = holders[0].network
    with network.protocol(protocol), network.round():
        return [open_among(shares, holders, protocol) for shares in share_list]


def reveal_to(receiver, shares, holders):
    """Only ``receiver`` learns the secret: every holder sends it its share; one round.

    Returns the secret in the receiver's process, zeros of the shape elsewhere.
    """
    network = receiver.network
    rows = played_rows(holders)
    received = []
    with network.protocol("reveal"), network.round():
        for j, sender in enumerate(holders):
            got = network.send(sender, receiver, shares[rows.index(j)] if j in rows else None)
            received.append(got)
    if not network.plays(receiver):
        return np.zeros(shares.shape[1:], dtype=np.int64)
    return reconstruct(np.stack(received))


def fresh_zero_shares(holders, shape):
    """A fresh sharing of zero among ``holders``, with no messages.

    Every pair ``i < k`` of holders expands ``r`` from its common key; holder ``i`` adds
    it, holder ``k`` subtracts it.  The rows sum to zero; any ``N - 1`` of them are
    uniform.  (Two holders: ``(r, -r)``.)
    """
    network = holders[0].network
    rows = played_rows(holders)
    shape = tuple(shape)
    out = np.zeros((len(rows),) + shape, dtype=np.int64)
    with np.errstate(over="ignore"):
        for i in range(len(holders)):
            for k in range(i + 1, len(holders)):
                if i not in rows and k not in rows:
                    continue
                r = network.randomness.common((holders[i], holders[k])).ring(shape)
                if i in rows:
                    out[rows.index(i)] += r
                if k in rows:
                    out[rows.index(k)] -= r
    return out
