"""The one place every message between parties goes through.

All parties run in one process, so "sending" is handing over an array; what
matters is that every hand-over is *accounted*.  The :class:`Network` records,
for each message, its sender, receiver, size in bytes, the protocol it belongs
to and the communication round it is part of.  From that record come

* totals and a per-protocol breakdown for a block of code (:meth:`Network.measure`);
* each party's *view*, everything it received (:meth:`Network.record_views`),
  which the privacy tests and tutorials inspect.

Rounds.  Messages sent in parallel share a round: a protocol opens
``with network.round():`` around everything sent at once.  A message sent
outside any round is a round of its own.  Rounds nest: an inner round inside an
outer one is part of the outer one.

Phases.  ``online`` messages happen while computing on data; ``offline``
messages are the dealer's correlated randomness, which could be sent before the
data exists.  Stats report the two apart.
"""
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np


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

    def __str__(self):
        return (f"{self.bytes / 1e6:.3f} MB in {self.rounds} rounds online, "
                f"{self.offline_bytes / 1e6:.3f} MB from the dealer")


class Network:
    """Counts bytes and rounds of every message, and can record each party's view."""

    def __init__(self):
        self._meters = []
        self._protocols = ["unlabelled"]
        self._round_depth = 0
        self._round_meters = []  # the meters that saw a message in the open round
        self._round_protocol = None
        self._views = None
        self.parties = {}

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

    def send(self, sender, receiver, payload, phase="online"):
        """Deliver ``payload`` (an ndarray) from ``sender`` to ``receiver``; return it."""
        if phase not in ("online", "offline"):
            raise ValueError(f"phase must be 'online' or 'offline', got {phase!r}")
        payload = np.asarray(payload)
        if sender is receiver:
            return payload
        nbytes = int(payload.nbytes)
        protocol = self.current_protocol
        for stats in self._meters:
            if phase == "online":
                stats.bytes += nbytes
                stats.messages += 1
                stats.by_protocol[protocol].bytes += nbytes
                stats.by_protocol[protocol].messages += 1
            else:
                stats.offline_bytes += nbytes
                stats.offline_messages += 1
        if self._views is not None:
            self._views[receiver.name].append(
                Message(sender.name, receiver.name, protocol, phase, nbytes, payload.copy()))
        if phase == "online":
            if self._round_depth:
                self._round_meters.extend(m for m in self._meters
                                          if not any(m is seen for seen in self._round_meters))
            else:
                self._count_round(protocol, self._meters)
        return payload

    @contextmanager
    def measure(self):
        """Yield a :class:`Stats` that counts everything sent inside the block."""
        stats = Stats()
        self._meters.append(stats)
        try:
            yield stats
        finally:
            self._meters.remove(stats)

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
