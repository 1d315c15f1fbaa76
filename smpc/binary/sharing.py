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
* :func:`open_xor` -- ``N (N-1) B(n, w)`` bytes per opened value, 1 round for all of them.
"""
import numpy as np

from ..randomness import default_source
from .words import dtype_for, pack, random_words


def split_xor(values, count, width=64):
    """XOR shares of ``values``: ``count - 1`` uniform masks, the last one makes the XOR."""
    values = np.asarray(values).astype(dtype_for(width), copy=False)
    masks = random_words(default_source, (count - 1,) + values.shape, width)
    return np.concatenate([masks, (values ^ np.bitwise_xor.reduce(masks, axis=0))[None]])


def reconstruct_xor(shares):
    """The secret: the XOR of the shares along the party axis."""
    return np.bitwise_xor.reduce(shares, axis=0)


def xor_public(shares, constant):
    """Shares of ``x ^ constant`` for a public ``constant``: holder 0 alone applies it."""
    out = shares.copy()
    out[0] ^= np.asarray(constant).astype(shares.dtype, copy=False)
    return out


def send_words(sender, receiver, values, width, phase="online"):
    """Send ``width``-bit values, packed to whole bytes (sub-byte widths share bytes)."""
    return sender.network.send(sender, receiver, pack(values, width), phase=phase)


def share_xor_from(owner, values, holders, width=64):
    """The owner XOR-shares ``values`` and sends share ``j`` to ``holders[j]``; one round."""
    network = owner.network
    shares = split_xor(values, len(holders), width)
    with network.protocol("share_xor"), network.round():
        for holder, share in zip(holders, shares):
            send_words(owner, holder, share, width)
    return shares


def open_xor(share_list, holders, width, protocol="open_xor"):
    """Every holder learns every value in ``share_list``; all sent in parallel, one round.

    Each holder sends its (packed) share of each value to every other holder.
    The packed payload carries exactly the share's bits (``unpack(pack(s)) == s``,
    tested), so the opened value is computed from the shares directly.
    """
    network = holders[0].network
    with network.protocol(protocol), network.round():
        for shares in share_list:
            for sender, share in zip(holders, shares):
                for receiver in holders:
                    if receiver is not sender:
                        send_words(sender, receiver, share, width)
    return [reconstruct_xor(shares) for shares in share_list]
