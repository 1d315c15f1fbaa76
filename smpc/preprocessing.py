"""The dealer ahead: the correlated randomness of a step dealt before the step runs.

A Beaver triple does not depend on the data, and neither do the shapes of an MPC
program: a training step asks the crypto provider for the same triples, in the same
order, every time its batch has the same shape.  So the triples of the *next* step can
be dealt while the holders compute this one -- the preprocessing model of SPDZ
(Damgård, Pastro, Smart, Zakarias, CRYPTO 2012, section 2): an offline phase that only
needs the shapes, and an online phase that only needs the data.

How a program uses it: each step runs inside ``with network.preprocessing.step(key,
next_key):``, where ``key`` names the step's shapes (``("train", 64)``, say) and
``next_key`` announces the step that comes after it.  Every process of the session runs
the same program, so they all see the same calls in the same order.

1. **Record.**  The first step with a given key deals its triples inline, as without
   preprocessing, and records each request (holders, shapes, and the function that
   derives ``c`` from ``a`` and ``b``): the *plan* of that key.
2. **Prepare.**  When a step begins and the step it announces has a known plan, every
   process queues that next step's deals.  The crypto provider's process hands the
   dealer's part of each (expand every holder's key stream, derive, compute the last
   holder's correction) to a background thread, which sends each correction on the
   transport's *ahead* channel as soon as it is ready, while the holders compute the
   current step.
3. **Use.**  During the prepared step each deal takes the next prepared one, after
   checking that it is the one asked for (what it derives, holders, shapes).  Each
   holder expands its shares of the random values, and of every derived value but the
   last holder's, from the key it shares with the dealer (:mod:`smpc.dealer`), and the
   last holder takes its correction from the ahead channel, where it has usually been
   waiting (in the simulation the dealer's part is computed here too).  The correction is counted as the dealer's message at that moment, so every
   process counts the same bytes at the same point as the simulation.
4. **Re-record.**  A step that asks for something else than its plan drops what was
   prepared and deals inline from there, recording its plan anew: an optimiser's first
   step, which creates its state, or a truncation pair for a public divisor that changes
   from step to step (on the reference model, Adam's steps 2 to 4: some of its masked
   truncations divide by 2^16, 2^17, then 2^18).  The last holder takes and
   drops the dropped corrections from the ahead channel, and they are counted, as sent.

Why the results do not change.  The deals of steps draw from streams of their own: a
second key per dealer-holder pair (``dealer-ahead/...``) and the dealer's private
``dealing-ahead`` stream (the masks of a truncation pair).  Each is drawn step by step,
each step's deals in order, whether a step is prepared ahead or dealt inline while it is
recorded (a recording step announces nothing, and in the crypto provider's process it
first waits for the thread).  Deals outside steps draw from the ordinary keys, in
program order.  So every process, and the simulation, draws the same numbers for the
same deal, and a run resumed from a checkpoint (which starts with no plans) deals what
the uninterrupted run dealt.  After a step that announces nothing, the crypto
provider waits for its thread, so that a checkpoint taken there saves streams at rest.

Costs: no extra bytes or rounds (but for the corrections a re-recorded step drops);
memory for one step's triples ahead.  After an error inside a step the session deals
inline from then on.
"""
import collections
import queue
import threading
import time
from contextlib import contextmanager

import numpy as np

from .errors import ProtocolError
from .rows import played_rows


class DealRequest:
    """One deal a program asks for: random values of some shapes, values derived from them."""

    def __init__(self, dealer, holders, random_shapes, derived_shapes, derive, what):
        self.dealer = dealer
        self.what = str(what)
        self.holders = tuple(holders)
        self.random_shapes = [tuple(s) for s in random_shapes]
        self.derived_shapes = [tuple(s) for s in derived_shapes]
        self.derive = derive

    def signature(self):
        return (self.what, self.dealer.name, tuple(h.name for h in self.holders),
                tuple(self.random_shapes), tuple(self.derived_shapes))

    def describe(self):
        return (f"{self.what}: {len(self.random_shapes)} random values of shapes "
                f"{self.random_shapes} and "
                f"{len(self.derived_shapes)} derived of shapes {self.derived_shapes} for "
                f"{', '.join(h.name for h in self.holders)}")


