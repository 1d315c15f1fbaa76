"""Functional forms of the layers and the loss, for tensors of any kind (floats or shares)."""
from autograd import Tensor


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
