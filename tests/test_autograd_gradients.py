"""Every Function's backward pass against central differences, in float64.

Tolerances: gradcheck's defaults, eps = 1e-6, atol = 1e-6, rtol = 1e-5. With values in
[-2, 2] and tiny shapes, the central-difference error (order eps^2 times the third
derivative, plus rounding of order 1e-16 / eps = 1e-10) is far below that, while any real
mistake in a backward pass (a missing term, a wrong transpose, a forgotten unbroadcast)
is off by order 1.

Binary operations draw mutually broadcastable shapes, so every broadcasting op's backward
is checked with broadcasting. ``test_every_registered_function_is_checked`` makes a new
Function without a gradient check fail the suite.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import REGISTRY, gradcheck
from gradcheck_strategies import (
    FEW, arrays, axes_for, broadcastable_pairs, float_arrays, matmul_pairs, shapes,
)

# Names of the Functions whose gradient this file checks (kept next to the tests below).
CHECKED = {
    "Add", "Sub", "Neg", "Mul", "Matmul", "DivByPublic", "Refresh", "Sum", "Mean",
    "Reshape", "Transpose", "Index", "Concatenate", "ReLU", "Square", "PowTwo",
    "Conv2d", "AvgPool2d", "MaxPool2d",  # checked in test_conv_layers.py
}
CHECKED |= {"Exp", "Log", "Reciprocal", "Sqrt", "InvSqrt", "Sigmoid", "Tanh", "Softmax",
            "LogSoftmax", "CrossEntropy"}  # in test_approximation_gradients.py


def test_every_registered_function_is_checked():
    missing = set(REGISTRY.names()) - CHECKED
    assert not missing, f"Functions without a gradient check: {sorted(missing)}"


# -- arithmetic ------------------------------------------------------------------------------

@FEW
@given(broadcastable_pairs())
def test_add(pair):
    assert gradcheck(lambda a, b: a + b, *pair)


@FEW
@given(broadcastable_pairs())
def test_sub(pair):
    assert gradcheck(lambda a, b: a - b, *pair)


@FEW
@given(arrays())
def test_neg(x):
    assert gradcheck(lambda a: -a, x)


@FEW
@given(broadcastable_pairs())
def test_mul(pair):
    assert gradcheck(lambda a, b: a * b, *pair)


@FEW
@given(arrays(), st.floats(-3, 3))
def test_public_constants_on_either_side(x, c):
    # Numbers and arrays are constants: only the Tensor gets (and needs) a gradient.
    assert gradcheck(lambda a: c * a + c - (c - a) * np.full(a.shape, 2.0), x)


# -- matmul ----------------------------------------------------------------------------------

@FEW
@given(matmul_pairs())
def test_matmul(pair):
    assert gradcheck(lambda a, b: a @ b, *pair)


def test_matmul_broadcasts_a_weight_over_a_batch_of_matrices():
    rng = np.random.default_rng(1)
    assert gradcheck(lambda x, w: x @ w, rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2)))


# -- division and refresh ---------------------------------------------------------------------

@FEW
@given(arrays(), st.sampled_from([1, 3, -2, 0.5, 64, 1e-1]))
def test_div_by_public(x, divisor):
    assert gradcheck(lambda a: a / divisor, x)


@FEW
@given(arrays())
def test_refresh_is_the_identity_on_floats(x):
    assert gradcheck(lambda a: a.refresh() * 3, x)


# -- reductions ------------------------------------------------------------------------------

@FEW
@given(st.data(), st.booleans())
def test_sum(data, keepdims):
    x = data.draw(arrays())
    axis = data.draw(axes_for(x.ndim))
    assert gradcheck(lambda a: a.sum(axis=axis, keepdims=keepdims), x)


@FEW
@given(st.data(), st.booleans())
def test_mean(data, keepdims):
    x = data.draw(arrays())
    axis = data.draw(axes_for(x.ndim))
    assert gradcheck(lambda a: a.mean(axis=axis, keepdims=keepdims), x)


# -- shape -----------------------------------------------------------------------------------

@FEW
@given(arrays())
def test_reshape_and_view(x):
    assert gradcheck(lambda a: a.reshape(-1) * np.arange(a.size, dtype=float), x)
    assert gradcheck(lambda a: a.view(*reversed(a.shape)), x)


@FEW
@given(st.data())
def test_transpose(data):
    x = data.draw(arrays(min_dims=1))
    axes = tuple(data.draw(st.permutations(range(x.ndim))))
    assert gradcheck(lambda a: a.transpose(*axes), x)
    assert gradcheck(lambda a: a.T, x)


@FEW
@given(st.data())
def test_index(data):
    x = data.draw(arrays(min_dims=1))
    n = x.shape[0]
    rows = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4))
    index = data.draw(st.sampled_from([
        0, slice(None, None, -1), np.array(rows),   # an index array may repeat a row
        (Ellipsis, 0), x > 0,
    ]))
    assert gradcheck(lambda a: a[index], x)


@FEW
@given(st.data())
def test_concatenate(data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    other = list(shape)
    other[axis] = data.draw(st.integers(1, 3))
    a = data.draw(float_arrays(shape))
    b = data.draw(float_arrays(tuple(other)))
    assert gradcheck(lambda p, q: autograd.concatenate([p, q, p], axis=axis), a, b)


# -- activations -------------------------------------------------------------------------------

@FEW
@given(arrays(away_from_zero=True))
def test_relu(x):
    # Away from 0: at the kink the derivative does not exist and differences straddle it.
    assert gradcheck(lambda a: a.relu(), x)


@FEW
@given(arrays())
def test_square_and_pow_two(x):
    assert gradcheck(lambda a: a.square(), x)
    assert gradcheck(lambda a: a ** 2, x)


def test_the_references_mse_loss():
    rng = np.random.default_rng(2)
    target = rng.standard_normal((5, 3))
    assert gradcheck(lambda out: ((out - target) ** 2).sum().refresh() / 5, rng.standard_normal((5, 3)))


def test_gradcheck_catches_a_wrong_backward():
    class WrongSquare(autograd.Function):
        name = "WrongSquare"

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_values
            return grad * x             # forgot the factor 2

    with pytest.raises(autograd.GradcheckError, match="input 0"):
        gradcheck(lambda a: WrongSquare.apply(a), np.array([1.0, 2.0]))
