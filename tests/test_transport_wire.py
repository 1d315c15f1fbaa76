"""The transport's wire format (smpc.transport.wire): headers round-trip, bad frames are refused."""
import numpy as np
import pytest

from smpc.transport import wire


@pytest.mark.parametrize("array", [np.zeros((), np.int64), np.zeros((0, 3), np.uint8),
                                   np.ones((2, 3, 4), bool), np.arange(5, dtype=">u8"),
                                   np.linspace(0, 1, 7)])
def test_an_array_header_round_trips(array):
    header = wire.pack_header(wire.KIND_ARRAY, 7, 3, "crypto_provider", wire.array_meta(array))
    kind, seq, ack, sender, dtype, shape = wire.unpack_header(header)
    assert (kind, seq, ack, sender) == (wire.KIND_ARRAY, 7, 3, "crypto_provider")
    assert dtype == array.dtype and shape == array.shape
    received = wire.array_from_buffer(memoryview(array.tobytes()), dtype, shape)
    assert received.dtype == array.dtype and np.array_equal(received, array)
    assert received.flags.writeable


def test_control_headers_carry_no_array_part():
    kind, seq, ack, sender, dtype, shape = wire.unpack_header(
        wire.pack_header(wire.KIND_HEARTBEAT, 12, 9, "bob"))
    assert (kind, seq, ack, sender, dtype, shape) == (wire.KIND_HEARTBEAT, 12, 9, "bob", None, None)


def test_malformed_frames_are_refused():
    good = wire.pack_header(wire.KIND_ARRAY, 0, 0, "bob", wire.array_meta(np.zeros(3)))
    bad = {"too short": good[:5], "wire version": b"\x09" + good[1:],
           "unknown message kind": good[:1] + b"\x63" + good[2:],
           "truncated in the sender": wire.pack_header(wire.KIND_HELLO, 0, 0, "bob")[:-2],
           "malformed array header": good + b"\x00"}
    for words, header in bad.items():
        with pytest.raises(wire.WireFormatError, match=words):
            wire.unpack_header(header)
    object_dtype = good.replace(b"<f8", b"|O8")
    with pytest.raises(wire.WireFormatError, match="malformed array header"):
        wire.unpack_header(object_dtype)
    with pytest.raises(wire.WireFormatError, match=r"payload of 16 bytes .*\(24 bytes\)"):
        wire.array_from_buffer(memoryview(bytes(16)), np.dtype(np.float64), (3,))


def test_arrays_without_a_fixed_layout_cannot_be_sent():
    for array in (np.array(["a"]), np.array([None]), np.zeros(2, dtype=[("x", "i4")])):
        with pytest.raises(TypeError, match="fixed binary layout"):
            wire.check_sendable(array)
