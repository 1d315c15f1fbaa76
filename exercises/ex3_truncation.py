"""Exercise 3: two-party local truncation (SecureML, Mohassel & Zhang 2017).

Read first: ``tutorials/03_truncation.py`` (sections 2, 3 and 5).
Test your code with::

    pytest tests/exercises -m ex_truncation --implementation=learner

Shares are stacked int64 arrays of shape ``(2,) + shape``: ``shares[0]`` is alice's,
``shares[1]`` bob's, and they sum to the secret modulo 2^64. The point of the trick is
that it is *local*: alice's output may depend on ``shares[0]`` only, and bob's on
``shares[1]`` only. Never add the two shares together here.

Replace each ``raise ExerciseNotDone(...)`` with your code, using NumPy only.
"""
import numpy as np

from exercises import ExerciseNotDone


def truncate(shares, f):
    """Shares of x / 2^f (rounded) from two shares of x, without any communication.

    * party 0 outputs floor(x0 / 2^f): an arithmetic right shift of its share;
    * party 1 outputs -floor(-x1 / 2^f): its share divided by 2^f, rounded *up*.

    Returns an int64 array shaped like ``shares``. The result decodes to
    ``floor(x / 2^f)`` or one more, except with probability about ``|x| / 2^64`` when it
    is wildly wrong (tutorial 03 explains why; the tests measure that rate too).

    ``f`` is a non-negative int. Raise ``ValueError`` if there are not exactly two
    shares: the trick does not work for three or more holders.

    Hint: on int64 NumPy arrays ``>>`` is an arithmetic shift (it rounds towards minus
    infinity), and ``-(-x >> f)`` rounds up.
    """
    raise ExerciseNotDone(3, "truncate")


def divide(shares, d):
    """Shares of x / d for a public positive integer ``d``, by the same local trick.

    Party 0 outputs floor(x0 / d), party 1 outputs -floor(-x1 / d). Same shape, same
    error (0 or +1 unit against ``floor(x / d)``) and same failure chance as
    :func:`truncate`; ``divide(shares, 2**f)`` must equal ``truncate(shares, f)``.
    Raise ``ValueError`` for ``d <= 0`` or for anything but two shares.

    Hint: NumPy's ``//`` on int64 rounds towards minus infinity, like ``>>``.
    """
    raise ExerciseNotDone(3, "divide")
