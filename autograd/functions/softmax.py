"""Softmax, LogSoftmax and CrossEntropy along an axis (smpc.softmax).

With ``s = softmax(x)`` along an axis and an incoming gradient ``g``::

    softmax:      grad_x = s * (g - sum(g * s))       (sums along the axis, kept)
    log_softmax:  grad_x = g - s * sum(g)

Cross-entropy of logits ``x`` (rows of ``c`` classes, ``N`` rows) against one-hot
targets ``t`` is ``-sum(t * log_softmax(x)) / N``, and its gradient collapses to
``(s - t) / N``: no logarithm in the backward pass, and no product beyond the incoming
gradient's.  The forward pass computes the softmax and the log-softmax from the same
exponentials (:func:`smpc.softmax.softmax_with_log`), the first for the backward pass,
the second for the loss that is revealed.
"""

from smpc import softmax as approximations

from autograd import values as V
from autograd.function import Function
from autograd.registry import register


@register
class Softmax(Function):
    """out = softmax(x, axis);  grad_x = out * (grad - sum(grad * out, axis))."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        s = approximations.softmax(x, axis)
        ctx.save_for_backward(s)
        ctx.axis = axis
        return s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_values
        along = (grad * s).sum(axis=ctx.axis, keepdims=True)
        return s * (grad - along)


@register
class LogSoftmax(Function):
    """out = log_softmax(x, axis);  grad_x = grad - softmax(x) * sum(grad, axis)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        s, log_s = approximations.softmax_with_log(x, axis)
        ctx.save_for_backward(s)
        ctx.axis = axis
        return log_s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_values
        return grad - s * grad.sum(axis=ctx.axis, keepdims=True)


@register
class CrossEntropy(Function):
    """out = -sum(target * log_softmax(logits, 1)) / N;  grad_logits = grad * (softmax - target) / N."""

    @staticmethod
    def forward(ctx, logits, target):
        if logits.ndim != 2 or tuple(logits.shape) != tuple(target.shape):
            raise ValueError(f"cross_entropy needs logits of shape (batch, classes) and one-hot "
                             f"targets of the same shape, got {tuple(logits.shape)} and "
                             f"{tuple(target.shape)}")
        s, log_s = approximations.softmax_with_log(logits, axis=1)
        ctx.count = logits.shape[0]
        ctx.save_for_backward(s - target)
        return V.divide(-(target * log_s).sum(), ctx.count)

    @staticmethod
    def backward(ctx, grad):
        (difference,) = ctx.saved_values
        grad_logits = V.divide(difference, ctx.count)
        if not (V.is_float(grad) and grad.size == 1 and float(grad.reshape(())) == 1.0):
            grad_logits = grad_logits * grad   # a loss's own gradient, 1, costs nothing
        return grad_logits, None
