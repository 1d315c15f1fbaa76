"""Errors raised by the smpc package.

Each error says what was wrong and what to do about it; none of them is ever
replaced by a silently wrong number.
"""


class SMPCError(Exception):
    """Base class of every error the smpc package raises on purpose."""


class FixedPointRangeError(SMPCError, ValueError):
    """A value does not fit the fixed-point range that products and comparisons can carry."""


class PartyMismatchError(SMPCError, ValueError):
    """Two tensors are shared among different parties (or use different crypto providers)."""


class TripleReuseError(SMPCError, RuntimeError):
    """A Beaver triple (or square pair) was used twice; reuse would leak x - y."""


class ProtocolError(SMPCError, ValueError):
    """A protocol was called outside the conditions it is valid for."""
