"""Run the exercise tests against the reference code or against the learner's code.

    pytest tests/exercises -m ex_beaver                          # the reference (CI)
    pytest tests/exercises -m ex_beaver --implementation=learner # your exercises/ex2_beaver.py

(``SMPC_IMPLEMENTATION=learner`` in the environment does the same as the option.)

Each test module names its exercise in ``EXERCISE`` (e.g. ``"ex2_beaver"``) and uses the
``impl`` fixture, which returns either the adapter in ``reference_impl.py`` or the
learner's module. A learner's stub that still raises ``ExerciseNotDone`` fails the test
with the stub's message alone (which tutorial to read, which file to fill in), not with a
traceback.
"""
import functools
import importlib
import inspect
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (str(REPO), str(HERE)):  # `import exercises`, `import reference_impl`
    if path not in sys.path:
        sys.path.insert(0, path)

from exercises import ExerciseNotDone  # noqa: E402

IMPLEMENTATIONS = ("reference", "learner")


def pytest_addoption(parser):
    try:
        parser.addoption(
            "--implementation", choices=IMPLEMENTATIONS, default=None,
            help="run the exercise tests against the reference code (default) or against "
                 "the learner's exercises/ package")
    except ValueError:  # already added by a conftest higher up
        pass


def chosen_implementation(config):
    choice = config.getoption("implementation", default=None) or os.environ.get(
        "SMPC_IMPLEMENTATION", "reference")
    if choice not in IMPLEMENTATIONS:
        raise pytest.UsageError(f"--implementation must be one of {IMPLEMENTATIONS}, got {choice!r}")
    return choice


def pytest_report_header(config):
    return f"exercises: testing the {chosen_implementation(config)} implementation"


def _pointer_on_not_done(function):
    """Turn ExerciseNotDone into a clean test failure: the message, no traceback."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ExerciseNotDone as not_done:
            message = str(not_done)
        # Failing outside the except block keeps the report free of exception chains.
        pytest.fail(message, pytrace=False)
    return wrapper


def learner_module(name):
    module = importlib.import_module(f"exercises.{name}")
    functions = {attr: _pointer_on_not_done(value) if inspect.isfunction(value) else value
                 for attr, value in vars(module).items() if not attr.startswith("__")}
    return SimpleNamespace(__name__=module.__name__, **functions)


@pytest.fixture
def impl(request):
    """The implementation under test of the module's exercise (``EXERCISE``)."""
    name = request.module.EXERCISE
    if chosen_implementation(request.config) == "learner":
        return learner_module(name)
    import reference_impl
    return getattr(reference_impl, name)
