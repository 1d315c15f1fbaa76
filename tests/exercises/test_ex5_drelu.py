"""Exercise 5: ComputeMSB and DReLU (tutorial 04). Marker: ex_drelu."""
import numpy as np
import pytest

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
    assert msb.shape == (2, a.size) and msb.dtype == np.int64
    assert np.array_equal(msb.sum(axis=0), (a >> np.uint64(63)).astype(np.int64))


def test_drelu_signs(impl):
    rng = np.random.default_rng(51)
    edges = [0, 1, -1, 2, -2, 2 ** 62 - 1, -(2 ** 62), -(2 ** 62) + 1, 2 ** 31, -(2 ** 31)]
    a = np.concatenate([np.array(edges, dtype=np.int64),
                        rng.integers(-2 ** 62, 2 ** 62, 2000, dtype=np.int64)])
    bit = impl.drelu(split_ring(rng, a), SecureNNTools(seed=2))
    assert bit.shape == (2, a.size) and bit.dtype == np.int64
    assert np.array_equal(bit.sum(axis=0), (a >= 0).astype(np.int64))


def test_drelu_result_is_freshly_shared(impl):
    """The output shares are random: neither party's share is the bit itself."""
    rng = np.random.default_rng(52)
    a = rng.integers(-2 ** 40, 2 ** 40, 1000, dtype=np.int64)
    bit = impl.drelu(split_ring(rng, a), SecureNNTools(seed=3))
    assert np.mean(np.isin(bit[0], [0, 1])) < 0.01 and np.mean(np.isin(bit[1], [0, 1])) < 0.01
