"""The reference's network: 784-128-64-10, ReLU (or x^2), MSE on one-hot targets."""
import nn


def reference_net(activation="relu"):
    """``Linear(784,128) -> act -> Linear(128,64) -> act -> Linear(64,10)``."""
    act = {"relu": nn.ReLU, "square": nn.Square}.get(activation)
    if act is None:
        raise ValueError(f"activation must be 'relu' or 'square', got {activation!r}")
    return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 128), act(),
                         nn.Linear(128, 64), act(), nn.Linear(64, 10))