class PreparedDeal:
    """What this process holds of one deal before it is used.

    ``randoms``: per random value, the rows of the holders played here; ``own_derived``:
    per derived value, row index -> share, for the holders that expand theirs (all but
    the last); ``corrections``: the last holder's shares, where this process computed
    them (the simulation, or an inline deal in the dealer's process); ``ahead``: the
    corrections travel on the ahead channel, sent by the dealer's background thread.
    A prepared deal is drawn only when it is used (:meth:`materialize`); see
    :meth:`Preprocessing._prepare` for why that changes no number.
    """

    def __init__(self, request, randoms, own_derived, corrections=None, ahead=False, step=None):
        self.request = request
        self.randoms = randoms
        self.own_derived = own_derived
        self.corrections = corrections
        self.ahead = ahead
        self.step = step

    def materialize(self):
        """Draw this process's part of a prepared deal, once (the streams of steps)."""
        if self.randoms is None:
            request = self.request
            network = request.dealer.network
            rows = played_rows(request.holders)
            streams = dealer_streams(request, ahead=True)
            self.randoms, self.own_derived = expand_holder_rows(request, streams, rows)
            if network.plays(request.dealer) and not self.ahead:
                self.corrections = dealer_corrections(
                    request, streams, request.dealer.dealing_source(ahead=True), rows,
                    self.randoms, self.own_derived)
        return self

    def correction_received(self, v):
        """Deliver the last holder's share of derived value ``v``: what it received, in its
        process (None elsewhere).  Counted as the dealer's message, here and now."""
        request = self.request
        dealer, network = request.dealer, request.dealer.network
        if self.corrections is not None:
            correction = self.corrections[v]
        elif self.ahead and network.plays(dealer):  # sent by the dealer's thread: counted only
            correction = np.broadcast_to(np.zeros((), np.int64), request.derived_shapes[v])
        else:
            correction = None
        return network.send(dealer, request.holders[-1], correction, phase="offline",
                            ahead=self.ahead)


def dealer_streams(request, ahead=False):
    """The stream each holder shares with the dealer (absent where neither is played):
    those of inline deals, or (``ahead``) those of the deals prepared ahead."""
    randomness = request.dealer.network.randomness
    return [randomness.dealer_stream(request.dealer, h, ahead=ahead) for h in request.holders]


def expand_holder_rows(request, streams, rows):
    """The holders' half of a deal: each played holder expands its shares from its key.

    Random values first, then the derived values' shares of every holder but the last
    (whose share is the dealer's correction), each stream in the same order as the dealer.
    """
    last = len(request.holders) - 1
    randoms = [[streams[j].ring(shape) for j in rows] for shape in request.random_shapes]
    own_derived = [{j: streams[j].ring(shape) for j in rows if j != last}
                   for shape in request.derived_shapes]
    return randoms, own_derived


def dealer_corrections(request, streams, source, rows=(), randoms=None, own_derived=None):
    """The dealer's half: the random values, the derived ones, the last holder's shares.

    ``source``: the dealer's private stream for the derivation.  ``rows``, ``randoms``
    and ``own_derived``: what holders played in this process have already expanded (the
    simulation); every other share is expanded here.
    """
    holders = request.holders
    last = len(holders) - 1
    full = [np.stack([randoms[v][rows.index(j)] if j in rows else streams[j].ring(shape)
                      for j in range(len(holders))])
            for v, shape in enumerate(request.random_shapes)]
    derived = request.derive([r.sum(axis=0) for r in full], source)
    got = [tuple(np.shape(d)) for d in derived]
    if got != list(request.derived_shapes):
        raise ValueError(f"the dealer derived values of shapes {got}, declared "
                         f"{request.derived_shapes}")
    corrections = []
    for v, shape in enumerate(request.derived_shapes):
        known = own_derived[v] if own_derived is not None else {}
        others = [known[j] if j in known else streams[j].ring(shape) for j in range(last)]
        corrections.append(derived[v] - np.sum(others, axis=0) if others else derived[v])
    return corrections


