"""nn: a small layer of modules, losses and optimisers over :mod:`autograd`.

Everything here works the same on float tensors and on secret-shared ones: the
layers only use operators both kinds support, and nothing here knows how a
protocol works inside.
"""
from . import functional
from .functional import mse_loss
from .layers import Flatten, Linear, ReLU, Sequential, Square
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .module import Module, Parameter
from .optim import SGD
from .adam import Adam
from .functional import cross_entropy
from .serialization import load, load_shares, save, save_shares
from .checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint

__all__ = ["Module", "Parameter", "Linear", "ReLU", "Square", "Flatten", "Sequential",
           "SGD", "mse_loss", "functional", "save", "load", "save_shares", "load_shares",
           "save_checkpoint", "load_checkpoint", "latest_checkpoint",
           "Conv2d", "AvgPool2d", "MaxPool2d"]
__all__ += ["Adam", "cross_entropy"]
