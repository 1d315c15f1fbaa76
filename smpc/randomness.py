"""Where every random number comes from: each party's own generator, and shared keys.

Randomness belongs to the party that draws it (Damgård et al. and every MPC framework
since: a party's coins are part of its view).  A session (:class:`~smpc.network.Network`)
holds a :class:`Randomness` that hands out

* ``own(party)`` -- the party's **private** generator: the masks of a secret it shares,
  the dealer's triples, the helper's fresh sharings;
* ``common(holders)`` -- **common coins** of a group of holders, from a key they agreed
  on and nobody else knows (SecureNN's ``s``, ``z``, rotations, ``beta``, ``r`` of
  ShareConvert; the pairwise keys behind fresh sharings of zero).  The crypto provider
  never holds it: its process gets an :class:`AbsentSource`;
* ``dealer_stream(dealer, holder)`` -- the long-lived key a holder shares with the
  dealer.  Both expand the holder's shares of the dealer's random values from it, in
  the same order, so per triple only the correction of a *derived* value travels (the
  way CrypTen's trusted third party works).

In tests and simulations every key is derived from one **master seed** by a label
(``"own/alice"``, ``"common/alice,bob"``, ``"dealer/crypto_provider/alice"``), so a run
is reproduced exactly and a process playing one party derives the same streams as the
simulation.  Real deployments key each stream from the operating system and agree the
shared keys over the encrypted channels.

**Two kinds of streams** (``Randomness(..., streams=...)``):

* ``"pcg64"`` (the simulation's and the tests' default): :class:`RandomSource`, NumPy's
  PCG64, a fast statistical generator whose output can be predicted from a few observed
  values: right for learning and for the simulation, wrong for a deployment.
* ``"csprng"``: :class:`CryptoStream`, AES-128-CTR (:mod:`smpc.csprng`), each key
  derived from the master seed and the label by SHA-256.  Reproducible like PCG64, so a
  run across processes with these streams equals the simulation with them.
* ``"csprng-os"`` (runs across machines): AES-128-CTR streams whose keys nobody derives
  from a seed: each own stream is keyed from the operating system, and each shared key
  (the holders' common key, each dealer-holder key) is drawn by one of its owners and
  sent to the others over the encrypted channel, then installed with :meth:`set_key`
  (see :mod:`experiments.deployment`).  The crypto provider never receives the holders'
  common key.

:data:`default_source` is the one process-wide generator left: it picks the master seed
of a session created without one (``smpc.manual_seed`` makes that reproducible) and
draws a model owner's initial weights; no protocol draws from it.
"""
import hashlib
import math
import os

import numpy as np

from .csprng import KEY_BYTES, CryptoRandomSource

SEED_WORDS = 2  # a 128-bit seed, sent as two uint64 words


class RandomSource:
    """A stream of random ring elements, bits and small integers from one seed."""

    def __init__(self, seed=None):
        self.seed(seed)

    def seed(self, seed=None):
        """Restart the stream from ``seed`` (an int, a sequence of ints, a SeedSequence,
        or None for fresh entropy)."""
        self._generator = np.random.Generator(np.random.PCG64(seed))

    @property
    def generator(self):
        """The underlying ``numpy.random.Generator``, for draws not covered below."""
        return self._generator

    def random_raw(self, count):
        """``count`` raw 64-bit words (uint64)."""
        return self._generator.bit_generator.random_raw(count)

    def ring(self, shape):
        """Uniform elements of Z_{2^64} as int64, one raw 64-bit draw per element."""
        shape = tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape
        count = math.prod(int(s) for s in shape)
        return self.random_raw(count).view(np.int64).reshape(shape)

    def bits(self, shape):
        """Uniform bits as int64 0/1."""
        return self._generator.integers(0, 2, size=shape, dtype=np.int64)

    def integers(self, low, high, shape, dtype=np.int64):
        """Uniform integers in ``[low, high)``."""
        return self._generator.integers(low, high, size=shape, dtype=dtype)

    def new_seed(self):
        """A fresh 128-bit seed (two uint64 words) for a party's own PRG."""
        return self.random_raw(SEED_WORDS)

    def state(self):
        """The generator's state, JSON-serialisable (for checkpoints)."""
        return self._generator.bit_generator.state

    def set_state(self, state):
        self._generator.bit_generator.state = state


class AbsentSource:
    """Stands for a key this process does not hold: every draw is zeros of the shape.

    A process that plays none of the parties owning a key still runs the same program,
    with no rows, so it needs the shapes of the draws but never their values.
    """

    def random_raw(self, count):
        return np.zeros(count, dtype=np.uint64)

    def ring(self, shape):
        shape = tuple(np.atleast_1d(shape)) if not isinstance(shape, tuple) else shape
        return np.zeros(shape, dtype=np.int64)

    def bits(self, shape):
        return np.zeros(shape, dtype=np.int64)

    def integers(self, low, high, shape, dtype=np.int64):
        return np.full(shape, low, dtype=dtype)

    def new_seed(self):
        return np.zeros(SEED_WORDS, dtype=np.uint64)

    def state(self):
        return None

    def set_state(self, state):
        pass

    @property
    def generator(self):
        raise RuntimeError("this process does not hold that key")


ABSENT = AbsentSource()

STREAM_KINDS = ("pcg64", "csprng", "csprng-os")