def deal_inline(request, in_step=False):
    """Both halves now, as far as this process plays them (nothing prepared).  ``in_step``:
    a deal inside a step, drawn from the streams of steps (see the module docstring)."""
    network = request.dealer.network
    rows = played_rows(request.holders)
    streams = dealer_streams(request, ahead=in_step)
    randoms, own_derived = expand_holder_rows(request, streams, rows)
    corrections = None
    if network.plays(request.dealer):
        corrections = dealer_corrections(request, streams,
                                         request.dealer.dealing_source(ahead=in_step),
                                         rows, randoms, own_derived)
    return PreparedDeal(request, randoms, own_derived, corrections)


class _DealerThread:
    """The crypto provider's background dealer: works through prepared requests in order."""

    def __init__(self, transport):
        self.transport = transport
        self.requests = queue.Queue()
        self.failure = None
        self.seconds = 0.0  # time spent dealing
        self.thread = threading.Thread(target=self._run, name="dealer-ahead", daemon=True)
        self.thread.start()

    def submit(self, request, streams, source):
        self.raise_if_failed()
        self.requests.put((request, streams, source))

    def wait_idle(self):
        self.requests.join()
        self.raise_if_failed()

    def raise_if_failed(self):
        if self.failure is not None:
            raise ProtocolError(f"the crypto provider's dealing ahead failed: {self.failure!r}")

    def _run(self):
        while True:
            request, streams, source = self.requests.get()
            try:
                if self.failure is None:
                    start = time.perf_counter()
                    with np.errstate(over="ignore"):  # ring arithmetic wraps on purpose
                        corrections = dealer_corrections(request, streams, source)
                    last = request.holders[-1].name
                    for correction in corrections:
                        self.transport.send(last, np.asarray(correction), ahead=True)
                    self.seconds += time.perf_counter() - start
            except BaseException as err:  # reported to the program at its next deal
                self.failure = err
            finally:
                self.requests.task_done()


