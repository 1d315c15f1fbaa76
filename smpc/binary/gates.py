"""AND of XOR-shared words with Beaver triples over Z_2, many gates per NumPy call.

XOR is free on XOR shares; AND is the one gate that needs interaction.  It is
Beaver's multiplication (Beaver, CRYPTO 1991) in the field Z_2, done on every
bit of a word at once (ABY: Demmler, Schneider, Zohner, NDSS 2015, Sec. III-B;
CrypTen: Knott et al., NeurIPS 2021, binary ``__and__``).

:func:`and_shared` -- ``z = x & y`` for XOR-shared ``x`` and ``y``, given an AND
triple ``(alpha, beta, gamma = alpha & beta)`` from the dealer:

1. holder ``j`` computes ``d_j = x_j ^ alpha_j`` and ``e_j = y_j ^ beta_j`` and
   sends both to every other holder; all holders learn ``d = x ^ alpha`` and
   ``e = y ^ beta`` (one round).  ``alpha`` and ``beta`` are uniform and used
   once, so ``d`` and ``e`` are uniform: they say nothing about ``x`` or ``y``.
2. holder ``j`` computes ``z_j = gamma_j ^ (d & beta_j) ^ (e & alpha_j)``, and
   holder 0 also XORs in ``d & e``.  Then
   ``XOR z_j = (d ^ alpha) & (e ^ beta) = x & y``.

Cost, ``n`` values of ``w`` bits, ``N`` holders: ``N (N-1) B(2n, w)`` bytes (``d``
and ``e`` packed in one message), 1 round, with ``B(n, w) = ceil(n w / 8)``; two
holders, 64-bit words: ``32 n`` bytes.

:func:`and_private` -- ``z = x & y`` when holder 0 knows all of ``x`` and holder 1
all of ``y`` (the first step of the adders: each holder's arithmetic share is
one operand).  The triple is ``u`` (holder 0's), ``v`` (holder 1's) and XOR
shares of ``u & v``; it is the triple above with one share of each mask fixed
to zero, so only half the openings travel:

1. holder 0 sends ``d = x ^ u`` to holder 1; holder 1 sends ``e = y ^ v`` to
   holder 0 (one round).  Each receives a value masked by a one-time pad it
   does not know.
2. holder 0: ``z_0 = gamma_0 ^ (d & e) ^ (u & e)``; holder 1: ``z_1 = gamma_1 ^ (d & v)``.
   Then ``z_0 ^ z_1 = (d ^ u) & (e ^ v) = x & y``.

Cost: ``16 n`` bytes for ``n`` 64-bit words, 1 round.
"""
import numpy as np

from ..rows import played_rows
from .dealer import and_triple, private_and_triple
from .sharing import open_xor, send_words


def and_shared(x_shares, y_shares, holders, crypto_provider, width=64, triple=None):
    """XOR shares of ``x & y`` for XOR-shared ``width``-bit ``x`` and ``y`` of one shape."""
    if x_shares.shape != y_shares.shape:
        raise ValueError(f"AND operands must have one shape, got {x_shares.shape} and {y_shares.shape}")
    if triple is None:
        triple = and_triple(crypto_provider, holders, x_shares.shape[1:], width)
    alpha, beta, gamma = triple.consume()
    d, e = open_xor([x_shares ^ alpha, y_shares ^ beta], holders, width, "binary_and")
    z = gamma ^ (d & beta) ^ (e & alpha)
    if played_rows(holders)[:1] == (0,):
        z[0] ^= d & e                                  # holder 0 alone adds the public d & e
    return z


def and_private(own_words, holders, crypto_provider, triple=None):
    """XOR shares of ``x & y`` (64-bit words), ``x`` known to holder 0 and ``y`` to holder 1.

    ``own_words``: the rows played here, each holder's own operand (holder 0's ``x``,
    holder 1's ``y``).
    """
    own_words = np.asarray(own_words, np.uint64)
    shape = own_words.shape[1:]
    if triple is None:
        triple = private_and_triple(crypto_provider, holders, shape)
    pads, gamma = triple.consume()
    network = holders[0].network
    rows = played_rows(holders)
    masked = own_words ^ pads                         # holder 0: d = x ^ u; holder 1: e = y ^ v
    with network.protocol("binary_and"), network.round():
        d = send_words(holders[0], holders[1], masked[rows.index(0)] if 0 in rows else None,
                       64, shape)
        e = send_words(holders[1], holders[0], masked[rows.index(1)] if 1 in rows else None,
                       64, shape)
    z = gamma.copy()
    for row, j in enumerate(rows):
        if j == 0:   # z_0 = gamma_0 ^ (d & e) ^ (u & e), with d its own masked operand
            z[row] ^= (masked[row] & e) ^ (pads[row] & e)
        else:        # z_1 = gamma_1 ^ (d & v)
            z[row] ^= d & pads[row]
    return z