class CryptoStream(CryptoRandomSource):
    """An AES-128-CTR stream that knows its position, so a checkpoint can save and resume it.

    Its state is the key and the number of keystream bytes drawn (secret: it is saved only
    in the owning party's own checkpoint file).
    """

    def seed(self, key):
        super().seed(key)
        self._position = 0

    def fill(self, out):
        count = memoryview(out).nbytes
        super().fill(out)
        self._position += count

    def state(self):
        return {"aes_ctr_key": self._key.hex(), "position": self._position}

    def set_state(self, state):
        key, position = bytes.fromhex(state["aes_ctr_key"]), int(state["position"])
        self.seed(key)
        blocks, skip = divmod(position, 16)
        # Counter mode seeks: start at block ``blocks``, then drop ``skip`` bytes.
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        self._encryptor = Cipher(algorithms.AES(key),
                                 modes.CTR(blocks.to_bytes(16, "big"))).encryptor()
        self.fill(bytearray(skip))
        self._position = position


def label_words(label):
    """A label as four 32-bit words (SHA-256), to key a stream by name."""
    digest = hashlib.sha256(label.encode()).digest()
    return [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)]


class Randomness:
    """The random streams of one session, derived by label from a master seed.

    ``plays(name)`` says whether this process plays a party; a stream whose owners are
    all played elsewhere is an :data:`ABSENT` source here.
    """

    def __init__(self, master_seed, plays, streams="pcg64"):
        if streams not in STREAM_KINDS:
            raise ValueError(f"streams must be one of {', '.join(STREAM_KINDS)}, got {streams!r}")
        self.master_seed = int(master_seed)
        self.kind = streams
        self._plays = plays
        self._streams = {}
        self._keys = {}  # label -> key agreed over the channels ("csprng-os")

    def _stream(self, label, owners):
        if not any(self._plays(name) for name in owners):
            return ABSENT
        stream = self._streams.get(label)
        if stream is None:
            stream = self._streams[label] = self._new_stream(label)
        return stream

    def _new_stream(self, label):
        words = [self.master_seed & 0xFFFFFFFF, (self.master_seed >> 32) & 0xFFFFFFFF]
        if self.kind == "pcg64":
            return RandomSource(np.random.SeedSequence(words + label_words(label)))
        if self.kind == "csprng":
            digest = hashlib.sha256(b"smpc.randomness\x00" + self.master_seed.to_bytes(8, "little")
                                    + label.encode()).digest()
            return CryptoStream(digest[:KEY_BYTES])
        if label in self._keys:
            return CryptoStream(self._keys[label])
        if label.startswith("own/"):
            return CryptoStream(os.urandom(KEY_BYTES))
        raise RuntimeError(f"no key was agreed for the random stream {label!r}: with "
                           "streams='csprng-os' its owners agree it over the channels first "
                           "(set_key)")

    def set_key(self, label, key):
        """Install the key of the shared stream ``label``, agreed by its owners ("csprng-os")."""
        if self.kind != "csprng-os":
            raise ValueError(f"set_key is for streams='csprng-os'; these are {self.kind!r}")
        if label in self._streams:
            raise ValueError(f"the stream {label!r} has been drawn from already")
        if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
            raise ValueError(f"a stream key is {KEY_BYTES} bytes")
        self._keys[label] = bytes(key)

    def own(self, party, purpose=None):
        """The party's private generator (``purpose``: a separate private stream for one use,
        e.g. DP noise, so that its draws do not depend on what else the party drew)."""
        name = party if isinstance(party, str) else party.name
        label = f"own/{name}" if purpose is None else f"own/{name}/{purpose}"
        return self._stream(label, (name,))

    def common(self, holders):
        """Common coins of ``holders`` (the crypto provider never holds this key)."""
        names = tuple(h.name for h in holders)
        return self._stream("common/" + ",".join(names), names)

    def dealer_stream(self, dealer, holder, ahead=False):
        """The stream a holder shares with the dealer (its shares of the dealer's randoms).

        ``ahead=True``: a second such stream for the deals prepared ahead of their step
        (:mod:`smpc.preprocessing`), so that those draws, made by the dealer's background
        thread, never interleave with the deals made inline.
        """
        kind = "dealer-ahead" if ahead else "dealer"
        return self._stream(f"{kind}/{dealer.name}/{holder.name}", (dealer.name, holder.name))

    def states(self):
        """Every stream drawn from so far, by label (JSON-serialisable)."""
        return {label: stream.state() for label, stream in sorted(self._streams.items())}

    def set_states(self, states):
        """Restore streams saved by :meth:`states` (those this process holds)."""
        for label, state in states.items():
            stream = self._stream(label, _owners_of(label))
            stream.set_state(state)

    def reseed(self, master_seed):
        """Start every stream afresh from ``master_seed`` (to replay a computation)."""
        self.master_seed = int(master_seed)
        self._streams = {}

    def restore(self, master_seed, states):
        """Continue a saved session: its master seed, and the streams' saved positions.

        (Streams not yet drawn from when it was saved start afresh from the seed, as they
        would have.)
        """
        if int(master_seed) != self.master_seed:
            self.master_seed = int(master_seed)
            self._streams = {}
        self.set_states(states)

    @staticmethod
    def owners(label):
        """The names of the parties that hold the stream ``label``."""
        return _owners_of(label)


def _owners_of(label):
    kind, rest = label.split("/", 1)
    if kind == "own":
        return (rest.split("/")[0],)
    if kind == "common":
        return tuple(rest.split(","))
    if kind in ("dealer", "dealer-ahead"):
        return tuple(rest.split("/"))
    raise ValueError(f"unknown random stream {label!r}")


default_source = RandomSource()


def manual_seed(seed):
    """Seed the process-wide generator: sessions made afterwards without a seed, and
    initial weights drawn from it, are then reproducible."""
    default_source.seed(seed)


def prg(seed_words):
    """A pseudo-random generator expanded from a seed (two uint64 words)."""
    return RandomSource([int(w) for w in np.asarray(seed_words, dtype=np.uint64)])
