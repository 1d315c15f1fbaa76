"""Binary (XOR) secret sharing of words, and opening XOR-shared words.

A ``width``-bit value ``x`` is held by ``N`` parties as
``x = x_0 ^ x_1 ^ ... ^ x_{N-1}`` (bitwise XOR).  This is additive sharing again,
but in the vector space ``(Z_2)^width`` instead of the ring ``Z_2^64``: each bit
is shared on its own, with no carries between bits.  ABY (Demmler, Schneider,
Zohner, NDSS 2015) calls it *Boolean* sharing; CrypTen (Knott et al., NeurIPS
2021) keeps it in int64 tensors exactly as we do, one word per element.

As for arithmetic shares, all holders' shares of one tensor are one stacked
array, party axis first (``shares[j]`` is holder ``j``'s), of the unsigned
dtype for the width (:mod:`smpc.binary.words`).

What is free, and what is not:

* XOR of two shared values, shifts, masks, casts to a narrower width and any
  other bit permutation or selection: each holder applies it to its own share
  (these maps are linear over Z_2);
* XOR with a public constant: holder 0 only applies it;
* AND of two shared values needs an AND triple and one round
  (:mod:`smpc.binary.gates`).

Costs (``n`` values of ``w`` bits, ``N`` holders, ``B(n, w) = ceil(n w / 8)`` bytes):

* :func:`share_xor_from` -- ``B(n, w)`` bytes to each holder other than the owner, 1 round;
* :func:`open_xor` -- ``N (N-1) B(m, w)`` bytes for ``m`` values opened together (one
  message each way, the values packed in it), 1 round.
"""
import math

import numpy as np

from ..randomness import default_source
from ..rows import played_rows
from ..shapes import join_flat, split_flat
from ..sharing import exchange_many_among
from .words import dtype_for, pack, random_words, unpack


def split_xor(values, count, width=64, source=None):
    """XOR shares of ``values``: ``count - 1`` uniform masks, the last one makes the XOR.

    Protocols pass the splitting party's own generator; by hand, ``source`` defaults to
    the process-wide one.
    """
    source = default_source if source is None else source
    values = np.asarray(values).astype(dtype_for(width), copy=False)
    masks = random_words(source, (count - 1,) + values.shape, width)
    return np.concatenate([masks, (values ^ np.bitwise_xor.reduce(masks, axis=0))[None]])


def reconstruct_xor(shares):
    """The secret: the XOR of the shares along the party axis."""
    return np.bitwise_xor.reduce(shares, axis=0)


def xor_public(shares, constant, holders):
    """Shares of ``x ^ constant`` for a public ``constant``: holder 0 alone applies it."""
    out = shares.copy()
    if played_rows(holders)[:1] == (0,):
        out[0] ^= np.asarray(constant).astype(shares.dtype, copy=False)
    return out


def send_words(sender, receiver, values, width, shape, phase="online"):
    """Send ``width``-bit values, packed to whole bytes (sub-byte widths share bytes).

    ``values`` is read in the sender's process only.  Returns the values the receiver
    unpacked, with the given shape, in the receiver's process; None elsewhere.
    """
    network = sender.network
    payload = pack(values, width) if network.plays(sender) else None
    received = network.send(sender, receiver, payload, phase=phase)
    if received is None:
        return None
    if sender is receiver or (network.plays(sender) and network.is_simulation):
        return np.asarray(values).astype(dtype_for(width), copy=False).reshape(shape)
    count = int(np.prod(shape, dtype=np.int64))
    return unpack(received, width, count).reshape(shape)


def share_xor_from(owner, values, holders, width=64):
    """The owner XOR-shares ``values`` and sends share ``j`` to ``holders[j]``; one round."""
    network = owner.network
    values = np.asarray(values)
    shares = split_xor(values, len(holders), width, owner.source) if network.plays(owner) else None
    rows = played_rows(holders)
    out = np.empty((len(rows),) + values.shape, dtype=dtype_for(width))
    with network.protocol("share_xor"), network.round():
        for j, holder in enumerate(holders):
            got = send_words(owner, holder, None if shares is None else shares[j], width,
                             values.shape)
            if j in rows:
                out[rows.index(j)] = got
    return out


def send_words_many(sender, receiver, value_list, width, shapes, phase="online"):
    """Several arrays of ``width``-bit values as one packed message (see :func:`send_words`).

    ``value_list`` is read in the sender's process only.  Returns the list of arrays the
    receiver unpacked, in the receiver's process; None elsewhere.
    """
    joined = None if value_list is None else join_flat(value_list)
    got = send_words(sender, receiver, joined, width, (sum(math.prod(s) for s in shapes),),
                     phase)
    return None if got is None else split_flat(got, shapes)


def open_xor(share_list, holders, width, protocol="open_xor"):
    """Every holder learns every value in ``share_list``; all sent in parallel, one round.

    Each holder sends its (packed) shares of all the values to every other holder as one
    message, before it waits for any (:func:`~smpc.sharing.exchange_many_among`); each
    holder XORs its own share with what it received.  A process that plays no holder
    gets zeros of the shape.
    """
    shapes = [shares.shape[1:] for shares in share_list]

    def carry(sender, receiver, shares):
        return send_words_many(sender, receiver, shares, width, shapes)
    pieces = exchange_many_among(share_list, holders, protocol, carry)
    return [reconstruct_xor(np.stack(pieces_k)) for pieces_k in pieces]
