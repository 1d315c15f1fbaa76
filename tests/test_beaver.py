"""Beaver multiplication: exact in the ring, one round, the closed-form bytes, one use per triple."""
import numpy as np
import pytest

import smpc
from smpc import ring
from smpc.beaver import beaver_product, beaver_square
from smpc.errors import TripleReuseError
from smpc.sharing import reconstruct, split

THREE = ("alice", "bob", "carol")
INT64 = np.iinfo(np.int64)


def setup(n_holders, seed=11):
    *holders, cp = smpc.make_parties(seed=seed, names=THREE[:n_holders])
    return holders, cp


def random_ring(rng, shape):
    return rng.integers(INT64.min, INT64.max, size=shape, dtype=np.int64, endpoint=True)


@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("x_shape, y_shape", [((6,), (6,)), ((4, 1), (1, 5)), ((2, 3, 4), (1, 1, 4))])
def test_mul_is_exact_mod_2_64_and_costs_16_nx_plus_ny(n_holders, x_shape, y_shape):
    holders, cp = setup(n_holders)
    rng = np.random.default_rng(0)
    x, y = random_ring(rng, x_shape), random_ring(rng, y_shape)
    xs, ys = split(x, n_holders), split(y, n_holders)
    with cp.network.measure() as stats:
        z = beaver_product(xs, ys, holders, cp, "mul")
    np.testing.assert_array_equal(reconstruct(z), x * y)
    n_x, n_y = x.size, y.size
    expected = 8 * n_holders * (n_holders - 1) * (n_x + n_y)  # smpc/beaver.py's closed form
    assert (stats.bytes, stats.rounds) == (expected, 1)
    assert stats.by_protocol["beaver_mul"].bytes == expected
    assert stats.by_protocol["beaver_mul"].rounds == 1


@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("x_shape, y_shape", [((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
                                              ((2, 1, 3, 4), (1, 3, 4, 2)), ((64, 784), (784, 128))])
def test_matmul_is_exact_mod_2_64_and_costs_the_closed_form(n_holders, x_shape, y_shape):
    holders, cp = setup(n_holders)
    rng = np.random.default_rng(1)
    x, y = random_ring(rng, x_shape), random_ring(rng, y_shape)
    xs, ys = split(x, n_holders), split(y, n_holders)
    with cp.network.measure() as stats:
        z = beaver_product(xs, ys, holders, cp, "matmul")
    np.testing.assert_array_equal(reconstruct(z), np.matmul(x, y))
    expected = 8 * n_holders * (n_holders - 1) * (x.size + y.size)
    assert (stats.bytes, stats.rounds) == (expected, 1)
    assert stats.by_protocol["beaver_matmul"].rounds == 1


@pytest.mark.parametrize("n_holders", [2, 3])
def test_square_is_exact_and_costs_8N_N_minus_1_nx(n_holders):
    holders, cp = setup(n_holders)
    rng = np.random.default_rng(2)
    x = random_ring(rng, (5, 6))
    with cp.network.measure() as stats:
        z = beaver_square(split(x, n_holders), holders, cp)
    np.testing.assert_array_equal(reconstruct(z), x * x)
    assert (stats.bytes, stats.rounds) == (8 * n_holders * (n_holders - 1) * 30, 1)
    assert stats.by_protocol["beaver_square"].bytes == 8 * n_holders * (n_holders - 1) * 30


def test_shared_tensor_products_cost_exactly_the_beaver_protocol():
    """With local truncation a product of SharedTensors adds nothing to Beaver's cost."""
    (alice, bob), cp = setup(2)
    x = smpc.share(np.ones((8, 16)), alice, bob, crypto_provider=cp)
    y = smpc.share(np.ones((16, 4)), alice, bob, crypto_provider=cp)
    for op, expected in [(lambda: x @ y, 16 * (128 + 64)), (lambda: x * x, 16 * 256),
                         (lambda: x.square(), 16 * 128), (lambda: x ** 2, 16 * 128),
                         (lambda: x * y.sum(axis=1).reshape(1, 16), 16 * (128 + 16))]:
        with cp.network.measure() as stats:
            op()
        assert (stats.bytes, stats.rounds) == (expected, 1)


def test_what_a_holder_receives_in_a_product_is_masked():
    """Alice's view of x * y is the opened e = x - a and f = y - b: bob's shares of them
    only, both in one message."""
    (alice, bob), cp = setup(2)
    x = smpc.share(np.full(2000, 3.0), alice, bob, crypto_provider=cp)
    with cp.network.record_views() as views:
        x * x
    online = [m for m in views["alice"] if m.phase == "online"]
    assert [(m.sender, m.payload.shape) for m in online] == [("bob", (4000,))]
    for half in np.split(online[0].payload, 2):  # bob's shares of e, then of f
        top = (half.view(np.uint64) >> np.uint64(63)).mean()  # uniform: a fair coin
        assert abs(top - 0.5) < 5 * 0.5 / np.sqrt(2000)


def test_reusing_a_triple_raises():
    (alice, bob), cp = setup(2)
    xs, ys = split(np.arange(4), 2), split(np.arange(4), 2)
    triple = cp.mul_triple([alice, bob], (4,), (4,))
    beaver_product(xs, ys, [alice, bob], cp, "mul", triple=triple)
    with pytest.raises(TripleReuseError, match="mul triple was already used"):
        beaver_product(xs, ys, [alice, bob], cp, "mul", triple=triple)
    pair = cp.square_pair([alice, bob], (4,))
    beaver_square(xs, [alice, bob], cp, pair=pair)
    with pytest.raises(TripleReuseError, match="square triple was already used"):
        beaver_square(xs, [alice, bob], cp, pair=pair)


def test_a_triple_for_other_shapes_is_refused():
    (alice, bob), cp = setup(2)
    triple = cp.mul_triple([alice, bob], (3,), (3,))
    with pytest.raises(ValueError, match=r"triple shapes \(3,\), \(3,\) do not match the operands \(4,\), \(4,\)"):
        beaver_product(split(np.arange(4), 2), split(np.arange(4), 2), [alice, bob], cp, "mul", triple=triple)


@pytest.mark.parametrize("op, x_shape, y_shape", [("mul", (3,), (4,)), ("matmul", (3, 4), (5, 6)),
                                                  ("matmul", (2, 3, 4), (3, 4, 5))])
def test_incompatible_shapes_fail_before_the_dealer_works(op, x_shape, y_shape):
    (alice, bob), cp = setup(2)
    xs, ys = split(np.zeros(x_shape, np.int64), 2), split(np.zeros(y_shape, np.int64), 2)
    with cp.network.measure() as stats, pytest.raises(ValueError, match=r"shapes .*\(") as info:
        beaver_product(xs, ys, [alice, bob], cp, op)
    assert str(x_shape) in str(info.value) and str(y_shape) in str(info.value)
    assert stats.offline_bytes == 0


def test_operands_with_different_numbers_of_dimensions(parties):
    """The party axis of one operand must never line up with a data axis of the other."""
    from smpc.beaver import beaver_product
    from smpc.sharing import reconstruct, split
    alice, bob, cp = parties
    holders = (alice, bob)
    x, y = np.array([1, 2, 3]), np.array([[10, 20, 30], [40, 50, 60]])
    np.testing.assert_array_equal(
        reconstruct(beaver_product(split(x, 2), split(y, 2), holders, cp)), x * y)
    x, y = np.arange(6).reshape(2, 3), np.arange(30).reshape(2, 3, 5)
    np.testing.assert_array_equal(
        reconstruct(beaver_product(split(x, 2), split(y, 2), holders, cp, "matmul")), x @ y)
