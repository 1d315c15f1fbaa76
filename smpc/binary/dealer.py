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

* **PRG keys**: each holder expands its shares of the random values from the key it
  shares with the dealer; only a *derived* value (``gamma``, ``u & v``, the arithmetic
  ``r``) needs a correction share, sent to the last holder.  Offline bytes for ``n``
  values of ``w`` bits, ``N`` holders: ``B(n, w)`` for an AND triple, ``8 n`` for a
  private triple, ``8 n`` for bit pairs.
* **full shares**: every share travels: ``3 N B(n, w)`` for an AND triple,
  ``32 n`` for a private triple (2 holders), ``N (B(n, 1) + 8 n)`` for bit pairs.

``B(n, w) = ceil(n w / 8)``.  Each triple is a :class:`smpc.dealer.Triple`: a
second use raises :class:`~smpc.errors.TripleReuseError`.
"""
import numpy as np

from ..dealer import Triple
from ..errors import ProtocolError
from ..rows import played_rows
from ..sharing import split
from .sharing import reconstruct_xor, send_words, split_xor
from .words import dtype_for, random_words


def _deal(crypto_provider, holders, randoms, derived, derive):
    """Deal random XOR-shared words and values derived from them.

    ``randoms``: ``(shape, width, owners)`` per random value; ``owners`` lists the holder
    indices that hold a share of it (all holders, or a single holder who then knows the
    whole value: the private triple's ``u`` and ``v``).  ``derived``: ``(shape, width,
    kind)`` per derived value, ``kind`` "xor" (XOR shares) or "add" (additive int64
    shares).  ``derive`` maps the random values to the derived ones, in the dealer's
    process only.  Returns, per value, the rows played here (a holder outside a random
    value's owners gets zeros there).
    """
    network = crypto_provider.network
    rows = played_rows(holders)
    last = len(holders) - 1

    def stacked(row_values, shape, dtype):
        return np.stack(row_values) if row_values else np.empty((0,) + tuple(shape), dtype)

    with network.protocol("dealer"):
        if not crypto_provider.prg_seeds:
            return _deal_full(crypto_provider, holders, randoms, derived, derive)
        streams = [network.randomness.dealer_stream(crypto_provider, h) for h in holders]
        zeros = [np.zeros(shape, dtype_for(width)) for shape, width, _ in randoms]
        random_rows = [{j: random_words(streams[j], shape, width) if j in owners else zeros[v]
                        for j in rows}
                       for v, (shape, width, owners) in enumerate(randoms)]
        values = None
        if network.plays(crypto_provider):
            full = []
            for v, (shape, width, owners) in enumerate(randoms):
                parts = [random_rows[v][j] if j in rows else random_words(streams[j], shape, width)
                         for j in owners]
                full.append(reconstruct_xor(np.stack(parts)))
            values = derive(full)
        out = [stacked([random_rows[v][j] for j in rows], shape, dtype_for(width))
               for v, (shape, width, _) in enumerate(randoms)]
        for v, (shape, width, kind) in enumerate(derived):
            draw = ((lambda g, shape=shape, width=width: random_words(g, shape, width))
                    if kind == "xor" else (lambda g, shape=shape: g.ring(shape)))
            own = {j: draw(streams[j]) for j in rows if j != last}
            correction = None
            if values is not None:
                others = [own[j] if j in own else draw(streams[j]) for j in range(last)]
                if kind == "xor":
                    correction = values[v] ^ reconstruct_xor(np.stack(others)) if others else values[v]
                else:
                    correction = values[v] - np.sum(others, axis=0, dtype=np.int64)
            if kind == "xor":
                got = send_words(crypto_provider, holders[last], correction, width, shape,
                                 phase="offline")
            else:
                got = network.send(crypto_provider, holders[last], correction, phase="offline")
            if last in rows:
                own[last] = got
            out.append(stacked([own[j] for j in rows], shape,
                               dtype_for(width) if kind == "xor" else np.int64))
        return out


def _deal_full(crypto_provider, holders, randoms, derived, derive):
    """Full-share mode: the dealer draws every value and sends every share."""
    network = crypto_provider.network
    rows = played_rows(holders)
    source = crypto_provider.source
    values = None
    if network.plays(crypto_provider):
        full = [random_words(source, shape, width) for shape, width, _ in randoms]
        values = full + list(derive(full))
    specs = [(shape, width, "xor", owners) for shape, width, owners in randoms] + \
            [(shape, width, kind, range(len(holders))) for shape, width, kind in derived]
    out = []
    for v, (shape, width, kind, owners) in enumerate(specs):
        dtype = dtype_for(width) if kind == "xor" else np.int64
        result = np.zeros((len(rows),) + tuple(shape), dtype)
        if len(owners) == 1:      # a value one holder knows whole: sent to it alone
            shares = {owners[0]: values[v]} if values is not None else {}
        elif values is None:
            shares = {}
        elif kind == "xor":
            shares = dict(enumerate(split_xor(values[v], len(holders), width, source)))
        else:
            shares = dict(enumerate(split(values[v].astype(np.int64), len(holders), source)))
        for j in owners:
            holder = holders[j]
            if kind == "xor":
                got = send_words(crypto_provider, holder, shares.get(j), width, shape,
                                 phase="offline")
            else:
                got = network.send(crypto_provider, holder, shares.get(j), phase="offline")
            if j in rows:
                result[rows.index(j)] = got
        out.append(result)
    return out


def and_triple(crypto_provider, holders, shape, width=64):
    """XOR shares of random ``alpha``, ``beta`` and ``gamma = alpha & beta`` (``width`` bits)."""
    shape = tuple(shape)
    everyone = tuple(range(len(holders)))
    alpha, beta, gamma = _deal(crypto_provider, holders,
                               [(shape, width, everyone), (shape, width, everyone)],
                               [(shape, width, "xor")], lambda v: [v[0] & v[1]])
    return Triple("and", (alpha, beta, gamma))


def private_and_triple(crypto_provider, holders, shape):
    """For ``x & y`` with ``x`` known to holder 0 and ``y`` to holder 1 (64-bit words).

    Holder 0 gets a random ``u``, holder 1 a random ``v``, and both XOR shares of
    ``u & v``.  Returns ``(masks, shares of u & v)``: a holder's row of ``masks`` is its
    own one-time pad (``u`` for holder 0, ``v`` for holder 1).
    """
    if len(holders) != 2:
        raise ProtocolError(f"a private-operand AND triple is for 2 holders, got {len(holders)}")
    shape = tuple(shape)
    u, v, gamma = _deal(crypto_provider, holders, [(shape, 64, (0,)), (shape, 64, (1,))],
                        [(shape, 64, "xor")], lambda values: [values[0] & values[1]])
    return Triple("private_and", (u ^ v, gamma))   # each row is zero in the other pad


def bit_pair(crypto_provider, holders, shape):
    """A random bit ``r`` per element, as XOR shares (uint8) and as additive shares (int64)."""
    shape = tuple(shape)
    everyone = tuple(range(len(holders)))
    r_xor, r_arith = _deal(crypto_provider, holders, [(shape, 1, everyone)],
                           [(shape, 1, "add")], lambda v: [v[0].astype(np.int64)])
    return Triple("bit_pair", (r_xor, r_arith))
