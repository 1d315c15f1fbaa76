"""experiments: the reference's encrypted MNIST training as a command (``smpc-train``).

Kept outside :mod:`smpc` so the protocol package never imports :mod:`nn` or
:mod:`datasets`.
"""
