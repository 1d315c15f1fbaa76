"""Every tutorial runs as a Jupyter notebook, as a reader meets it, with its figures inline.

Each ``tutorials/NN_*.py`` is converted with jupytext (as the command in
``tutorials/README.md`` does), copied to a temporary folder *outside* the repository,
and executed there cell by cell in a fresh ``python3`` kernel (ipykernel, started by
nbclient; jupyter_client starts the kernel with this interpreter). The kernel finds
``tutorial_setup`` through ``PYTHONPATH``, as the README tells a reader to, and the
repository through it. The test then checks that

* no cell raised;
* the opening docstring became a markdown cell, and every figure the script saves is
  also shown inline: there are at least as many ``image/png`` outputs as ``save_figure``
  calls.

``SMPC_QUICK=1`` selects the small setting; ``SMPC_TUTORIAL_OUTPUT`` keeps the saved
figures out of the working tree. ``tests/test_tutorials.py`` runs the same files as plain
scripts. Slow (a kernel per tutorial), so marked ``slow``; it still runs in CI.
"""
import os
import re
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="the test extra installs jupytext")
nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")
pytest.importorskip("ipykernel", reason="the test extra installs ipykernel")

REPO = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((REPO / "tutorials").glob("[0-9][0-9]_*.py"))
CELL_TIMEOUT_SECONDS = 300  # each tutorial runs in seconds; this only stops a hang


def _kernel_environment(figures):
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    env.update(SMPC_QUICK="1", SMPC_TUTORIAL_OUTPUT=str(figures),
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "tutorials"),
                                                        env.get("PYTHONPATH")])))
    env.pop("SMPC_REPO", None)
    return env


def _first_error(notebook):
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return number, cell
    return None


@pytest.mark.slow
@pytest.mark.parametrize("script", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_runs_as_a_notebook_outside_the_repository(script, tmp_path):
    notebook = jupytext.read(script)
    assert notebook.cells[0].cell_type == "markdown", (
        f"{script.name}: the opening docstring should become a markdown cell (put "
        f"'# %% [markdown]' on the line above it)")
    workdir, figures = tmp_path / "notebooks", tmp_path / "figures"
    workdir.mkdir()
    copy = workdir / script.with_suffix(".ipynb").name
    jupytext.write(notebook, copy)

    client = nbclient.NotebookClient(
        jupytext.read(copy), kernel_name="python3", timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(workdir)}}, allow_errors=True)
    executed = client.execute(env=_kernel_environment(figures))

    failed = _first_error(executed)
    if failed is not None:
        number, cell = failed
        error = next(o for o in cell.outputs if o.output_type == "error")
        pytest.fail(f"{script.name}: cell {number} raised {error.ename}: {error.evalue}\n"
                    f"--- the cell ---\n{cell.source[:1500]}")

    images = sum("image/png" in output.get("data", {})
                 for cell in executed.cells for output in cell.get("outputs", []))
    saved = len(re.findall(r"\bsave_figure\(", script.read_text()))
    assert images >= saved, (
        f"{script.name}: {saved} figure(s) saved but only {images} shown inline; "
        f"save_figure should leave the figure open in a notebook")
    assert sorted(p.name for p in figures.glob("*.png")), (
        f"{script.name}: no figure file written to SMPC_TUTORIAL_OUTPUT")
