"""Exp, Log, Reciprocal, Sqrt, InvSqrt, Sigmoid and Tanh: elementwise functions on shares.

Each forward pass calls the approximation in ``smpc`` (:mod:`smpc.exponential`,
:mod:`smpc.logarithm`, :mod:`smpc.reciprocal`, :mod:`smpc.sqrt`, :mod:`smpc.sigmoid`),
which computes the exact NumPy function on float arrays and the protocol on shares, with
the same clamping into the valid range.  Each backward pass is the textbook derivative,
written with products that floats and shares both have, and reuses what the forward pass
computed wherever it can (a protocol on shares costs many rounds)::

    exp:        grad * y                      y = e^x
    log:        grad * reciprocal(x)
    reciprocal: -(grad * y) * y               y = 1/x
    sqrt:       grad * r / 2                  r = 1/sqrt(x), from the same Newton run
    inv_sqrt:   -((grad * y) * y) * y / 2     y = 1/sqrt(x)
    sigmoid:    grad * (s (1 - s))            s = sigmoid(x)
    tanh:       grad * (1 - t^2)              t = tanh(x)

The products are ordered so that ``grad`` (small) multiplies first: ``y^2`` alone could
leave the fixed-point range where ``y`` is large.  Inside the clamped part of an input
range the true derivative is 0; these formulas give the derivative at the clamped value,
which the valid range excludes anyway.
"""

from smpc import exponential, logarithm, reciprocal, sigmoid, sqrt

from autograd.function import Function
from autograd.registry import register


@register
class Exp(Function):
    """out = e^x (smpc.exponential.exp);  grad_x = grad * out."""

    @staticmethod
    def forward(ctx, x, iterations=None):
        y = exponential.exp(x, iterations)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_values
        return grad * y


@register
class Log(Function):
    """out = log x (smpc.logarithm.log);  grad_x = grad * reciprocal(x)."""

    @staticmethod
    def forward(ctx, x, iterations=None):
        ctx.save_for_backward(x)
        return logarithm.log(x, iterations)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * reciprocal.reciprocal(x)


@register
class Reciprocal(Function):
    """out = 1/x (smpc.reciprocal.reciprocal);  grad_x = -(grad * out) * out."""

    @staticmethod
    def forward(ctx, x, iterations=None):
        y = reciprocal.reciprocal(x, iterations)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_values
        return -((grad * y) * y)


@register
class Sqrt(Function):
    """out = sqrt(x) (smpc.sqrt.sqrt);  grad_x = grad / (2 sqrt(x)), the inverse kept."""

    @staticmethod
    def forward(ctx, x, iterations=None):
        root, inverse = sqrt.sqrt_with_inverse(x, iterations)
        ctx.save_for_backward(inverse)
        return root

    @staticmethod
    def backward(ctx, grad):
        (inverse,) = ctx.saved_values
        return (grad * inverse) / 2


@register
class InvSqrt(Function):
    """out = 1/sqrt(x) (smpc.sqrt.inv_sqrt);  grad_x = -grad out^3 / 2."""

    @staticmethod
    def forward(ctx, x, iterations=None):
        y = sqrt.inv_sqrt(x, iterations)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_values
        return -(((grad * y) * y) * y) / 2


@register
class Sigmoid(Function):
    """out = 1 / (1 + e^-x) (smpc.sigmoid.sigmoid);  grad_x = grad * out (1 - out)."""

    @staticmethod
    def forward(ctx, x):
        s = sigmoid.sigmoid(x)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_values
        return grad * (s * (1.0 - s))


@register
class Tanh(Function):
    """out = tanh x (smpc.sigmoid.tanh);  grad_x = grad * (1 - out^2)."""

    @staticmethod
    def forward(ctx, x):
        t = sigmoid.tanh(x)
        ctx.save_for_backward(t)
        return t

    @staticmethod
    def backward(ctx, grad):
        (t,) = ctx.saved_values
        return grad * (1.0 - t * t)
