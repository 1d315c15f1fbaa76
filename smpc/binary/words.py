"""Bits in words: the bit-level helpers that binary (XOR) sharing stands on.

A 64-bit ring element *is* a word of 64 bits, so an array of ``n`` elements is
already "bit-sliced": one NumPy ``&`` on two uint64 arrays computes ``64 n`` AND
gates at once, with no unpacking.  The protocols in this package shrink their
words as they go (the carry tree of :mod:`smpc.binary.adder` halves the bits it
still needs at every level), so values of ``width`` bits live in the smallest
unsigned dtype that holds them:

=========  ===========  ==================================================
width      dtype        bytes on the wire for ``n`` values
=========  ===========  ==================================================
64/32/16/8 uint64/.../8  ``n * width / 8`` (the array as it is)
4, 2, 1    uint8        ``ceil(n * width / 8)`` after :func:`pack`
=========  ===========  ==================================================

Sub-byte values are *packed* before they are sent, so the byte counts of the
network are the honest ones: a single opened bit costs one eighth of a byte.
"""
import numpy as np

WORD_BITS = 64
WIDTHS = (64, 32, 16, 8, 4, 2, 1)
_DTYPES = {64: np.uint64, 32: np.uint32, 16: np.uint16, 8: np.uint8, 4: np.uint8,
           2: np.uint8, 1: np.uint8}

def _index_reversal(bits):
    """The permutation of ``0 .. 2^bits - 1`` that reverses the binary digits of the index."""
    return [int(f"{i:0{bits}b}"[::-1], 2) for i in range(1 << bits)]


def _byte_scatter_tables(destination):
    """Per byte position k and byte value v: the word with v's bits moved to ``destination``."""
    tables = np.zeros((8, 256), dtype=np.uint64)
    values = np.arange(256)
    for k in range(8):
        for b in range(8):
            has_bit = ((values >> b) & 1).astype(np.uint64)
            tables[k] |= has_bit << np.uint64(destination[8 * k + b])
    return tables


# Bit i of a word goes to bit reverse6(i), e.g. bit 1 = 0b000001 -> bit 32 = 0b100000.
_BIT_REVERSAL_TABLES = _byte_scatter_tables(_index_reversal(6))


def dtype_for(width):
    """The unsigned dtype that carries ``width``-bit values (uint8 for 1, 2, 4, 8)."""
    if width not in _DTYPES:
        raise ValueError(f"width must be one of {WIDTHS}, got {width}")
    return _DTYPES[width]


def low_mask(width):
    """The public word with the low ``width`` bits set, in the dtype for ``width``."""
    return dtype_for(width)((1 << width) - 1)


def packed_nbytes(count, width):
    """Bytes that ``count`` values of ``width`` bits take on the wire: ``ceil(count*width/8)``."""
    return -(-count * width // 8)


def pack(values, width):
    """The bytes to send for ``width``-bit values (flattened); whole-byte widths go as they are.

    Sub-byte values are packed ``8 / width`` to a byte, the first value in the
    lowest bits; the tail is padded with zeros.
    """
    values = np.ascontiguousarray(values, dtype=dtype_for(width)).reshape(-1)
    if width >= 8:
        return values
    if width == 1:
        return np.packbits(values, bitorder="little")
    per_byte = 8 // width
    padded = np.zeros(-(-values.size // per_byte) * per_byte, dtype=np.uint8)
    padded[:values.size] = values
    columns = padded.reshape(-1, per_byte)
    packed = columns[:, 0].copy()
    for slot in range(1, per_byte):
        packed |= columns[:, slot] << np.uint8(slot * width)
    return packed


def unpack(payload, width, count):
    """Inverse of :func:`pack`: ``count`` values of ``width`` bits from the received bytes."""
    payload = np.asarray(payload)
    if width >= 8:
        return payload.view(dtype_for(width))[:count]
    if width == 1:
        return np.unpackbits(payload, count=count, bitorder="little")
    per_byte = 8 // width
    shifts = (np.arange(per_byte) * width).astype(np.uint8)
    columns = (payload[:, None] >> shifts) & low_mask(width)
    return columns.reshape(-1)[:count]


def bit_reversal_permute(words):
    """Move bit ``i`` of every uint64 word to bit ``reverse6(i)`` (the 6 index bits reversed).

    The bit-reversal permutation (as in the FFT): bit ``0b000001`` goes to
    ``0b100000``, bit ``0b000110`` to ``0b011000``.  It is an involution.  Done
    by table look-up: each of the 8 bytes of a word scatters its bits to their
    new places through a precomputed 256-entry table of words, and the 8
    scattered words are ORed together (8 gathers, no loop over elements).
    """
    words = np.ascontiguousarray(words, dtype=np.uint64)
    octets = words.view(np.uint8).reshape(words.shape + (8,))
    out = _BIT_REVERSAL_TABLES[0][octets[..., 0]]
    for k in range(1, 8):
        out |= _BIT_REVERSAL_TABLES[k][octets[..., k]]
    return out


def random_words(source, shape, width=64):
    """Uniform ``width``-bit values of the given shape from a :class:`~smpc.randomness.RandomSource`.

    Draws whole 64-bit words and cuts them into smaller values, so a width-8
    draw costs an eighth of a width-64 draw.
    """
    shape = tuple(shape)
    dtype = np.dtype(dtype_for(width))
    count = int(np.prod(shape, dtype=np.int64))
    words = -(-count * dtype.itemsize // 8)
    values = source.ring((words,)).view(dtype)[:count].reshape(shape)
    if width < 8:
        values = values & low_mask(width)
    return values
