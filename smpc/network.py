"""The session: every message between parties goes through it, and it knows who is here.

One program runs in every process; a :class:`Network` is one process's view of the
session.  It knows which parties this process *plays* (all of them in the simulation,
one in a real run), so it can say which rows of a share array are here
(:meth:`Network.rows`, :mod:`smpc.rows`), and it carries every value between parties:

* :meth:`Network.send` hands a payload from a sender to a receiver and returns **what
  the receiver got**.  In the simulation that is an in-process hand-over; with a
  transport (ZeroMQ, :mod:`smpc.transport`) the sender's process puts it on the wire
  and the receiver's process takes it from there.  A protocol uses the value
  :meth:`send` returned, never the sender's own array, so the same code runs both ways.
* Accounting: for each message its sender, receiver, size in bytes, the protocol it
  belongs to and the communication round it is part of.  A process counts the messages
  its parties send, so the counts of the processes of a real run add up to the
  simulation's.  From that record come totals and a per-protocol breakdown for a block
  of code (:meth:`Network.measure`), and each party's *view*, everything it received
  (:meth:`Network.record_views`), which the privacy tests and tutorials inspect.
* The session's state: its random streams (:mod:`smpc.randomness`), its protocol
  settings (:mod:`smpc.config`), its reusable buffers and the dealer's prepared
  triples (:mod:`smpc.preprocessing`).

Rounds.  Messages sent in parallel share a round: a protocol opens
``with network.round():`` around everything sent at once.  A message sent
outside any round is a round of its own.  Rounds nest: an inner round inside an
outer one is part of the outer one.

Phases.  ``online`` messages happen while computing on data; ``offline``
messages are the dealer's correlated randomness, which could be sent before the
data exists.  Stats report the two apart.
"""
import math
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from . import config
from .errors import ProtocolError
from .preprocessing import Preprocessing
from .randomness import Randomness, default_source
from .shapes import join_flat, split_flat
from .workspace import Workspace


@dataclass
class Message:
    """One message: who sent what to whom, in which protocol and phase."""
    sender: str
    receiver: str
    protocol: str
    phase: str
    nbytes: int
    payload: object = None  # kept only while views are being recorded


@dataclass
class ProtocolCost:
    """Bytes, rounds and messages attributed to one protocol."""
    bytes: int = 0
    rounds: int = 0
    messages: int = 0


@dataclass
class Stats:
    """What a block of code sent: online and offline, in total and per protocol."""
    bytes: int = 0
    rounds: int = 0
    messages: int = 0
    offline_bytes: int = 0
    offline_messages: int = 0
    by_protocol: dict = field(default_factory=lambda: defaultdict(ProtocolCost))
    by_link: dict = field(default_factory=lambda: defaultdict(int))  # (sender, receiver) -> bytes

    def __str__(self):
        return (f"{self.bytes / 1e6:.3f} MB in {self.rounds} rounds online, "
                f"{self.offline_bytes / 1e6:.3f} MB from the dealer")


