"""Tests for datasets.idx: round trips for every type, and every way a file can be bad.

Every file here is written by the test itself, byte by byte where the point
is a malformed file, so what each test checks is visible in the test.
"""

import gzip
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from datasets.idx import TYPE_CODES, IDXFormatError, idx_bytes, parse_idx, read_idx, write_idx

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def header(code, shape):
    """The bytes of an IDX header: 00 00 code ndim, then the dims."""
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def write_bytes(path, data, compress=False):
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


# --- round trips -----------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("suffix", [".idx", ".idx.gz"])
def test_round_trip_every_dtype(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / ("a" + suffix)
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)  # native byte order after reading
    np.testing.assert_array_equal(back, array)


def test_gz_is_written_only_for_gz_names(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "a.raw", array)
    assert (tmp_path / "a.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "a.raw").read_bytes()[:4] == b"\x00\x00\x08\x01"


def test_gzip_detected_by_magic_not_name(tmp_path):
    """A gzip file without .gz in its name still reads, and vice versa."""
    array = np.arange(6, dtype=np.int16).reshape(2, 3)
    write_bytes(tmp_path / "plain-name", idx_bytes(array), compress=True)
    write_bytes(tmp_path / "looks.gz", idx_bytes(array), compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "looks.gz"), array)


def test_writing_is_deterministic(tmp_path):
    array = np.arange(100, dtype=np.uint8)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_header_layout_is_big_endian():
    data = idx_bytes(np.array([[1, 2, 3]], dtype=np.int32))
    assert data[:4] == bytes([0, 0, 0x0C, 2])
    assert data[4:12] == struct.pack(">II", 1, 3)
    assert data[12:] == struct.pack(">3i", 1, 2, 3)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from(DTYPES),
                  shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)))
def test_round_trip_property(array):
    back = parse_idx(idx_bytes(array))
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)  # NaNs compare equal here


def test_unsupported_dtype_refused():
    with pytest.raises(TypeError, match="cannot store"):
        idx_bytes(np.zeros(3, dtype=np.int64))


# --- every error case ------------------------------------------------------

def expect_error(path, *fragments):
    with pytest.raises(IDXFormatError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message  # the message names the file
    for fragment in fragments:
        assert fragment in message
    assert "download it again" in message  # and says what to do
    return message


@pytest.mark.parametrize("compress", [False, True])
def test_bad_magic(tmp_path, compress):
    data = bytes([0x08, 0x03]) + header(0x08, (1,))[2:] + b"\x00"
    expect_error(write_bytes(tmp_path / "f", data, compress), "bad magic number", "00 00", "08 03")


def test_bad_type_code(tmp_path):
    data = header(0x0A, (2,)) + b"\x00\x00"
    expect_error(write_bytes(tmp_path / "f", data), "unknown IDX type code", "0x0A")


def test_zero_dimensions(tmp_path):
    expect_error(write_bytes(tmp_path / "f", bytes([0, 0, 8, 0])), "number of dimensions")


def test_wrong_ndim_for_its_role(tmp_path):
    """An image file (3 dims) given where a label file (1 dim) is expected."""
    path = tmp_path / "labels.gz"
    write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
    with pytest.raises(IDXFormatError, match="wrong number of dimensions.*expected 1, found 3"):
        read_idx(path, ndim=1)


def test_ndim_larger_than_header(tmp_path):
    """The header promises 3 dims but the file ends after one."""
    data = bytes([0, 0, 8, 3]) + struct.pack(">I", 5)
    expect_error(write_bytes(tmp_path / "f", data), "header truncated")


def test_too_short_for_header(tmp_path):
    expect_error(write_bytes(tmp_path / "f", b"\x00\x00"), "too short", "2 bytes")


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_payload(tmp_path, compress):
    data = idx_bytes(np.zeros((10, 28, 28), dtype=np.uint8))[:-100]
    expect_error(write_bytes(tmp_path / "f", data, compress), "payload truncated",
                 f"expected {16 + 7840} bytes", f"found {16 + 7840 - 100} bytes")


@pytest.mark.parametrize("compress", [False, True])
def test_trailing_bytes(tmp_path, compress):
    data = idx_bytes(np.zeros(4, dtype=np.float32)) + b"junk"
    expect_error(write_bytes(tmp_path / "f", data, compress), "trailing bytes",
                 "expected 24 bytes", "found 28 bytes")


def test_corrupt_gzip_body(tmp_path):
    good = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    bad = good[:20] + bytes(b ^ 0xFF for b in good[20:40]) + good[40:]
    expect_error(write_bytes(tmp_path / "f.gz", bad), "gzip stream is corrupt")


def test_truncated_gzip(tmp_path):
    """What an interrupted download of a .gz file looks like: no EOFError leaks out."""
    good = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int32)))
    expect_error(write_bytes(tmp_path / "f.gz", good[: len(good) // 2]), "gzip stream is corrupt")


def test_error_is_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        read_idx(write_bytes(tmp_path / "f", b"\x01\x02\x03\x04"))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.gz"):
        read_idx(tmp_path / "nope.gz")


def test_type_table_is_the_documented_one():
    assert {code: dt.name for code, dt in TYPE_CODES.items()} == {
        0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
