"""Reading and writing IDX files, the format MNIST and Fashion-MNIST come in.

An IDX file is a tiny header followed by the raw numbers of one n-dimensional
array, all big-endian:

    byte 0-1   0x00 0x00          (the magic number starts with two zeros)
    byte 2     type code          (which number type the payload holds)
    byte 3     ndim               (how many dimensions follow)
    then       ndim x uint32      (the size of each dimension)
    then       the payload        (prod(dims) numbers of the given type, C order)

So ``t10k-images-idx3-ubyte`` starts with ``00 00 08 03`` (uint8, 3 dims),
then 10000, 28, 28, then 7,840,000 pixel bytes. The files are usually
gzip-compressed; we recognise gzip by its own magic bytes ``1f 8b`` rather
than by the file name, so a renamed file still reads.

Everything that can go wrong with a file (wrong magic, unknown type, a size
that does not match, broken gzip) raises :class:`IDXFormatError`, whose message
names the file, what was expected, what was found, and what to do about it.
"""

import gzip
import os
import struct
import zlib

import numpy as np

# IDX type code -> numpy dtype. ">" = big-endian, as the format prescribes.
TYPE_CODES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# The reverse lookup, keyed by the native-order dtype kind and size.
_CODE_OF = {(dt.kind, dt.itemsize): code for code, dt in TYPE_CODES.items()}

GZIP_MAGIC = b"\x1f\x8b"
_FIX = "delete the file and download it again (or copy a good copy in its place)"


class IDXFormatError(ValueError):
    """A file is not a valid IDX file (or not a valid gzip of one)."""


def _fail(path, problem, expected, found):
    raise IDXFormatError(
        f"{path}: {problem} (expected {expected}, found {found}). "
        f"The file is damaged or is not an IDX file: {_FIX}."
    )


def _read_bytes(path):
    """Return the file's IDX bytes, decompressing when it starts like gzip."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        # gzip reports truncation as EOFError and bad data as zlib.error or
        # BadGzipFile (an OSError); all mean the same thing to the user.
        raise IDXFormatError(
            f"{path}: the gzip stream is corrupt or truncated ({err}). "
            f"The download was probably interrupted: {_FIX}."
        ) from None


def parse_idx(data, path="<bytes>"):
    """Turn the bytes of an (uncompressed) IDX file into a numpy array.

    ``path`` is only used in error messages. The returned array has native
    byte order, so it behaves like any other array in arithmetic.
    """
    if len(data) < 4:
        _fail(path, "file too short for an IDX header", "at least 4 bytes", f"{len(data)} bytes")
    zero0, zero1, code, ndim = data[0], data[1], data[2], data[3]
    if (zero0, zero1) != (0, 0):
        _fail(path, "bad magic number", "first two bytes 00 00", f"{zero0:02x} {zero1:02x}")
    if code not in TYPE_CODES:
        known = ", ".join(f"0x{c:02X}" for c in TYPE_CODES)
        _fail(path, "unknown IDX type code", f"one of {known}", f"0x{code:02X}")
    if ndim == 0:
        _fail(path, "bad number of dimensions", "at least 1", "0")

    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        _fail(path, "header truncated", f"{header_size} header bytes for {ndim} dims", f"{len(data)} bytes")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])

    dtype = TYPE_CODES[code]
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) < expected:
        _fail(path, f"payload truncated for shape {shape} of {dtype.name}",
              f"{expected} bytes", f"{len(data)} bytes")
    if len(data) > expected:
        _fail(path, f"trailing bytes after the payload for shape {shape} of {dtype.name}",
              f"{expected} bytes", f"{len(data)} bytes")

    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    # Convert to native byte order (a no-op copy for uint8/int8).
    return array.astype(dtype.newbyteorder("="))


def read_idx(path, ndim=None):
    """Read an IDX file (gzip-compressed or raw) and return it as an array.

    If ``ndim`` is given, the file must have exactly that many dimensions
    (3 for an image file, 1 for a label file), so that swapping an image and
    a label file is caught here rather than as a strange shape later.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"IDX file not found: {path}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path} is a directory, not an IDX file; give the path of the "
                                "file itself (such as t10k-images-idx3-ubyte.gz)")
    array = parse_idx(_read_bytes(path), path)
    if ndim is not None and array.ndim != ndim:
        _fail(path, "wrong number of dimensions", ndim, array.ndim)
    return array


def idx_bytes(array):
    """Encode an array as the bytes of an IDX file (header + big-endian payload)."""
    array = np.asarray(array)
    key = (array.dtype.kind, array.dtype.itemsize)
    if key not in _CODE_OF:
        raise TypeError(
            f"IDX cannot store dtype {array.dtype}; use uint8, int8, int16, int32, float32 or float64"
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, got an array with {array.ndim}")
    code = _CODE_OF[key]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = np.ascontiguousarray(array, dtype=TYPE_CODES[code]).tobytes()
    return header + payload


def write_idx(path, array):
    """Write ``array`` as an IDX file; gzip-compress it when ``path`` ends in ``.gz``.

    The gzip header gets no file name and a zero time stamp, so writing the
    same array twice gives byte-identical files (and stable checksums).
    """
    path = os.fspath(path)
    data = idx_bytes(array)
    with open(path, "wb") as f:
        if path.endswith(".gz"):
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as gz:
                gz.write(data)
        else:
            f.write(data)
