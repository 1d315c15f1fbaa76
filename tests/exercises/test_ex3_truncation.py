"""Exercise 3: two-party local truncation (tutorial 03). Marker: ex_truncation."""
import numpy as np
import pytest

from checks import check, check_dtype, check_equal, check_in_set, check_shape

EXERCISE = "ex3_truncation"
pytestmark = pytest.mark.ex_truncation

F = 16


def split2(rng, x):
    r = rng.integers(-2 ** 63, 2 ** 63, size=x.shape, dtype=np.int64)
    return np.stack([r, x - r])


def errors(impl_out, expected):
    return impl_out.sum(axis=0) - expected


def test_truncation_is_right_within_one_unit(impl):
    rng = np.random.default_rng(20)
    x = rng.integers(-2 ** 40, 2 ** 40, 200_000)
    out = impl.truncate(split2(rng, x), F)
    check_shape(out, (2, 200_000), "truncate's result", "one share per party")
    check_dtype(out, np.int64, "truncate's result")
    check_in_set(errors(out, x >> F), {0, 1}, "the error of truncate(x) against floor(x / 2^16)",
                 inputs={"x": x}, axes=["value"], hint="party 0 rounds its share down, floor(x_0 / 2^f) (x_0 >> f), party 1 rounds up, -floor(-x_1 / 2^f), on the signed int64 shares")


def test_small_and_negative_values(impl):
    rng = np.random.default_rng(21)
    x = np.array([0, 1, -1, 2 ** 16, -2 ** 16, 3 * 2 ** 32, -5 * 2 ** 32 + 7], dtype=np.int64)
    out = impl.truncate(split2(rng, x), F)
    check_in_set(errors(out, x >> F), {0, 1}, "the error of truncate(x) against floor(x / 2^16)",
                 inputs={"x": x}, axes=["value"], hint="party 0 rounds its share down, floor(x_0 / 2^f) (x_0 >> f), party 1 rounds up, -floor(-x_1 / 2^f), on the signed int64 shares")


def test_zero_bits_changes_nothing(impl):
    rng = np.random.default_rng(22)
    x = rng.integers(-2 ** 40, 2 ** 40, 100)
    shares = split2(rng, x)
    check_equal(impl.truncate(shares, 0).sum(axis=0), x, "truncate(x, 0)", axes=["value"],
                hint="dividing by 2^0 = 1 must change nothing")


def test_each_party_uses_only_its_own_share(impl):
    """The trick is local: alice's output must not change when bob's share does."""
    rng = np.random.default_rng(23)
    x = rng.integers(-2 ** 40, 2 ** 40, 1000)
    shares = split2(rng, x)
    other = shares.copy()
    other[1] = rng.integers(-2 ** 63, 2 ** 63, size=1000, dtype=np.int64)
    check_equal(impl.truncate(other, F)[0], impl.truncate(shares, F)[0],
                "party 0's output after bob's share changed", axes=["value"],
                hint="party 0 computes from its own share alone")
    other = shares.copy()
    other[0] = rng.integers(-2 ** 63, 2 ** 63, size=1000, dtype=np.int64)
    check_equal(impl.truncate(other, F)[1], impl.truncate(shares, F)[1],
                "party 1's output after alice's share changed", axes=["value"],
                hint="party 1 computes from its own share alone")


@pytest.mark.parametrize("bits", [56, 60])
def test_wild_errors_happen_at_the_predicted_rate(impl, bits):
    """About |x| / 2^64 of the results are wildly wrong (off by about 2^48 units)."""
    rng = np.random.default_rng(24)
    n = 400_000
    x = rng.integers(2 ** (bits - 1), 2 ** bits, n) * rng.choice(np.array([-1, 1]), n)
    err = errors(impl.truncate(split2(rng, x), F), x >> F)
    wild = np.abs(err) > 1
    check(np.all(np.abs(np.abs(err[wild]) - 2 ** 48) <= 1),
          f"a wild error of {err[wild][np.argmax(np.abs(np.abs(err[wild]) - 2 ** 48))]} units: a "
          f"wild error is off by 2^64 / 2^16 = 2^48", "truncate the signed int64 shares")
    expected = np.mean(np.abs(x) / 2.0 ** 64) * n
    check(abs(wild.sum() - expected) < 5 * np.sqrt(expected),
          f"{wild.sum()} wild errors in {n:,} values of about 2^{bits}; |x| / 2^64 predicts "
          f"{expected:.0f}", "only the shares' wrap past 2^63 may make an error wild")


def test_refuses_three_shares(impl):
    x = np.zeros((3, 4), dtype=np.int64)
    with pytest.raises(ValueError):
        impl.truncate(x, F)


@pytest.mark.parametrize("d", [3, 10, 64, 1000])
def test_divide_by_a_public_integer(impl, d):
    rng = np.random.default_rng(25)
    x = rng.integers(-2 ** 40, 2 ** 40, 100_000)
    out = impl.divide(split2(rng, x), d)
    check_shape(out, (2, 100_000), "divide's result")
    check_dtype(out, np.int64, "divide's result")
    check_in_set(errors(out, x // d), {0, 1}, f"the error of divide(x, {d}) against floor(x / {d})",
                 inputs={"x": x}, axes=["value"],
                 hint="party 0: x_0 // d; party 1: -((-x_1) // d); integer division, no floats")


def test_divide_by_a_power_of_two_is_truncate(impl):
    rng = np.random.default_rng(26)
    shares = split2(rng, rng.integers(-2 ** 50, 2 ** 50, 10_000))
    check_equal(impl.divide(shares, 2 ** F), impl.truncate(shares, F),
                "divide(x, 2^16) against truncate(x, 16)", axes=["party", "value"],
                hint="floor division by 2^f is an arithmetic shift by f")


@pytest.mark.parametrize("d", [0, -4])
def test_divide_refuses_non_positive_divisors(impl, d):
    with pytest.raises(ValueError):
        impl.divide(np.zeros((2, 3), dtype=np.int64), d)


def test_divide_refuses_three_shares(impl):
    with pytest.raises(ValueError):
        impl.divide(np.zeros((3, 4), dtype=np.int64), 7)
