"""One seedable source of randomness for the whole simulation.

Every random choice in the package (share masks, the dealer's triples, the
common coins of SecureNN) is drawn from :data:`default_source`, so a run is
reproduced exactly by ``smpc.manual_seed(seed)`` (or ``make_parties(seed=...)``).

**Not cryptographic.**  NumPy's generators (PCG64 here) are fast statistical
generators: their output can be predicted from a few observed values.  That is
fine for a teaching simulation in one process, where the separation of parties
is a discipline of the code, but a real deployment must draw shares from a
cryptographically secure generator (``secrets``/``os.urandom``, or AES-CTR as a
PRG).  The dealer's "PRG seed" mode uses :class:`RandomSource` as the PRG for the
same reason, and carries the same caveat.
"""
import numpy as np

SEED_WORDS = 2  # a 128-bit seed, sent as two uint64 words


class RandomSource:
    """A stream of random ring elements, bits and field elements from one seed."""

    def __init__(self, seed=None):
        self.seed(seed)

    def seed(self, seed=None):
        """Restart the stream from ``seed`` (an int, a sequence of ints, or None for fresh entropy)."""
        self._generator = np.random.Generator(np.random.PCG64(seed))

    @property
    def generator(self):
        """The underlying ``numpy.random.Generator``, for draws not covered below."""
        return self._generator

    def ring(self, shape):
        """Uniform elements of Z_{2^64} as int64, one raw 64-bit draw per element."""
        shape = tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape
        count = int(np.prod(shape, dtype=np.int64))
        return self._generator.bit_generator.random_raw(count).view(np.int64).reshape(shape)

    def bits(self, shape):
        """Uniform bits as int64 0/1."""
        return self._generator.integers(0, 2, size=shape, dtype=np.int64)

    def integers(self, low, high, shape, dtype=np.int64):
        """Uniform integers in ``[low, high)``."""
        return self._generator.integers(low, high, size=shape, dtype=dtype)

    def new_seed(self):
        """A fresh 128-bit seed (two uint64 words) for a party's own PRG."""
        return self._generator.bit_generator.random_raw(SEED_WORDS)


default_source = RandomSource()


def manual_seed(seed):
    """Seed the package's single source of randomness (reproducible runs)."""
    default_source.seed(seed)


def prg(seed_words):
    """A party's pseudo-random generator expanded from a seed it received."""
    return RandomSource([int(w) for w in np.asarray(seed_words, dtype=np.uint64)])
