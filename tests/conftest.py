"""Fixtures shared by the test suite.

``tests/`` is on ``sys.path`` (pytest's rootdir-relative imports), so test modules
import their helpers with ``from strategies import ...``.
"""
import dataclasses

import pytest

import smpc
from smpc import config


@pytest.fixture(autouse=True)
def _restore_protocol_settings():
    """A test that changes smpc.config.settings (truncation, comparison) cannot leak it."""
    saved = dataclasses.replace(config.settings)
    yield
    for field in dataclasses.fields(saved):
        setattr(config.settings, field.name, getattr(saved, field.name))


@pytest.fixture
def parties():
    """``alice, bob, crypto_provider`` on a fresh network, seeded for reproducible shares."""
    return smpc.make_parties(seed=0)


@pytest.fixture
def three_parties():
    """``alice, bob, carol, crypto_provider``: three holders for the linear operations."""
    return smpc.make_parties(seed=0, names=("alice", "bob", "carol"))


def pytest_addoption(parser):
    """``--implementation=learner`` runs the exercise tests against ``exercises/`` (see there).

    Declared here too so that ``pytest -m ex_beaver --implementation=learner`` works from
    the repository root, not only with ``tests/exercises`` named on the command line.
    """
    parser.addoption(
        "--implementation", choices=("reference", "learner"), default=None,
        help="run the exercise tests against the reference code (default) or against "
             "the learner's exercises/ package")
