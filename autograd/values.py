"""The values that flow through autograd, and the few places where their kinds differ.

A :class:`~autograd.tensor.Tensor` wraps one of three kinds of value:

========  ============================  =============================================
kind      type                          what it is
========  ============================  =============================================
float     ``numpy.ndarray`` (float64)   an ordinary public array (plaintext training)
shared    ``smpc.SharedTensor``         a secret-shared fixed-point array
fixed     ``smpc.FixedPrecisionTensor`` a *public* array encoded as fixed-point ring
                                        integers (what ``fix_precision()`` makes)
========  ============================  =============================================

Gradient functions are written once, with operators that floats and shares both have
(``+ - * @``, ``.sum``, ``.reshape``, ``.transpose``, indexing ...). Only a handful of
steps genuinely differ between a NumPy array and a sharing, and they all live in this
file so that the Functions stay kind-blind: making zeros of a shape, broadcasting to a
shape, scatter-adding at an index, concatenating, dividing by a public number.

This file also decides which combinations make sense. A float array next to shares is a
*public* operand (a public model on private data is a real use case: the gradient of the
public weight comes out shared). A fixed-point array next to shares must use the same
encoder. A fixed-point array next to a float array is an error: one of them has to be
converted first, and only the user knows which.
"""

import numbers

import numpy as np

import smpc


def is_shared(value):
    return isinstance(value, smpc.SharedTensor)


def is_fixed(value):
    return isinstance(value, smpc.FixedPrecisionTensor)


def is_float(value):
    # NumPy scalars count too: an operation on a 0-d array may return one.
    return isinstance(value, (np.ndarray, np.floating)) and value.dtype.kind == "f"


def kind(value):
    """'float', 'shared' or 'fixed' (``TypeError`` for anything else)."""
    if is_float(value):
        return "float"
    if is_shared(value):
        return "shared"
    if is_fixed(value):
        return "fixed"
    raise TypeError(f"not an autograd value: {type(value).__name__}")


# ----------------------------------------------------------------------------------------
# Turning user input into values
# ----------------------------------------------------------------------------------------

def as_value(obj):
    """Validate or convert ``obj`` into a value a Tensor can hold.

    Python numbers and (nested) lists become float64 arrays; float arrays become float64.
    Integer and boolean *arrays* are refused: in this project an int64 array is usually
    ring elements (fixed-point encodings or shares), and silently reading them as floats
    would turn 1.5 into 98304.0.
    """
    if is_shared(obj) or is_fixed(obj):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            return obj.astype(np.float64, copy=False)
        raise TypeError(
            f"cannot make a Tensor from a NumPy array of dtype {obj.dtype}: integer and bool "
            f"arrays may be ring encodings. For numbers, convert with .astype(float); for "
            f"public fixed-point values, use smpc.fix_precision(array) or Tensor.fix_precision()."
        )
    if isinstance(obj, np.generic):
        return as_value(np.asarray(obj))
    if isinstance(obj, (numbers.Real, list, tuple)) and not isinstance(obj, bool):
        array = np.asarray(obj, dtype=np.float64)
        return array
    raise TypeError(
        f"cannot make a Tensor from {type(obj).__name__}: expected a float NumPy array, a "
        f"Python number or list, an smpc.SharedTensor, or an smpc.FixedPrecisionTensor"
    )


def as_constant(obj, like):
    """Turn a public operand (a number or array) into a value that can meet ``like``.

    Next to a fixed-point value, a public number is encoded with the same encoder, so that
    ``fixed * 2`` means what it says. Everywhere else it becomes a float array; shares
    accept public float arrays directly.
    """
    value = as_value(obj)
    if is_float(value) and is_fixed(like):
        return smpc.fix_precision(value, encoder=like.encoder)
    return value


def check_compatible(values, op_name):
    """Raise a ``TypeError`` if the values cannot meaningfully meet in one operation."""
    kinds = [kind(v) for v in values]
    if "fixed" in kinds and "float" in kinds:
        raise TypeError(
            f"{op_name}: cannot combine a public fixed-point value with a float array. "
            f"Call .fix_precision() on the float one (to compute on encodings) or "
            f".float_precision() on the fixed one (to compute in plain floats)."
        )
    shared = [v for v in values if is_shared(v)]
    for fixed in (v for v in values if is_fixed(v)):
        for s in shared:
            if fixed.encoder != s.encoder:
                raise TypeError(
                    f"{op_name}: the fixed-point operand is encoded with {fixed.encoder} but "
                    f"the shares with {s.encoder}. Encode it with the shares' encoder: "
                    f".fix_precision(encoder=shared.encoder)."
                )


# ----------------------------------------------------------------------------------------
# The few steps where floats and shares differ
# ----------------------------------------------------------------------------------------

def zeros(shape, like):
    """Zeros of ``shape``, of the same kind as ``like`` (a float array or a fresh sharing)."""
    if is_shared(like):
        return like.new_zeros(tuple(shape))
    return np.zeros(shape)


def expand(value, shape):
    """Broadcast ``value`` to ``shape`` (the opposite of :func:`~autograd.broadcast.unbroadcast`)."""
    shape = tuple(shape)
    if tuple(value.shape) == shape:
        return value
    if is_shared(value):
        # Adding shared zeros broadcasts like NumPy does; on shares it is a local step.
        return value + value.new_zeros(shape)
    return np.broadcast_to(value, shape)


def index_add(target, index, values):
    """A copy of ``target`` with ``values`` added at ``index`` (repeated indices add up)."""
    if is_shared(target):
        return target.index_add(index, values)
    result = np.array(target, dtype=np.float64)
    np.add.at(result, index, values)
    return result


def concatenate(values, axis):
    """Join values along ``axis``. Public parts next to shares are shared first (locally)."""
    shared = [v for v in values if is_shared(v)]
    if not shared:
        return np.concatenate(values, axis=axis)
    template = shared[0]
    lifted = [v if is_shared(v) else template.new_zeros(v.shape) + v for v in values]
    return smpc.concatenate(lifted, axis)


def divide(value, divisor):
    """``value / divisor`` for a public, non-zero Python number ``divisor``.

    Shares divide by a positive number with one truncation (a real divisor through its
    reciprocal at extra precision, see ``SharedTensor.__truediv__``); a negative divisor
    divides by its magnitude and negates.
    """
    if not is_shared(value):
        return value / divisor
    if float(divisor).is_integer():
        divisor = int(divisor)
    return value / divisor if divisor > 0 else -(value / -divisor)

