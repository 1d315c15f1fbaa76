"""Undoing broadcasting in the backward pass: one helper, used by every broadcasting op.

NumPy broadcasting lets ``a + b`` combine a ``(64, 10)`` batch with a ``(10,)`` bias: the
bias is (virtually) copied to every one of the 64 rows. In the backward pass each copy
receives its own gradient, and since the copies are all the same variable, their
gradients *add up* (the accumulation rule of the tape, once more). So the gradient of the
bias is the incoming ``(64, 10)`` gradient summed over the rows.

In general, to bring a gradient of the broadcast shape back to an input's shape:

1. sum over the leading axes the input did not have (``(64, 10)`` -> ``(10,)``), then
2. sum, keeping the axis, over every axis where the input had size 1 but the output did
   not (a ``(64, 1)`` input against a ``(64, 10)`` output).

Only ``.sum(axis=..., keepdims=...)`` is used, which float arrays and shares both have
(and which is a local, communication-free step on shares).
"""


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``, the shape of the input it belongs to.

    >>> import numpy as np
    >>> unbroadcast(np.ones((64, 10)), (10,)).shape
    (10,)
    >>> unbroadcast(np.ones((64, 10)), (64, 1))[0]
    array([10.])
    """
    shape = tuple(shape)
    # 1. Leading axes that broadcasting prepended.
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    # 2. Axes where the input had size 1 and was stretched.
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad
