"""What ZmqTransport does with what arrives: authentication, socket events, hellos,
data, the resend protocol, and the liveness of peers.

:class:`Receiving` is the part of :class:`~smpc.transport.zmq_transport.ZmqTransport`
that runs when something arrives, in whichever thread read it (:mod:`smpc.transport.reading`
says which); it is kept apart so that each part reads on its own.  It uses the
transport's links (:mod:`smpc.transport.links`) and its ``_send`` to answer.

* **Order and no loss.**  Data messages carry a per-link sequence number; every
  message carries a cumulative acknowledgement of what its sender received.  The
  sender keeps each message until it is acknowledged.  A receiver that sees a gap
  (a later sequence number, or a heartbeat announcing more messages than arrived)
  asks for a resend; duplicates are dropped.  So a connection that breaks and comes
  back (ZeroMQ reconnects by itself) loses nothing.
"""
import json
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

from . import wire
from .links import _EVENTS, _LOST, _Control


class Receiving:
    """What the I/O thread does with what it receives (mixed into ZmqTransport)."""

    # -- authentication -----------------------------------------------------------------------
    def _answer_zap(self):
        while True:
            try:
                request = self._zap.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            version, request_id, _domain, address, _identity, mechanism = request[:6]
            credentials = request[6:]
            key = zmq.utils.z85.encode(credentials[0]).decode("ascii") if (
                mechanism == b"CURVE" and credentials and len(credentials[0]) == 32) else None
            name = self._key_to_peer.get(key)
            if name is not None:
                reply = [version, request_id, b"200", b"OK", name.encode("utf-8"), b""]
            else:
                shown = address.decode("utf-8", errors="replace")
                self._log_once(("refused", key, shown), (
                    f"refused a connection from {shown}: unknown public key {key} (the "
                    "configuration lists no peer with it); it gets nothing, still waiting for "
                    f"{', '.join(self.peers)}"))
                reply = [version, request_id, b"400", b"unknown public key", b"", b""]
            self._zap.send_multipart(reply)

    def _on_router_event(self):
        event = recv_monitor_message(self._router_monitor)
        if event["event"] == _EVENTS.HANDSHAKE_FAILED_PROTOCOL and not self.plaintext:
            self._log_once(("undecryptable", event["value"]), (
                f"a party connecting to {self.me} failed the CURVE handshake: it does not use "
                f"{self.me}'s public key (its configuration lists another key for {self.me})"))

    def _on_link_event(self, link):
        event = recv_monitor_message(link.monitor)
        kind = event["event"]
        if kind == _EVENTS.HANDSHAKE_FAILED_AUTH:
            link.refused = True
            link.problem = (f"{link.name} refused our key: check that the configuration on "
                            f"{link.name}'s machine lists our public key ({self._keys.public_key}) "
                            f"for {self.me}")
            self._changed.set()
            self._log_once(("refused-by", link.name), link.problem)
        elif kind in (_EVENTS.HANDSHAKE_FAILED_NO_DETAIL, _EVENTS.HANDSHAKE_FAILED_PROTOCOL):
            if not self.plaintext:
                link.problem = (f"the CURVE handshake with {link.name} at {link.endpoint} failed: "
                                "the process listening there does not hold the secret key of "
                                f"the public key the configuration lists for {link.name}")
                self._log_once(("handshake", link.name), link.problem + "; still trying")
        elif kind == _EVENTS.HANDSHAKE_SUCCEEDED:
            link.problem = None
        elif kind == _EVENTS.DISCONNECTED and link.state == "connected":
            self.log(f"the connection to {link.name} broke; reconnecting (it is lost if "
                     f"silent for {self.peer_timeout:g} s)")

    # -- receiving ------------------------------------------------------------------------------
    def _receive_all(self):
        for _ in range(10000):
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return
            self._handle(frames)

    def _handle(self, frames):
        if not 2 <= len(frames) <= 3:
            self._log_once(("frames", len(frames)), f"dropped a message of {len(frames)} frames")
            return
        header = frames[1]
        try:
            kind, seq, ack, sender, dtype, shape = wire.unpack_header(header.bytes)
        except wire.WireFormatError as err:
            self._log_once(("malformed", str(err)), f"dropped a malformed message: {err}")
            return
        link = self._links.get(sender)
        if link is None:
            self._log_once(("unknown", sender), f"dropped a message from unknown party {sender!r}")
            return
        if not self.plaintext:
            authenticated = header.get("User-Id")
            if authenticated != sender:
                self._log_once(("impostor", sender, authenticated), (
                    f"dropped a message claiming to come from {sender} on the link "
                    f"authenticated as {authenticated}"))
                return
        if link.state in ("lost", "closed"):
            return
        link.last_heard = time.monotonic()
        link.stats.framing_bytes_received += len(header)
        while link.unacked and next(iter(link.unacked)) < ack:
            link.unacked.popitem(last=False)
        payload = frames[2] if len(frames) == 3 else None
        if kind == wire.KIND_HELLO:
            self._on_hello(link, payload)
        elif kind == wire.KIND_HELLO_ACK:
            if link.state == "waiting":
                link.state = "connected"
                self._changed.set()
                count = sum(other.state != "waiting" for other in self._links.values())
                self.log(f"connected: {link.name} ({count}/{len(self._links)})")
        elif kind in wire.DATA_KINDS:
            self._on_data(link, kind, seq, dtype, shape, payload)
        elif kind == wire.KIND_HEARTBEAT:
            if seq > link.expected:  # messages sent before this heartbeat never arrived
                self._ask_resend(link)
            elif link.ack_due:  # the peer may be waiting for it (flush, close)
                self._send(link, wire.KIND_ACK, 0)
        elif kind == wire.KIND_NACK:
            self._resend(link, ack)
        elif kind == wire.KIND_ABORT:
            self._on_abort(link, payload)
        elif kind == wire.KIND_BYE:
            if seq > link.expected:
                self._ask_resend(link)
            else:
                self._mark_lost(link, f"{link.name} closed its connection (its run ended)",
                                state="closed")

    def _on_abort(self, link, payload):
        try:
            reason = str(json.loads(bytes(payload))["reason"])
        except (TypeError, ValueError, KeyError):
            reason = "(no reason given)"
        self._mark_lost(link, f"{link.name} stopped the run: {reason}", state="closed")

    def _on_hello(self, link, payload):
        try:
            incarnation = json.loads(bytes(payload))["incarnation"]
        except (TypeError, ValueError, KeyError):
            self._log_once(("hello", link.name), f"dropped a malformed hello from {link.name}")
            return
        if link.incarnation is not None and incarnation != link.incarnation:
            if link.expected or link.next_seq:
                self._mark_lost(link, (
                    f"{link.name} restarted (a new process, without the messages of the old "
                    "one): this run cannot go on; restart every party (with --resume)"))
                return
        link.incarnation = incarnation
        if link.state == "waiting":
            link.last_heard = time.monotonic()
        self._send(link, wire.KIND_HELLO_ACK, 0)

    def _on_data(self, link, kind, seq, dtype, shape, payload):
        if seq < link.expected:
            link.stats.duplicates_dropped += 1
            return
        if seq > link.expected:
            self._ask_resend(link)
            return
        if payload is None:
            self._mark_lost(link, f"{link.name} sent a message without its payload")
            return
        try:
            if kind in wire.ARRAY_KINDS:
                item = wire.array_from_buffer(payload.buffer, dtype, shape)
            else:
                item = _Control(json.loads(payload.bytes))
        except (wire.WireFormatError, ValueError) as err:
            self._mark_lost(link, f"{link.name} sent a malformed message: {err}")
            return
        link.expected += 1
        link.unacked_received += 1
        link.unacked_received_bytes += len(payload)
        link.ack_due = True
        link.stats.messages_received += 1
        link.stats.payload_bytes_received += len(payload)
        (link.ahead_inbox if kind == wire.KIND_ARRAY_AHEAD else link.inbox).put(item)

    def _ask_resend(self, link):
        now = time.monotonic()
        last_expected, last_time = link.last_nack
        if last_expected == link.expected and now - last_time < self.heartbeat_interval:
            return
        link.last_nack = (link.expected, now)
        if link.state != "waiting":
            self._send(link, wire.KIND_NACK, 0)

    def _resend(self, link, start):
        now = time.monotonic()
        last_start, last_time = link.last_resend
        if last_start == start and now - last_time < self.heartbeat_interval / 2:
            return
        link.last_resend = (start, now)
        for seq, (kind, meta, payload) in list(link.unacked.items()):
            sent = self._send(link, kind, seq, meta, payload)
            link.stats.messages_resent += 1
            link.stats.resent_bytes += sent

    def _check_liveness(self, now):
        for link in self._links.values():
            if link.state == "connected" and now - link.last_heard > self.peer_timeout:
                reason = (f"{link.name} has been silent for {now - link.last_heard:.1f} s (no "
                          f"message or heartbeat within peer_timeout={self.peer_timeout:g} s): "
                          f"its process stopped, or the network to {link.endpoint} is down")
                if link.problem:
                    reason += f"; also: {link.problem}"
                self._mark_lost(link, reason)

    def _mark_lost(self, link, reason, state="lost"):
        link.state = state
        link.reason = reason
        link.inbox.put(_LOST)
        link.ahead_inbox.put(_LOST)
        self._changed.set()
        self.log(reason)
