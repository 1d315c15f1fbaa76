"""Public fixed-point tensors: the step between floats and shares.

``fix_precision(x)`` turns floats into a :class:`FixedPrecisionTensor`, an int64
array of encodings that anyone may see (model hyper-parameters, a public model,
a revealed result).  ``.share(alice, bob, crypto_provider=cp)`` secret-shares it;
``SharedTensor.get()`` brings one back, and ``.float_precision()`` decodes it.
Arithmetic here is plain (public) fixed-point arithmetic, rounded down.
"""
import numpy as np

from . import ring
from .errors import FixedPointRangeError
from .fixed_point import DEFAULT_ENCODER
from .validation import check_encoder


class FixedPrecisionTensor:
    """An int64 array of fixed-point encodings together with its encoder."""

    __array_ufunc__ = None  # ndarray (op) FixedPrecisionTensor comes to our reflected operators

    def __init__(self, values, encoder=DEFAULT_ENCODER):
        values = np.asarray(values)
        if values.dtype.kind not in "iub":
            raise TypeError(f"FixedPrecisionTensor holds int64 encodings, got {values.dtype} values; "
                            "encode floats with smpc.fix_precision(x)")
        self.values = values.astype(np.int64, copy=False)
        self.encoder = check_encoder(encoder) or DEFAULT_ENCODER

    @classmethod
    def from_float(cls, x, encoder=None):
        encoder = encoder or DEFAULT_ENCODER
        return cls(encoder.encode(x), encoder)

    def float_precision(self):
        """Decode back to float64."""
        return self.encoder.decode(self.values)

    def share(self, *holders, crypto_provider, owner=None, requires_grad=False):
        """Secret-share among ``holders``; ``owner`` (default: the local client) sends the shares.

        ``requires_grad`` is accepted for the reference's vocabulary and handled
        by :class:`autograd.Tensor`; on a bare tensor it must be False.
        """
        from .shared_tensor import SharedTensor  # shared tensors build on this module
        if requires_grad:
            raise TypeError("requires_grad belongs to autograd: use autograd.Tensor(x)"
                            ".fix_precision().share(..., requires_grad=True)")
        return SharedTensor.share_encoded(self.values, holders, crypto_provider, self.encoder, owner)

    @property
    def shape(self):
        return self.values.shape

    @property
    def ndim(self):
        return self.values.ndim

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return f"FixedPrecisionTensor({self.float_precision()!r}, {self.encoder})"

    # -- public fixed-point arithmetic -------------------------------------------------
    def _encoded(self, other):
        if isinstance(other, FixedPrecisionTensor):
            if other.encoder != self.encoder:
                raise ValueError(f"cannot combine encodings {self.encoder} and {other.encoder}")
            return other.values
        if hasattr(other, "shares"):
            return NotImplemented
        return self.encoder.encode(other)

    def _new(self, values):
        return FixedPrecisionTensor(values, self.encoder)

    def __add__(self, other):
        v = self._encoded(other)
        return NotImplemented if v is NotImplemented else self._new(self.values + v)

    __radd__ = __add__

    def __sub__(self, other):
        v = self._encoded(other)
        return NotImplemented if v is NotImplemented else self._new(self.values - v)

    def __rsub__(self, other):
        v = self._encoded(other)
        return NotImplemented if v is NotImplemented else self._new(v - self.values)

    def __neg__(self):
        return self._new(-self.values)

    def __mul__(self, other):
        v = self._encoded(other)
        if v is NotImplemented:
            return v
        return self._new((self.values * v) // self.encoder.scale)

    __rmul__ = __mul__

    def __matmul__(self, other):
        v = self._encoded(other)
        if v is NotImplemented:
            return v
        return self._new(ring.matmul(self.values, v) // self.encoder.scale)

    def __rmatmul__(self, other):
        v = self._encoded(other)
        if v is NotImplemented:
            return v
        return self._new(ring.matmul(v, self.values) // self.encoder.scale)

    def __truediv__(self, divisor):
        if isinstance(divisor, (bool, np.bool_)) or not isinstance(divisor, (int, np.integer)) \
                or divisor < 1:
            raise TypeError(f"a FixedPrecisionTensor divides by a public positive integer, not "
                            f"{divisor!r}; for a real divisor d multiply by 1 / d")
        if divisor > 2 ** 62:
            raise FixedPointRangeError(f"cannot divide a fixed-point tensor by {divisor}: every "
                                       "encoding is below 2^62 in size, so every quotient would be 0")
        return self._new(self.values // int(divisor))

    def __getitem__(self, index):
        return self._new(self.values[index])

    def sum(self, axis=None, keepdims=False):
        return self._new(self.values.sum(axis=axis, keepdims=keepdims))

    def reshape(self, *shape):
        return self._new(self.values.reshape(*shape))

    view = reshape

    def transpose(self, *axes):
        return self._new(self.values.transpose(*axes))

    @property
    def T(self):
        return self.transpose()


def fix_precision(x, encoder=None):
    """Encode floats as a public :class:`FixedPrecisionTensor` (the reference's ``fix_precision``)."""
    check_encoder(encoder)
    if isinstance(x, FixedPrecisionTensor):
        if encoder is not None and encoder != x.encoder:
            raise ValueError(f"this tensor is already encoded with {x.encoder}, not {encoder}; "
                             "decode it with float_precision() first")
        return x
    return FixedPrecisionTensor.from_float(x, encoder)
