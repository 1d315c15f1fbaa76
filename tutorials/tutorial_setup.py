"""The set-up every tutorial shares: import it first, before anything that imports NumPy.

Each ``tutorials/NN_*.py`` starts with ::

    from tutorial_setup import OUTPUT, QUICK, save_figure

Run as a script (``python tutorials/NN_*.py``), Python puts the script's own directory
on ``sys.path``, so this works from any working directory. Run as a notebook, the kernel
starts in the notebook's folder: a notebook made beside the scripts (see
``tutorials/README.md``) finds this file there. A notebook copied elsewhere finds it when
Jupyter is started with ``PYTHONPATH=/path/to/the/repository/tutorials``; or copy this
file beside the notebook and tell it where the repository is (below).

Importing this module does five things, in this order:

1. **Finds the repository** and puts it first on ``sys.path``, so ``import smpc``, ``nn``,
   ``autograd``, ``datasets`` and ``experiments`` work from a plain checkout, before (or
   without) ``pip install -e .``, and this checkout wins over an installed copy.  The
   repository is ``$SMPC_REPO`` if set, else the folder above this file if it holds
   ``smpc/``, else the folder above the installed ``smpc`` package (``pip install -e .``).
2. **The process settings of ``smpc-train``** (``experiments/__init__.py``): BLAS
   single-threaded when the machine is busy (BLAS threads thrash then), and freed
   memory kept for reuse.  BLAS reads its thread count once, when NumPy is first
   imported, which is why this module must be imported before NumPy, matplotlib or the
   package.
3. **matplotlib's backend**: in a script, ``Agg``, so figures are written to files and
   never shown in a window (the tutorials run headless, on a server, in the test suite);
   in a Jupyter kernel, the kernel's own (inline) backend, so figures show in the
   notebook as well.
4. **Where figures go**: ``OUTPUT`` is ``$SMPC_TUTORIAL_OUTPUT`` if set (the test suite
   points it at a temporary directory), else ``tutorials/figures/`` of the repository;
   it is created.
5. ``QUICK``, true when ``SMPC_QUICK=1`` (the test suite sets it): the tutorials then
   take smaller samples or train for less.

``save_figure`` saves a figure under ``OUTPUT``; in a script it then closes it, in a
notebook it leaves it open, so that the cell shows it.

The file name does not start with two digits, so the tests do not run it as a tutorial.
"""
import importlib.util
import os
import sys
from pathlib import Path


def _find_repository():
    """The repository root: ``$SMPC_REPO``, this file's parent folder, or the installed smpc's."""
    named = os.environ.get("SMPC_REPO")
    if named:
        root = Path(named).expanduser().resolve()
        if not (root / "smpc").is_dir():
            raise ImportError(f"SMPC_REPO={named} does not hold the smpc/ package; set it to "
                              f"the repository's root folder")
        return root
    beside = Path(__file__).resolve().parents[1]
    if (beside / "smpc").is_dir():
        return beside
    installed = importlib.util.find_spec("smpc")
    if installed is not None and installed.origin:
        return Path(installed.origin).resolve().parents[1]
    raise ImportError("tutorial_setup cannot find the repository: set SMPC_REPO to its root "
                      "folder (the one holding smpc/), or install it with pip install -e .")


def _in_jupyter_kernel():
    """True when this runs inside a Jupyter (IPython ZMQ) kernel."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


REPO = _find_repository()
sys.path.insert(0, str(REPO))  # first, so this checkout wins over any installed copy
IN_NOTEBOOK = _in_jupyter_kernel()

import experiments  # noqa: E402,F401  (BLAS threads and memory, before NumPy is imported)
import matplotlib  # noqa: E402  (imports NumPy: only after the set-up above)

if not IN_NOTEBOOK:
    matplotlib.use("Agg")  # a script writes figures to files and never opens a window
import matplotlib.pyplot as plt  # noqa: E402

OUTPUT = Path(os.environ.get("SMPC_TUTORIAL_OUTPUT", REPO / "tutorials" / "figures"))
OUTPUT.mkdir(parents=True, exist_ok=True)

QUICK = os.environ.get("SMPC_QUICK") == "1"


def save_figure(fig, name):
    """Save ``fig`` as ``OUTPUT / name`` (at 100 dpi), print the path and return it.

    In a script the figure is then closed (it has been written); in a notebook it stays
    open, and the inline backend shows it under the cell.
    """
    path = OUTPUT / name
    fig.savefig(path, dpi=100)
    if not IN_NOTEBOOK:
        plt.close(fig)
    print("saved", path)
    return path
