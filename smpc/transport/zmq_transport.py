"""ZmqTransport: NumPy arrays between party processes over authenticated, encrypted links.

Each party binds one receiving socket (a ROUTER) at its own address and opens one
sending socket (a DEALER) to every peer's address.  So the link from alice to bob is
alice's DEALER talking to bob's ROUTER, and bob answers on his own DEALER.

* **CURVE** (the default).  Every receiving socket is a CURVE server that accepts
  only the public keys the configuration lists for the peers: a ZAP handler (ZeroMQ's
  authentication hook) maps each accepted key to its party's name, so the sender of
  every message is known from its key, not from what it claims.  Every sending socket
  is a CURVE client pinned to the peer's public key, so it talks only to the holder of
  that key's secret.  A refused party is told (the handshake fails with status 400 and
  its socket monitor sees it); the refusing party logs the address and key and keeps
  waiting for the right peer.  ``plaintext=True`` gives plain TCP, on request only,
  and says so in the log.
* **Order and no loss**: see :mod:`smpc.transport.receiving`.
* **Liveness by heartbeats**, not by time-outs on receives: a receive waits as long
  as the peer is alive, however long a step takes; a peer from which nothing (no
  message, no heartbeat) arrived for ``peer_timeout`` seconds is reported lost, by
  name, to every waiting or later ``recv``.  A message counts when it has arrived
  whole, so ``peer_timeout`` must exceed the time one message takes on the wire
  (the default 30 s: 10 GB over CURVE on loopback).
* **No copies**: an array leaves as ``[header, buffer]`` with ``copy=False`` and is
  received as a view of the received buffer.  The sender must not modify an array
  after ``send`` (it may be sent again after a reconnect): send a copy if you will.

One I/O thread keeps the links alive and, while nobody is receiving, reads the receiving
socket into a queue per sender; a ``recv`` that has to wait reads the socket itself
(:mod:`smpc.transport.reading`).  What is done with what arrives is in
:mod:`smpc.transport.receiving`; how a message leaves, and the acknowledgements, in
:mod:`smpc.transport.sending`.  The wire format is in :mod:`smpc.transport.wire`.
"""
import collections
import dataclasses
import json
import os
import sys
import threading
import time

import numpy as np
import zmq
import zmq.utils.z85

from . import wire
from .errors import KeyRefusedError, PeerLostError, PeerUnavailableError, TransportError
from .keys import KeySet, check_party_name
from .links import _EVENTS, _HANDED_OVER, _LOST, _MONITOR_IDS, ZAP_DOMAIN, ZAP_ENDPOINT, _Control, _Link
from .reading import Reading
from .receiving import Receiving
from .sending import Sending

def _default_log(me):
    def log(line):
        print(f"[{me}] {line}", file=sys.stderr, flush=True)
    return log


