"""A cryptographically secure random source: AES-128 in counter mode as a stream generator.

:class:`CryptoRandomSource` has the methods of :class:`smpc.randomness.RandomSource`
(``ring``, ``bits``, ``integers``, ``random_raw``, ``new_seed``), so code that draws
shares, masks or correlated randomness runs unchanged on either.  NumPy's PCG64
(what the simulation uses) can be predicted from a few outputs; AES-CTR cannot
without the key, which is what a deployment needs.

How it works:

1. The stream is the AES-128-CTR keystream of ``key`` from counter 0 (the encryption
   of zero bytes), so it is a deterministic function of the key: the same key gives
   the same draws, and tests reproduce.  A key must drive one stream only: use
   :meth:`derive` for independent sub-streams and :meth:`from_os` for fresh keys.
2. The keystream is made 1 MiB at a time into one reused buffer (measured about
   4.7 GB/s here; one large call is ten times slower, its allocation dominates).
   Every draw takes the next bytes of the stream, whatever the chunk boundaries, so
   a sequence of draws equals the same bytes taken in one piece.
3. ``integers`` is exactly uniform: words of the smallest width w in {8, 16, 32, 64}
   bits with ``2^w >= n`` for a range of n values are rejected above the largest
   multiple of n, then reduced mod n (the acceptance rate is above 1/2).

Cost: 8 bytes of keystream per ring element; 1/8 byte per bit.
"""
import hashlib
import hmac
import math
import os

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_BYTES = 16
CHUNK_BYTES = 1 << 20
_BLOCK = 16
_ZEROS = bytes(CHUNK_BYTES)
_DERIVE_LABEL = b"smpc.csprng.derive\x00"


