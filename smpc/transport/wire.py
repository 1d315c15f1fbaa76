"""The transport's wire format: one small binary header frame, then the payload frame.

Every message a party sends on a link is a ZeroMQ multipart message
``[header, payload?]``.  The header (little-endian) is::

    version  u8   WIRE_VERSION
    kind     u8   one of the KIND_* codes below
    seq      u64  data messages: this message's sequence number on the link;
                  heartbeats and BYE: the next sequence number the sender will use
    ack      u64  how many data messages the sender has received in order from the
                  receiver (a cumulative acknowledgement, carried by every message)
    name     u8 length + UTF-8 bytes: the sender's party name
    array messages only (KIND_ARRAY, KIND_ARRAY_AHEAD):
    dtype    u8 length + ASCII ``numpy.dtype.str`` (for example ``<i8``, ``|b1``)
    ndim     u8, then ndim x u64 dimensions

The payload is the array's raw buffer (sent without a copy) or a JSON document.
This module has no ZeroMQ in it: it builds and parses bytes.
"""
import math
import struct

import numpy as np

WIRE_VERSION = 2

KIND_HELLO = 1      # payload: JSON {"incarnation": ...}; sent until answered
KIND_HELLO_ACK = 2  # the answer to a HELLO
KIND_ARRAY = 3      # sequenced; payload: the array's bytes
KIND_OBJECT = 4     # sequenced; payload: JSON
KIND_HEARTBEAT = 5  # "still alive"; seq = next sequence number (reveals lost messages)
KIND_ACK = 6        # acknowledgement only
KIND_NACK = 7       # "resend from ack": the receiver saw a gap
KIND_BYE = 8        # the sender closed after all its messages were acknowledged
KIND_ARRAY_AHEAD = 9  # sequenced like KIND_ARRAY, for the receiver's *ahead* channel:
                      # correlated randomness the dealer sent before the program asked for it
KIND_ABORT = 10     # "I stop the run, and why": payload JSON {"reason": ...}; not sequenced

DATA_KINDS = (KIND_ARRAY, KIND_OBJECT, KIND_ARRAY_AHEAD)
ARRAY_KINDS = (KIND_ARRAY, KIND_ARRAY_AHEAD)
MAX_NDIM = 64
ARRAY_DTYPE_KINDS = "biufc"  # bool, signed, unsigned, float, complex

_FIXED = struct.Struct("<BBQQB")


class WireFormatError(ValueError):
    """A frame that is not a message of this protocol (dropped and logged by the receiver)."""


def check_sendable(array):
    """Refuse arrays that have no fixed binary layout (object, string, structured dtypes)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"send() sends NumPy arrays, got {type(array).__name__}; "
                        "use send_object() for small JSON control messages")
    if array.dtype.kind not in ARRAY_DTYPE_KINDS:
        raise TypeError(f"cannot send an array of dtype {array.dtype}: only bool, integer, "
                        "float and complex arrays have a fixed binary layout")
    if array.ndim > MAX_NDIM:
        raise ValueError(f"cannot send an array with {array.ndim} dimensions (at most {MAX_NDIM})")


def array_meta(array):
    """The array part of a header: dtype and shape."""
    dtype = array.dtype.str.encode("ascii")
    return (bytes([len(dtype)]) + dtype + bytes([array.ndim])
            + struct.pack(f"<{array.ndim}Q", *array.shape))


def pack_header(kind, seq, ack, sender, meta=b""):
    name = sender.encode("utf-8")
    return _FIXED.pack(WIRE_VERSION, kind, seq, ack, len(name)) + name + meta


def unpack_header(header):
    """``(kind, seq, ack, sender, dtype, shape)``; dtype and shape are None unless an array."""
    header = bytes(header)
    if len(header) < _FIXED.size:
        raise WireFormatError(f"header of {len(header)} bytes is too short")
    version, kind, seq, ack, name_length = _FIXED.unpack_from(header)
    if version != WIRE_VERSION:
        raise WireFormatError(f"wire version {version}, this program speaks {WIRE_VERSION}")
    if not KIND_HELLO <= kind <= KIND_ABORT:
        raise WireFormatError(f"unknown message kind {kind}")
    at = _FIXED.size + name_length
    if len(header) < at:
        raise WireFormatError("header truncated in the sender's name")
    sender = header[_FIXED.size:at].decode("utf-8", errors="replace")
    if kind not in ARRAY_KINDS:
        return kind, seq, ack, sender, None, None
    try:
        dtype_length = header[at]
        dtype = np.dtype(header[at + 1:at + 1 + dtype_length].decode("ascii"))
        at += 1 + dtype_length
        ndim = header[at]
        shape = struct.unpack_from(f"<{ndim}Q", header, at + 1)
        at += 1 + 8 * ndim
    except (IndexError, struct.error, TypeError, ValueError, UnicodeDecodeError) as err:
        raise WireFormatError(f"malformed array header: {err}") from None
    if at != len(header) or dtype.kind not in ARRAY_DTYPE_KINDS:
        raise WireFormatError("malformed array header")
    return kind, seq, ack, sender, dtype, shape


def array_from_buffer(buffer, dtype, shape):
    """The received array, viewing the received buffer (no copy unless misaligned)."""
    expected = dtype.itemsize * math.prod(shape)
    if len(buffer) != expected:
        raise WireFormatError(f"payload of {len(buffer)} bytes for an array of shape "
                              f"{tuple(shape)} and dtype {dtype} ({expected} bytes)")
    array = np.frombuffer(buffer, dtype=dtype).reshape(shape)
    if not array.flags.aligned or not array.flags.writeable:
        array = array.copy()
    return array
