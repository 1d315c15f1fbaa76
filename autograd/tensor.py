"""Tensor: a value (floats or shares) that remembers how it was computed.

A :class:`Tensor` wraps one raw value (see :mod:`autograd.values`): a float NumPy array, an
``smpc.SharedTensor``, or a public ``smpc.FixedPrecisionTensor``. Every operator on a
Tensor is a :class:`~autograd.function.Function` (look them up in ``autograd/functions``)
and every method below names the Function it calls, so there is no hidden dispatch:
reading this file tells you what runs.

The reference's vocabulary works unchanged::

    x = Tensor(images).fix_precision().share(alice, bob, crypto_provider=cp)
    w = Tensor(weights).fix_precision().share(alice, bob, crypto_provider=cp,
                                              requires_grad=True)
    loss = ((x @ w - target) ** 2).sum().refresh() / batch_size
    loss.backward()                       # w.grad is now a SharedTensor
    print(loss.get().float_precision())   # reveal the loss, and only the loss

Plain Python numbers and NumPy arrays used as operands are public constants: they never
receive a gradient.
"""

import numpy as np

import smpc

from autograd import values as V
from autograd.functions import (
    Add, Concatenate, DivByPublic, Index, Matmul, Mean, Mul, Neg, PowTwo, ReLU,
    Refresh, Reshape, Square, Sub, Sum, Transpose,
)
from autograd.functions.division import check_public_divisor
from autograd.tape import TAPE