class Preprocessing:
    """A session's plans and prepared deals (see the module docstring).

    ``enabled=False``: every deal inline, as if this did not exist.  ``offline_seconds``:
    time this process's program spent drawing prepared deals (the holders' expansion of
    their keys and, in the simulation, the dealer's part); ``dealer_seconds``: time the
    crypto provider's background thread spent dealing (its process only);
    ``prepared_steps``: how many steps ran on prepared deals; ``rerecorded``: how many
    deviated from their plan and were recorded again.
    """

    def __init__(self, network, enabled=True):
        self.network = network
        self.enabled = enabled
        self.plans = {}
        self.offline_seconds = 0.0
        self.rerecorded = 0
        self.prepared_steps = 0
        self._pending = collections.deque()   # prepared deals, in the order they will be used
        self._prepared = collections.deque()  # (key, step number) of the prepared steps
        self._current = None                  # the step running now: a _Step
        self._steps = 0
        self._worker = None

    @property
    def dealer_seconds(self):
        return self._worker.seconds if self._worker is not None else 0.0

    @contextmanager
    def step(self, key, next_key=None):
        """Run one step of the program: its deals come prepared if its plan is known."""
        if not self.enabled:
            yield
            return
        if self._current is not None:
            raise ProtocolError(f"step {key!r} began inside step {self._current.key!r}: "
                                "steps do not nest")
        if self._prepared and self._prepared[0][0] != key:
            raise ProtocolError(f"the program announced step {self._prepared[0][0]!r} next "
                                f"but began {key!r}; announce the step that really follows")
        if self._prepared:
            current = _Step(key, self._prepared.popleft()[1])
        elif key in self.plans:
            current = _Step(key, self._prepare(key))
            self._prepared.pop()
        else:
            current = _Step(key, None)
        if current.number is None and self._worker is not None:
            self._worker.wait_idle()  # the step draws inline from the streams it works on
        elif next_key is not None and next_key in self.plans:
            self._prepare(next_key)
        self._current = current
        try:
            yield
            if current.number is not None and self._pending and \
                    self._pending[0].step == current.number:  # fewer deals than planned
                self._rerecord(current)
            if current.number is None:
                self.plans[key] = current.used
            else:
                self.prepared_steps += 1
            if self._worker is not None and not self._prepared:
                self._worker.wait_idle()  # nothing ahead: the streams are at rest (checkpoints)
        except BaseException:
            self._give_up()
            raise
        finally:
            self._current = None

    def take(self, request):
        """The deal for ``request``: prepared, in a prepared step; else dealt now."""
        current = self._current
        if current is not None and current.number is not None:
            if self._worker is not None:
                self._worker.raise_if_failed()
            if self._pending and self._pending[0].step == current.number and \
                    self._pending[0].request.signature() == request.signature():
                current.used.append(request)
                return self._materialized(self._pending.popleft())
            self._rerecord(current)  # the step left its plan: from here on, inline
        if current is not None:
            current.used.append(request)
        with np.errstate(over="ignore"):
            return deal_inline(request, in_step=current is not None)

    def _rerecord(self, current):
        """A step whose deals differ from its plan (its shapes depend on more than its key,
        as an optimiser's first step): what is prepared is dropped, the step's deals from
        here on are inline, and its plan becomes what it really asked for."""
        self.rerecorded += 1
        self._discard_prepared()
        current.number = None
        if self._worker is not None:
            self._worker.wait_idle()  # its draws for what was dropped come first

    def _discard_prepared(self):
        """Drop every prepared deal.  The last holder still takes (and drops) their
        corrections from the ahead channel, so that it holds none that a later step could
        mistake for its own; every process counts them, as sent."""
        network = self.network
        while self._pending:
            prepared = self._materialized(self._pending.popleft())
            with network.protocol("dealer"):
                for v in range(len(prepared.request.derived_shapes)):
                    prepared.correction_received(v)
        self._prepared.clear()

    def _prepare(self, key):
        """Queue the deals of a step of ``key``; in the dealer's process, deal them ahead.

        Only the crypto provider's thread works ahead.  Everywhere else a prepared deal
        is drawn when it is used or dropped: prepared deals are used (or dropped) in the
        order they were prepared, nothing else draws from the streams of steps meanwhile,
        and each deal's draws are its own, so drawing later gives the same numbers as
        drawing now, without holding a whole step's triples in memory (a LeNet step's
        are about 230 MB in the simulation).
        """
        network = self.network
        number = self._steps
        self._steps += 1
        ahead = not network.is_simulation
        for request in self.plans[key]:
            if ahead and network.plays(request.dealer):
                self._dealer_thread().submit(request, dealer_streams(request, ahead=True),
                                             request.dealer.dealing_source(ahead=True))
            self._pending.append(PreparedDeal(request, None, None, ahead=ahead, step=number))
        self._prepared.append((key, number))
        return number

    def _materialized(self, prepared):
        start = time.perf_counter()
        with np.errstate(over="ignore"):
            prepared.materialize()
        self.offline_seconds += time.perf_counter() - start
        return prepared

    def _dealer_thread(self):
        if self._worker is None:
            self._worker = _DealerThread(self.network.transport)
        return self._worker

    def _give_up(self):
        """After an error inside a step: nothing prepared is used, every deal inline."""
        self.enabled = False
        self._pending.clear()
        self._prepared.clear()


class _Step:
    """The step running now: its key, the number of its prepared deals (None: inline,
    recording), and the requests it made so far."""

    def __init__(self, key, number):
        self.key = key
        self.number = number
        self.used = []
