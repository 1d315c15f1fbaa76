"""smpc.csprng.CryptoRandomSource: the AES-CTR keystream, reproducible, uniform, exact ranges."""
import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from scipy import stats

from smpc.csprng import CHUNK_BYTES, CryptoRandomSource
from smpc.randomness import RandomSource

KEY = bytes(range(16))


def keystream(key, count):
    """AES-128-CTR of zeros from counter 0, in one call: the stream the source must give."""
    return Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor().update(bytes(count))


def test_the_stream_is_the_aes_ctr_keystream_whatever_the_draw_sizes():
    source = CryptoRandomSource(KEY)
    sizes = [3, CHUNK_BYTES, 17, 2 * CHUNK_BYTES + 5, 1, CHUNK_BYTES - 1, 100]
    drawn = b"".join(source.random_bytes(size).tobytes() for size in sizes)
    assert drawn == keystream(KEY, sum(sizes))


def test_same_key_same_draws_other_key_other_draws():
    def draws(source):
        return [source.ring((3, 4)), source.bits(50), source.integers(-7, 7, 20),
                source.random_raw(5), source.new_seed()]
    first, again = draws(CryptoRandomSource(KEY)), draws(CryptoRandomSource(KEY))
    other = draws(CryptoRandomSource(bytes(16)))
    for a, b, c in zip(first, again, other):
        assert a.dtype == b.dtype and np.array_equal(a, b)
        assert not np.array_equal(a, c)


def test_the_methods_match_random_source_in_dtypes_and_shapes():
    crypto, simulated = CryptoRandomSource(KEY), RandomSource(0)
    for name, args in [("ring", ((2, 3),)), ("ring", (5,)), ("bits", ((4, 2),)),
                       ("integers", (0, 67, (3, 3))), ("integers", (0, 5, 4, np.uint8)),
                       ("random_raw", (6,)), ("new_seed", ())]:
        theirs_method = getattr(simulated, name, None)
        if theirs_method is None:  # random_raw: RandomSource draws it from its bit generator
            theirs_method = getattr(simulated.generator.bit_generator, name)
        ours, theirs = getattr(crypto, name)(*args), theirs_method(*args)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, name
    assert crypto.ring(()).shape == () and crypto.bits((0, 3)).shape == (0, 3)


def test_derived_streams_are_independent_of_position_and_of_each_other():
    parent = CryptoRandomSource(KEY)
    first = parent.derive(b"alice-bob").ring(8)
    parent.ring(1000)  # drawing from the parent does not change its children
    assert np.array_equal(parent.derive(b"alice-bob").ring(8), first)
    assert not np.array_equal(parent.derive(b"alice-dealer").ring(8), first)
    with pytest.raises(TypeError, match="bytes label"):
        parent.derive("alice")


def test_a_seed_made_by_new_seed_keys_another_source():
    words = CryptoRandomSource(KEY).new_seed()
    assert words.dtype == np.uint64 and words.shape == (2,)
    a, b = CryptoRandomSource.from_seed_words(words), CryptoRandomSource.from_seed_words(words)
    assert np.array_equal(a.ring(4), b.ring(4))
    assert not np.array_equal(CryptoRandomSource.from_os().ring(4), CryptoRandomSource.from_os().ring(4))


def test_bad_keys_and_ranges_are_refused():
    with pytest.raises(ValueError, match=r"16 bytes \(AES-128\), got 5 bytes"):
        CryptoRandomSource(b"short")
    with pytest.raises(ValueError, match="got str"):
        CryptoRandomSource("0123456789abcdef")
    source = CryptoRandomSource(KEY)
    with pytest.raises(ValueError, match=r"low < high, got \[3, 3\)"):
        source.integers(3, 3, 5)
    with pytest.raises(ValueError, match="does not fit uint8"):
        source.integers(0, 300, 5, dtype=np.uint8)
    with pytest.raises(TypeError, match="integer dtypes"):
        source.integers(0, 3, 5, dtype=np.float64)


def chi_square_p(values, categories):
    counts = np.bincount(values, minlength=categories)
    return stats.chisquare(counts).pvalue


def test_bytes_bits_and_ring_elements_are_uniform():
    source = CryptoRandomSource(KEY)
    assert chi_square_p(source.random_bytes(256 * 400), 256) > 1e-4
    bits = source.bits(100_000)
    assert set(np.unique(bits)) == {0, 1} and chi_square_p(bits, 2) > 1e-4
    ring = source.ring(50_000).view(np.uint64)
    assert chi_square_p((ring >> np.uint64(60)).astype(np.int64), 16) > 1e-4  # top bits
    assert chi_square_p((ring & np.uint64(15)).astype(np.int64), 16) > 1e-4  # low bits


@pytest.mark.parametrize("low, high", [(0, 192), (-5, 62), (0, 67), (10, 1000), (0, 3 * 2**30)])
def test_integers_are_uniform_over_the_exact_range(low, high):
    # 192 and 3 * 2^30 are where a plain "word mod n" would be visibly biased: in
    # [0, 192) the values below 64 would come twice as often.
    values = CryptoRandomSource(KEY).integers(low, high, 100_000 if high < 2000 else 20_000)
    assert values.min() >= low and values.max() < high
    buckets = high - low if high - low <= 1000 else 48  # buckets of equal size
    assert (high - low) % buckets == 0
    scaled = ((values - low) * buckets // (high - low)).astype(np.int64)
    assert chi_square_p(scaled, buckets) > 1e-4


def test_integers_are_the_rejection_sample_of_the_stream():
    # 8-bit words for n = 192: accept w < 192, return w; reject the rest.
    count = 1000
    values = CryptoRandomSource(KEY).integers(0, 192, count)
    words = np.frombuffer(keystream(KEY, 4 * count), dtype=np.uint8)
    expected = words[words < 192][:count]
    assert np.array_equal(values, expected)


def test_integers_at_the_edges_of_64_bits():
    source = CryptoRandomSource(KEY)
    full = source.integers(-2**63, 2**63, 10_000)
    assert full.dtype == np.int64 and (full < 0).any() and (full > 0).any()
    top = source.integers(2**64 - 3, 2**64, 3000, dtype=np.uint64)
    assert top.dtype == np.uint64 and set(top.tolist()) == {2**64 - 3, 2**64 - 2, 2**64 - 1}
    wide = source.integers(0, 2**63 + 1, 3000, dtype=np.uint64)  # about half the words rejected
    assert wide.max() <= 2**63 and (wide > 2**62).any()
    small = source.integers(-128, 128, 5000, dtype=np.int8)
    assert small.dtype == np.int8 and small.min() == -128 and small.max() == 127
    assert set(source.integers(7, 8, 20).tolist()) == {7}
