"""SharedTensor against the plaintext float result, on random and edge inputs.

The suites below are written once against a backend (see tests/strategies.py):
``LinearSuite`` (no truncation: any number of holders) and ``ProductSuite``
(products, squares, division, mean: one truncation each).  They run on float NumPy
(``PlainBackend``, where every tolerance is the float reference's own rounding), on
two holders with both encoders, and, for the linear suite, on three holders.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smpc
from smpc.errors import ProtocolError
from strategies import (ENCODERS, SETTINGS, PlainBackend, SharedBackend, assert_close,
                        broadcast_pairs, float_arrays, matmul_pairs, reveal, small_shapes,
                        tol_div, tol_linear, tol_matmul, tol_mul, tol_square)


class LinearSuite:
    """Operations that need no truncation: exact up to the encoding."""

    backend = None

    @SETTINGS
    @given(st.data())
    def test_add_sub_shared(self, data):
        b = self.backend
        x, y = data.draw(broadcast_pairs(b.max_value / 2, b.ulp))
        tx, ty = b.tensor(x), b.tensor(y)
        assert_close(reveal(tx + ty), x + y, tol_linear(b.ulp, 2))
        assert_close(reveal(tx - ty), x - y, tol_linear(b.ulp, 2))
        assert_close(reveal(-tx), -x, tol_linear(b.ulp))

    @SETTINGS
    @given(st.data(), st.sampled_from(["python", "ndarray", "fixed"]))
    def test_add_sub_public_float(self, data, kind):
        b = self.backend
        x, y = data.draw(broadcast_pairs(b.max_value / 2, b.ulp))
        if kind == "python":
            y = float(y.flat[0])
        public = b.fixed(y) if kind == "fixed" else y
        tx = b.tensor(x)
        want_add, want_sub = np.asarray(x + y), np.asarray(x - y)
        for got, want in [(tx + public, want_add), (public + tx, want_add),
                          (tx - public, want_sub), (public - tx, -want_sub)]:
            assert_close(reveal(got), want, tol_linear(b.ulp, 2))

    @SETTINGS
    @given(st.data(), st.integers(-1000, 1000))
    def test_integer_operands_are_exact(self, data, k):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes()), 30.0, b.ulp))
        tx = b.tensor(x)
        assert_close(reveal(tx + k), x + k, tol_linear(b.ulp))
        assert_close(reveal(k - tx), k - x, tol_linear(b.ulp))
        assert_close(reveal(tx * k), x * k, abs(k) * tol_linear(b.ulp))
        assert_close(reveal(k * tx), x * k, abs(k) * tol_linear(b.ulp))
        ks = np.full(x.shape, k, dtype=np.int64)
        assert_close(reveal(tx * ks), x * k, abs(k) * tol_linear(b.ulp))

    def test_largest_encodable_values(self):
        b = self.backend
        edge = np.array([b.max_value, -b.max_value, b.ulp, -b.ulp, 0.0])
        t = b.tensor(edge)
        assert_close(reveal(t), edge, tol_linear(b.ulp))
        assert_close(reveal(-t), -edge, tol_linear(b.ulp))
        assert_close(reveal(t - t), np.zeros(5), 0.0)
        assert_close(reveal(t + t), 2 * edge, tol_linear(b.ulp, 2))  # sums may leave the range
        assert_close(reveal(t * -1), -edge, tol_linear(b.ulp))

    @SETTINGS
    @given(st.data())
    def test_sum_over_axes(self, data):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes(min_dims=1)), 100.0, b.ulp))
        axis = data.draw(st.sampled_from([None] + list(range(-x.ndim, x.ndim))
                                         + ([(0, x.ndim - 1)] if x.ndim > 1 else [])))
        keepdims = data.draw(st.booleans())
        got = reveal(b.tensor(x).sum(axis=axis, keepdims=keepdims))
        n = x.size // max(np.sum(x, axis=axis, keepdims=keepdims).size, 1)
        assert_close(got, x.sum(axis=axis, keepdims=keepdims), tol_linear(b.ulp, n))

    @SETTINGS
    @given(st.data())
    def test_transpose_reshape_view(self, data):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes(min_dims=2)), b.max_value, b.ulp))
        t, tol = b.tensor(x), tol_linear(b.ulp)
        assert_close(reveal(t.T), x.T, tol)
        axes = data.draw(st.permutations(range(x.ndim)))
        assert_close(reveal(t.transpose(*axes)), x.transpose(*axes), tol)
        assert_close(reveal(t.transpose(tuple(axes))), x.transpose(axes), tol)
        assert_close(reveal(t.reshape(-1)), x.reshape(-1), tol)
        assert_close(reveal(t.view(x.shape[0], -1)), x.reshape(x.shape[0], -1), tol)
        assert_close(reveal(t.reshape((x.size, 1))), x.reshape(x.size, 1), tol)

    @pytest.mark.parametrize("index", [
        0, -1, (1, 2), slice(1, 3), (slice(None), 1), (Ellipsis, -1), (None, 0),
        [2, 0, 2], (slice(None), [0, 2]), (Ellipsis, [0, 3]), ([0, 1], slice(None), [1, 0]),
        (0, slice(None), [0, 2]), np.array([True, False, True]), ([1, 2], [0, 2]),
    ], ids=repr)
    def test_indexing(self, index):
        b = self.backend
        x = np.arange(36.0).reshape(3, 3, 4) - 17.5
        got = reveal(b.tensor(x)[index])
        assert_close(got, x[index], tol_linear(b.ulp))

    def test_boolean_mask_of_full_shape(self):
        b = self.backend
        x = np.linspace(-3, 3, 12).reshape(3, 4)
        assert_close(reveal(b.tensor(x)[x > 0]), x[x > 0], tol_linear(b.ulp))

    @pytest.mark.parametrize("index", [np.array([0, 2, 0]), (np.array([1, 1]), slice(None))], ids=repr)
    def test_index_add_shared_and_public(self, index):
        b = self.backend
        x = np.linspace(-5, 5, 12).reshape(3, 4)
        values = np.arange(1.0, 1.0 + np.zeros((3, 4))[index].size).reshape(np.zeros((3, 4))[index].shape)
        want = x.copy()
        np.add.at(want, index, values)  # repeated indices accumulate
        got_shared = reveal(b.tensor(x).index_add(index, b.tensor(values)))
        got_public = reveal(b.tensor(x).index_add(index, values))
        for got in (got_shared, got_public):
            assert_close(got, want, tol_linear(b.ulp, 4))

    @pytest.mark.parametrize("axis", [0, 1, -1])
    def test_concatenate(self, axis):
        b = self.backend
        xs = [np.full((2, 3), 1.5), np.linspace(-2, 2, 6).reshape(2, 3)]
        got = reveal(b.concatenate([b.tensor(x) for x in xs], axis=axis))
        assert_close(got, np.concatenate(xs, axis=axis), tol_linear(b.ulp))

    def test_refresh_keeps_the_value(self):
        b = self.backend
        x = np.linspace(-100, 100, 50)
        t = b.tensor(x)
        fresh = t.refresh()
        assert_close(reveal(fresh), reveal(t), 0.0)
        if b.shared:
            assert not np.any(fresh.shares == t.shares), "refresh must change every share"
            assert fresh.holders == t.holders


class ProductSuite:
    """Products, squares, division and mean: one truncation each."""

    backend = None

    @SETTINGS
    @given(st.data())
    def test_mul_shared_by_shared(self, data):
        b = self.backend
        x, y = data.draw(broadcast_pairs(b.product_bound, b.ulp))
        got = reveal(b.tensor(x) * b.tensor(y))
        assert_close(got, x * y, tol_mul(b.ulp, x, y))

    @SETTINGS
    @given(st.data(), st.sampled_from(["python", "ndarray", "fixed"]))
    def test_mul_public_both_sides(self, data, kind):
        b = self.backend
        x, y = data.draw(broadcast_pairs(b.product_bound, b.ulp))
        if kind == "python":
            y = float(y.flat[0])
        public = b.fixed(y) if kind == "fixed" else y
        tx = b.tensor(x)
        for got in (tx * public, public * tx):
            assert_close(reveal(got), np.asarray(x * y), tol_mul(b.ulp, x, y))

    @SETTINGS
    @given(st.data())
    def test_matmul_shared_by_shared(self, data):
        b = self.backend
        x, y = data.draw(matmul_pairs(b.product_bound / 2, b.ulp))
        got = reveal(b.tensor(x) @ b.tensor(y))
        assert_close(got, x @ y, tol_matmul(b.ulp, x, y))

    @SETTINGS
    @given(st.data(), st.sampled_from(["ndarray", "fixed"]))
    def test_matmul_public_both_sides(self, data, kind):
        b = self.backend
        x, y = data.draw(matmul_pairs(b.product_bound / 2, b.ulp))
        pub = (lambda v: b.fixed(v)) if kind == "fixed" else (lambda v: v)
        assert_close(reveal(b.tensor(x) @ pub(y)), x @ y, tol_matmul(b.ulp, x, y))
        assert_close(reveal(pub(x) @ b.tensor(y)), x @ y, tol_matmul(b.ulp, x, y))

    def test_matmul_64x784_by_784x128(self):
        """The reference's layer shape: k = 784 takes the float-limb path of ring.matmul."""
        b = self.backend
        rng = np.random.default_rng(0)
        x, y = rng.uniform(-1, 1, (64, 784)), rng.uniform(-0.1, 0.1, (784, 128))
        assert_close(reveal(b.tensor(x) @ b.tensor(y)), x @ y, tol_matmul(b.ulp, x, y))

    @SETTINGS
    @given(st.data())
    def test_square_and_pow(self, data):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes()), b.product_bound, b.ulp))
        t = b.tensor(x)
        assert_close(reveal(t.square()), x * x, tol_square(b.ulp, x))
        assert_close(reveal(t ** 2), x * x, tol_square(b.ulp, x))

    @SETTINGS
    @given(st.data(), st.integers(1, 1000))
    def test_divide_by_public_integer(self, data, d):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes()), b.max_value, b.ulp))
        assert_close(reveal(b.tensor(x) / d), x / d, tol_div(b.ulp, d))

    @SETTINGS
    @given(st.data())
    def test_mean_over_axes(self, data):
        b = self.backend
        x = data.draw(float_arrays(data.draw(small_shapes(min_dims=1)), 100.0, b.ulp))
        axis = data.draw(st.sampled_from([None] + list(range(x.ndim))))
        keepdims = data.draw(st.booleans())
        got = reveal(b.tensor(x).mean(axis=axis, keepdims=keepdims))
        assert_close(got, x.mean(axis=axis, keepdims=keepdims), tol_div(b.ulp, 1) + b.ulp / 2)

    def test_products_at_the_edges(self):
        """Zero, one ulp and the largest value times a small one: no wild truncation there."""
        b = self.backend
        u = b.ulp or 2.0 ** -16
        x = np.array([0.0, u, -u, b.max_value, -b.max_value, b.max_value, 1.0])
        y = np.array([b.max_value, 1.0, -1.0, u, 1 / 1024, -1.0, -u])
        assert_close(reveal(b.tensor(x) * b.tensor(y)), x * y, tol_mul(b.ulp, x, y))
        assert_close(reveal(b.tensor(x) * y), x * y, tol_mul(b.ulp, x, y))


