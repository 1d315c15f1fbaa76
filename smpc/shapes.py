"""Shape arithmetic shared by the shared tensors and the autograd layer above them.

Worked out from the data shape alone, never from an array: a process that holds no rows
of a share array (the crypto provider's) still needs every shape.
"""
import math

import numpy as np


def resolve_shape(shape, size):
    """Replace a single -1 in ``shape`` by the size that makes the element count ``size``."""
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise ValueError(f"at most one -1 in a shape, got {shape}")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape {size} elements into {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if int(np.prod(shape, dtype=np.int64)) != size:
        raise ValueError(f"cannot reshape {size} elements into {shape}")
    return shape


def party_axes(axis):
    """Data axes as axes of a share array, whose axis 0 is the party axis."""
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(a + 1 if a >= 0 else a for a in axes)


def broadcast_shape(shape_a, shape_b):
    """The shape of ``a + b``, or a ValueError that names both shapes."""
    try:
        return np.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        raise ValueError(f"cannot add or subtract tensors of shapes {shape_a} and {shape_b}: "
                         "they do not broadcast") from None


def join_flat(arrays, dtype=None):
    """The arrays flattened and joined, in one new array (of ``dtype`` if given): several
    values sent as one message."""
    return np.concatenate([np.asarray(a, dtype=dtype).reshape(-1) for a in arrays])


def split_flat(flat, shapes):
    """Undo :func:`join_flat`: views into ``flat``, one per shape."""
    pieces, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        pieces.append(flat[start:start + size].reshape(shape))
        start += size
    return pieces
