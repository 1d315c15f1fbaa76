"""The exercise workflow, demonstrated: a fresh stub fails with a pointer, the reference passes.

Each check runs pytest in a subprocess, exactly as a learner would type it:

    pytest tests/exercises -m ex_beaver --implementation=learner   # fails: "read tutorials/02..."
    pytest tests/exercises -m ex_beaver                            # the reference: passes

If you have already solved an exercise, its "fresh stub" check is skipped: your code is
no longer a stub.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from exercises import EXERCISES, ExerciseNotDone

REPO = Path(__file__).resolve().parents[2]
# (exercise number, module, a call that reaches the stub)
STUB_CALLS = {
    1: ("ex1_sharing", lambda m: m.share(np.zeros(3, dtype=np.int64))),
    2: ("ex2_beaver", lambda m: m.beaver_multiply(*[np.zeros((2, 1), dtype=np.int64)] * 2,
                                                  (np.zeros((2, 1), dtype=np.int64),) * 3,
                                                  lambda s: s.sum(axis=0))),
    3: ("ex3_truncation", lambda m: m.truncate(np.zeros((2, 1), dtype=np.int64), 16)),
    4: ("ex4_private_compare", lambda m: m.private_compare(
        np.zeros((2, 1, 64), dtype=np.uint8), np.zeros(1, dtype=np.uint64), np.zeros(1),
        lambda messages: messages)),
    5: ("ex5_drelu", lambda m: m.drelu(np.zeros((2, 1), dtype=np.int64), None)),
    6: ("ex6_mul_backward", lambda m: m.mul_backward(np.ones(2), np.ones(2), np.ones(2))),
    7: ("ex7_matmul_backward", lambda m: m.matmul_backward(np.ones((1, 1)), np.ones((1, 1)),
                                                           np.ones((1, 1)))),
}


def run_pytest(*args):
    env = dict(os.environ)
    env.pop("SMPC_IMPLEMENTATION", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/exercises", "-p", "no:cacheprovider", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def still_a_stub(number):
    import importlib
    name, call = STUB_CALLS[number]
    try:
        call(importlib.import_module(f"exercises.{name}"))
    except ExerciseNotDone:
        return True
    except Exception:  # a learner's half-finished code: not a fresh stub either
        return False
    return False


@pytest.mark.parametrize("number", sorted(STUB_CALLS))
def test_fresh_stub_fails_with_a_pointer_to_the_tutorial(number):
    if not still_a_stub(number):
        pytest.skip(f"exercise {number} has been filled in: not a fresh stub any more")
    marker, _, tutorial, path = EXERCISES[number]
    code, output = run_pytest("-m", marker, "--implementation=learner")
    assert code == 1, f"expected the tests to fail, exit code {code}\n{output}"
    assert "testing the learner implementation" in output
    assert f"Exercise {number} (" in output and "is not done yet" in output
    assert f"read {tutorial}" in output and path in output
    # A pointer, not a traceback maze: no stack frames, no exception class names.
    assert "Traceback" not in output
    assert "ExerciseNotDone" not in output
    assert "raise " not in output
    assert "During handling of the above exception" not in output


@pytest.mark.parametrize("number", sorted(STUB_CALLS))
def test_reference_passes_the_same_tests(number):
    marker = EXERCISES[number][0]
    code, output = run_pytest("-m", marker)
    assert code == 0, output
    assert "testing the reference implementation" in output
    assert " passed" in output and "failed" not in output


def test_environment_variable_selects_the_learner_too():
    if not still_a_stub(1):
        pytest.skip("exercise 1 has been filled in")
    env = dict(os.environ, SMPC_IMPLEMENTATION="learner")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/exercises", "-p", "no:cacheprovider",
         "-m", "ex_sharing", "-x"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Exercise 1 (additive secret sharing) is not done yet" in done.stdout
