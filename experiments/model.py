"""The reference's network: 784-128-64-10, ReLU (or x^2), MSE on one-hot targets."""
import nn


def reference_net(activation="relu"):
    """``Linear(784,128) -> act -> Linear(128,64) -> act -> Linear(64,10)``."""
    act = {"relu": nn.ReLU, "square": nn.Square}.get(activation)
    if act is None:
        raise ValueError(f"activation must be 'relu' or 'square', got {activation!r}")
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), act(),
                         nn.Linear(128, 64), act(), nn.Linear(64, 10))


class ToImages(nn.Module):
    """``(batch, 28, 28)`` or ``(batch, 784)`` -> ``(batch, 1, 28, 28)``: one channel, NCHW."""

    def forward(self, x):
        return x.reshape(x.shape[0], 1, 28, 28)


def lenet(activation="relu", pool="max"):
    """SecureNN's network B (Wagh, Gupta, Chandran, PETS 2019; after MiniONN) for 28x28 images.

    ``Conv 5x5, 16 -> MaxPool 2 -> act -> Conv 5x5, 16 -> MaxPool 2 -> act -> Linear(256, 100)
    -> act -> Linear(100, 10)``: 28 -> 24 -> 12 -> 8 -> 4 pixels, 16 * 4 * 4 = 256 features.
    Pooling comes *before* the activation: max pooling and ReLU commute (both are monotone),
    so the network computes the same function as conv -> ReLU -> pool, with a quarter of
    the ReLUs.  ``pool="avg"`` swaps in average pooling (local on shares: no comparison).
    """
    act = {"relu": nn.ReLU, "square": nn.Square}.get(activation)
    if act is None:
        raise ValueError(f"activation must be 'relu' or 'square', got {activation!r}")
    pooling = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}.get(pool)
    if pooling is None:
        raise ValueError(f"pool must be 'max' or 'avg', got {pool!r}")
    return nn.Sequential(ToImages(), nn.Conv2d(1, 16, 5), pooling(2), act(),
                         nn.Conv2d(16, 16, 5), pooling(2), act(), nn.Flatten(),
                         nn.Linear(256, 100), act(), nn.Linear(100, 10))


MODELS = {"mlp": reference_net, "lenet": lenet}
