"""Every tutorial runs, as written, as a plain script.

Each ``tutorials/NN_*.py`` is run in its own Python process from the repository root,
exactly as its docstring tells a reader to run it, with

* ``SMPC_TUTORIAL_OUTPUT`` pointing at a temporary directory, so figures do not land in
  the working tree;
* ``SMPC_QUICK=1``, which the training tutorials honour with a smaller setting.

New tutorials are picked up by the file pattern: nothing to register.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((REPO / "tutorials").glob("[0-9][0-9]_*.py"))
TIMEOUT_SECONDS = 300  # each must run in well under a minute; this only stops a hang


def test_tutorials_are_found():
    assert len(TUTORIALS) >= 3, f"expected numbered tutorials in {REPO / 'tutorials'}"


@pytest.mark.parametrize("script", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_runs(script, tmp_path):
    env = dict(os.environ, SMPC_TUTORIAL_OUTPUT=str(tmp_path), SMPC_QUICK="1", MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(script.relative_to(REPO))], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    assert done.returncode == 0, (
        f"{script.name} exited with {done.returncode}\n--- stdout (end) ---\n"
        f"{done.stdout[-3000:]}\n--- stderr ---\n{done.stderr[-5000:]}")


@pytest.mark.parametrize("script", TUTORIALS, ids=[p.name for p in TUTORIALS])
def test_tutorial_docstring_gives_the_command(script):
    text = script.read_text()
    assert text.startswith('"""'), f"{script.name} should open with a module docstring"
    assert f"python tutorials/{script.name}" in text.split('"""')[1], (
        f"{script.name}'s docstring should give the command to run it")
    assert "# %%" in text, f"{script.name} should use percent cells (# %%)"
