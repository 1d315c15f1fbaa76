"""Hypothesis strategies shared by the gradient tests (and usable by the exercises).

Shapes stay tiny (at most 3 axes of at most 3 elements) because gradcheck costs two
forward passes per input element; values stay in [-2, 2] so that float64 central
differences with eps = 1e-6 are accurate to about 1e-8.
"""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Few examples, no deadline: each example runs a whole gradcheck.
FEW = settings(max_examples=8, deadline=None)

MAX_DIMS = 3
MAX_SIDE = 3


def shapes(min_dims=0, max_dims=MAX_DIMS):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=MAX_SIDE)


def float_arrays(shape, away_from_zero=False):
    """Float64 arrays of ``shape`` in [-2, 2]; optionally with |x| >= 0.1 (for ReLU's kink)."""
    elements = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    if away_from_zero:
        elements = st.floats(0.1, 2.0).flatmap(lambda m: st.sampled_from([m, -m]))
    return hnp.arrays(np.float64, shape, elements=elements)


@st.composite
def arrays(draw, min_dims=0, max_dims=MAX_DIMS, away_from_zero=False):
    """One array of a random small shape."""
    return draw(float_arrays(draw(shapes(min_dims, max_dims)), away_from_zero))


@st.composite
def broadcastable_pairs(draw):
    """Two arrays whose shapes broadcast against each other (like a batch and a bias)."""
    a_shape, b_shape = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=MAX_DIMS, max_side=MAX_SIDE)
    ).input_shapes
    return draw(float_arrays(a_shape)), draw(float_arrays(b_shape))


@st.composite
def matmul_pairs(draw):
    """Operands for ``a @ b``: 1-D or stacked matrices with broadcasting batch axes."""
    m, k, n = (draw(st.integers(1, MAX_SIDE)) for _ in range(3))
    a_batch, b_batch = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2)
    ).input_shapes
    a_shape = draw(st.sampled_from([(k,), a_batch + (m, k)]))
    b_shape = draw(st.sampled_from([(k,), b_batch + (k, n)]))
    return draw(float_arrays(a_shape)), draw(float_arrays(b_shape))


@st.composite
def axes_for(draw, ndim):
    """An ``axis`` argument for a reduction over ``ndim`` axes: None, an int, or a tuple."""
    if ndim == 0:
        return None
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none":
        return None
    if choice == "int":
        return draw(st.integers(-ndim, ndim - 1))
    return tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)))
