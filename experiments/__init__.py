"""experiments: the reference's encrypted MNIST training as a command (``smpc-train``).

Kept outside :mod:`smpc` so the protocol package never imports :mod:`nn` or
:mod:`datasets`.

BLAS threads.  Our matrices are small (64 x 784 at most) and a simulated
party's work comes in many small products: BLAS threads cost more than they
save, and on a busy 2-core machine they thrash (measured: up to 10x slower per
batch).  So the command runs BLAS single-threaded unless the environment says
otherwise.  This only works before NumPy is first imported, which is why it
sits here, at the top of the package the command lives in.
"""
import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
