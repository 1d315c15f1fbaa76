"""AvgPool2d and MaxPool2d over non-overlapping k x k windows of the last two axes.

Both cut the input ``(..., H, W)`` into windows ``(..., H/k, k, W/k, k)`` with a
reshape (free on shares: each holder rearranges its own share).

* **AvgPool2d**: the window sums divided by the public integer ``k * k``; on shares a
  local sum and one truncation, no communication. Backward: ``grad / (k * k)`` copied to
  every element of its window.
* **MaxPool2d**: the window maxima; on shares a tournament of comparisons that also
  yields the one-hot vector of each window's (first) maximum
  (:func:`smpc.pooling.max_with_onehot`). The forward pass keeps that one-hot, as ReLU
  keeps its DReLU bit, and backward is one product ``grad * onehot`` (no comparison,
  no truncation: the one-hot is 0/1 at integer scale).

Windows must tile the input exactly (H and W divisible by k); padding is not offered.
"""

import numpy as np

import smpc

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


def _windows_shape(shape, kernel):
    if isinstance(kernel, bool) or not isinstance(kernel, (int, np.integer)) or kernel < 1:
        raise ValueError(f"pooling kernel must be a whole number of at least 1, got {kernel!r}")
    if len(shape) < 2 or shape[-2] % kernel or shape[-1] % kernel:
        raise ValueError(f"{kernel}x{kernel} pooling needs an input whose last two axes are "
                         f"multiples of {kernel}, got shape {tuple(shape)}")
    *lead, h, w = shape
    return tuple(lead) + (h // kernel, kernel, w // kernel, kernel)


def _lanes(x, kernel):
    """``(..., H, W) -> (..., H/k, W/k, k*k)``: each window's elements in the last axis."""
    windows = x.reshape(_windows_shape(x.shape, kernel))
    k = windows.ndim - 4
    windows = windows.transpose(*range(k), k, k + 2, k + 1, k + 3)
    return windows.reshape(windows.shape[:-2] + (kernel * kernel,))


def _unlanes(lanes, input_shape, kernel):
    """The inverse of :func:`_lanes`."""
    *lead, h, w = input_shape
    windows = lanes.reshape(tuple(lead) + (h // kernel, w // kernel, kernel, kernel))
    k = len(lead)
    return windows.transpose(*range(k), k, k + 2, k + 1, k + 3).reshape(tuple(input_shape))


@register
class AvgPool2d(Function):
    """out = mean of each k x k window;  grad_x = grad / (k * k) on every window element."""

    @staticmethod
    def forward(ctx, x, kernel=2):
        shape = _windows_shape(x.shape, kernel)
        ctx.input_shape, ctx.kernel = tuple(x.shape), kernel
        return V.divide(x.reshape(shape).sum(axis=(-3, -1)), kernel * kernel)

    @staticmethod
    def backward(ctx, grad):
        kernel, shape = ctx.kernel, _windows_shape(ctx.input_shape, ctx.kernel)
        part = V.divide(grad, kernel * kernel)
        part = part.reshape(shape[:-3] + (1, shape[-2], 1))
        return V.expand(part, shape).reshape(ctx.input_shape)


def max_with_onehot(lanes):
    """The maximum along the last axis and the one-hot of its first position."""
    if V.is_shared(lanes):
        from smpc.pooling import max_with_onehot as shared_max_with_onehot
        return shared_max_with_onehot(lanes)
    hot = np.eye(lanes.shape[-1])[np.argmax(lanes, axis=-1)]
    return lanes.max(axis=-1), hot


@register
class MaxPool2d(Function):
    """out = max of each k x k window;  grad_x = grad * onehot(argmax), the one-hot kept from forward."""

    @staticmethod
    def forward(ctx, x, kernel=2):
        lanes = _lanes(x, kernel)
        out, hot = max_with_onehot(lanes)
        ctx.save_for_backward(hot)
        ctx.input_shape, ctx.kernel = tuple(x.shape), kernel
        ctx.encoder = getattr(x, "encoder", None)
        return out

    @staticmethod
    def backward(ctx, grad):
        (hot,) = ctx.saved_values
        if V.is_shared(hot) and V.is_float(grad):
            grad = smpc.fix_precision(grad, encoder=ctx.encoder)  # the activations' scale
        lanes = grad.reshape(tuple(grad.shape) + (1,)) * hot
        return _unlanes(lanes, ctx.input_shape, ctx.kernel)
