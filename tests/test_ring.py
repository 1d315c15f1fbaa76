"""The ring Z_2^64: wrap, limbs, and the float-limb matrix product (bit-exact)."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from smpc import ring
from strategies import SETTINGS

INT64 = np.iinfo(np.int64)


def full_range(rng, shape):
    return rng.integers(INT64.min, INT64.max, size=shape, dtype=np.int64, endpoint=True)


def all_minimal_limbs(width):
    """The int64 whose balanced limbs are all -2^(width-1), as far as 64 bits allow."""
    value = sum(-(1 << (width - 1)) << (width * i) for i in range(-(-64 // width)))
    return np.int64(((value + 2 ** 63) % 2 ** 64) - 2 ** 63)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((64, 784), (784, 128)),            # the reference's first layer
    ((5, 7), (7, 3)),                   # tiny: int64 path in matmul, float path forced below
    ((2, 3, 40, 50), (50, 60)),         # batch dimensions on the left
    ((40, 50), (4, 50, 60)),            # on the right
    ((3, 1, 30, 20), (4, 20, 30)),      # broadcast batch dimensions
    ((1, 2048), (2048, 3)),             # k = 2^11: the widest limbs (22 bits) still exact
    ((1, 2049), (2049, 3)),             # k just above: narrower limbs
    ((2, 4096), (4096, 2)),
    ((2, 1), (1, 5)),                   # k = 1
])
def test_matmul_is_bit_exact_on_full_range_inputs(a_shape, b_shape):
    rng = np.random.default_rng(sum(a_shape + b_shape))
    a, b = full_range(rng, a_shape), full_range(rng, b_shape)
    expected = np.matmul(a, b)  # int64 wraps mod 2^64
    np.testing.assert_array_equal(ring.matmul(a, b), expected)
    np.testing.assert_array_equal(ring.matmul_float_limbs(a, b), expected)


@pytest.mark.parametrize("k", [1, 2, 3, 512, 513, 1024, 2048, 2049, 4096])
def test_matmul_is_exact_at_the_limb_bound(k):
    """Every limb at its most negative: the float sums reach 2^53 exactly, and no further."""
    width = ring.limb_width(k)
    worst = all_minimal_limbs(width)
    limbs = ring.split_limbs(np.array([worst]), width)
    assert np.all(limbs[:-1] == -(1 << (width - 1)))  # the top limb is cut short by 64 bits
    a, b = np.full((2, k), worst), np.full((k, 2), worst)
    np.testing.assert_array_equal(ring.matmul_float_limbs(a, b), np.matmul(a, b))


def test_limb_width_keeps_sums_below_2_to_53():
    for k in list(range(1, 70)) + [2 ** j + d for j in range(6, 20) for d in (-1, 0, 1)]:
        w = ring.limb_width(k)
        assert k * 2.0 ** (2 * w - 2) <= 2.0 ** 53, k
        assert (k * 2.0 ** (2 * w) > 2.0 ** 53) or w >= 27, f"k={k}: width {w} could be wider"


@SETTINGS
@given(hnp.arrays(np.int64, hnp.array_shapes(max_dims=3, max_side=5),
                  elements=st.integers(INT64.min, INT64.max)),
       st.integers(8, 27))
def test_split_limbs_reconstructs(x, width):
    limbs = ring.split_limbs(x, width)
    assert len(limbs) == -(-64 // width)
    half = 1 << (width - 1)
    total = np.zeros(x.shape, dtype=np.uint64)
    for i, limb in enumerate(limbs):
        assert np.all((limb >= -half) & (limb < half))
        assert np.all(limb == np.round(limb))
        total += ring.as_unsigned(limb.astype(np.int64)) << np.uint64(width * i)
    np.testing.assert_array_equal(ring.as_signed(total), x)


def test_split_limbs_of_the_extremes():
    x = np.array([0, 1, -1, INT64.max, INT64.min, 2 ** 44, -(2 ** 44)], dtype=np.int64)
    for width in (16, 21, 22):
        limbs = ring.split_limbs(x, width)
        total = sum(int(v) << (width * i) for i, v in enumerate(limbs[:, 3]))
        assert total % 2 ** 64 == int(x[3]) % 2 ** 64


@SETTINGS
@given(hnp.arrays(np.int64, 20, elements=st.integers(INT64.min, INT64.max)),
       hnp.arrays(np.int64, 20, elements=st.integers(INT64.min, INT64.max)))
def test_wrap_matches_unsigned_overflow(a, b):
    expected = [int((int(x) % 2 ** 64) + (int(y) % 2 ** 64) >= 2 ** 64) for x, y in zip(a, b)]
    np.testing.assert_array_equal(ring.wrap(a, b), expected)
    # The shares' sum is the secret plus wrap * 2^64:
    sums = [(int(x) % 2 ** 64) + (int(y) % 2 ** 64) for x, y in zip(a, b)]
    secret = ring.as_unsigned(a + b)
    assert all(s == int(v) + 2 ** 64 * int(w) for s, v, w in zip(sums, secret, ring.wrap(a, b)))


def test_signed_and_unsigned_views_share_memory():
    x = np.array([-1, 0, 1], dtype=np.int64)
    u = ring.as_unsigned(x)
    assert u[0] == 2 ** 64 - 1 and np.shares_memory(u, x)
    np.testing.assert_array_equal(ring.as_signed(u), x)


def test_matmul_with_vectors_falls_back_to_int64():
    rng = np.random.default_rng(1)
    a, b = full_range(rng, (6,)), full_range(rng, (6, 4))
    np.testing.assert_array_equal(ring.matmul(a, b), np.matmul(a, b))
    np.testing.assert_array_equal(ring.matmul(b.T, a), np.matmul(b.T, a))


@pytest.mark.parametrize("a_shape, b_shape, small, bits", [
    ((2, 64, 784), (784, 128), "b", 15),    # the public-model forward pass
    ((64, 128), (2, 128, 64), "a", 14),     # public @ shares
    ((2, 64, 784), (784, 128), "b", 31),    # the largest encodable public values
    ((2, 64, 2000), (2000, 128), "b", 16),  # a long inner dimension
    ((5, 7), (7, 3), "b", 10),              # tiny: falls back to the int64 path
])
def test_matmul_with_small_is_bit_exact(a_shape, b_shape, small, bits):
    """Random full-range shares times a small public matrix, and the worst case at the bound."""
    rng = np.random.default_rng(7)
    full = lambda shape: rng.integers(-2**63, 2**63 - 1, shape, dtype=np.int64, endpoint=True)
    small_values = lambda shape: rng.integers(-2**bits + 1, 2**bits, shape, dtype=np.int64)
    a = small_values(a_shape) if small == "a" else full(a_shape)
    b = small_values(b_shape) if small == "b" else full(b_shape)
    np.testing.assert_array_equal(ring.matmul_with_small(a, b, small), np.matmul(a, b))
    # every limb product at its largest: |limb| = 2^(w-1) meets |small| = 2^bits - 1
    worst_small = np.full(a_shape if small == "a" else b_shape, 2**bits - 1, dtype=np.int64)
    worst_full = np.full(b_shape if small == "a" else a_shape, -2**63, dtype=np.int64)
    a, b = (worst_small, worst_full) if small == "a" else (worst_full, worst_small)
    np.testing.assert_array_equal(ring.matmul_with_small(a, b, small), np.matmul(a, b))
