"""Exercise 7: MatmulBackward (tutorial 06). Marker: ex_matmul_backward."""
import numpy as np
import pytest

from checks import call, check, check_equal, check_shape

from backward_helpers import central_difference, parties, revealed, shared

EXERCISE = "ex7_matmul_backward"
MM_HINT = ("for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
pytestmark = pytest.mark.ex_matmul_backward

SHAPES = [((3, 4), (4, 2)), ((1, 5), (5, 1)), ((5, 3, 4), (4, 2)), ((2, 3), (4, 3, 2))]


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
def test_float_gradients_match_central_differences(impl, shape_a, shape_b):
    rng = np.random.default_rng(70)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    weights = rng.normal(size=(a @ b).shape)  # loss = sum(weights * (a @ b))
    grad_a, grad_b = call(impl.matmul_backward, weights, a, b, hint=MM_HINT)
    check_shape(grad_a, shape_a, f"the gradient for a (a {shape_a} @ b {shape_b})", "for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_shape(grad_b, shape_b, f"the gradient for b (a {shape_a} @ b {shape_b})", "for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_equal(grad_a, central_difference(lambda v: np.sum(weights * (v @ b)), a),
                "the gradient for a, against central differences", close=1e-6, hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_equal(grad_b, central_difference(lambda v: np.sum(weights * (a @ v)), b),
                "the gradient for b, against central differences", close=1e-6, hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")


def test_two_dimensional_formulas(impl):
    rng = np.random.default_rng(71)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    grad_a, grad_b = call(impl.matmul_backward, g, a, b, hint=MM_HINT)
    check_equal(grad_a, g @ b.T, "the gradient for a (2-D)", axes=["row", "column"], close=1e-12,
                hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_equal(grad_b, a.T @ g, "the gradient for b (2-D)", axes=["row", "column"], close=1e-12,
                hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")


def test_only_the_needed_gradient_is_computed(impl):
    rng = np.random.default_rng(72)
    a, b, g = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(3, 2))
    grad_a, grad_b = call(impl.matmul_backward, g, a, b, needs=(False, True), hint=MM_HINT)
    check(grad_a is None, "with needs=(False, True) the gradient for a is not None: a gradient "
          "nobody needs was computed", "test needs[0] before computing grad @ b^T")
    check_equal(grad_b, a.T @ g, "the gradient for b with needs=(False, True)", close=1e-12)


@pytest.mark.parametrize("shape_a, shape_b", [((3, 4), (4, 2)), ((5, 3, 4), (4, 2))])
def test_on_shares_equals_the_float_result(impl, shape_a, shape_b):
    rng = np.random.default_rng(73)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    g = rng.normal(size=(a @ b).shape)
    alice, bob, cp = parties()
    sa, sb, sg = (shared(v, alice, bob, cp) for v in (a, b, g))
    with alice.network.measure() as stats:
        grad_a, grad_b = call(impl.matmul_backward, sg, sa, sb, hint=MM_HINT)
    check_shape(grad_a, shape_a, "the gradient for a on shares", "for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_shape(grad_b, shape_b, "the gradient for b on shares", "for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    check_equal(revealed(grad_a), g @ np.swapaxes(b, -1, -2), "the gradient for a on shares, "
                "revealed", close=1e-3, hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    expected_b = (np.swapaxes(a, -1, -2) @ g).reshape((-1,) + shape_b).sum(axis=0)
    check_equal(revealed(grad_b), expected_b, "the gradient for b on shares, revealed", close=1e-3,
                hint="for c = a @ b: grad_a = grad @ b^T and grad_b = a^T @ grad (transpose the last two axes, keep the order); then sum over the batch axes that broadcasting added, so each gradient has its input's shape (unbroadcast)")
    rounds = stats.by_protocol["beaver_matmul"].rounds if "beaver_matmul" in stats.by_protocol else 0
    check(rounds == 2, f"{rounds} Beaver matrix products for two gradients, expected 2",
          "one matrix product per gradient (transposes are free on shares)")
