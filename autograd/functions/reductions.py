"""Sum and Mean: reductions, whose backward passes *broadcast* the gradient back.

Every input element contributes to a sum with weight 1, so each one receives the whole
incoming gradient: the backward pass of a sum copies ``grad`` back over the summed axes.
It is the mirror image of :func:`~autograd.broadcast.unbroadcast` (broadcast forward means
sum backward, and sum forward means broadcast backward).

A mean over ``n`` elements is a sum divided by the public integer ``n``, so its gradient
is the sum's gradient divided by ``n``.

The only subtlety is bookkeeping: with ``keepdims=False`` the summed axes are gone from
``grad``, so we first reshape it to the ``keepdims=True`` shape (a 1 for every summed axis)
and then broadcast.
"""

import numpy as np

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


def normalize_axes(axis, ndim):
    """The summed axes as a sorted tuple of non-negative ints (``None`` means all of them)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} axes")
        normalized.append(int(a) % ndim)
    return tuple(sorted(set(normalized)))


def kept_shape(shape, axes):
    """``shape`` with every reduced axis set to 1 (the keepdims=True shape)."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


def reduce_axis_argument(axes, ndim):
    # None for "all axes" (one call, no tuple needed), an int for one axis, else a tuple.
    if len(axes) == ndim:
        return None
    return axes[0] if len(axes) == 1 else axes


@register
class Sum(Function):
    """out = x.sum(axis, keepdims);  every summed element gets the whole gradient."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        axes = normalize_axes(axis, x.ndim)
        ctx.input_shape = x.shape
        ctx.kept_shape = kept_shape(x.shape, axes)
        return x.sum(axis=reduce_axis_argument(axes, x.ndim), keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return V.expand(grad.reshape(ctx.kept_shape), ctx.input_shape)


@register
class Mean(Function):
    """out = x.mean(axis, keepdims) = sum / n;  every element gets grad / n."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        axes = normalize_axes(axis, x.ndim)
        ctx.input_shape = x.shape
        ctx.kept_shape = kept_shape(x.shape, axes)
        ctx.count = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
        if ctx.count == 0:
            raise ValueError("mean of an empty selection is undefined")
        return x.mean(axis=reduce_axis_argument(axes, x.ndim), keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        grad = V.divide(grad.reshape(ctx.kept_shape), ctx.count)
        return V.expand(grad, ctx.input_shape)
