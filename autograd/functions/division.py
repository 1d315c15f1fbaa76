"""Division by a public number, and refresh (which the reference puts right before it).

Shares cannot be divided by a *secret* cheaply, but dividing by a *public* number is easy:
``x / n`` for a positive integer ``n`` divides each party's share (with the same
truncation trick as a fixed-point product), and any other public divisor ``d`` is a
multiplication by the public number ``1/d``. The reference's loss is exactly this::

    loss = ((output - target) ** 2).sum().refresh() / batch_size

The derivative of ``x / d`` is ``1 / d``, so the backward pass divides the incoming
gradient by the same public number.

``refresh()`` re-randomises the shares (fresh random masks, same secret). PySyft needed it
before the division so that the truncation inside it stays correct with high probability;
it does not change the value, so its gradient passes through unchanged.
"""

import numbers

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


def check_public_divisor(divisor):
    """Raise a clear error unless ``divisor`` is a public, non-zero, finite real number."""
    if isinstance(divisor, bool) or not isinstance(divisor, numbers.Real):
        raise TypeError(
            f"can only divide a Tensor by a public Python number, not by "
            f"{type(divisor).__name__}. For a public array d, multiply by (1 / d) instead; "
            f"division by a secret value is not supported."
        )
    if divisor == 0 or divisor != divisor or abs(divisor) == float("inf"):
        raise ValueError(f"cannot divide by {divisor!r}")


@register
class DivByPublic(Function):
    """out = x / d for a public number d;  d out/d x = 1/d."""

    @staticmethod
    def forward(ctx, x, divisor):
        ctx.divisor = divisor
        return V.divide(x, divisor)

    @staticmethod
    def backward(ctx, grad):
        return V.divide(grad, ctx.divisor)


@register
class Refresh(Function):
    """out = x with fresh shares (floats pass through);  d out/d x = 1."""

    @staticmethod
    def forward(ctx, x):
        return x.refresh() if V.is_shared(x) else x

    @staticmethod
    def backward(ctx, grad):
        return grad
