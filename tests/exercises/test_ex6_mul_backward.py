"""Exercise 6: MulBackward (tutorial 06). Marker: ex_mul_backward."""
import numpy as np
import pytest

from backward_helpers import central_difference, parties, revealed, shared

EXERCISE = "ex6_mul_backward"
pytestmark = pytest.mark.ex_mul_backward

SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((5,), ())]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_float_gradients_match_central_differences(impl, shape_a, shape_b):
    rng = np.random.default_rng(60)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    weights = rng.normal(size=np.broadcast_shapes(shape_a, shape_b))  # loss = sum(weights * a * b)
    grad_a, grad_b = impl.mul_backward(weights, a, b)
    assert np.shape(grad_a) == shape_a and np.shape(grad_b) == shape_b
    assert np.allclose(grad_a, central_difference(lambda v: np.sum(weights * v * b), a), atol=1e-6)
    assert np.allclose(grad_b, central_difference(lambda v: np.sum(weights * a * v), b), atol=1e-6)


def test_only_the_needed_gradient_is_computed(impl):
    rng = np.random.default_rng(61)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(3, 4))
    grad_a, grad_b = impl.mul_backward(g, a, b, needs=(True, False))
    assert grad_b is None and np.allclose(grad_a, g * b)
    grad_a, grad_b = impl.mul_backward(g, a, b, needs=(False, True))
    assert grad_a is None and np.allclose(grad_b, (g * a).sum(axis=0))


@pytest.mark.parametrize("shape_a, shape_b", SHAPES[:4])
def test_on_shares_equals_the_float_result(impl, shape_a, shape_b):
    rng = np.random.default_rng(62)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    g = rng.normal(size=np.broadcast_shapes(shape_a, shape_b))
    alice, bob, cp = parties()
    sa, sb, sg = (shared(v, alice, bob, cp) for v in (a, b, g))
    with alice.network.measure() as stats:
        grad_a, grad_b = impl.mul_backward(sg, sa, sb)
    assert grad_a.shape == shape_a and grad_b.shape == shape_b
    expected_a, expected_b = impl_free_float(g, a, b)
    assert np.allclose(revealed(grad_a), expected_a, atol=1e-3)
    assert np.allclose(revealed(grad_b), expected_b, atol=1e-3)
    assert stats.by_protocol["beaver_mul"].rounds == 2, "one Beaver multiplication per gradient"


def test_on_shares_a_gradient_nobody_needs_costs_nothing(impl):
    rng = np.random.default_rng(63)
    alice, bob, cp = parties()
    sa, sb, sg = (shared(rng.normal(size=(3, 4)), alice, bob, cp) for _ in range(3))
    with alice.network.measure() as stats:
        grad_a, grad_b = impl.mul_backward(sg, sa, sb, needs=(True, False))
    assert grad_b is None and stats.by_protocol["beaver_mul"].rounds == 1


def impl_free_float(g, a, b):
    """The expected float gradients, written out independently of any implementation."""
    grad_a, grad_b = g * b, g * a
    return reduce_to(grad_a, np.shape(a)), reduce_to(grad_b, np.shape(b))


def reduce_to(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
