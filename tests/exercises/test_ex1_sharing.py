"""Exercise 1: additive secret sharing (tutorial 01). Marker: ex_sharing."""
import numpy as np
import pytest

EXERCISE = "ex1_sharing"
pytestmark = pytest.mark.ex_sharing

RING_LOW, RING_HIGH = -2 ** 63, 2 ** 63  # int64 covers the ring exactly


def ring_values(rng, shape):
    return rng.integers(RING_LOW, RING_HIGH, size=shape, dtype=np.int64)


@pytest.mark.parametrize("n_parties", [2, 3, 5])
@pytest.mark.parametrize("shape", [(), (7,), (3, 4)])
def test_shares_reconstruct_to_the_secret(impl, n_parties, shape):
    rng = np.random.default_rng(1)
    secret = ring_values(rng, shape)
    shares = impl.share(secret, n_parties, rng=rng)
    assert shares.dtype == np.int64
    assert shares.shape == (n_parties,) + shape
    back = impl.reconstruct(shares)
    assert back.dtype == np.int64 and back.shape == shape
    assert np.array_equal(back, secret)


def test_default_randomness_and_two_parties(impl):
    secret = np.array([1, -2, 3], dtype=np.int64)
    shares = impl.share(secret)
    assert shares.shape == (2, 3)
    assert np.array_equal(impl.reconstruct(shares), secret)


def test_reconstruct_wraps_modulo_2_64(impl):
    shares = np.array([[2 ** 63 - 1, -1], [1, -2 ** 63]], dtype=np.int64)
    assert np.array_equal(impl.reconstruct(shares), np.array([-2 ** 63, 2 ** 63 - 1]))


def test_shares_are_fresh_each_time(impl):
    rng = np.random.default_rng(2)
    secret = np.zeros(1000, dtype=np.int64)
    first, second = impl.share(secret, 2, rng=rng), impl.share(secret, 2, rng=rng)
    assert not np.array_equal(first, second)
    assert not np.any(first[0] == secret)  # a share equal to the secret would be a leak


def uniformity_deviation(values, bins=64):
    """Largest deviation of a histogram of ring elements from uniform, in standard deviations."""
    fraction = values.view(np.uint64) / 2.0 ** 64
    counts = np.histogram(fraction, bins=bins, range=(0, 1))[0]
    expected = len(values) / bins
    return np.max(np.abs(counts - expected)) / np.sqrt(expected)


def low_bits_deviation(values, bins=64):
    """The same for the lowest six bits: a mask that is not uniform often shows there."""
    counts = np.bincount((values & (bins - 1)).astype(np.int64), minlength=bins)
    expected = len(values) / bins
    return np.max(np.abs(counts - expected)) / np.sqrt(expected)


@pytest.mark.parametrize("n_parties", [2, 3])
@pytest.mark.parametrize("secret_value", [0, 12345, 2 ** 40, -2 ** 62])
def test_every_single_share_is_uniform(impl, n_parties, secret_value):
    """Whatever the secret, each party's share alone is uniform on the whole ring."""
    rng = np.random.default_rng(3)
    secret = np.full(100_000, secret_value, dtype=np.int64)
    shares = impl.share(secret, n_parties, rng=rng)
    for party in range(n_parties):
        assert uniformity_deviation(shares[party]) < 5.5, f"party {party}'s share is not uniform"
        assert low_bits_deviation(shares[party]) < 5.5, f"party {party}'s low bits are not uniform"


def test_one_share_looks_the_same_for_different_secrets(impl):
    """The picture of tutorial 01 as a test: alice cannot tell 0 from 2^40."""
    rng = np.random.default_rng(4)
    views = [impl.share(np.full(100_000, s, dtype=np.int64), 2, rng=rng)[1] for s in (0, 2 ** 40)]
    means = [np.mean(v.view(np.uint64) / 2.0 ** 64) for v in views]
    # The mean of 100,000 uniform numbers in [0, 1) has standard deviation 0.0009.
    assert abs(means[0] - means[1]) < 0.006


def test_refresh_keeps_the_secret_and_changes_the_shares(impl):
    rng = np.random.default_rng(5)
    secret = ring_values(rng, (50_000,))
    shares = impl.share(secret, 2, rng=rng)
    fresh = impl.refresh(shares, rng=rng)
    assert fresh.shape == shares.shape and fresh.dtype == np.int64
    assert np.array_equal(impl.reconstruct(fresh), secret)
    assert not np.any(fresh[0] == shares[0])
    assert uniformity_deviation(fresh[0] - shares[0]) < 5.5  # the added zero-sharing is uniform


def test_refresh_works_for_three_parties(impl):
    rng = np.random.default_rng(6)
    secret = ring_values(rng, (4, 5))
    shares = impl.share(secret, 3, rng=rng)
    assert np.array_equal(impl.reconstruct(impl.refresh(shares, rng=rng)), secret)
