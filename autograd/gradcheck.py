"""gradcheck: compare backward() with central differences, in float mode.

How do you know a ``backward`` is right? Compute the same derivative a second, dumb way.
For a scalar function f and a small step eps, the central difference

    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

approximates d f / d x_i with an error of order eps^2 (the first-order error terms cancel,
which is why it beats the one-sided difference). Doing this for every element i of every
input costs two forward passes per element, fine for the small shapes of a test.

A function with a non-scalar output is reduced to a scalar with fixed random weights w,
``sum(w * f(x))``: backward is then called with ``grad=w``, which checks the whole
vector-Jacobian product rather than the gradient of one lucky output element.

This runs in float64 only: shares are checked differently (against the float gradients,
see ``tests/test_autograd_shared.py``), because fixed-point rounding is far larger than
any useful eps.

Example::

    from autograd import gradcheck
    gradcheck(lambda a, b: (a * b).sum(), np.random.randn(3), np.random.randn(3))
"""

import numpy as np

from autograd import values as V
from autograd.tape import no_grad
from autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with the numerical one."""


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Check ``fn``'s backward pass against central differences; return True or raise.

    Args:
        fn: takes Tensors (one per input) and returns a Tensor.
        inputs: float arrays or numbers (differentiated), or Tensors (differentiated if
            they require grad, public constants otherwise).
        eps: the finite-difference step.
        atol, rtol: ``np.allclose`` tolerances between analytic and numerical gradients.
        seed: for the random weights that reduce a non-scalar output.

    Raises:
        GradcheckError: naming the input, the element and both values where they differ.
    """
    tensors = [_as_input(x) for x in inputs]
    output = fn(*tensors)
    if not isinstance(output, Tensor) or not V.is_float(output.value):
        raise TypeError("gradcheck needs fn to return a float Tensor")
    weights = np.random.default_rng(seed).standard_normal(output.shape)
    if output.size == 1:
        weights = np.ones(output.shape)
    output.backward(weights)

    def objective(arrays):
        with no_grad():
            out = fn(*[Tensor(a) for a in arrays])
        return float(np.sum(out.value * weights))

    arrays = [t.value.copy() for t in tensors]
    for position, tensor in enumerate(tensors):
        if not tensor.requires_grad:
            continue
        analytic = np.zeros(tensor.shape) if tensor.grad is None else tensor.grad
        if not V.is_float(np.asarray(analytic)):
            raise TypeError("gradcheck works in float mode; the gradient here is shared")
        numeric = _central_differences(objective, arrays, position, eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(analytic - numeric)), numeric.shape)
            raise GradcheckError(
                f"gradient of input {position} (shape {tensor.shape}) is wrong: at index "
                f"{tuple(int(i) for i in worst)} backward gives {np.asarray(analytic)[worst]!r}, "
                f"central differences give {numeric[worst]!r} "
                f"(max abs error {np.max(np.abs(analytic - numeric)):.3g})"
            )
    return True


def _as_input(x):
    if isinstance(x, Tensor):
        if not V.is_float(x.value):
            raise TypeError("gradcheck works on float tensors only")
        return Tensor(x.value.copy(), requires_grad=x.requires_grad)
    return Tensor(np.array(V.as_value(x), dtype=np.float64), requires_grad=True)


def _central_differences(objective, arrays, position, eps):
    """d objective / d arrays[position], element by element."""
    x = arrays[position]
    numeric = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        original = x[i]
        x[i] = original + eps
        plus = objective(arrays)
        x[i] = original - eps
        minus = objective(arrays)
        x[i] = original
        numeric[i] = (plus - minus) / (2 * eps)
    return numeric
