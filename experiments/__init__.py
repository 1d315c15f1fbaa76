"""experiments: the reference's encrypted MNIST training as a command (``smpc-train``).

Kept outside :mod:`smpc` so the protocol package never imports :mod:`nn` or
:mod:`datasets`.

Process-wide settings for speed, made here because this package is what the
command and the benchmarks import first (none changes a single result):

* BLAS threads on a busy machine.  The big products of a batch (the first
  layer's, split into float64 limbs) run about 1.3x faster on two idle cores than
  on one, but when other processes keep the cores busy, BLAS threads spin and
  thrash (measured: up to 10x slower per batch).  So if the load average at
  start is at least half the number of cores, BLAS runs single-threaded; an
  explicit ``OPENBLAS_NUM_THREADS`` (or OMP/MKL) always wins.  This only works
  before NumPy is first imported.
* Freed memory is kept.  glibc's malloc hands arrays above 128 KiB out as fresh
  ``mmap`` pages and returns them on ``free``, so every new large temporary pays a
  page fault per 4 KiB on first touch; a training step makes thousands of them.
  Raising the mmap and trim thresholds keeps freed memory for reuse (measured:
  an encrypted x^2 batch from 44 ms to 29 ms).  Elsewhere than glibc this is
  skipped.
* In a party's process, a short thread switch interval (:func:`tune_party_process`),
  and, when several parties share one machine (``--parties processes``), BLAS
  single-threaded in each (:mod:`experiments.processes`).
"""
import ctypes
import ctypes.util
import os

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _machine_is_busy():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        return os.getloadavg()[0] >= (cores or 1) / 2
    except (AttributeError, OSError):  # no load average on this system
        return False


if not any(name in os.environ for name in BLAS_THREAD_VARIABLES) and _machine_is_busy():
    for _name in BLAS_THREAD_VARIABLES:
        os.environ[_name] = "1"


def blas_threads_setting():
    """How BLAS threads were set for this process, in words (benchmarks print it)."""
    value = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return f"BLAS threads: {value}" if value else "BLAS threads: library default (all cores)"

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


#: The interpreter's thread switch interval in a party's process (Python's default: 5 ms).
PARTY_SWITCH_INTERVAL = 0.0005


def tune_party_process():
    """Process settings for a process that plays a party over a transport.

    The transport's I/O thread must run as soon as a message is queued or arrives, but
    while the protocol thread computes, Python hands the interpreter lock to the other
    thread only every switch interval (5 ms by default).  Measured with the reference
    batch in four processes: each message's delay from send to the receiver's hands had
    a 90th percentile of 4.9 ms at 5 ms, and 1.2 ms at 0.5 ms.  Nothing the parties
    compute depends on it.
    """
    import sys

    sys.setswitchinterval(PARTY_SWITCH_INTERVAL)