@pytest.fixture(scope="class")
def _fresh_seed():
    smpc.manual_seed(0)


class TestPlaintext(LinearSuite, ProductSuite):
    """The suites on float NumPy: checks the tests and their reference values themselves."""
    backend = PlainBackend()


class TestSharedBase2(LinearSuite, ProductSuite):
    backend = SharedBackend(ENCODERS[0])


class TestSharedBase10(LinearSuite, ProductSuite):
    backend = SharedBackend(ENCODERS[1])


class TestSharedThreeHolders(LinearSuite):
    backend = SharedBackend(ENCODERS[0], holders=3)

    def test_truncation_refuses_three_holders(self):
        x = self.backend.tensor(np.array([1.5, -2.0]))
        for product in (lambda: x * x, lambda: x * 0.5, lambda: x / 2, lambda: x.square(),
                        lambda: x.mean()):
            with pytest.raises(ProtocolError, match="exactly two holders.*3"):
                product()


# -- behaviour beyond the float result ------------------------------------------------------
def test_same_seed_gives_identical_shares():
    def run():
        alice, bob, cp = smpc.make_parties(seed=42)
        x = smpc.share(np.linspace(-1, 1, 20), alice, bob, crypto_provider=cp)
        y = smpc.share(np.ones(20), alice, bob, crypto_provider=cp)
        return x.shares, (x * y).shares, x.refresh().shares
    first, second = run(), run()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    alice, bob, cp = smpc.make_parties(seed=43)
    other = smpc.share(np.linspace(-1, 1, 20), alice, bob, crypto_provider=cp).shares
    assert not np.array_equal(other, first[0])


