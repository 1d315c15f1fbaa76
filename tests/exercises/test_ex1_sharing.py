"""Exercise 1: additive secret sharing (tutorial 01). Marker: ex_sharing."""
import numpy as np
import pytest

from checks import check, check_dtype, check_equal, check_shape

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
    check_dtype(shares, np.int64, "share()'s result")
    check_shape(shares, (n_parties,) + shape, "share()'s result",
                "the party axis comes first: shares[j] is party j's share")
    back = impl.reconstruct(shares)
    check_dtype(back, np.int64, "reconstruct()'s result")
    check_equal(back, secret, f"reconstruct(share(x)) for {n_parties} parties", axes=["element"],
                inputs={"x": secret},
                hint="the last share is the secret minus the sum of the others; reconstruct "
                     "adds all shares in int64, which wraps modulo 2^64 by itself")


def test_default_randomness_and_two_parties(impl):
    secret = np.array([1, -2, 3], dtype=np.int64)
    shares = impl.share(secret)
    check_shape(shares, (2, 3), "share(x) with the default n_parties", "two parties by default")
    check_equal(impl.reconstruct(shares), secret, "reconstruct(share(x)) with the default rng",
                axes=["element"], hint="rng=None must still work: draw from a fresh generator")


def test_reconstruct_wraps_modulo_2_64(impl):
    shares = np.array([[2 ** 63 - 1, -1], [1, -2 ** 63]], dtype=np.int64)
    check_equal(impl.reconstruct(shares), np.array([-2 ** 63, 2 ** 63 - 1]),
                "reconstruct of shares whose sum passes 2^63", axes=["element"],
                hint="sum in int64 (it wraps modulo 2^64); float64 or Python ints lose the wrap")


def test_shares_are_fresh_each_time(impl):
    rng = np.random.default_rng(2)
    secret = np.zeros(1000, dtype=np.int64)
    first, second = impl.share(secret, 2, rng=rng), impl.share(secret, 2, rng=rng)
    check(not np.any(first[0] == secret) and not np.any(first[1] == secret),
          f"a share equals the secret in {int(np.sum(first == secret))} of 2000 places",
          "every share but the last is a uniform mask; the last is the secret minus the masks")
    check(not np.array_equal(first, second), "two sharings of the same secret are identical",
          "draw new random masks for every call")


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
        check(uniformity_deviation(shares[party]) < 5.5,
              f"party {party}'s share of the secret {secret_value} is not uniform on the ring "
              f"(its histogram is {uniformity_deviation(shares[party]):.0f} standard deviations "
              f"off)", "draw the masks over the whole int64 range, -2^63 to 2^63 - 1")
        check(low_bits_deviation(shares[party]) < 5.5,
              f"the low bits of party {party}'s share of {secret_value} are not uniform",
              "draw the masks over the whole int64 range, every bit random")


def test_one_share_looks_the_same_for_different_secrets(impl):
    """The picture of tutorial 01 as a test: alice cannot tell 0 from 2^40."""
    rng = np.random.default_rng(4)
    views = [impl.share(np.full(100_000, s, dtype=np.int64), 2, rng=rng)[1] for s in (0, 2 ** 40)]
    means = [np.mean(v.view(np.uint64) / 2.0 ** 64) for v in views]
    # The mean of 100,000 uniform numbers in [0, 1) has standard deviation 0.0009.
    check(abs(means[0] - means[1]) < 0.006,
          f"bob's share tells 0 from 2^40: its mean (/ 2^64) is {means[0]:.4f} for 0 and "
          f"{means[1]:.4f} for 2^40", "every share alone must be uniform whatever the secret")


def test_refresh_keeps_the_secret_and_changes_the_shares(impl):
    rng = np.random.default_rng(5)
    secret = ring_values(rng, (50_000,))
    shares = impl.share(secret, 2, rng=rng)
    fresh = impl.refresh(shares, rng=rng)
    check_shape(fresh, shares.shape, "refresh()'s result")
    check_dtype(fresh, np.int64, "refresh()'s result")
    check_equal(impl.reconstruct(fresh), secret, "the secret after refresh()", axes=["element"],
                hint="add a sharing of zero: masks that sum to 0 over the parties")
    check(not np.any(fresh[0] == shares[0]),
          f"party 0's share did not change in {int(np.sum(fresh[0] == shares[0]))} places",
          "every party's share gets its own random mask")
    check(uniformity_deviation(fresh[0] - shares[0]) < 5.5,
          "what refresh() adds to party 0's share is not uniform",
          "the sharing of zero must be uniform on the whole ring")


def test_refresh_works_for_three_parties(impl):
    rng = np.random.default_rng(6)
    secret = ring_values(rng, (4, 5))
    shares = impl.share(secret, 3, rng=rng)
    check_equal(impl.reconstruct(impl.refresh(shares, rng=rng)), secret,
                "the secret after refresh() with three parties", axes=["row", "column"],
                hint="the zero-sharing must sum to zero over all parties, not just two")
