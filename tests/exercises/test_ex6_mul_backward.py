"""Exercise 6: MulBackward (tutorial 06). Marker: ex_mul_backward."""
import numpy as np
import pytest

from checks import call, check, check_equal, check_shape

from backward_helpers import central_difference, parties, revealed, shared

EXERCISE = "ex6_mul_backward"
GRAD_HINT = ("d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
pytestmark = pytest.mark.ex_mul_backward

SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)), ((5,), ())]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_float_gradients_match_central_differences(impl, shape_a, shape_b):
    rng = np.random.default_rng(60)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    weights = rng.normal(size=np.broadcast_shapes(shape_a, shape_b))  # loss = sum(weights * a * b)
    grad_a, grad_b = call(impl.mul_backward, weights, a, b, hint=GRAD_HINT)
    check_shape(grad_a, shape_a, f"the gradient for a (a of shape {shape_a}, b of shape {shape_b})",
                "d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
    check_shape(grad_b, shape_b, f"the gradient for b (a of shape {shape_a}, b of shape {shape_b})",
                "d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
    check_equal(grad_a, central_difference(lambda v: np.sum(weights * v * b), a),
                "the gradient for a, against central differences", close=1e-6, hint="d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
    check_equal(grad_b, central_difference(lambda v: np.sum(weights * a * v), b),
                "the gradient for b, against central differences", close=1e-6, hint="d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")


def test_only_the_needed_gradient_is_computed(impl):
    rng = np.random.default_rng(61)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(3, 4))
    grad_a, grad_b = call(impl.mul_backward, g, a, b, needs=(True, False), hint=GRAD_HINT)
    check(grad_b is None, "with needs=(True, False) the gradient for b is not None",
          "return None for an input whose gradient nobody needs (needs[1] is False)")
    check_equal(grad_a, g * b, "the gradient for a with needs=(True, False)", close=1e-12)
    grad_a, grad_b = call(impl.mul_backward, g, a, b, needs=(False, True), hint=GRAD_HINT)
    check(grad_a is None, "with needs=(False, True) the gradient for a is not None",
          "return None for an input whose gradient nobody needs (needs[0] is False)")
    check_equal(grad_b, (g * a).sum(axis=0), "the gradient for b with needs=(False, True)",
                close=1e-12)


@pytest.mark.parametrize("shape_a, shape_b", SHAPES[:4])
def test_on_shares_equals_the_float_result(impl, shape_a, shape_b):
    rng = np.random.default_rng(62)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    g = rng.normal(size=np.broadcast_shapes(shape_a, shape_b))
    alice, bob, cp = parties()
    sa, sb, sg = (shared(v, alice, bob, cp) for v in (a, b, g))
    with alice.network.measure() as stats:
        grad_a, grad_b = call(impl.mul_backward, sg, sa, sb, hint=GRAD_HINT)
    check_shape(grad_a, shape_a, "the gradient for a on shares", "d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
    check_shape(grad_b, shape_b, "the gradient for b on shares", "d(a*b)/da = grad * b and d(a*b)/db = grad * a; then sum the gradient over the axes that broadcasting added or stretched, so it has the input's shape (unbroadcast)")
    expected_a, expected_b = impl_free_float(g, a, b)
    check_equal(revealed(grad_a), expected_a, "the gradient for a on shares, revealed", close=1e-3,
                hint="the same code as for floats: * and .sum work on SharedTensor too")
    check_equal(revealed(grad_b), expected_b, "the gradient for b on shares, revealed", close=1e-3,
                hint="the same code as for floats: * and .sum work on SharedTensor too")
    rounds = stats.by_protocol["beaver_mul"].rounds if "beaver_mul" in stats.by_protocol else 0
    check(rounds == 2, f"{rounds} Beaver multiplications for two gradients, expected 2",
          "one product per gradient: grad * b and grad * a")


def test_on_shares_a_gradient_nobody_needs_costs_nothing(impl):
    rng = np.random.default_rng(63)
    alice, bob, cp = parties()
    sa, sb, sg = (shared(rng.normal(size=(3, 4)), alice, bob, cp) for _ in range(3))
    with alice.network.measure() as stats:
        grad_a, grad_b = call(impl.mul_backward, sg, sa, sb, needs=(True, False), hint=GRAD_HINT)
    rounds = stats.by_protocol["beaver_mul"].rounds if "beaver_mul" in stats.by_protocol else 0
    check(grad_b is None and rounds == 1,
          f"with needs=(True, False) the backward pass ran {rounds} Beaver multiplications and "
          f"returned {'None' if grad_b is None else 'a value'} for b: a gradient nobody needs "
          f"was computed, and on shares every product costs a round of communication",
          "test needs[j] before computing input j's gradient; return None where it is False")


def impl_free_float(g, a, b):
    """The expected float gradients, written out independently of any implementation."""
    grad_a, grad_b = g * b, g * a
    return reduce_to(grad_a, np.shape(a)), reduce_to(grad_b, np.shape(b))


def reduce_to(grad, shape):
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    return grad.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)
