"""Every tutorial runs, as written, as a plain script; its set-up works from a copy.

Each ``tutorials/NN_*.py`` is run in its own Python process from the repository root,
exactly as its docstring tells a reader to run it, with

* ``SMPC_TUTORIAL_OUTPUT`` pointing at a temporary directory, so figures do not land in
  the working tree;
* ``SMPC_QUICK=1``, which the training tutorials honour with a smaller setting.

New tutorials are picked up by the file pattern: nothing to register.
``tests/test_tutorial_notebooks.py`` runs the same files as notebooks in a Jupyter kernel.
"""
import ast
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
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring, f"{script.name} should open with a module docstring"
    assert f"python tutorials/{script.name}" in docstring, (
        f"{script.name}'s docstring should give the command to run it")
    assert text.startswith('# %% [markdown]\n"""'), (
        f"{script.name} should open with '# %% [markdown]' above its docstring, so that the "
        f"docstring becomes the notebook's first markdown cell")
    assert "# %%" in text[20:], f"{script.name} should use percent cells (# %%)"


def _import_setup_copy(tmp_path, **env):
    """Import a copy of tutorial_setup.py from a folder outside the repository."""
    (tmp_path / "tutorial_setup.py").write_text((REPO / "tutorials" / "tutorial_setup.py").read_text())
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("SMPC_REPO", "PYTHONPATH")}
    environment.update(env, SMPC_TUTORIAL_OUTPUT=str(tmp_path / "figures"))
    return subprocess.run([sys.executable, "-c", "import tutorial_setup, smpc; "
                           "print(tutorial_setup.REPO); print(smpc.__file__)"],
                          cwd=tmp_path, env=environment, capture_output=True, text=True,
                          timeout=TIMEOUT_SECONDS)


def test_a_copied_setup_finds_the_repository_named_by_smpc_repo(tmp_path):
    done = _import_setup_copy(tmp_path, SMPC_REPO=str(REPO))
    assert done.returncode == 0, done.stderr[-2000:]
    repo_line, smpc_line = done.stdout.split()
    assert Path(repo_line) == REPO and Path(smpc_line).is_relative_to(REPO), done.stdout


def test_a_wrong_smpc_repo_gets_a_clear_error(tmp_path):
    done = _import_setup_copy(tmp_path, SMPC_REPO=str(tmp_path))
    assert done.returncode != 0
    assert "does not hold the smpc/ package" in done.stderr, done.stderr[-2000:]
