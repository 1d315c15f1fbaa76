"""Two-party local truncation (SecureML): within one ulp, except with probability |x| / 2^64.

docs/PROTOCOLS.md (section 5): the result is x / d within one unit in the last place, except with
probability about |x| / 2^64 per element, when it is wildly wrong (off by about
2^64 / d).  For a distribution of x the expected rate is E|x| / 2^64; below we
measure it on millions of values and check the count against the binomial
prediction (normal approximation, 5 sigma).
"""
import numpy as np
import pytest

import smpc
from smpc.errors import ProtocolError
from smpc.sharing import reconstruct, split
from smpc.truncation import truncate, truncate_local


def truncated(x, divisor):
    return reconstruct(truncate_local(split(x, 2), divisor))


@pytest.mark.parametrize("divisor", [2 ** 16, 1000, 3, 2])
def test_within_one_unit_of_the_exact_quotient(divisor):
    smpc.manual_seed(1)
    rng = np.random.default_rng(1)
    x = rng.integers(-(2 ** 40), 2 ** 40, size=100_000, dtype=np.int64)
    x[:6] = [0, 1, -1, divisor, -divisor, divisor - 1]
    # Within (x/d - 1, x/d + 1) and an integer: floor(x/d) or floor(x/d) + 1 (exact integers).
    # At |x| < 2^40 a wild error has probability 2^-24 per element; none in this seeded run.
    error = truncated(x, divisor) - x // divisor
    assert np.all((error == 0) | (error == 1)), error[(error != 0) & (error != 1)][:5]


@pytest.mark.parametrize("magnitude_bits, count, divisor", [
    (50, 4_000_000, 2 ** 16),    # docs/PROTOCOLS.md's figure: |x| uniform below 2^50
    (56, 1_000_000, 2 ** 16),    # where the rate shows clearly: about 2e-3
    (56, 1_000_000, 1000),       # the reference's base-10 encoding divides by 1000
])
def test_wild_error_rate_matches_E_abs_x_over_2_64(magnitude_bits, count, divisor):
    smpc.manual_seed(magnitude_bits)
    rng = np.random.default_rng(magnitude_bits + divisor)
    magnitude = rng.integers(0, 2 ** magnitude_bits, size=count, dtype=np.int64)
    x = np.where(rng.random(count) < 0.5, magnitude, -magnitude)
    error = truncated(x, divisor) - x // divisor  # exact integers (floats lose bits here)
    wild = (error != 0) & (error != 1)
    # A wild error is off by about 2^64 / d, never by anything in between.
    assert np.all(np.abs(np.abs(error[wild]) - 2 ** 64 // divisor) <= 2)
    predicted_rate = np.mean(np.abs(x.astype(np.float64))) / 2.0 ** 64  # E|x| / 2^64
    expected, sigma = count * predicted_rate, np.sqrt(count * predicted_rate * (1 - predicted_rate))
    measured = int(wild.sum())
    assert abs(measured - expected) < 5 * sigma, (
        f"measured {measured} wild errors ({measured / count:.3g}), predicted "
        f"{expected:.1f} +- {sigma:.1f} ({predicted_rate:.3g})")


def test_the_statistic_would_notice_a_wrong_rate():
    """The check above must be able to fail: a rate twice the truth is 5+ sigma away."""
    count, rate = 1_000_000, 2.0 ** 55 / 2.0 ** 64
    sigma = np.sqrt(count * rate * (1 - rate))
    assert count * rate / 5 > 5 * sigma  # the 2^56 cases resolve the rate to within 20%


def test_three_holders_refused_with_a_clear_error():
    shares = split(np.arange(5), 3)
    with pytest.raises(ProtocolError, match="exactly two holders, these shares have 3"):
        truncate_local(shares, 2 ** 16)


def test_truncate_checks_the_divisor_and_skips_one():
    *holders, cp = smpc.make_parties(seed=0)
    shares = split(np.arange(5), 2)
    assert truncate(shares, 1, holders, cp) is shares
    for bad in (0, -3):
        with pytest.raises(ValueError, match=f"positive integer, got {bad}"):
            truncate(shares, bad, holders, cp)