class Tensor:
    """A value plus what autograd needs: ``requires_grad``, ``grad`` and the tape record.

    Attributes:
        value: the raw value (float64 ndarray, SharedTensor or FixedPrecisionTensor).
        requires_grad: whether gradients should flow to (and through) this tensor.
        grad: for a leaf, the accumulated gradient, a raw value (ndarray or SharedTensor)
            of the same shape; ``None`` until a backward pass reaches it.
    """

    # Let `ndarray + tensor` call Tensor.__radd__ instead of NumPy trying to loop over us.
    __array_ufunc__ = None

    def __init__(self, value, requires_grad=False):
        if isinstance(value, Tensor):
            raise TypeError("Tensor(Tensor) is ambiguous: use tensor.detach() for a new leaf")
        value = V.as_value(value)
        if requires_grad and V.is_fixed(value):
            raise TypeError(
                "a public fixed-point tensor cannot require a gradient: share it with "
                ".share(..., requires_grad=True), or keep it as floats"
            )
        self.value = value
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._record = None               # the tape record that produced this tensor

    # -- description ------------------------------------------------------------------

    @property
    def shape(self):
        return tuple(self.value.shape)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def is_leaf(self):
        """True for a tensor made by the user rather than computed by a recorded operation."""
        return self._record is None

    @property
    def is_shared(self):
        return V.is_shared(self.value)

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        if V.is_float(self.value):
            return f"Tensor({np.array2string(self.value, precision=4)}{grad})"
        return f"Tensor({V.kind(self.value)}, shape={self.shape}{grad})"

    # -- autograd -----------------------------------------------------------------------

    def backward(self, grad=None, retain_graph=False):
        """Accumulate d self / d leaf into ``leaf.grad`` for every leaf that requires grad.

        ``grad`` is the gradient of some final scalar with respect to ``self``; it may be
        left out only when ``self`` holds a single element (a loss), where it is 1.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input had "
                "requires_grad=True, or it was computed under autograd.no_grad()"
            )
        if grad is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a single-element tensor (a loss), "
                    f"but this one has shape {self.shape}. Reduce it first (.sum() or "
                    f".mean()), or pass grad= of shape {self.shape}."
                )
            grad = np.ones(self.shape)
        else:
            grad = grad.value if isinstance(grad, Tensor) else V.as_value(grad)
            if tuple(grad.shape) != self.shape:
                raise ValueError(f"grad has shape {tuple(grad.shape)}, expected {self.shape}")
        TAPE.backward(self, grad, retain_graph=retain_graph)

    def detach(self):
        """A new leaf with the same value, cut off from the graph (no gradient flows back)."""
        return Tensor(self.value)

    def zero_grad(self):
        """Forget the accumulated gradient (gradients add up until this is called)."""
        self.grad = None

    # -- arithmetic: Add, Sub, Neg, Mul, Matmul, DivByPublic, PowTwo ----------------------

    def _operand(self, other):
        # Numbers and arrays are public constants (requires_grad=False).
        return other if isinstance(other, Tensor) else Tensor(V.as_constant(other, like=self.value))

    def __add__(self, other):
        return Add.apply(self, self._operand(other))

    def __radd__(self, other):
        return Add.apply(self._operand(other), self)

    def __sub__(self, other):
        return Sub.apply(self, self._operand(other))

    def __rsub__(self, other):
        return Sub.apply(self._operand(other), self)

    def __neg__(self):
        return Neg.apply(self)

    def __mul__(self, other):
        return Mul.apply(self, self._operand(other))

    def __rmul__(self, other):
        return Mul.apply(self._operand(other), self)

    def __matmul__(self, other):
        return Matmul.apply(self, self._operand(other))

    def __rmatmul__(self, other):
        return Matmul.apply(self._operand(other), self)

    def __truediv__(self, divisor):
        check_public_divisor(divisor)
        return DivByPublic.apply(self, divisor=divisor)

    def __rtruediv__(self, other):
        raise TypeError(
            "cannot divide by a Tensor: only division by a public number is supported "
            "(a secure reciprocal is not part of this framework)"
        )

    def __pow__(self, exponent):
        if exponent != 2:
            raise ValueError(
                f"only x ** 2 is supported (got ** {exponent!r}); write other powers as products"
            )
        return PowTwo.apply(self)

    # -- reductions: Sum, Mean ------------------------------------------------------------

    def sum(self, axis=None, keepdims=False):
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    # -- shape: Reshape, Transpose, Index ---------------------------------------------------

    def reshape(self, *shape):
        """``t.reshape(2, 3)`` or ``t.reshape((2, 3))``; one axis may be -1."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=shape)

    def view(self, *shape):
        """The reference's name for :meth:`reshape`."""
        return self.reshape(*shape)

    def transpose(self, *axes):
        """Permute the axes (reverse them when none are given)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return Transpose.apply(self, axes=axes or None)

    @property
    def T(self):
        return Transpose.apply(self, axes=None)

    def __getitem__(self, index):
        if isinstance(index, Tensor) or (
            isinstance(index, tuple) and any(isinstance(i, Tensor) for i in index)
        ):
            raise TypeError("index with public ints, slices or integer arrays, not with a Tensor")
        return Index.apply(self, index=index)

    # -- activations: ReLU, Square --------------------------------------------------------

    def relu(self):
        return ReLU.apply(self)

    def square(self):
        return Square.apply(self)

    # -- the reference's vocabulary ----------------------------------------------------------

    def fix_precision(self, encoder=None):
        """Encode a float tensor as public fixed point (a new leaf, no gradient)."""
        if not V.is_float(self.value):
            raise TypeError(f"fix_precision() needs a float tensor, this one is {V.kind(self.value)}")
        return Tensor(smpc.fix_precision(self.value, encoder=encoder))

    def share(self, *workers, crypto_provider=None, requires_grad=False):
        """Secret-share among ``workers``; returns a new *leaf* (the shared parameters or data).

        A float tensor is encoded with the default encoder first (``fix_precision()``).
        """
        if V.is_shared(self.value):
            raise TypeError("this tensor is already shared")
        fixed = self.value if V.is_fixed(self.value) else smpc.fix_precision(self.value)
        shared = fixed.share(*workers, crypto_provider=crypto_provider)
        return Tensor(shared, requires_grad=requires_grad)

    def get(self):
        """Reveal a shared tensor: a new leaf holding the public fixed-point value."""
        if not V.is_shared(self.value):
            raise TypeError(f"get() reveals shares, but this tensor is {V.kind(self.value)}")
        return Tensor(self.value.get())

    def float_precision(self):
        """Decode a public fixed-point tensor back to floats (a new leaf)."""
        if V.is_shared(self.value):
            raise TypeError("float_precision() needs a public value: call .get() first")
        if not V.is_fixed(self.value):
            raise TypeError("float_precision() needs a fixed-point tensor; this one is already float")
        return Tensor(self.value.float_precision())

    def refresh(self):
        """Fresh random shares for the same secret (a no-op on floats); gradients pass through."""
        return Refresh.apply(self)

    def item(self):
        """The single float of a one-element float tensor."""
        if not V.is_float(self.value) or self.size != 1:
            raise TypeError("item() needs a one-element float tensor (reveal shares with get() first)")
        return float(self.value.reshape(()))


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis (public parts next to shares are shared)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    like = next((t for t in tensors if isinstance(t, Tensor)), None)
    if like is None:
        tensors[0] = Tensor(tensors[0])
        like = tensors[0]
    return Concatenate.apply(*(like._operand(t) for t in tensors), axis=axis)
