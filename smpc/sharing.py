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


def exchange_many_among(share_list, holders, protocol="open", carry=None):
    """Every holder sends its share of each sharing in ``share_list`` to every other, all
    in one round.

    Every holder played here sends all its messages before it waits for any: a holder
    that received first and sent after would make its peers wait for a round trip
    instead of one message.  A holder's shares of all the sharings go to each other
    holder as one message: ``carry(sender, receiver, shares)`` carries them (``shares``
    is None where the sender is not played here) and returns the list the receiver got,
    or None elsewhere; by default :meth:`~smpc.network.Network.send_many`.  Returns, for
    each sharing, the list of all ``N`` shares as the holders played here see them (their
    own and what they received); zeros in a process that plays no holder.
    """
    network = holders[0].network
    rows = played_rows(holders)
    dtype = share_list[0].dtype
    if any(shares.dtype != dtype for shares in share_list):
        raise TypeError("the sharings opened together must have one dtype, got "
                        + ", ".join(str(shares.dtype) for shares in share_list))
    shapes = [shares.shape[1:] for shares in share_list]
    if carry is None:
        def carry(sender, receiver, shares):
            return network.send_many(sender, receiver, shares, shapes, dtype)
    pieces = [[shares[rows.index(j)] if j in rows else None for j in range(len(holders))]
              for shares in share_list]
    with network.protocol(protocol), network.round():
        for here_sends in (True, False):  # the sends of this process first, then the receives
            for j, sender in enumerate(holders):
                if (j in rows) != here_sends:
                    continue
                own = [pieces[k][j] for k in range(len(share_list))] if here_sends else None
                for receiver in holders:
                    if receiver is not sender:
                        received = carry(sender, receiver, own)
                        if received is not None and not here_sends:
                            for k, piece in enumerate(received):
                                pieces[k][j] = piece
    for k, shape in enumerate(shapes):
        zeros = None
        for j, piece in enumerate(pieces[k]):
            if piece is None:
                if zeros is None:
                    zeros = np.zeros(shape, dtype=dtype)
                pieces[k][j] = zeros
    return pieces


def exchange_among(shares, holders, protocol="open"):
    """Every holder sends its share to every other (one round); see
    :func:`exchange_many_among`, which this is for one sharing."""
    return exchange_many_among([shares], holders, protocol)[0]


def open_among(shares, holders, protocol="open"):
    """Every holder learns the secret: each sends its share to every other; one round."""
    return reconstruct(np.stack(exchange_among(shares, holders, protocol)))


def open_many_among(share_list, holders, protocol="open"):
    """Open several sharings in the same round (every message travels in parallel)."""
    return [reconstruct(np.stack(pieces))
            for pieces in exchange_many_among(share_list, holders, protocol)]


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
