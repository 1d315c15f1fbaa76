"""smpc.transport: authenticated, encrypted links between party processes (ZeroMQ CURVE).

* :class:`ZmqTransport` sends NumPy arrays and small JSON control messages between
  this party and its peers, in order, without loss across reconnects, with peers
  watched by heartbeats.
* :mod:`~smpc.transport.keys`: each party's CURVE key pair (``smpc-keygen NAME``).
* :mod:`~smpc.transport.config`: the one configuration file every machine shares
  (each party's host, port and public key).

This package is the only place that imports ``pyzmq``.
"""
from .config import PartiesConfig, load_config, parse_config
from .errors import (ConfigError, KeyFileError, KeyRefusedError, PeerLostError,
                     PeerUnavailableError, TransportError)
from .keys import (KeySet, make_key_pair, public_key_of, read_public_key, read_secret_key,
                   write_key_pair)
from .links import LinkStats
from .zmq_transport import ZmqTransport

__all__ = ["ZmqTransport", "LinkStats", "KeySet", "make_key_pair", "public_key_of",
           "read_public_key", "read_secret_key", "write_key_pair", "PartiesConfig",
           "load_config", "parse_config", "ConfigError", "KeyFileError", "KeyRefusedError",
           "PeerLostError", "PeerUnavailableError", "TransportError"]
