"""The differentiable operations, one concept per file.

Importing this package registers every Function in :data:`autograd.registry.REGISTRY`.
"""

from autograd.functions.activations import PowTwo, ReLU, Square
from autograd.functions.arithmetic import Add, Mul, Neg, Sub
from autograd.functions.conv import Conv2d
from autograd.functions.pooling import AvgPool2d, MaxPool2d
from autograd.functions.division import DivByPublic, Refresh
from autograd.functions.matmul import Matmul
from autograd.functions.reductions import Mean, Sum
from autograd.functions.shape import Concatenate, Index, Reshape, Transpose
from autograd.functions.elementary import Exp, InvSqrt, Log, Reciprocal, Sigmoid, Sqrt, Tanh
from autograd.functions.softmax import CrossEntropy, LogSoftmax, Softmax

__all__ = [
    "Add", "Sub", "Neg", "Mul", "Matmul", "DivByPublic", "Refresh", "Sum", "Mean",
    "Reshape", "Transpose", "Index", "Concatenate", "ReLU", "Square", "PowTwo",
    "Exp", "Log", "Reciprocal", "Sqrt", "InvSqrt", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "CrossEntropy",
    "Conv2d", "AvgPool2d", "MaxPool2d",
]
