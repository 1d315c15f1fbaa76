"""The session's AES-CTR streams: reproducible from a seed, resumable, keyed by agreement."""
import numpy as np
import pytest

from smpc.randomness import CryptoStream, Randomness


def test_a_crypto_stream_resumes_from_its_saved_state_at_any_byte():
    stream = CryptoStream(bytes(range(16)))
    stream.bits(13)                       # 2 bytes: not on a 16-byte block boundary
    stream.ring((5,))
    state = stream.state()
    expected = [stream.ring((3, 7)), stream.integers(0, 10, (9,)), stream.bits(17)]
    resumed = CryptoStream(bytes(16))
    resumed.set_state(state)
    got = [resumed.ring((3, 7)), resumed.integers(0, 10, (9,)), resumed.bits(17)]
    for a, b in zip(got, expected):
        assert np.array_equal(a, b)


def test_seeded_crypto_streams_are_reproducible_and_differ_by_label_and_seed():
    everybody = lambda name: True  # noqa: E731
    a, b = Randomness(7, everybody, "csprng"), Randomness(7, everybody, "csprng")
    draw = lambda r, label: r._stream(label, ("alice",)).ring((4,))  # noqa: E731
    assert np.array_equal(draw(a, "own/alice"), draw(b, "own/alice"))
    assert not np.array_equal(draw(a, "dealer/crypto_provider/alice"),
                              draw(Randomness(8, everybody, "csprng"), "dealer/crypto_provider/alice"))
    assert isinstance(a._stream("own/alice", ("alice",)), CryptoStream)
    assert not isinstance(Randomness(7, everybody)._stream("own/alice", ("alice",)), CryptoStream)


def test_os_keyed_streams_need_their_shared_keys_agreed_first():
    everybody = lambda name: True  # noqa: E731
    r = Randomness(7, everybody, "csprng-os")
    own = r._stream("own/alice", ("alice",)).ring((4,))
    assert not np.array_equal(own, Randomness(7, everybody, "csprng-os")._stream(
        "own/alice", ("alice",)).ring((4,)))
    with pytest.raises(RuntimeError, match="no key was agreed"):
        r._stream("common/alice,bob", ("alice", "bob"))
    r.set_key("common/alice,bob", bytes(16))
    assert np.array_equal(r._stream("common/alice,bob", ("alice", "bob")).ring((2,)),
                          CryptoStream(bytes(16)).ring((2,)))
    with pytest.raises(ValueError, match="drawn from already"):
        r.set_key("common/alice,bob", bytes(16))
