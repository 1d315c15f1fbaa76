"""experiments: the reference's encrypted MNIST training as a command (``smpc-train``).

Kept outside :mod:`smpc` so the protocol package never imports :mod:`nn` or
:mod:`datasets`.

Two process-wide settings for speed, made here because this package is what the
command and the benchmarks import first (neither changes a single result):

* BLAS threads.  Our matrices are small (64 x 784 at most) and come in many
  small products: BLAS threads cost more than they save, and on a busy 2-core
  machine they thrash (measured: up to 10x slower per batch).  So BLAS runs
  single-threaded unless the environment says otherwise.  This only works before
  NumPy is first imported.
* Freed memory is kept.  glibc's malloc hands arrays above 128 KiB out as fresh
  ``mmap`` pages and returns them on ``free``, so every new large temporary pays a
  page fault per 4 KiB on first touch; a training step makes thousands of them.
  Raising the mmap and trim thresholds keeps freed memory for reuse (measured:
  an encrypted x^2 batch from 44 ms to 29 ms).  Elsewhere than glibc this is
  skipped.
"""
import ctypes
import ctypes.util
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # from glibc's <malloc.h>
_KEEP_BYTES = 512 * 1024 * 1024


def _keep_freed_memory():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES // 16)
        libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


_keep_freed_memory()
