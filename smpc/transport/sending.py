"""The sending half of ZmqTransport: how a message leaves, and the acknowledgements.

:class:`Sending` is the part of :class:`~smpc.transport.zmq_transport.ZmqTransport` that
puts frames on the sending sockets (one DEALER per peer, :mod:`smpc.transport.links`).

* **From the calling thread.**  ``send`` puts a message on the wire from the thread that
  calls it when its link is up and nothing queued is ahead of it; otherwise it queues it
  for the I/O thread.  Handing every message to the I/O thread cost a thread wake-up per
  message.  ZeroMQ sockets are not thread-safe, so every use of a sending socket, and of
  the per-link state, holds the transport's one lock.
* **Acknowledgements** ride on every message sent (each header carries one) and on the
  heartbeats; one of their own goes only when a peer keeps much unacknowledged data for
  us, or asks with a heartbeat (``flush`` and ``close`` do).
"""
import json

import zmq

from . import wire


class Sending:
    """Frames onto the sending sockets (mixed into ZmqTransport)."""

    ack_every_messages = 64        # an acknowledgement of its own after this many messages
    ack_every_bytes = 64 << 20     # ... or this many bytes received unacknowledged

    def _enqueue(self, link, kind, meta, payload):
        """On the wire now if the link is up and nothing queued is ahead of it, else queued."""
        with self._lock:
            if link.state == "connected" and not self._outbox:
                self._send_data(link, kind, meta, payload)
                return
            self._outbox.append((link, kind, meta, payload))
        self._wake()

    def _ask_for_acks(self):
        """Have the I/O thread send a heartbeat now: a peer answers one with its acknowledgement."""
        self._heartbeat_now = True
        self._wake()

    def _send(self, link, kind, seq, meta=b"", payload=None):
        header = wire.pack_header(kind, seq, link.expected, self.me, meta)
        frames = [header] if payload is None else [header, payload]
        try:
            link.socket.send_multipart(frames, copy=False, flags=zmq.NOBLOCK)
        except zmq.Again:
            # No connection to queue on (after a refused handshake ZeroMQ drops the
            # pipe until it reconnects).  Nothing is lost: data stays unacknowledged and
            # goes again when the peer's NACK asks for it; hellos, heartbeats and
            # acknowledgements are sent again anyway.
            return 0
        link.stats.framing_bytes_sent += len(header)
        link.ack_due = False  # every header carries the acknowledgement
        link.unacked_received = link.unacked_received_bytes = 0
        return len(payload) if payload is not None else 0

    def _flush_outbox(self):
        while self._outbox:
            link, kind, meta, payload = self._outbox.popleft()
            if link.state in ("lost", "closed"):
                continue
            if kind == wire.KIND_BYE:
                self._send(link, kind, link.next_seq)
                continue
            self._send_data(link, kind, meta, payload)

    def _send_data(self, link, kind, meta, payload):
        seq = link.next_seq
        link.next_seq += 1
        link.unacked[seq] = (kind, meta, payload)
        self._send(link, kind, seq, meta, payload)
        link.stats.payload_bytes_sent += len(payload)
        link.stats.messages_sent += 1

    def _send_due_acks(self):
        # One per message cost each side a wake-up (see the module docstring).
        for link in self._links.values():
            if link.ack_due and link.state == "connected" and (
                    link.unacked_received >= self.ack_every_messages
                    or link.unacked_received_bytes >= self.ack_every_bytes):
                self._send(link, wire.KIND_ACK, 0)

    def _tick(self):
        hello = json.dumps({"incarnation": self._incarnation}).encode("ascii")
        for link in self._links.values():
            if link.state == "waiting":
                self._send(link, wire.KIND_HELLO, 0, payload=hello)
            elif link.state == "connected":
                self._send(link, wire.KIND_HEARTBEAT, link.next_seq)
