"""Exercise 7: MatmulBackward (tutorial 06). Marker: ex_matmul_backward."""
import numpy as np
import pytest

from backward_helpers import central_difference, parties, revealed, shared

EXERCISE = "ex7_matmul_backward"
pytestmark = pytest.mark.ex_matmul_backward

SHAPES = [((3, 4), (4, 2)), ((1, 5), (5, 1)), ((5, 3, 4), (4, 2)), ((2, 3), (4, 3, 2))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_float_gradients_match_central_differences(impl, shape_a, shape_b):
    rng = np.random.default_rng(70)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    weights = rng.normal(size=(a @ b).shape)  # loss = sum(weights * (a @ b))
    grad_a, grad_b = impl.matmul_backward(weights, a, b)
    assert np.shape(grad_a) == shape_a and np.shape(grad_b) == shape_b
    assert np.allclose(grad_a, central_difference(lambda v: np.sum(weights * (v @ b)), a), atol=1e-6)
    assert np.allclose(grad_b, central_difference(lambda v: np.sum(weights * (a @ v)), b), atol=1e-6)


def test_two_dimensional_formulas(impl):
    rng = np.random.default_rng(71)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    grad_a, grad_b = impl.matmul_backward(g, a, b)
    assert np.allclose(grad_a, g @ b.T) and np.allclose(grad_b, a.T @ g)


def test_only_the_needed_gradient_is_computed(impl):
    rng = np.random.default_rng(72)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    grad_a, grad_b = impl.matmul_backward(g, a, b, needs=(False, True))
    assert grad_a is None and np.allclose(grad_b, a.T @ g)


@pytest.mark.parametrize("shape_a, shape_b", [((3, 4), (4, 2)), ((5, 3, 4), (4, 2))])
def test_on_shares_equals_the_float_result(impl, shape_a, shape_b):
    rng = np.random.default_rng(73)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    g = rng.normal(size=(a @ b).shape)
    alice, bob, cp = parties()
    sa, sb, sg = (shared(v, alice, bob, cp) for v in (a, b, g))
    with alice.network.measure() as stats:
        grad_a, grad_b = impl.matmul_backward(sg, sa, sb)
    assert grad_a.shape == shape_a and grad_b.shape == shape_b
    assert np.allclose(revealed(grad_a), g @ np.swapaxes(b, -1, -2), atol=1e-3)
    expected_b = (np.swapaxes(a, -1, -2) @ g).reshape((-1,) + shape_b).sum(axis=0)
    assert np.allclose(revealed(grad_b), expected_b, atol=1e-3)
    assert stats.by_protocol["beaver_matmul"].rounds == 2, "one Beaver matrix product per gradient"
