"""The crypto provider: a trusted dealer of correlated randomness.

SPDZ splits multiplication into an *offline* phase, where a dealer hands the
holders shares of random ``a``, ``b`` and ``c = a * b`` (a Beaver triple,
Beaver 1991), and a cheap *online* phase (:mod:`smpc.beaver`).  The dealer
never sees any data: triples are independent of it.

Two ways to deliver a sharing of ``n`` ring elements to ``N`` holders:

* **full shares**: the dealer draws every share and sends each holder its own,
  ``8 n`` bytes per holder per value;
* **PRG seeds** (as CrypTen's trusted third party): each holder gets a 16-byte
  seed and expands all its shares from it.  A *random* value (``a``, ``b``) is
  then simply defined as the sum of the expanded shares, so nothing more travels;
  a *derived* value (``c = a * b``) needs one correction share, ``8 n`` bytes,
  sent to the last holder.

Offline bytes of one triple (``n_a, n_b, n_c`` elements; a square pair has no
``b`` and ``n_c = n_a``), all in the dealer's offline phase, no online rounds:

* full shares: ``8 N (n_a + n_b + n_c)``;
* PRG seeds: ``16 N + 8 n_c``.

Each :class:`Triple` may be used once: two products masked with the same ``a``
reveal ``(x - a) - (x' - a) = x - x'``.  A second use raises
:class:`~smpc.errors.TripleReuseError`.
"""
import numpy as np

from . import ring
from .errors import TripleReuseError
from .parties import Party
from .randomness import default_source, prg
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


class CryptoProvider(Party):
    """Deals Beaver triples and square pairs for the shapes at hand."""

    def __init__(self, name, network, prg_seeds=True):
        super().__init__(name, network)
        self.prg_seeds = prg_seeds

    def deal(self, holders, random_shapes, derive):
        """Share fresh random values, and values derived from them, among ``holders``.

        ``random_shapes``: the shapes of the uniformly random values (``a``, ``b``).
        ``derive``: a function from those values to the derived values (``[a * b]``).
        Returns one stacked share array (party axis first) per value, randoms first.
        """
        network = self.network
        # Ring arithmetic wraps on purpose; NumPy warns about it on 0-d values.
        with network.protocol("dealer"), np.errstate(over="ignore"):
            if self.prg_seeds:
                seeds = [network.send(self, h, default_source.new_seed(), phase="offline")
                         for h in holders]
                generators = [prg(seed) for seed in seeds]
                randoms = [np.stack([g.ring(shape) for g in generators]) for shape in random_shapes]
                derived = derive([r.sum(axis=0) for r in randoms])
                derived_shares = []
                for value in derived:
                    own = [g.ring(value.shape) for g in generators[:-1]]
                    correction = value - np.sum(own, axis=0) if own else value
                    network.send(self, holders[-1], correction, phase="offline")
                    derived_shares.append(np.stack(own + [correction]))
                return randoms + derived_shares
            randoms = [default_source.ring(shape) for shape in random_shapes]
            values = randoms + list(derive(randoms))
            shares = [split(v, len(holders)) for v in values]
            for stacked in shares:
                for holder, share in zip(holders, stacked):
                    network.send(self, holder, share, phase="offline")
            return shares

    def mul_triple(self, holders, shape_x, shape_y):
        """A triple for the elementwise product of tensors of these shapes (broadcasting)."""
        return Triple("mul", self.deal(holders, [shape_x, shape_y], lambda v: [v[0] * v[1]]))

    def matmul_triple(self, holders, shape_x, shape_y):
        """A triple for the matrix product ``x @ y`` (batch dimensions broadcast)."""
        return Triple("matmul", self.deal(holders, [shape_x, shape_y],
                                          lambda v: [ring.matmul(v[0], v[1])]))

    def square_pair(self, holders, shape):
        """A pair ``(a, a * a)`` for squaring: half the opening of a full triple."""
        return Triple("square", self.deal(holders, [shape], lambda v: [v[0] * v[0]]))


    def conv_triple(self, holders, bilinear, shape_x, shape_y):
        """A triple for a convolution map (:class:`smpc.convolution.Bilinear`): c = map(a, b)."""
        return Triple(bilinear.kind, self.deal(holders, [shape_x, shape_y],
                                               lambda v: [bilinear(v[0], v[1], ring.matmul)]))