def test_get_returns_a_fixed_precision_tensor_and_float_precision_decodes():
    alice, bob, cp = smpc.make_parties(seed=0)
    x = np.array([[1.25, -3.5], [0.0, 2.0 ** -16]])
    fixed = smpc.fix_precision(x)
    shared = fixed.share(alice, bob, crypto_provider=cp)
    back = shared.get()
    assert isinstance(back, smpc.FixedPrecisionTensor)
    np.testing.assert_array_equal(back.values, fixed.values)
    np.testing.assert_array_equal(back.float_precision(), x)  # these are exact in base 2


def test_shares_are_held_stacked_with_the_party_axis_first():
    alice, bob, carol, cp = smpc.make_parties(seed=0, names=("alice", "bob", "carol"))
    x = smpc.share(np.ones((4, 5)), alice, bob, carol, crypto_provider=cp)
    assert x.shares.shape == (3, 4, 5) and x.shape == (4, 5) and x.ndim == 2 and len(x) == 4
    assert x.holders == (alice, bob, carol)


def test_numpy_left_operands_defer_to_the_shared_tensor():
    alice, bob, cp = smpc.make_parties(seed=0)
    x = smpc.share(np.ones((2, 2)), alice, bob, crypto_provider=cp)
    m = np.full((2, 2), 2.0)
    for result in (m + x, m - x, m * x, m @ x):
        assert isinstance(result, smpc.SharedTensor)