class ZmqTransport(Sending, Receiving, Reading):
    """Arrays and small control messages between this party and its peers.

    ``me``: this process's party name.  ``endpoints``: every party's address
    (``"tcp://host:port"``), this one's included.  ``keys``: a
    :class:`~smpc.transport.keys.KeySet` for CURVE, or ``plaintext=True`` for plain TCP
    (unencrypted, unauthenticated: loopback experiments only).  ``heartbeat_interval``
    and ``peer_timeout`` in seconds: a peer silent for ``peer_timeout`` is lost; a
    broken connection that comes back within it loses nothing.  ``log``: a function
    taking one line of text (default: standard error, prefixed with ``[me]``).
    ``bind``: the address to listen on if not ``endpoints[me]`` (e.g.
    ``"tcp://0.0.0.0:5001"`` behind NAT).

    Use: ``with ZmqTransport(...) as t: t.connect(timeout); t.send("bob", x); y = t.recv("bob")``.
    """

    waiting_report_interval = 5.0  # seconds between "waiting for ..." lines in connect()

    def __init__(self, me, endpoints, *, keys=None, plaintext=False, heartbeat_interval=1.0,
                 peer_timeout=30.0, log=None, bind=None):
        check_party_name(me)
        if me not in endpoints:
            raise ValueError(f"endpoints has no address for {me} (this party): "
                             f"it names {', '.join(endpoints)}")
        if not 0 < heartbeat_interval < peer_timeout:
            raise ValueError(f"need 0 < heartbeat_interval < peer_timeout, got "
                             f"{heartbeat_interval} and {peer_timeout}")
        if plaintext and keys is not None:
            raise ValueError("keys were given with plaintext=True: choose CURVE (keys) or plain "
                             "TCP (plaintext=True), not both")
        if not plaintext and keys is None:
            raise ValueError("CURVE needs keys=KeySet(secret_key, public_keys); pass "
                             "plaintext=True to run unencrypted on purpose")
        self.me = me
        self.endpoints = dict(endpoints)
        self.peers = [name for name in endpoints if name != me]
        for name in self.peers:
            check_party_name(name)
        self.plaintext = plaintext
        self.heartbeat_interval = float(heartbeat_interval)
        self.peer_timeout = float(peer_timeout)
        self.log = log or _default_log(me)
        self._keys = keys
        self._key_to_peer = {}
        if keys is not None:
            if not isinstance(keys, KeySet):
                raise TypeError(f"keys must be a KeySet, got {type(keys).__name__}")
            keys.check_for(me, self.peers)
            self._key_to_peer = {keys.public_keys[name]: name for name in self.peers}
        self._links = {name: _Link(name, self.endpoints[name]) for name in self.peers}
        self._incarnation = os.urandom(8).hex()
        self._outbox = collections.deque()
        self._lock = threading.Lock()  # the sending sockets and the links' state
        # Who reads the receiving socket: the I/O thread ("io") or a waiting recv
        # ("caller"); only the I/O thread changes it (smpc.transport.reading).
        self._router_mode = "io"
        self._router_wanted = None    # the inbox of a recv that asked for the socket
        self._receivers = 0           # recv calls under way
        self._last_receive = 0.0      # when the last one ended
        self._reader_lock = threading.Lock()  # one caller at a time reads the socket
        self._router_closed = False
        self._changed = threading.Event()
        self._failure = None
        self._heartbeat_now = False
        self._stopping = False
        self._closed = False
        self._connected = False
        self._logged_once = set()
        self._context = zmq.Context()
        try:
            self._open_sockets(bind or self.endpoints[me])
        except BaseException:
            self._context.destroy(linger=0)
            raise
        if plaintext:
            self.log("WARNING: plaintext links: what this party sends and receives is "
                     "UNENCRYPTED and UNAUTHENTICATED (anyone on the network can read the "
                     "shares or pose as a party); use it only for experiments on one machine")
        self._thread = threading.Thread(target=self._run, name=f"transport-{me}", daemon=True)
        self._thread.start()

    # -- sockets ----------------------------------------------------------------------------
    def _open_sockets(self, bind_address):
        context = self._context
        self._zap = None
        if not self.plaintext:
            self._zap = context.socket(zmq.REP)
            self._zap.bind(ZAP_ENDPOINT)  # before any CURVE socket, so no handshake goes unchecked
        self._router = context.socket(zmq.ROUTER)
        self._router.setsockopt(zmq.RCVHWM, 0)
        self._router.setsockopt(zmq.LINGER, 0)
        if not self.plaintext:
            self._router.curve_server = True
            self._router.curve_secretkey = self._keys.secret_key.encode("ascii")
            self._router.zap_domain = ZAP_DOMAIN
        self._router_monitor = self._router.get_monitor_socket(
            _EVENTS.HANDSHAKE_FAILED_PROTOCOL | _EVENTS.HANDSHAKE_FAILED_NO_DETAIL,
            addr=f"inproc://monitor-{next(_MONITOR_IDS)}")
        try:
            self._router.bind(bind_address)
        except zmq.ZMQError as err:
            raise TransportError(f"{self.me} cannot listen on {bind_address}: {err.strerror} "
                                 "(is this party already running, or another program on that "
                                 "port? is the host one of this machine's addresses?)") from None
        for link in self._links.values():
            sock = context.socket(zmq.DEALER)
            sock.setsockopt(zmq.SNDHWM, 0)  # never drop or block: unacknowledged data is kept anyway
            sock.setsockopt(zmq.RECONNECT_IVL, 100)
            sock.setsockopt(zmq.RECONNECT_IVL_MAX, 1000)
            sock.setsockopt(zmq.LINGER, 0)
            if not self.plaintext:
                sock.curve_secretkey = self._keys.secret_key.encode("ascii")
                sock.curve_publickey = self._keys.public_key.encode("ascii")
                sock.curve_serverkey = self._keys.public_keys[link.name].encode("ascii")
            link.monitor = sock.get_monitor_socket(
                _EVENTS.HANDSHAKE_SUCCEEDED | _EVENTS.HANDSHAKE_FAILED_AUTH
                | _EVENTS.HANDSHAKE_FAILED_PROTOCOL | _EVENTS.HANDSHAKE_FAILED_NO_DETAIL
                | _EVENTS.DISCONNECTED, addr=f"inproc://monitor-{next(_MONITOR_IDS)}")
            try:
                sock.connect(link.endpoint)
            except zmq.ZMQError as err:
                raise TransportError(f"bad address for {link.name}: {link.endpoint!r} "
                                     f"({err.strerror}); use tcp://host:port") from None
            link.socket = sock
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)

    def _wake(self):
        try:
            os.write(self._wake_write, b"!")
        except BlockingIOError:  # the pipe is full of wake-ups already
            pass

    # -- public API -------------------------------------------------------------------------
    def connect(self, timeout=None):
        """Wait until every peer has answered our hello; log each as it comes.

        Raises :class:`PeerUnavailableError` naming the missing peers and their addresses
        after ``timeout`` seconds (None: wait for ever, logging who is still missing every
        few seconds), and :class:`KeyRefusedError` as soon as a peer refuses our key.
        """
        start = time.monotonic()
        next_report = start + self.waiting_report_interval
        while True:
            self._raise_if_failed()
            for link in self._links.values():
                if link.refused:
                    raise KeyRefusedError(link.problem)
                if link.state == "lost":
                    raise PeerLostError(link.reason)
                # A peer that came and already closed (or stopped the run) is no reason to
                # stop waiting for the others: the receive that needs it will say why.
            waiting = [link for link in self._links.values() if link.state == "waiting"]
            if not waiting:
                self._connected = True
                return self
            now = time.monotonic()
            if timeout is not None and now - start >= timeout:
                raise PeerUnavailableError(self._missing_message(waiting, now - start))
            if now >= next_report:
                self.log(f"waiting for {self._describe(waiting)} ({now - start:.0f} s)")
                next_report += self.waiting_report_interval
            self._changed.wait(0.1)
            self._changed.clear()

    def send(self, receiver, array, ahead=False):
        """Queue ``array`` for ``receiver`` and return at once (no copy: do not modify it after).

        ``ahead=True``: on the receiver's *ahead* channel, a second queue kept apart from the
        program's messages, for what a background thread sends before the program asks for
        it (the dealer working ahead).  Any thread may call ``send``.
        """
        link = self._link(receiver, "send to")
        wire.check_sendable(array)
        self._check_alive(link)
        contiguous = array if array.flags.c_contiguous else np.ascontiguousarray(array)
        payload = contiguous.reshape(-1).view(np.uint8)
        kind = wire.KIND_ARRAY_AHEAD if ahead else wire.KIND_ARRAY
        self._enqueue(link, kind, wire.array_meta(array), payload)

    def recv(self, sender, ahead=False):
        """The next array from ``sender`` (on the ahead channel if ``ahead``): waits while the
        sender is alive, raises PeerLostError if not."""
        item = self._next_item(sender, ahead)
        if isinstance(item, _Control):
            raise TransportError(f"expected an array from {sender}, got the control message "
                                 f"{item.value!r}: the parties' programs are out of step")
        return item

    def send_object(self, receiver, value):
        """Queue a small JSON-serialisable value (dict, list, str, number, bool, None)."""
        link = self._link(receiver, "send to")
        try:
            payload = json.dumps(value, separators=(",", ":")).encode("utf-8")
        except (TypeError, ValueError) as err:
            raise TypeError(f"send_object sends JSON-serialisable values: {err}; "
                            "send arrays with send()") from None
        self._check_alive(link)
        self._enqueue(link, wire.KIND_OBJECT, b"", payload)

    def recv_object(self, sender):
        """The next control value from ``sender`` (see :meth:`send_object`)."""
        item = self._next_item(sender)
        if not isinstance(item, _Control):
            raise TransportError(f"expected a control message from {sender}, got an array of "
                                 f"shape {item.shape}: the parties' programs are out of step")
        return item.value

    def abort(self, reason):
        """Tell every connected peer that this party stops the run, and why (best effort,
        not waiting for acknowledgement).  Each peer's receive from this party then raises
        PeerLostError "<this party> stopped the run: <reason>", after what was sent
        before; a peer waiting on another party hears of it when that one stops too."""
        payload = json.dumps({"reason": str(reason)}).encode("utf-8")
        with self._lock:
            self._flush_outbox()  # what was sent before goes first: the abort is not sequenced
            for link in self._links.values():
                if link.state == "connected":
                    self._send(link, wire.KIND_ABORT, 0, payload=payload)

    def stats(self):
        """Per-peer :class:`LinkStats` (copies), by peer name."""
        return {name: dataclasses.replace(link.stats) for name, link in self._links.items()}

    def flush(self, timeout=30.0):
        """Wait up to ``timeout`` s until every message queued so far is on the wire and
        acknowledged; True if it is."""
        deadline = time.monotonic() + timeout
        self._ask_for_acks()
        while time.monotonic() < deadline and self._failure is None and self._thread.is_alive():
            live = [link for link in self._links.values() if link.state == "connected"]
            if not self._outbox and all(not link.unacked for link in live):
                return True
            time.sleep(0.002)
        return False

    def close(self, linger=5.0):
        """Wait up to ``linger`` s for every sent message to be acknowledged, say goodbye, stop."""
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + linger
        self._ask_for_acks()
        while time.monotonic() < deadline and self._failure is None and self._thread.is_alive():
            live = [link for link in self._links.values() if link.state == "connected"]
            if not self._outbox and all(not link.unacked for link in live):
                break
            time.sleep(0.005)
        for link in self._links.values():
            if link.state == "connected":
                if link.unacked:
                    self.log(f"closing with {len(link.unacked)} messages to {link.name} "
                             "unacknowledged")
                self._outbox.append((link, wire.KIND_BYE, b"", None))
        self._wake()
        while self._outbox and time.monotonic() < deadline + 0.5 and self._thread.is_alive():
            time.sleep(0.005)
        self._stopping = True
        self._wake()
        self._thread.join(timeout=5.0)
        if self._thread.is_alive():  # never seen; terminating under a live thread would crash
            self.log("the transport thread did not stop within 5 s; leaving it to the exit")
            return
        self._context.term()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- helpers of the public API ------------------------------------------------------------
    def _link(self, name, doing):
        link = self._links.get(name)
        if link is None:
            if name == self.me:
                raise ValueError(f"{self.me} cannot {doing} itself")
            raise ValueError(f"cannot {doing} {name!r}: the parties are "
                             f"{', '.join([self.me] + self.peers)}")
        return link

    def _check_alive(self, link):
        self._raise_if_failed()
        if self._closed:
            raise TransportError(f"{self.me}'s transport is closed")
        if link.state in ("lost", "closed"):
            raise PeerLostError(link.reason)

    def _next_item(self, sender, ahead=False):
        link = self._link(sender, "receive from")
        if not self._connected:
            raise TransportError("call connect() before receiving: it waits for the peers")
        inbox = link.ahead_inbox if ahead else link.inbox
        with self._lock:
            self._receivers += 1
        try:
            while True:
                item = self._wait_for_item(inbox)
                if item is None or item is _HANDED_OVER:
                    continue
                if item is _LOST:
                    inbox.put(_LOST)  # for the next caller too
                    raise PeerLostError(link.reason)
                return item
        finally:
            with self._lock:
                self._receivers -= 1
                self._last_receive = time.monotonic()

    def _raise_if_failed(self):
        if self._failure is not None:
            raise TransportError(f"{self.me}'s transport thread failed: {self._failure}")

    def _describe(self, links):
        return ", ".join(f"{link.name} ({link.endpoint})" for link in links)

    def _missing_message(self, waiting, elapsed):
        parts = []
        for link in waiting:
            text = f"{link.name} at {link.endpoint}"
            if link.problem:
                text += f" ({link.problem})"
            parts.append(text)
        return (f"{self.me}: not connected after {elapsed:.1f} s; no answer from "
                f"{'; '.join(parts)}. Check that each is running with the same configuration "
                "and that this machine can reach its host and port (firewall).")

    def _log_once(self, key, line):
        if key not in self._logged_once:
            self._logged_once.add(key)
            self.log(line)
