"""Exercise 1: additive secret sharing modulo 2^64.

Read first: ``tutorials/01_fixed_point_and_secret_sharing.py`` (sections 2-4 and 6).
Test your code with::

    pytest tests/exercises -m ex_sharing --implementation=learner

Everything here works on raw ring elements: int64 NumPy arrays, whose ``+``, ``-`` and
``*`` already wrap modulo 2^64. Shares are *stacked*: one int64 array whose first axis
is the party, so ``shares[j]`` is party j's share and ``shares.shape == (n_parties,) +
secret.shape``.

Replace each ``raise ExerciseNotDone(...)`` with your code. You may use NumPy, and
nothing from ``smpc`` (that would be copying the answer).
"""
import numpy as np

from exercises import ExerciseNotDone


def share(secret, n_parties=2, rng=None):
    """Split ``secret`` into ``n_parties`` additive shares modulo 2^64.

    Parameters
    ----------
    secret : int64 array (any shape, including 0-d)
        The ring elements to hide, e.g. fixed-point encodings.
    n_parties : int, at least 2
    rng : numpy.random.Generator or None
        Where to draw randomness from; ``None`` means ``np.random.default_rng()``.

    Returns
    -------
    int64 array of shape ``(n_parties,) + secret.shape`` whose sum over axis 0 is
    ``secret`` modulo 2^64, and such that any ``n_parties - 1`` of the shares, taken
    alone, are uniformly random over *all* 2^64 ring elements, whatever the secret.

    Hints: draw the first ``n_parties - 1`` shares uniformly from the whole ring;
    ``rng.integers(-2**63, 2**63, size=..., dtype=np.int64)`` does that (the upper
    bound is exclusive). The last share makes the sum right. A mask drawn from a small
    range leaks the secret: tutorial 01, "Why the mask must cover the whole ring".
    """
    raise ExerciseNotDone(1, "share")


def reconstruct(shares):
    """The secret from stacked shares: their sum over the party axis, modulo 2^64.

    ``shares`` is an int64 array of shape ``(n_parties,) + shape``; return an int64 array
    of shape ``shape``. Make sure the sum wraps modulo 2^64 rather than overflowing into
    a wider type or a float.
    """
    raise ExerciseNotDone(1, "reconstruct")


def refresh(shares, rng=None):
    """Fresh shares of the same secret: add a random sharing of zero.

    Return an int64 array of the same shape as ``shares``, with the same sum modulo
    2^64, whose shares are uniformly random and independent of the old ones. (In the
    framework the parties derive the sharing of zero from common keys, so a refresh
    sends no message; here just compute it.)
    """
    raise ExerciseNotDone(1, "refresh")
