"""Layers: Linear, ReLU, Square, Flatten and Sequential."""
import numpy as np

import smpc
from . import functional as F
from .module import Module, Parameter


class Linear(Module):
    """``y = x W^T + b`` with PyTorch's default initialisation.

    PyTorch draws both ``W`` and ``b`` uniformly from ``[-1/sqrt(in), 1/sqrt(in)]``
    (``kaiming_uniform_`` with ``a = sqrt(5)`` reduces to exactly that bound).
    Draws come from the package's single seeded source, so a seed fixes the model.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None):
        rng = rng or smpc.default_source.generator
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(rng.uniform(-bound, bound, size=(out_features, in_features)))
        if bias:
            self.bias = Parameter(rng.uniform(-bound, bound, size=(out_features,)))
        else:
            self.bias = None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}"


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class Square(Module):
    def forward(self, x):
        return F.square(x)


class Flatten(Module):
    def forward(self, x):
        return F.flatten(x)


class Sequential(Module):
    """Layers applied in order; they are attributes named ``0``, ``1``, ..."""

    def __init__(self, *layers):
        for index, layer in enumerate(layers):
            setattr(self, str(index), layer)
        self._count = len(layers)

    def __getitem__(self, index):
        # Negative indices count from the end, as for a list; others are out of range.
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"Sequential is indexed by an int, not {type(index).__name__}")
        if not -self._count <= index < self._count:
            raise IndexError(f"Sequential index {index} out of range for {self._count} layers")
        return getattr(self, str(index % self._count))

    def __len__(self):
        return self._count

    def forward(self, x):
        for index in range(self._count):
            x = self[index](x)
        return x
