"""Matrix product with batch dimensions and broadcasting: the reference's ``MatmulBackward``.

For 2-D matrices, ``out = a @ b`` with ``a`` of shape (m, k) and ``b`` of shape (k, n)
has the gradients (check the shapes: they are the only way the pieces fit)::

    grad_a = grad @ b.T     # (m, n) @ (n, k) -> (m, k)
    grad_b = a.T @ grad     # (k, m) @ (m, n) -> (k, n)

``@`` also works on stacks of matrices: the last two axes are the matrices, the leading
axes are batch axes, and they broadcast (a (k, n) weight against a (batch, m, k) input).
The same two formulas hold, with "transpose" meaning "swap the last two axes", followed by
:func:`~autograd.broadcast.unbroadcast` to sum the gradient of a broadcast operand over
the batch axes it was stretched along.

One more NumPy rule: a 1-D operand is treated as a row (on the left) or a column (on the
right) and that axis is dropped from the result. The backward pass puts the axis back,
uses the 2-D formulas, and drops it again.

On shares each product is a SPDZ matrix multiplication (one Beaver matrix triple), which
is why a gradient nobody needs is not computed.
"""

import numpy as np

from autograd.broadcast import unbroadcast
from autograd.function import Function
from autograd.registry import register


def swap_last_two(x):
    """Transpose the matrices in a stack: swap the last two axes."""
    axes = list(range(x.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return x.transpose(*axes)


@register
class Matmul(Function):
    """out = a @ b (NumPy semantics);  grad_a = grad @ b^T, grad_b = a^T @ grad."""

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul needs operands with at least one axis; use * for scalars")
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_values
        need_a, need_b = ctx.needs_input_grad
        # Promote 1-D operands to matrices, as NumPy does in the forward pass.
        a2 = a.reshape((1, a.shape[0])) if a.ndim == 1 else a
        b2 = b.reshape((b.shape[0], 1)) if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        grad2 = grad.reshape(batch + (a2.shape[-2], b2.shape[-1]))

        grad_a = grad_b = None
        if need_a:
            grad_a = unbroadcast(grad2 @ swap_last_two(b2), a2.shape)
            grad_a = grad_a.reshape(a.shape)
        if need_b:
            grad_b = unbroadcast(swap_last_two(a2) @ grad2, b2.shape)
            grad_b = grad_b.reshape(b.shape)
        return grad_a, grad_b
