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
dealer reuses the rows the holders expanded (the same numbers, drawn once).  The two
halves are :func:`smpc.preprocessing.expand_holder_rows` and
:func:`~smpc.preprocessing.dealer_corrections`; inside a program's steps they can run a
step ahead of the computation that uses them (:mod:`smpc.preprocessing`).

Each :class:`Triple` may be used once: two products masked with the same ``a``
reveal ``(x - a) - (x' - a) = x - x'``.  A second use raises
:class:`~smpc.errors.TripleReuseError`.
"""
import numpy as np

from . import ring
from .beaver import product_shape
from .errors import TripleReuseError
from .parties import Party
from .preprocessing import DealRequest
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

    def dealing_source(self, ahead=False):
        """The dealer's private stream for what a deal draws besides the holders' keys (the
        masks of a truncation pair, full shares), kept apart from its other draws; a second
        one for the deals prepared ahead in a background thread (:mod:`smpc.preprocessing`)."""
        return self.network.randomness.own(self, purpose="dealing-ahead" if ahead else "dealing")

    def deal(self, holders, random_shapes, derived_shapes, derive, what):
        """Share fresh random values, and values derived from them, among ``holders``.

        ``random_shapes``: the shapes of the uniformly random values (``a``, ``b``).
        ``derived_shapes``: the shapes of the derived values (every process needs them;
        only the dealer computes the values).  ``derive``: a function from the random
        values and a random source to the derived ones (``lambda v, source: [v[0] * v[1]]``),
        called in the dealer's process only (perhaps in its background thread, ahead of
        time); its only randomness is ``source``, the dealer's stream for this deal.
        ``what``: words that name everything ``derive`` computes besides the shapes
        ("matmul", "masked truncation pair (divisor 65536)"): a deal prepared ahead is
        used only for a request with the same shapes and the same ``what``.
        Returns one share array (the rows played here) per value, randoms first.
        """
        network = self.network
        request = DealRequest(self, holders, random_shapes, derived_shapes, derive, what)
        # Ring arithmetic wraps on purpose; NumPy warns about it on 0-d values.
        with network.protocol("dealer"), np.errstate(over="ignore"):
            if self.prg_seeds:
                return self._deliver(network.preprocessing.take(request))
            return self._deal_full_shares(holders, request.random_shapes,
                                          request.derived_shapes, derive)

    def _deliver(self, prepared):
        """Steps 1-3 with PRG keys: the expanded rows, and the last holder's correction."""
        request = prepared.request
        holders = request.holders
        rows = played_rows(holders)
        last = len(holders) - 1
        randoms = [_stacked(r, shape) for r, shape in zip(prepared.randoms, request.random_shapes)]
        derived_shares = []
        for v, shape in enumerate(request.derived_shapes):
            own = dict(prepared.own_derived[v])
            received = prepared.correction_received(v)
            if last in rows:
                own[last] = received
            derived_shares.append(_stacked([own[j] for j in rows], shape))
        return randoms + derived_shares

    def _deal_full_shares(self, holders, random_shapes, derived_shapes, derive):
        network = self.network
        rows = played_rows(holders)
        values = None
        if network.plays(self):
            randoms = [self.dealing_source().ring(shape) for shape in random_shapes]
            derived = derive(randoms, self.dealing_source())
            _check_shapes(derived, derived_shapes)
            values = randoms + list(derived)
        out = []
        for v, shape in enumerate(random_shapes + derived_shapes):
            shares = (split(values[v], len(holders), self.dealing_source())
                      if values is not None else None)
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
                                       lambda v, _: [v[0] * v[1]], "mul"))

    def matmul_triple(self, holders, shape_x, shape_y):
        """A triple for the matrix product ``x @ y`` (batch dimensions broadcast)."""
        product = product_shape("matmul", shape_x, shape_y)
        return Triple("matmul", self.deal(holders, [shape_x, shape_y], [product],
                                          lambda v, _: [ring.matmul(v[0], v[1])], "matmul"))

    def square_pair(self, holders, shape):
        """A pair ``(a, a * a)`` for squaring: half the opening of a full triple."""
        return Triple("square", self.deal(holders, [shape], [shape], lambda v, _: [v[0] * v[0]],
                                          "square"))


    def conv_triple(self, holders, bilinear, shape_x, shape_y):
        """A triple for a convolution map (:class:`smpc.convolution.Bilinear`): c = map(a, b)."""
        product = bilinear.output_shape(shape_x, shape_y)
        return Triple(bilinear.kind, self.deal(holders, [shape_x, shape_y], [product],
                                               lambda v, _: [bilinear(v[0], v[1], ring.matmul)],
                                               f"{bilinear!r}, input {bilinear.input_size}, "
                                               f"kernel {bilinear.kernel_size}"))


def _stacked(rows, shape):
    """One array from the rows played here (``(0, *shape)`` when there are none)."""
    return np.stack(rows) if rows else np.empty((0,) + tuple(shape), np.int64)


def _check_shapes(values, shapes):
    got = [tuple(np.shape(v)) for v in values]
    if got != list(shapes):
        raise ValueError(f"the dealer derived values of shapes {got}, declared {list(shapes)}")
