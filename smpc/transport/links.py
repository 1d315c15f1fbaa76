"""The state ZmqTransport keeps per peer: sequence numbers, what is unacknowledged, the
inbox, the counters; and the constants its two halves share."""
import collections
import dataclasses
import itertools
import queue

import zmq

ZAP_ENDPOINT = "inproc://zeromq.zap.01"
ZAP_DOMAIN = b"smpc"
_MONITOR_IDS = itertools.count()
_LOST = object()  # placed in an inbox when its peer is lost or closed
_HANDED_OVER = object()  # wakes a receiver: the receiving socket is the receivers' to read now
_EVENTS = zmq.Event


@dataclasses.dataclass
class LinkStats:
    """Traffic on the link to one peer.  Payload (array buffers, JSON objects) and framing
    (this protocol's headers, acknowledgements, heartbeats, hellos) are counted apart;
    ZeroMQ's own frame bytes and CURVE's 16-byte tags and nonces are not included."""

    messages_sent: int = 0
    payload_bytes_sent: int = 0
    framing_bytes_sent: int = 0
    messages_resent: int = 0
    resent_bytes: int = 0
    messages_received: int = 0
    payload_bytes_received: int = 0
    framing_bytes_received: int = 0
    duplicates_dropped: int = 0


class _Control:
    """A received JSON control message (kept apart from arrays in the same queue)."""

    def __init__(self, value):
        self.value = value


class _Link:
    """The link to one peer: what we sent and did not see acknowledged, what we expect next."""

    def __init__(self, name, endpoint):
        self.name = name
        self.endpoint = endpoint
        self.socket = None
        self.monitor = None
        self.next_seq = 0
        self.unacked = collections.OrderedDict()  # seq -> (kind, meta, payload)
        self.expected = 0
        self.inbox = queue.Queue()        # the program's messages, in the order sent
        self.ahead_inbox = queue.Queue()  # the dealer's, sent ahead of the program
        self.unacked_received = 0         # data received since we last acknowledged
        self.unacked_received_bytes = 0
        self.state = "waiting"  # waiting -> connected -> lost | closed
        self.reason = None  # why lost or closed, for PeerLostError
        self.problem = None  # a handshake failure or refusal, for the connect error
        self.refused = False
        self.incarnation = None
        self.last_heard = None
        self.ack_due = False
        self.last_nack = (-1, 0.0)
        self.last_resend = (-1, 0.0)
        self.stats = LinkStats()
