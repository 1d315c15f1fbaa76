"""Reshape, Transpose, Index and Concatenate: Functions that move elements around.

None of these computes anything, so none of them costs anything on shares: every party
rearranges its own share the same way. Their backward passes move the gradient back:

* **Reshape / view**: reshape the gradient to the input's shape.
* **Transpose**: apply the inverse permutation of the axes.
* **Index** ``x[idx]``: the selected elements receive the gradient, the others zero. An
  element selected twice (``x[[0, 0]]``) is a value used twice and receives the sum,
  which is why the backward pass *adds* at the index instead of assigning.
* **Concatenate**: cut the gradient into the pieces that came from each input.
"""

import numpy as np

from autograd import values as V
from autograd.function import Function
from autograd.registry import register
from smpc.shapes import resolve_shape


@register
class Reshape(Function):
    """out = x.reshape(shape) (``view`` in the reference);  grad is reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        return x.reshape(resolve_shape(shape, int(np.prod(x.shape, dtype=np.int64))))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shape)


@register
class Transpose(Function):
    """out = x.transpose(*axes) (all axes reversed by default);  grad gets the inverse permutation."""

    @staticmethod
    def forward(ctx, x, axes=None):
        axes = tuple(reversed(range(x.ndim))) if axes is None else tuple(a % x.ndim for a in axes)
        if sorted(axes) != list(range(x.ndim)):
            raise ValueError(f"axes {axes} are not a permutation of the {x.ndim} axes")
        ctx.inverse = tuple(int(i) for i in np.argsort(axes))
        return x.transpose(*axes) if x.ndim > 1 else x

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.inverse) if grad.ndim > 1 else grad


@register
class Index(Function):
    """out = x[index] with a public index;  grad is added back at the same index."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.input_shape = x.shape
        ctx.index = index
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        zeros = V.zeros(ctx.input_shape, like=grad)
        return V.index_add(zeros, ctx.index, grad)


@register
class Concatenate(Function):
    """out = concatenate(xs, axis);  each input gets its own slice of grad."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        if not xs:
            raise ValueError("concatenate needs at least one tensor")
        axis = axis % xs[0].ndim
        ctx.axis = axis
        ctx.sizes = [x.shape[axis] for x in xs]
        return V.concatenate(list(xs), axis)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            piece = (slice(None),) * ctx.axis + (slice(start, start + size),)
            grads.append(grad[piece])
            start += size
        return tuple(grads)
