"""Checks for the exercise tests that fail with a sentence, not with a dump of arrays.

Each check names the first failing case (which input, which party, which position), the
value found and the value expected, how many entries are wrong, and a hint in words about
the usual cause. A failure is reported with ``pytest.fail(..., pytrace=False)``: one
paragraph, no traceback into the test's own code.
"""
import numpy as np
import pytest


def _where(index, axes):
    """'party 1, element 3' from an index tuple and the names of its axes."""
    if not index:
        return "the (scalar) result"
    if not axes:
        return f"index {index[0] if len(index) == 1 else index}"
    names = list(axes) + [f"axis {k}" for k in range(len(axes), len(index))]
    return ", ".join(f"{name} {i}" for name, i in zip(names, index))


def fail(message, hint=None):
    pytest.fail(message + (f"\n  Hint: {hint}" if hint else ""), pytrace=False)


def check(condition, message, hint=None):
    """Fail with ``message`` (and the hint) unless ``condition``."""
    if not condition:
        fail(message, hint)


def check_shape(got, shape, what, hint=None):
    got_shape = np.shape(got)
    check(tuple(got_shape) == tuple(shape),
          f"{what} has shape {tuple(got_shape)}, expected {tuple(shape)}", hint)


def check_dtype(got, dtype, what, hint=None):
    check(np.asarray(got).dtype == np.dtype(dtype),
          f"{what} has dtype {np.asarray(got).dtype}, expected {np.dtype(dtype)}", hint)


def first_mismatch(got, expected, close=None):
    """(index, count) of the first entry where ``got`` differs from ``expected``, or None."""
    got, expected = np.asarray(got), np.asarray(expected)
    if close is None:
        wrong = got != expected
    else:
        wrong = ~np.isclose(got, expected, atol=close, rtol=0)
    if not np.any(wrong):
        return None
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return index, int(np.count_nonzero(wrong))


def check_equal(got, expected, what, axes=None, hint=None, inputs=None, close=None):
    """``got`` equals ``expected`` entry by entry (within ``close`` if given).

    ``axes`` names the axes ("party", "element", "row", ...); ``inputs`` maps names to
    arrays of the expected shape, whose values at the failing index are reported too.
    """
    check_shape(got, np.shape(expected), what, hint)
    found = first_mismatch(got, expected, close)
    if found is None:
        return
    index, count = found
    got_value, expected_value = np.asarray(got)[index], np.asarray(expected)[index]
    described = ""
    if inputs:
        described = " for " + ", ".join(f"{name} = {np.asarray(value)[index]}"
                                         for name, value in inputs.items())
    total = max(np.size(expected), 1)
    fail(f"{what} is wrong at {_where(index, axes)}{described}: got {got_value}, expected "
         f"{expected_value} ({count} of {total} entries wrong)", hint)


def check_in_set(values, allowed, what, hint=None, inputs=None, axes=None):
    """Every entry of ``values`` lies in ``allowed``; else name the first that does not."""
    values = np.asarray(values)
    bad = ~np.isin(values, list(allowed))
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    described = ""
    if inputs:
        described = " for " + ", ".join(f"{name} = {np.asarray(value)[index]}"
                                         for name, value in inputs.items())
    fail(f"{what} is {values[index]} at {_where(index, axes)}{described}, outside "
         f"{sorted(allowed)} ({int(bad.sum())} of {values.size} entries)", hint)


def call(function, *args, hint=None, **kwargs):
    """``function(*args, **kwargs)``; an exception it raises becomes a one-paragraph failure."""
    try:
        return function(*args, **kwargs)
    except Exception as error:  # noqa: BLE001  (any error of the learner's code is reported)
        name = getattr(function, "__name__", None) or getattr(getattr(function, "func", None),
                                                              "__name__", "the function")
        message = f"{name}() raised {type(error).__name__}: {error}"
    fail(message, hint)