class Network:
    """One process's view of a session: who it plays, the messages, the session's state.

    ``plays``: the names of the parties this process plays (None: all of them, the
    simulation).  ``transport``: carries messages to and from the parties played
    elsewhere (needed whenever ``plays`` is given).  ``seed``: the master seed of every
    random stream (None: drawn from :data:`smpc.randomness.default_source`).
    ``settings``: the protocol settings (None: the process-wide
    :data:`smpc.config.settings`).  ``session_id``: a name of the run, the same in every
    process (it ties together the files each party's process writes).
    """

    def __init__(self, plays=None, transport=None, seed=None, settings=None, session_id=None):
        self._meters = []
        self._protocols = ["unlabelled"]
        self._round_depth = 0
        self._round_meters = []  # the meters that saw a message in the open round
        self._round_protocol = None
        self._views = None
        self.parties = {}
        self.played = None if plays is None else frozenset(plays)
        self.transport = transport
        if seed is None:
            seed = int(default_source.random_raw(1)[0] >> np.uint64(1))
        self.randomness = Randomness(seed, self.plays_name)
        self.settings = config.settings if settings is None else settings
        self.workspace = Workspace()
        self.preprocessing = Preprocessing(self)
        self.session_id = uuid.uuid4().hex if session_id is None else str(session_id)
        self._rows_cache = {}

    # -- who is here ---------------------------------------------------------------------
    @property
    def is_simulation(self):
        """True when this one process plays every party."""
        return self.played is None

    def plays_name(self, name):
        return self.played is None or name in self.played

    def plays(self, party):
        """Does this process play ``party``?"""
        return self.played is None or party.name in self.played

    def rows(self, holders):
        """The indices of the holders played here: the rows of a share array among them."""
        key = tuple(h.name for h in holders)
        rows = self._rows_cache.get(key)
        if rows is None:
            rows = self._rows_cache[key] = tuple(
                j for j, h in enumerate(holders) if self.plays(h))
        return rows

    def register(self, party):
        """Add a party; names are unique within one network."""
        if party.name in self.parties:
            raise ValueError(f"a party named {party.name!r} is already on this network")
        self.parties[party.name] = party

    @property
    def current_protocol(self):
        return self._protocols[-1]

    @contextmanager
    def protocol(self, name):
        """Attribute the messages sent inside the block to protocol ``name``."""
        self._protocols.append(name)
        try:
            yield
        finally:
            self._protocols.pop()

    @contextmanager
    def round(self):
        """Messages sent inside the block travel in parallel: one round."""
        outermost = self._round_depth == 0
        if outermost:
            self._round_meters = []
            self._round_protocol = self.current_protocol
        self._round_depth += 1
        try:
            yield
        finally:
            self._round_depth -= 1
            if outermost:
                # Counted for every meter that saw the round's messages, even one closed
                # before the round ended.
                self._count_round(self._round_protocol, self._round_meters)

    @staticmethod
    def _count_round(protocol, meters):
        for stats in meters:
            stats.rounds += 1
            stats.by_protocol[protocol].rounds += 1

    def send(self, sender, receiver, payload, phase="online", ahead=False, _fresh=False):
        """Carry ``payload`` (an ndarray) from ``sender`` to ``receiver``.

        Returns what ``receiver`` got, in the process that plays it, and None elsewhere.
        ``payload`` is read only in the process that plays ``sender`` (elsewhere pass
        None).  A party sending to itself sends nothing.  ``ahead=True``: a message the
        sender's process already put on the transport's ahead channel, before the program
        got here (the dealer working ahead, :mod:`smpc.preprocessing`): the sender's
        process only counts it now (``payload`` may then be any array of the message's
        shape and dtype, e.g. a broadcast zero), the receiver's takes it from that channel.
        """
        if phase not in ("online", "offline"):
            raise ValueError(f"phase must be 'online' or 'offline', got {phase!r}")
        here_sends, here_receives = self.plays(sender), self.plays(receiver)
        if sender is receiver:
            return np.asarray(payload) if here_sends else None
        if here_sends and ahead and not here_receives:
            self._account(np.asarray(payload).nbytes, phase, (sender.name, receiver.name))
            return None
        if here_sends:
            payload = np.asarray(payload)
            self._account(payload.nbytes, phase, (sender.name, receiver.name))
            if not here_receives:
                if not ahead:
                    # A copy: the transport keeps it until acknowledged; protocols reuse buffers.
                    self.transport.send(receiver.name, payload if _fresh else
                                        np.array(payload, copy=True, order="C"))
                return None
        elif here_receives:
            payload = (self.transport.recv(sender.name, ahead=True) if ahead
                       else self.transport.recv(sender.name))
            self._count_round_seen(phase)
        else:
            return None
        if self._views is not None:
            self._views[receiver.name].append(
                Message(sender.name, receiver.name, self.current_protocol, phase,
                        int(payload.nbytes), payload.copy()))
        return payload

    def send_many(self, sender, receiver, payloads, shapes, dtype, phase="online"):
        """Carry several arrays of one ``dtype`` from ``sender`` to ``receiver`` as ONE message.

        ``shapes`` gives each array's shape (known to both sides from the program);
        ``payloads`` is read only in the sender's process.  Returns the list of arrays the
        receiver got, in the process that plays it, and None elsewhere.  One message
        instead of several saves the per-message cost of the transport; the receiver
        gets views into the one buffer.
        """
        shapes = [tuple(shape) for shape in shapes]
        if len(shapes) == 1:
            got = self.send(sender, receiver, None if payloads is None else payloads[0], phase)
            return None if got is None else [got]
        here_sends, here_receives = self.plays(sender), self.plays(receiver)
        if here_sends and here_receives:  # the simulation: nothing to join or split
            if sender is not receiver:
                if self._views is not None:
                    self.send(sender, receiver, join_flat(payloads, dtype), phase)
                else:
                    self._account(sum(np.asarray(p).nbytes for p in payloads), phase,
                                  (sender.name, receiver.name))
            return [np.asarray(p) for p in payloads]
        joined = join_flat(payloads, dtype) if here_sends else None
        got = self.send(sender, receiver, joined, phase, _fresh=True)
        if got is None:
            return None
        sizes = [math.prod(shape) for shape in shapes]
        dtype = np.dtype(dtype)
        if got.dtype != dtype or got.shape != (sum(sizes),):
            raise ProtocolError(f"{receiver.name} expected {len(sizes)} arrays of {dtype} in one "
                                f"message of {sum(sizes)} elements from {sender.name}, got "
                                f"{got.dtype} of shape {got.shape}: the parties' programs are "
                                "out of step")
        return split_flat(got, shapes)

    def _account(self, nbytes, phase, link):
        protocol = self.current_protocol
        nbytes = int(nbytes)
        for stats in self._meters:
            stats.by_link[link] += nbytes
            if phase == "online":
                stats.bytes += nbytes
                stats.messages += 1
                stats.by_protocol[protocol].bytes += nbytes
                stats.by_protocol[protocol].messages += 1
            else:
                stats.offline_bytes += nbytes
                stats.offline_messages += 1
        self._count_round_seen(phase)

    def _count_round_seen(self, phase):
        if phase != "online":
            return
        if self._round_depth:
            self._round_meters.extend(m for m in self._meters
                                      if not any(m is seen for seen in self._round_meters))
        else:
            self._count_round(self.current_protocol, self._meters)

    @contextmanager
    def measure(self):
        """Yield a :class:`Stats` that counts everything sent inside the block."""
        stats = Stats()
        self._meters.append(stats)
        try:
            yield stats
        finally:
            # By identity: two meters can hold equal counts.
            self._meters[:] = [m for m in self._meters if m is not stats]

    @contextmanager
    def record_views(self):
        """Yield a dict party name -> list of :class:`Message` it received in the block."""
        outer = self._views
        self._views = defaultdict(list)
        views = self._views
        try:
            yield views
        finally:
            self._views = outer

