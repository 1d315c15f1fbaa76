"""Add, Sub, Neg and Mul: the arithmetic Functions.

Each backward is the textbook derivative, written with operators that float arrays and
shares both support, followed by :func:`~autograd.broadcast.unbroadcast` because NumPy
broadcasting may have stretched an input (a bias added to a whole batch).

Addition and subtraction are free on shares (each party adds its own shares), and so are
their backward passes. Multiplication is the interesting one; see :class:`Mul`.
"""

from autograd.broadcast import unbroadcast
from autograd.function import Function
from autograd.registry import register


@register
class Add(Function):
    """out = a + b;  d out/d a = 1, d out/d b = 1."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return a + b

    @staticmethod
    def backward(ctx, grad):
        a_shape, b_shape = ctx.shapes
        return unbroadcast(grad, a_shape), unbroadcast(grad, b_shape)


@register
class Sub(Function):
    """out = a - b;  d out/d a = 1, d out/d b = -1."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (a.shape, b.shape)
        return a - b

    @staticmethod
    def backward(ctx, grad):
        a_shape, b_shape = ctx.shapes
        return unbroadcast(grad, a_shape), unbroadcast(-grad, b_shape)


@register
class Neg(Function):
    """out = -a;  d out/d a = -1."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


@register
class Mul(Function):
    """out = a * b, elementwise: the reference's ``MulBackward``.

    The derivative of a product is the other factor::

        grad_a = grad * b
        grad_b = grad * a

    which is exactly PySyft's ``MulBackward.gradient``. On shares, ``grad * b`` is one more
    SPDZ multiplication (a Beaver triple from the crypto provider); nobody differentiates
    the Beaver trick itself, only the product it computes. That is why the forward pass
    saves *both* factors. A gradient nobody needs (a public constant factor, say) is not
    computed: on shares each one would cost a triple and a round of communication.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_values
        need_a, need_b = ctx.needs_input_grad
        grad_a = unbroadcast(grad * b, a.shape) if need_a else None
        grad_b = unbroadcast(grad * a, b.shape) if need_b else None
        return grad_a, grad_b
