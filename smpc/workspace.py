"""Reused buffers for the big temporaries of PrivateCompare and the Z_p dealing.

Why.  PrivateCompare works on ``(2, 64, n)`` arrays: 1.3 MB of uint8 and 2.6 MB of uint16
for a 100x100 batch.  glibc hands out blocks that size by ``mmap`` and returns them on
free, so each fresh one pays page faults on first touch (the measurement is in
``docs/PERFORMANCE.md``).  So the hot path writes into buffers kept here (``out=``
everywhere), and work on many elements runs in blocks of at most :data:`BLOCK` elements,
which bounds what is kept.

A buffer is valid until the next request under the same name: callers use one name per
role and never keep the result.  Each session (:class:`~smpc.network.Network`) owns one
:class:`Workspace`, used by one thread.
"""
import math

import numpy as np

BLOCK = 16384          # elements per block of PrivateCompare work
KEEP_LIMIT = 1 << 24   # buffers above 16 MB are not kept (a fresh array each time)


class Workspace:
    """Named buffers kept for reuse."""

    def __init__(self):
        self._buffers = {}

    def buffer(self, name, shape, dtype):
        """An uninitialised array of ``shape`` and ``dtype``, reusing the memory kept for ``name``."""
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > KEEP_LIMIT:
            return np.empty(shape, dtype=dtype)
        raw = self._buffers.get(name)
        if raw is None or raw.nbytes < nbytes:
            raw = self._buffers[name] = np.empty(max(nbytes, 1), dtype=np.uint8)
        return raw[:nbytes].view(dtype).reshape(shape)
