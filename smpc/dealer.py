"""The crypto provider: a trusted dealer of correlated randomness.

SPDZ splits multiplication into an *offline* phase, where a dealer hands the
holders shares of random ``a``, ``b`` and ``c = a * b`` (a Beaver triple,
Beaver 1991), and a cheap *online* phase (:mod:`smpc.beaver`).  The dealer
never sees any data: triples are independent of it.

Two ways to deliver a sharing of ``n`` ring elements to ``N`` holders:

* **full shares**: the dealer draws every share from its own generator and sends each
  holder its own, ``8 n`` bytes per holder per value;
* **PRG keys** (as CrypTen's trusted third party): the dealer and each holder share a
  long-lived key (agreed once, when the session starts) and both expand the holder's
  shares from it, in the same order.  A *random* value (``a``, ``b``) is then simply
  defined as the sum of the expanded shares, so nothing travels; a *derived* value
  (``c = a * b``) needs one correction share, ``8 n`` bytes, sent to the last holder.

Offline bytes of one triple (``n_a, n_b, n_c`` elements; a square pair has no
``b`` and ``n_c = n_a``), all in the dealer's offline phase, no online rounds:

* full shares: ``8 N (n_a + n_b + n_c)``;
* PRG keys: ``8 n_c``.

Who computes what.  Every holder expands its own rows; the dealer's block (run only in
the process that plays the dealer) expands every holder's stream, computes the derived
values and sends the corrections.  In the simulation one process plays both, and the
dealer reuses the rows the holders expanded (the same numbers, drawn once).

Each :class:`Triple` may be used once: two products masked with the same ``a``
reveal ``(x - a) - (x' - a) = x - x'``.  A second use raises
:class:`~smpc.errors.TripleReuseError`.
"""
import numpy as np

from . import ring
from .beaver import product_shape
from .errors import TripleReuseError
from .parties import Party
from .rows import played_rows
from .sharing import split


class Triple:
    """Shares of correlated values ``(a, b, c)`` (or ``(a, a^2)``) for one use."""

    def __init__(self, kind, shares):
        self.kind = kind
        self._shares = shares
        self.used = False

    def consume(self):
        """Return the stacked shares, marking the triple as used."""
        if self.used:
            raise TripleReuseError(
                f"this {self.kind} triple was already used; reusing a triple reveals the "
                "difference of the two masked inputs. Ask the crypto provider for a fresh one.")
        self.used = True
        return self._shares

    @property
    def shapes(self):
        """The data shapes of its values (without the party axis), readable without using it."""
        return [tuple(s.shape[1:]) for s in self._shares]


