"""The crypto provider: correct triples for the shapes at hand, offline bytes in both modes."""
import numpy as np
import pytest

import smpc
from smpc import ring
from smpc.errors import TripleReuseError
from smpc.sharing import reconstruct

THREE = ("alice", "bob", "carol")
MODES = [True, False]
MODE_IDS = ["prg-seeds", "full-shares"]


def setup(n_holders, prg_seeds):
    *holders, cp = smpc.make_parties(seed=5, names=THREE[:n_holders], prg_seeds=prg_seeds)
    return holders, cp


def size(shape):
    return int(np.prod(shape, dtype=np.int64))


def expected_offline_bytes(prg_seeds, n_holders, random_sizes, derived_size):
    """The closed form in smpc/dealer.py's docstring."""
    if prg_seeds:
        return 8 * derived_size
    return 8 * n_holders * (sum(random_sizes) + derived_size)


@pytest.mark.parametrize("prg_seeds", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("x_shape, y_shape", [((5,), (5,)), ((4, 1), (1, 6)), ((2, 3, 4), (4,)), ((), ())])
def test_mul_triple_is_correct_and_costs_the_closed_form(prg_seeds, n_holders, x_shape, y_shape):
    holders, cp = setup(n_holders, prg_seeds)
    with cp.network.measure() as stats:
        a, b, c = cp.mul_triple(holders, x_shape, y_shape).consume()
    assert a.shape == (n_holders,) + x_shape and b.shape == (n_holders,) + y_shape
    with np.errstate(over="ignore"):  # 0-d ring products wrap on purpose
        np.testing.assert_array_equal(reconstruct(c), reconstruct(a) * reconstruct(b))
    c_size = size(np.broadcast_shapes(x_shape, y_shape))
    assert stats.offline_bytes == expected_offline_bytes(prg_seeds, n_holders,
                                                         [size(x_shape), size(y_shape)], c_size)
    assert (stats.bytes, stats.rounds) == (0, 0)  # nothing online


@pytest.mark.parametrize("prg_seeds", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("x_shape, y_shape", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_triple_is_correct_and_costs_the_closed_form(prg_seeds, n_holders, x_shape, y_shape):
    holders, cp = setup(n_holders, prg_seeds)
    with cp.network.measure() as stats:
        a, b, c = cp.matmul_triple(holders, x_shape, y_shape).consume()
    expected_c = np.matmul(reconstruct(a), reconstruct(b))
    np.testing.assert_array_equal(reconstruct(c), expected_c)
    assert stats.offline_bytes == expected_offline_bytes(prg_seeds, n_holders,
                                                         [size(x_shape), size(y_shape)], expected_c.size)


@pytest.mark.parametrize("prg_seeds", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("n_holders", [2, 3])
def test_square_pair_is_correct_and_costs_the_closed_form(prg_seeds, n_holders):
    holders, cp = setup(n_holders, prg_seeds)
    with cp.network.measure() as stats:
        a, a2 = cp.square_pair(holders, (6, 7)).consume()
    np.testing.assert_array_equal(reconstruct(a2), reconstruct(a) * reconstruct(a))
    assert stats.offline_bytes == expected_offline_bytes(prg_seeds, n_holders, [42], 42)


@pytest.mark.parametrize("prg_seeds", MODES, ids=MODE_IDS)
def test_a_beaver_product_pays_the_dealer_offline_only(prg_seeds):
    (alice, bob), cp = setup(2, prg_seeds)
    x = smpc.share(np.ones((8, 16)), alice, bob, crypto_provider=cp)
    y = smpc.share(np.ones((16, 4)), alice, bob, crypto_provider=cp)
    with cp.network.measure() as stats:
        x @ y
    assert stats.offline_bytes == expected_offline_bytes(prg_seeds, 2, [128, 64], 32)
    assert stats.by_protocol["dealer"].rounds == 0


def test_prg_mode_sends_only_the_correction_to_the_last_holder():
    (alice, bob, carol), cp = setup(3, True)
    with cp.network.measure(), cp.network.record_views() as views:
        cp.mul_triple([alice, bob, carol], (10,), (10,))
    assert [m.nbytes for m in views["alice"]] == []
    assert [m.nbytes for m in views["bob"]] == []
    assert [m.nbytes for m in views["carol"]] == [80]
    assert all(m.sender == "crypto_provider" and m.phase == "offline"
               for v in views.values() for m in v)


@pytest.mark.parametrize("prg_seeds", MODES, ids=MODE_IDS)
def test_triple_values_are_uniform_looking_and_fresh(prg_seeds):
    (alice, bob), cp = setup(2, prg_seeds)
    first = cp.mul_triple([alice, bob], (1000,), (1000,)).consume()
    second = cp.mul_triple([alice, bob], (1000,), (1000,)).consume()
    a = reconstruct(first[0])
    assert not np.any(a == reconstruct(second[0]))
    # The top bit of a uniform ring element is a fair coin.
    top = (a.view(np.uint64) >> np.uint64(63)).mean()
    assert abs(top - 0.5) < 5 * 0.5 / np.sqrt(1000)


def test_a_triple_is_used_once():
    (alice, bob), cp = setup(2, True)
    triple = cp.square_pair([alice, bob], (3,))
    triple.consume()
    assert triple.used
    with pytest.raises(TripleReuseError, match="already used.*reveals the difference"):
        triple.consume()


def test_dealer_is_reproducible_from_the_seed():
    def deal():
        (alice, bob), cp = setup(2, True)
        return cp.matmul_triple([alice, bob], (3, 4), (4, 2)).consume()
    for u, v in zip(deal(), deal()):
        np.testing.assert_array_equal(u, v)


def test_dealer_matmul_uses_the_exact_ring_product():
    (alice, bob), cp = setup(2, False)
    a, b, c = cp.matmul_triple([alice, bob], (64, 784), (784, 10)).consume()
    np.testing.assert_array_equal(reconstruct(c), ring.matmul(reconstruct(a), reconstruct(b)))
