"""Exercise 5: ComputeMSB and DReLU (tutorial 05). Marker: ex_drelu."""
import numpy as np
import pytest

from checks import check, check_dtype, check_equal, check_shape

from exercises.securenn_tools import SecureNNTools

EXERCISE = "ex5_drelu"
pytestmark = pytest.mark.ex_drelu

LM1 = 2 ** 64 - 1


def split_lm1(rng, a):
    """Shares of uint64 a (in [0, L-1)) in Z_{L-1}."""
    mask = rng.integers(0, 2 ** 63, size=a.shape, dtype=np.int64).view(np.uint64) * np.uint64(2)
    mask = np.where(mask == np.uint64(LM1), np.uint64(0), mask)
    other = np.array([(int(v) - int(m)) % LM1 for v, m in zip(a, mask)], dtype=np.uint64)
    return np.stack([mask, other])


def split_ring(rng, a):
    r = rng.integers(-2 ** 63, 2 ** 63, size=a.shape, dtype=np.int64)
    return np.stack([r, a - r])


def test_compute_msb(impl):
    rng = np.random.default_rng(50)
    values = [0, 1, 2 ** 62, 2 ** 63 - 1, 2 ** 63, 2 ** 63 + 1, LM1 - 1]
    a = np.concatenate([np.array(values, dtype=np.uint64),
                        rng.integers(0, 2 ** 63, 500, dtype=np.int64).view(np.uint64) * np.uint64(2)])
    a = np.where(a == np.uint64(LM1), np.uint64(0), a)
    msb = impl.compute_msb(split_lm1(rng, a), SecureNNTools(seed=1))
    check_shape(msb, (2, a.size), "compute_msb's result", "shares in Z_L, one row per party")
    check_dtype(msb, np.int64, "compute_msb's result")
    check_equal(msb.sum(axis=0), (a >> np.uint64(63)).astype(np.int64), "MSB(a)", axes=["value"],
                inputs={"a": a},
                hint="open r = 2a + x modulo L - 1 (add_lm1, double_lm1: plain + wraps modulo "
                     "2^64); gamma = beta' XOR beta, delta = LSB(x) XOR LSB(r); "
                     "MSB = gamma + delta - 2 gamma delta, public bits added by party 0 only")


def test_drelu_signs(impl):
    rng = np.random.default_rng(51)
    edges = [0, 1, -1, 2, -2, 2 ** 62 - 1, -(2 ** 62), -(2 ** 62) + 1, 2 ** 31, -(2 ** 31)]
    a = np.concatenate([np.array(edges, dtype=np.int64),
                        rng.integers(-2 ** 62, 2 ** 62, 2000, dtype=np.int64)])
    bit = impl.drelu(split_ring(rng, a), SecureNNTools(seed=2))
    check_shape(bit, (2, a.size), "drelu's result")
    check_dtype(bit, np.int64, "drelu's result")
    check_equal(bit.sum(axis=0), (a >= 0).astype(np.int64), "DReLU(a)", axes=["value"],
                inputs={"a": a},
                hint="DReLU(a) = 1 - MSB(ShareConvert(2a)): double the shares first, and add "
                     "the 1 at party 0 only (party 1 just negates)")


def test_drelu_result_is_freshly_shared(impl):
    """The output shares are random: neither party's share is the bit itself."""
    rng = np.random.default_rng(52)
    a = rng.integers(-2 ** 40, 2 ** 40, 1000, dtype=np.int64)
    bit = impl.drelu(split_ring(rng, a), SecureNNTools(seed=3))
    for party in (0, 1):
        plain = np.mean(np.isin(bit[party], [0, 1]))
        check(plain < 0.01, f"party {party}'s share of DReLU is 0 or 1 in {plain:.0%} of values: "
              f"it shows the bit itself", "the shares of the result must be random ring "
              "values (ComputeMSB ends with a fresh sharing of zero added)")
