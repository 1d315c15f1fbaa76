"""Functional forms of the layers and the loss, for tensors of any kind (floats or shares)."""
from autograd import Tensor
from autograd.functions import (CrossEntropy, Exp, InvSqrt, Log, LogSoftmax, Reciprocal,
                                Sigmoid, Softmax, Sqrt, Tanh)


def linear(x, weight, bias=None):
    """``x @ weight.T + bias`` with PyTorch's ``(out_features, in_features)`` weight layout."""
    out = x @ weight.T
    return out if bias is None else out + bias


def relu(x):
    """ReLU; on shares a SecureNN comparison whose DReLU bit the backward pass reuses."""
    return x.relu()


def square(x):
    """``x * x``, the CryptoNets-style activation: one Beaver square, no comparison."""
    return x.square()


def flatten(x):
    """``(batch, ...) -> (batch, features)``, the reference's ``x.view(-1, 28 * 28)``."""
    return x.reshape(x.shape[0], -1)


def mse_loss(output, target):
    """The reference's loss: ``((output - target) ** 2).sum() / batch_size``.

    The sum is refreshed before the division, as in the reference, so the
    truncation works on freshly randomised shares.
    """
    if not isinstance(target, Tensor):
        target = Tensor(target)  # a float array or a SharedTensor, as a constant
    if tuple(output.shape) != tuple(target.shape):
        raise ValueError(f"mse_loss: output has shape {tuple(output.shape)} but target has "
                         f"{tuple(target.shape)}; one-hot encode the labels first")
    batch_size = output.shape[0]
    return ((output - target) ** 2).sum().refresh() / batch_size


# -- functions beyond MSE: their protocols are in smpc/, their Functions in autograd/ ------

def exp(x):
    """e^x (clamped into [-16, 10]; :mod:`smpc.exponential`)."""
    return Exp.apply(x)


def log(x):
    """log x (clamped below at 2^-12; :mod:`smpc.logarithm`)."""
    return Log.apply(x)


def reciprocal(x):
    """1/x (clamped below at 2^-12; :mod:`smpc.reciprocal`)."""
    return Reciprocal.apply(x)


def sqrt(x):
    """sqrt(x) (clamped below at 2^-12; :mod:`smpc.sqrt`)."""
    return Sqrt.apply(x)


def inv_sqrt(x):
    """1/sqrt(x) (clamped below at 2^-12; :mod:`smpc.sqrt`)."""
    return InvSqrt.apply(x)


def sigmoid(x):
    """1 / (1 + e^-x) (:mod:`smpc.sigmoid`)."""
    return Sigmoid.apply(x)


def tanh(x):
    """tanh x (:mod:`smpc.sigmoid`)."""
    return Tanh.apply(x)


def softmax(x, axis=-1):
    """Softmax along ``axis``, the maximum subtracted (:mod:`smpc.softmax`)."""
    return Softmax.apply(x, axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis`` (:mod:`smpc.softmax`)."""
    return LogSoftmax.apply(x, axis=axis)


def cross_entropy(logits, target):
    """``-sum(target * log_softmax(logits)) / batch_size`` for one-hot ``target`` rows.

    Its backward pass is ``(softmax(logits) - target) / batch_size``: no logarithm.  The
    forward pass computes the log-softmax only for the loss value (which training reveals).
    """
    if not isinstance(target, Tensor):
        target = Tensor(target)  # a float array or a SharedTensor, as a constant
    if tuple(logits.shape) != tuple(target.shape) or len(logits.shape) != 2:
        raise ValueError(f"cross_entropy: logits have shape {tuple(logits.shape)} but target has "
                         f"{tuple(target.shape)}; both must be (batch, classes), the target "
                         "one-hot encoded")
    return CrossEntropy.apply(logits, target)