def _shape_of(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


class CryptoRandomSource:
    """Random ring elements, bits and integers from the AES-128-CTR keystream of ``key``."""

    def __init__(self, key):
        self.seed(key)

    def seed(self, key):
        """Restart from ``key`` (16 bytes), at the start of its stream."""
        if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
            shown = f"{len(key)} bytes" if isinstance(key, (bytes, bytearray)) else type(key).__name__
            raise ValueError(f"a CryptoRandomSource key is {KEY_BYTES} bytes (AES-128), got "
                             f"{shown}; use CryptoRandomSource.from_os() for a fresh key")
        self._key = bytes(key)
        self._encryptor = Cipher(algorithms.AES(self._key), modes.CTR(bytes(_BLOCK))).encryptor()
        self._buffer = bytearray(CHUNK_BYTES + _BLOCK - 1)  # update_into needs block - 1 spare
        self._view = memoryview(self._buffer)
        self._start = self._end = 0  # the unread keystream is _buffer[_start:_end]

    @classmethod
    def from_os(cls):
        """A source keyed from the operating system's entropy (``os.urandom``)."""
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def from_seed_words(cls, words):
        """The source keyed by two uint64 words, as :meth:`new_seed` makes them."""
        words = np.asarray(words, dtype=np.uint64)
        if words.shape != (KEY_BYTES // 8,):
            raise ValueError(f"a seed is {KEY_BYTES // 8} uint64 words, got shape {words.shape}")
        return cls(words.astype("<u8").tobytes())

    def derive(self, label):
        """An independent source for ``label``: key = HMAC-SHA256(key, label), first 16 bytes.

        It depends on the key and the label only, not on what was drawn so far.
        """
        if not isinstance(label, (bytes, bytearray)):
            raise TypeError(f"derive() takes a bytes label, got {type(label).__name__}")
        digest = hmac.new(self._key, _DERIVE_LABEL + bytes(label), hashlib.sha256).digest()
        return CryptoRandomSource(digest[:KEY_BYTES])

    def _refill(self):
        self._encryptor.update_into(_ZEROS, self._buffer)
        self._start, self._end = 0, CHUNK_BYTES

    def fill(self, out):
        """Overwrite the writable bytes-like ``out`` with the next ``len(out)`` keystream bytes."""
        out = memoryview(out).cast("B")
        total = len(out)
        done = min(total, self._end - self._start)  # first what is left in the buffer
        out[:done] = self._view[self._start:self._start + done]
        self._start += done
        # Whole chunks straight into ``out`` while it has the block - 1 spare bytes
        # update_into asks for; the tail through the buffer.
        while total - done >= CHUNK_BYTES + _BLOCK - 1:
            self._encryptor.update_into(_ZEROS, out[done:done + CHUNK_BYTES + _BLOCK - 1])
            done += CHUNK_BYTES
        while done < total:
            self._refill()
            take = min(total - done, CHUNK_BYTES)
            out[done:done + take] = self._view[:take]
            self._start = take
            done += take

    def random_bytes(self, count):
        """The next ``count`` keystream bytes as a uint8 array."""
        out = np.empty(int(count), dtype=np.uint8)
        self.fill(out)
        return out

    def random_raw(self, count):
        """``count`` uniform 64-bit words (uint64)."""
        out = np.empty(int(count), dtype=np.uint64)
        self.fill(out.view(np.uint8))
        return out

    def ring(self, shape):
        """Uniform elements of Z_{2^64} as int64 (8 keystream bytes each)."""
        shape = _shape_of(shape)
        out = np.empty(shape, dtype=np.int64)
        self.fill(out.reshape(-1).view(np.uint8))
        return out

    def bits(self, shape):
        """Uniform bits as int64 0/1 (one keystream bit each)."""
        shape = _shape_of(shape)
        count = math.prod(int(s) for s in shape)
        packed = self.random_bytes((count + 7) // 8)
        return np.unpackbits(packed, count=count).astype(np.int64).reshape(shape)

    def integers(self, low, high, shape, dtype=np.int64):
        """Exactly uniform integers in ``[low, high)``, by rejection sampling (see the module)."""
        low, high = int(low), int(high)
        dtype = np.dtype(dtype)
        if dtype.kind not in "iu":
            raise TypeError(f"integers() draws integer dtypes, not {dtype}")
        info = np.iinfo(dtype)
        if low >= high:
            raise ValueError(f"integers() needs low < high, got [{low}, {high})")
        if low < info.min or high - 1 > info.max:
            raise ValueError(f"[{low}, {high}) does not fit {dtype} ([{info.min}, {info.max}])")
        shape = _shape_of(shape)
        count = math.prod(int(s) for s in shape)
        offsets = self._below(high - low, count)
        # low + offset, wrapping in 64 bits, lands in [low, high) and fits dtype.
        values = offsets + np.uint64(low % 2**64)
        if dtype.kind == "i":
            values = values.view(np.int64)
        return values.astype(dtype).reshape(shape)

    def _below(self, n, count):
        """``count`` exactly uniform values in [0, n) as uint64, 1 <= n <= 2^64."""
        width = next(w for w in (8, 16, 32, 64) if n <= 2**w)
        word = np.dtype(f"<u{width // 8}")
        if n & (n - 1) == 0:  # a power of two: every word is usable, masked
            words = self.random_bytes(count * word.itemsize).view(word).astype(np.uint64)
            return words & np.uint64(n - 1) if n < 2**64 else words
        limit = 2**width - (2**width % n)  # the largest multiple of n that the words reach
        result = np.empty(count, dtype=np.uint64)
        filled = 0
        while filled < count:
            need = count - filled
            draw = int(need * 2**width / limit) + 16  # expected acceptances cover what is missing
            words = self.random_bytes(draw * word.itemsize).view(word)
            accepted = words[words < limit][:need]
            result[filled:filled + len(accepted)] = accepted.astype(np.uint64) % np.uint64(n)
            filled += len(accepted)
        return result

    def new_seed(self):
        """A fresh 128-bit seed (two uint64 words): the key of another source."""
        return self.random_raw(KEY_BYTES // 8)
