"""The tape's rules: accumulation, reachability, freeing, grad modes, and clear errors.

These are exact float64 tests (tolerance: ``np.allclose`` defaults, rtol 1e-5 and
atol 1e-8); the shared-mode counterparts are in ``test_autograd_shared.py``.
"""

import gc

import numpy as np
import pytest

import autograd
import smpc
from autograd import TAPE, Function, FunctionRegistry, Tensor, no_grad, unbroadcast


def leaf(values):
    return Tensor(np.array(values, dtype=float), requires_grad=True)


# -- accumulation: micrograd's lesson -----------------------------------------------------------

def test_a_value_used_twice_gets_both_contributions():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()                  # d/dx x^2 = 2x, one x from each factor
    assert np.allclose(x.grad, 2 * x.value)

    y = leaf([1.0, 2.0])
    (y + y).sum().backward()
    assert np.allclose(y.grad, [2.0, 2.0])


def test_a_weight_shared_by_two_layers_gets_both_contributions():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    x = rng.standard_normal((2, 3))
    ((x @ w) @ w).sum().backward()
    g = np.ones((2, 3))
    expected = x.T @ (g @ w.value.T) + (x @ w.value).T @ g
    assert np.allclose(w.grad, expected)


def test_an_intermediate_used_twice_is_complete_before_it_is_propagated():
    x = leaf([2.0])
    h = x * 3.0
    (h * h + h).sum().backward()              # d/dx (9x^2 + 3x) = 18x + 3
    assert np.allclose(x.grad, [39.0])


def test_leaf_gradients_accumulate_across_backward_calls_until_zero_grad():
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * 3.0).sum().backward()
    assert np.allclose(x.grad, [6.0, 6.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3.0).sum().backward()
    assert np.allclose(x.grad, [3.0, 3.0])


# -- what gets a gradient -----------------------------------------------------------------------

def test_no_gradient_where_requires_grad_is_off():
    x = leaf([1.0, 2.0])
    c = Tensor(np.array([5.0, 7.0]))          # requires_grad=False
    (x * c).sum().backward()
    assert np.allclose(x.grad, [5.0, 7.0])
    assert c.grad is None

    out = c * 2.0
    assert not out.requires_grad and out.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.sum().backward()


def test_no_grad_records_nothing_and_restores_the_mode():
    x = leaf([1.0, 2.0])
    before = len(TAPE)
    with no_grad():
        y = (x * x).sum()
        with no_grad():
            pass
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and len(TAPE) == before
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    with pytest.raises(KeyError), no_grad():
        raise KeyError("the mode is restored even when the block fails")
    assert autograd.is_grad_enabled()


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = (x * 2.0).detach()
    assert y.is_leaf and not y.requires_grad
    z = leaf([1.0, 1.0])
    (y * z).sum().backward()
    assert x.grad is None and np.allclose(z.grad, [2.0, 4.0])


# -- backward's contract ---------------------------------------------------------------------------

def test_backward_on_a_non_scalar_needs_an_explicit_gradient():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"shape \(2, 2\).*\.sum\(\)"):
        y.backward()
    y.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    assert np.allclose(x.grad, [[2.0, 0.0], [0.0, 2.0]])
    with pytest.raises(ValueError, match="grad has shape"):
        (x * 2.0).backward(np.ones(3))


def test_backward_frees_the_graph_unless_told_to_retain_it():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    assert len(TAPE) >= 2
    loss.backward(retain_graph=True)
    loss.backward()
    assert np.allclose(x.grad, 4 * x.value)
    with pytest.raises(RuntimeError, match="freed.*retain_graph=True"):
        loss.backward()


def test_records_of_a_forward_pass_never_differentiated_go_away():
    x = leaf(np.ones(3))
    gc.collect()
    before = len(TAPE)
    loss = ((x * 2.0) * x).sum()
    assert len(TAPE) == before + 3
    del loss
    gc.collect()
    assert len(TAPE) == before


