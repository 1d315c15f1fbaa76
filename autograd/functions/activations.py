"""Activations: ReLU (with the DReLU bit kept from the forward pass), Square and PowTwo.

**ReLU.** ``relu(x) = max(x, 0)`` and its derivative is the bit ``x > 0`` (DReLU). On
floats both are one NumPy comparison. On shares, that comparison is the expensive part of
the whole training step: SecureNN's private comparison, many rounds of communication. The
reference notes that ReLU makes a batch take 3.2 s instead of 1.2 s with ``x ** 2``.
So we compare once: ``smpc.relu_with_drelu(x)`` returns ``relu(x)`` *and* the shared bit
it computed on the way, the forward pass saves the bit, and the backward pass is a single
product ``grad * bit`` that never compares again. The bit is shared at integer scale
(precision 0), so multiplying by it needs no truncation and is exact.

**Square / PowTwo.** ``x ** 2`` needs no comparison at all, which is why encrypted-learning
papers (CryptoNets and others) use it as the activation. Its gradient ``2 x grad`` is
computed as ``grad * (x + x)``: the doubling is a free local addition on shares. ``Square``
is the ``x.square()`` method, ``PowTwo`` is the ``x ** 2`` operator of the reference's
loss; they differ only in which method of the value computes the forward pass.
"""

import numpy as np

import smpc

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


def relu_with_drelu(x):
    """``(relu(x), x > 0)`` for floats or shares; the bit is a float 0/1 array or shared 0/1."""
    if V.is_shared(x):
        return smpc.relu_with_drelu(x)
    bit = (x > 0).astype(np.float64)
    return x * bit, bit


@register
class ReLU(Function):
    """out = max(x, 0);  grad_x = grad * (x > 0), with the bit saved by the forward pass."""

    @staticmethod
    def forward(ctx, x):
        y, bit = relu_with_drelu(x)
        ctx.save_for_backward(bit)
        ctx.encoder = getattr(x, "encoder", None)
        return y

    @staticmethod
    def backward(ctx, grad):
        (bit,) = ctx.saved_values
        if V.is_shared(bit) and V.is_float(grad):
            # A public float gradient must carry the activations' scale (which may be
            # the reference's base 10), not the bit's integer one.
            grad = smpc.fix_precision(grad, encoder=ctx.encoder)
        return grad * bit


@register
class Square(Function):
    """out = x.square();  grad_x = grad * 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.square() if V.is_shared(x) else x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * (x + x)


@register
class PowTwo(Square):
    """out = x ** 2 (the reference's loss uses it);  same gradient as Square."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2
