"""Convolutional layers: Conv2d, AvgPool2d, MaxPool2d (NCHW), on floats and on shares."""
import numpy as np

import smpc
from autograd.functions.conv import Conv2d as Conv2dFunction
from autograd.functions.pooling import AvgPool2d as AvgPoolFunction
from autograd.functions.pooling import MaxPool2d as MaxPoolFunction
from smpc.convolution import pair

from .module import Module, Parameter


class Conv2d(Module):
    """``y = conv2d(x, W) + b`` with weight ``(out, in, kh, kw)``, PyTorch's initialisation.

    PyTorch draws ``W`` and ``b`` uniformly from ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``,
    ``fan_in = in_channels * kh * kw``; draws come from the package's seeded source.
    On shares the convolution and both of its gradients are SPDZ products with
    convolution triples (:mod:`smpc.beaver_conv`); the bias is a local addition.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 rng=None):
        rng = rng or smpc.default_source.generator
        kh, kw = pair(kernel_size, "kernel_size", 1)
        self.stride, self.padding = pair(stride, "stride", 1), pair(padding, "padding", 0)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        bound = 1.0 / np.sqrt(in_channels * kh * kw)
        self.weight = Parameter(rng.uniform(-bound, bound, size=(out_channels, in_channels, kh, kw)))
        self.bias = Parameter(rng.uniform(-bound, bound, size=(out_channels,))) if bias else None

    def forward(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2d({self.in_channels}, {self.out_channels}) needs an input of "
                             f"shape (batch, {self.in_channels}, height, width), got {tuple(x.shape)}")
        out = Conv2dFunction.apply(x, self.weight, stride=self.stride, padding=self.padding)
        if self.bias is None:
            return out
        return out + self.bias.reshape(self.out_channels, 1, 1)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class AvgPool2d(Module):
    """Mean of each non-overlapping ``k x k`` window: local on shares (a sum, one truncation)."""

    def __init__(self, kernel_size=2):
        self.kernel_size = kernel_size

    def forward(self, x):
        return AvgPoolFunction.apply(x, kernel=self.kernel_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}"


class MaxPool2d(Module):
    """Maximum of each non-overlapping ``k x k`` window; on shares a tournament of comparisons."""

    def __init__(self, kernel_size=2):
        self.kernel_size = kernel_size

    def forward(self, x):
        return MaxPoolFunction.apply(x, kernel=self.kernel_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}"