class CryptoProvider(Party):
    """Deals Beaver triples and square pairs for the shapes at hand."""

    def __init__(self, name, network, prg_seeds=True):
        super().__init__(name, network)
        self.prg_seeds = prg_seeds

    def deal(self, holders, random_shapes, derived_shapes, derive):
        """Share fresh random values, and values derived from them, among ``holders``.

        ``random_shapes``: the shapes of the uniformly random values (``a``, ``b``).
        ``derived_shapes``: the shapes of the derived values (every process needs them;
        only the dealer computes the values).  ``derive``: a function from the random
        values to the derived ones (``[a * b]``), called in the dealer's process only;
        it may draw from the dealer's own generator ``self.source``.
        Returns one share array (the rows played here) per value, randoms first.
        """
        network = self.network
        random_shapes = [tuple(s) for s in random_shapes]
        derived_shapes = [tuple(s) for s in derived_shapes]
        # Ring arithmetic wraps on purpose; NumPy warns about it on 0-d values.
        with network.protocol("dealer"), np.errstate(over="ignore"):
            if self.prg_seeds:
                return self._deal_from_keys(holders, random_shapes, derived_shapes, derive)
            return self._deal_full_shares(holders, random_shapes, derived_shapes, derive)

    def _deal_from_keys(self, holders, random_shapes, derived_shapes, derive):
        network = self.network
        rows = played_rows(holders)
        last = len(holders) - 1
        streams = [network.randomness.dealer_stream(self, h) for h in holders]
        # 1. Every holder expands its shares of the random values from its key.
        randoms = [_stacked([streams[j].ring(shape) for j in rows], shape)
                   for shape in random_shapes]
        derived = None
        if network.plays(self):
            # 2. The dealer: every holder's shares of the randoms, their sums, the derived values.
            full = [np.stack([randoms[v][rows.index(j)] if j in rows else streams[j].ring(shape)
                              for j in range(len(holders))])
                    for v, shape in enumerate(random_shapes)]
            derived = derive([r.sum(axis=0) for r in full])
            _check_shapes(derived, derived_shapes)
        derived_shares = []
        for v, shape in enumerate(derived_shapes):
            # 3. Holders 0..N-2 expand their shares of the derived value too ...
            own = {j: streams[j].ring(shape) for j in rows if j != last}
            correction = None
            if derived is not None:
                # ... and the dealer sends the last holder the share that makes the sum.
                others = [own[j] if j in own else streams[j].ring(shape) for j in range(last)]
                correction = derived[v] - np.sum(others, axis=0) if others else derived[v]
            received = network.send(self, holders[last], correction, phase="offline")
            if last in rows:
                own[last] = received
            derived_shares.append(_stacked([own[j] for j in rows], shape))
        return randoms + derived_shares

    def _deal_full_shares(self, holders, random_shapes, derived_shapes, derive):
        network = self.network
        rows = played_rows(holders)
        values = None
        if network.plays(self):
            randoms = [self.source.ring(shape) for shape in random_shapes]
            derived = derive(randoms)
            _check_shapes(derived, derived_shapes)
            values = randoms + list(derived)
        out = []
        for v, shape in enumerate(random_shapes + derived_shapes):
            shares = split(values[v], len(holders), self.source) if values is not None else None
            received_rows = np.empty((len(rows),) + shape, np.int64)
            for j, holder in enumerate(holders):
                received = network.send(self, holder, None if shares is None else shares[j],
                                        phase="offline")
                if j in rows:
                    received_rows[rows.index(j)] = received
            out.append(received_rows)
        return out

    def mul_triple(self, holders, shape_x, shape_y):
        """A triple for the elementwise product of tensors of these shapes (broadcasting)."""
        product = np.broadcast_shapes(tuple(shape_x), tuple(shape_y))
        return Triple("mul", self.deal(holders, [shape_x, shape_y], [product],
                                       lambda v: [v[0] * v[1]]))

    def matmul_triple(self, holders, shape_x, shape_y):
        """A triple for the matrix product ``x @ y`` (batch dimensions broadcast)."""
        product = product_shape("matmul", shape_x, shape_y)
        return Triple("matmul", self.deal(holders, [shape_x, shape_y], [product],
                                          lambda v: [ring.matmul(v[0], v[1])]))

    def square_pair(self, holders, shape):
        """A pair ``(a, a * a)`` for squaring: half the opening of a full triple."""
        return Triple("square", self.deal(holders, [shape], [shape], lambda v: [v[0] * v[0]]))


    def conv_triple(self, holders, bilinear, shape_x, shape_y):
        """A triple for a convolution map (:class:`smpc.convolution.Bilinear`): c = map(a, b)."""
        product = bilinear.output_shape(shape_x, shape_y)
        return Triple(bilinear.kind, self.deal(holders, [shape_x, shape_y], [product],
                                               lambda v: [bilinear(v[0], v[1], ring.matmul)]))


def _stacked(rows, shape):
    """One array from the rows played here (``(0, *shape)`` when there are none)."""
    return np.stack(rows) if rows else np.empty((0,) + tuple(shape), np.int64)


def _check_shapes(values, shapes):
    got = [tuple(np.shape(v)) for v in values]
    if got != list(shapes):
        raise ValueError(f"the dealer derived values of shapes {got}, declared {list(shapes)}")
