"""Fixed-point encoding of real numbers as ring elements.

A real ``x`` is stored as the integer ``round(x * scale)`` in Z_{2^64}, with
``scale = base ** precision``: base 2 with 16 fractional bits by default (one
unit in the last place, "ulp", is 2^-16 ~ 1.5e-5), or base 10 with 3 digits as
in the PySyft reference (ulp 0.001).

The range.  A product of two encodings carries ``scale^2`` and must not wrap
before it is truncated, and SecureNN's comparison needs ``|value| < 2^62``.  So
we accept only encodings with ``|round(x * scale)| <= 2^31``: the product of two
such is at most 2^62.  With 16 bits that is ``|x| <= 32768``; with base 10 and 3
digits ``|x| <= 2147483.648``.  Encoding refuses anything larger, and NaN or
infinity, with a :class:`~smpc.errors.FixedPointRangeError` that gives the range.
(Sums of many products, as in a long matrix product, can still grow past 2^62;
the dot products of a neural network stay far below it.)
"""
import numpy as np

from .errors import FixedPointRangeError
from .validation import real_array

MAX_ENCODED_BITS = 31


class FixedPointEncoder:
    """Encode floats as int64 fixed-point ring elements and decode them back."""

    def __init__(self, base=2, precision=16):
        if base not in (2, 10):
            raise ValueError(f"fixed-point base must be 2 or 10, got {base!r}")
        if isinstance(precision, (bool, np.bool_)) or not isinstance(
                precision, (int, np.integer)) or precision < 0:
            raise ValueError(f"precision must be a non-negative integer, got {precision!r}")
        if base ** precision > 2 ** 30:
            raise ValueError(
                f"base {base} with precision {precision} leaves no room for the integer part; "
                "use at most 30 bits (base 2) or 9 digits (base 10)")
        self.base = int(base)
        self.precision = int(precision)
        self.scale = self.base ** self.precision
        self.max_encoded = 2 ** MAX_ENCODED_BITS

    @property
    def max_value(self):
        """Largest magnitude that :meth:`encode` accepts."""
        return self.max_encoded / self.scale

    @property
    def ulp(self):
        """One unit in the last place: the smallest positive representable value."""
        return 1.0 / self.scale

    @property
    def is_integer(self):
        """True for scale 1: values are plain integers (comparison bits, counts)."""
        return self.scale == 1

    def encode(self, values):
        """Return ``round(values * scale)`` as int64, refusing values out of range."""
        values = real_array(values).astype(np.float64, copy=False)  # refuses complex, strings...
        if not np.all(np.isfinite(values)):
            raise FixedPointRangeError("cannot encode NaN or infinity as a fixed-point number")
        encoded = np.rint(values * self.scale)
        too_big = np.abs(encoded) > self.max_encoded
        if np.any(too_big):
            worst = float(values[too_big].flat[0])
            raise FixedPointRangeError(
                f"value {worst!r} is outside the fixed-point range [-{self.max_value:g}, "
                f"{self.max_value:g}] of {self}; products of two values must fit in 2^62. "
                "Rescale the data, or choose fewer fractional digits.")
        return encoded.astype(np.int64)

    def decode(self, encoded):
        """Return the float64 values of int64 encodings (signed view of the ring)."""
        return np.asarray(encoded, dtype=np.int64).astype(np.float64) / self.scale

    def __eq__(self, other):
        return isinstance(other, FixedPointEncoder) and (self.base, self.precision) == (
            other.base, other.precision)

    def __hash__(self):
        return hash((self.base, self.precision))

    def __repr__(self):
        return f"FixedPointEncoder(base={self.base}, precision={self.precision})"


DEFAULT_ENCODER = FixedPointEncoder()
INTEGER_ENCODER = FixedPointEncoder(base=2, precision=0)


def encoder_from_setting(setting):
    """An encoder from a command-line style setting: ``16`` (bits) or ``'10:3'`` (base:digits)."""
    if isinstance(setting, FixedPointEncoder):
        return setting
    text = str(setting).strip()
    base, _, digits = text.rpartition(":") if ":" in text else ("2", ":", text)
    if not (base.isdigit() and digits.isdigit()):
        raise ValueError(f"a fixed-point setting is a number of fractional bits such as 16, or "
                         f"base:digits such as 10:3, got {setting!r}")
    return FixedPointEncoder(base=int(base), precision=int(digits))