def test_index_add_lifts_integer_scale_tensors(parties):
    """Adding reals into integer-scale shares (comparison bits) lifts them, never drops them."""
    alice, bob, cp = parties
    bits = smpc.share(np.array([1.0, 0.0, 1.0]), alice, bob, crypto_provider=cp,
                      encoder=smpc.INTEGER_ENCODER)
    public = bits.index_add([0, 0, 2], np.array([0.5, 0.25, -1.5]))
    shared = bits.index_add([1, 2], smpc.share(np.array([0.75, 2.5]), alice, bob, crypto_provider=cp))
    np.testing.assert_allclose(public.get().float_precision(), [1.75, 0.0, -0.5])
    np.testing.assert_allclose(shared.get().float_precision(), [1.0, 0.75, 3.5])
    assert public.encoder == shared.encoder == smpc.DEFAULT_ENCODER


def test_mean_of_comparison_bits_is_a_fraction(parties):
    alice, bob, cp = parties
    x = smpc.share(np.array([1.0, -2.0, 3.0, 0.5]), alice, bob, crypto_provider=cp)
    assert x.gt(0.75).mean().get().float_precision() == pytest.approx(0.5, abs=2 ** -15)


def test_sum_names_a_bad_axis_in_the_tensor_s_terms(parties):
    alice, bob, cp = parties
    x = smpc.share(np.ones((2, 3)), alice, bob, crypto_provider=cp)
    with pytest.raises(ValueError, match=r"axis 2 is out of range for a tensor of shape \(2, 3\)"):
        x.sum(axis=2)
    np.testing.assert_allclose(x.sum(axis=[0, 1]).get().float_precision(), 6.0)


def test_mismatched_encoders_fail_before_the_product_is_paid_for(parties):
    alice, bob, cp = parties
    x = smpc.share(np.ones(2), alice, bob, crypto_provider=cp)
    y = smpc.share(np.ones(2), alice, bob, crypto_provider=cp, encoder=smpc.FixedPointEncoder(10, 3))
    with alice.network.measure() as traffic, pytest.raises(ValueError, match="cannot combine"):
        x * y
    assert traffic.bytes == 0 and traffic.offline_bytes == 0
