"""The set-up every tutorial shares: import it first, before anything that imports NumPy.

Each ``tutorials/NN_*.py`` starts with ::

    from tutorial_setup import OUTPUT, QUICK, save_figure

which works because Python puts a script's own directory (``tutorials/``) on
``sys.path``, and it works from any working directory. Importing this module does four
things, in this order:

1. **The process settings of ``smpc-train``** (``experiments/__init__.py``): BLAS
   single-threaded when the machine is busy (BLAS threads thrash then), and freed
   memory kept for reuse. BLAS reads its thread count once, when NumPy is first
   imported, which is why this module must be imported before NumPy, matplotlib or the
   package.
2. **matplotlib's ``Agg`` backend**: figures are written to files and never shown in a
   window, so the tutorials run headless (on a server, in the test suite).
3. **The repository root on ``sys.path``** (done first, so that step 1 can import
   ``experiments``), so ``import smpc``, ``nn``, ``autograd``, ``datasets`` and
   ``experiments`` work from a plain checkout, before (or without) ``pip install -e .``.
4. **Where figures go**: ``OUTPUT`` is ``$SMPC_TUTORIAL_OUTPUT`` if set (the test suite
   points it at a temporary directory), else ``tutorials/figures/``; it is created.

It also defines ``QUICK``, true when ``SMPC_QUICK=1`` (the test suite sets it): the
tutorials then take smaller samples or train for less; and ``save_figure``, which every
tutorial uses to save a figure under ``OUTPUT``.

The file name does not start with two digits, so ``tests/test_tutorials.py`` does not
run it as a tutorial.
"""
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # first, so this checkout wins over any installed copy

import experiments  # noqa: E402,F401  (BLAS threads and memory, before NumPy is imported)
import matplotlib  # noqa: E402  (imports NumPy: only after the set-up above)

matplotlib.use("Agg")  # figures are written to files, never shown in a window
import matplotlib.pyplot as plt  # noqa: E402

OUTPUT = Path(os.environ.get("SMPC_TUTORIAL_OUTPUT", REPO / "tutorials" / "figures"))
OUTPUT.mkdir(parents=True, exist_ok=True)

QUICK = os.environ.get("SMPC_QUICK") == "1"


def save_figure(fig, name):
    """Save ``fig`` as ``OUTPUT / name`` (at 100 dpi), close it, print the path and return it."""
    path = OUTPUT / name
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print("saved", path)
    return path