def test_a_backward_returning_the_wrong_shape_is_reported():
    class Forgetful(Function):
        name = "Forgetful"

        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad                # forgot unbroadcast for b

    a, b = leaf(np.ones((2, 3))), leaf(np.ones(3))
    with pytest.raises(RuntimeError, match=r"Forgetful.*\(2, 3\).*\(3,\).*unbroadcast"):
        Forgetful.apply(a, b).sum().backward()


def test_apply_wants_tensors():
    with pytest.raises(TypeError, match="wrap constants"):
        autograd.functions.Mul.apply(np.ones(2), leaf([1.0, 2.0]))


def test_unbroadcast_sums_over_stretched_axes():
    g = np.arange(24, dtype=float).reshape(2, 3, 4)
    assert np.allclose(unbroadcast(g, (4,)), g.sum(axis=(0, 1)))
    assert np.allclose(unbroadcast(g, (3, 1)), g.sum(axis=(0, 2)).reshape(3, 1))
    assert np.allclose(unbroadcast(g, ()), g.sum())
    assert unbroadcast(g, g.shape) is g


# -- the registry -----------------------------------------------------------------------------------

def test_the_registry_refuses_duplicates_and_names_the_clash():
    registry = FunctionRegistry()

    class Twice(Function):
        pass

    registry.register(Twice)
    assert "Twice" in registry and registry.get("Twice") is Twice

    class Other(Function):
        name = "Twice"

    with pytest.raises(ValueError, match=r"'Twice'.*already taken by .*Twice"):
        registry.register(Other)
    with pytest.raises(ValueError, match="'Mul'.*already taken"):
        autograd.REGISTRY.register(Other, name="Mul")
    with pytest.raises(KeyError, match="known: .*Mul"):
        autograd.REGISTRY.get("Mull")


# -- errors for what is not meaningful --------------------------------------------------------------

def test_unsupported_values_are_refused_with_advice():
    with pytest.raises(TypeError, match=r"int64.*astype\(float\).*fix_precision"):
        Tensor(np.arange(3))
    with pytest.raises(TypeError, match="cannot make a Tensor from dict"):
        Tensor({})
    with pytest.raises(TypeError, match="detach"):
        Tensor(leaf([1.0]))
    with pytest.raises(TypeError, match="dtype bool"):
        leaf([1.0, 2.0]) * np.array([True, False])
    assert np.allclose(Tensor([1, 2]).value, [1.0, 2.0])     # Python ints are just numbers


def test_only_public_numbers_divide_and_only_squares_are_powers():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="multiply by"):
        x / np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="cannot divide by a Tensor"):
        1.0 / x
    with pytest.raises(ValueError, match="cannot divide by 0"):
        x / 0
    with pytest.raises(ValueError, match=r"only x \*\* 2"):
        x ** 3


def test_fixed_point_and_float_do_not_mix_silently():
    fixed = Tensor([1.5, 2.0]).fix_precision()
    with pytest.raises(TypeError, match=r"fixed-point value with a float array.*fix_precision"):
        fixed + Tensor([1.0, 1.0])
    with pytest.raises(TypeError, match="cannot require a gradient"):
        Tensor(smpc.fix_precision(np.ones(2)), requires_grad=True)
    assert np.allclose((fixed * 2).float_precision().value, [3.0, 4.0])   # numbers are encoded


def test_leaf_gradients_are_independent_writable_arrays():
    """Updating one gradient in place must neither fail nor change another's."""
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    c = Tensor(np.ones(3), requires_grad=True)
    (a + b + c).sum().backward()
    a.grad *= 0.5
    c.grad *= 0.5
    np.testing.assert_array_equal(b.grad, np.ones((2, 3)))
    np.testing.assert_array_equal(a.grad, np.full((2, 3), 0.5))
    np.testing.assert_array_equal(c.grad, np.ones(3))
