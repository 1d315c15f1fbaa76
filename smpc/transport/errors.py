"""Errors of the transport layer: a peer that never came, a peer that went silent, a key refused.

Each message names the party, its address and what to check; none of them is a
silent hang.  All are :class:`smpc.errors.SMPCError`; the connection errors are also
``ConnectionError`` and the configuration errors ``ValueError``.
"""
from ..errors import SMPCError


class TransportError(SMPCError, ConnectionError):
    """A link between parties could not be set up or kept up."""


class PeerUnavailableError(TransportError):
    """``connect()`` ran out of time: the named peers never answered."""


class KeyRefusedError(PeerUnavailableError):
    """A peer refused our public key during the CURVE handshake (its configuration lacks it)."""


class PeerLostError(TransportError):
    """A connected peer went silent for longer than ``peer_timeout``, restarted, or closed."""


class ConfigError(SMPCError, ValueError):
    """The parties' configuration file is malformed; the message names the line and the field."""


class KeyFileError(SMPCError, ValueError):
    """A key file is missing, malformed, or readable by others."""
