"""Exercise 2: Beaver multiplication (the SPDZ online phase).

Read first: ``tutorials/02_parties_dealer_and_beaver.py`` (sections 3, 4 and 7).
Test your code with::

    pytest tests/exercises -m ex_beaver --implementation=learner

Shares are stacked int64 arrays, party axis first (``x_shares[j]`` is party j's share),
and all arithmetic is modulo 2^64 (int64 wraps by itself). There are 2 or more parties.

Replace ``raise ExerciseNotDone(...)`` with your code, using NumPy only.
"""
import numpy as np

from exercises import ExerciseNotDone


def beaver_multiply(x_shares, y_shares, triple, open, product=np.multiply):
    """Shares of ``product(x, y)`` from shares of x and y and a Beaver triple.

    Parameters
    ----------
    x_shares, y_shares : int64 arrays of shape ``(n_parties,) + shape_x`` and
        ``(n_parties,) + shape_y``
        Shares of the two secrets.
    triple : tuple ``(a_shares, b_shares, c_shares)``
        Shares, stacked the same way, of random ``a`` (shaped like x), random ``b``
        (shaped like y) and ``c = product(a, b)``, from the crypto provider.
    open : function
        ``open(shares) -> public int64 array``: all parties reveal a shared value to
        each other. It is the *only* way a value may leave a party, and it must be used
        exactly twice: once for e = x - a and once for f = y - b. Opening anything
        else (x, y, a, b) would give the secrets away.
    product : ``np.multiply`` (elementwise) or ``np.matmul`` (matrix product)
        Both wrap modulo 2^64 on int64. For ``np.matmul`` keep the order of the factors.

    Returns
    -------
    int64 array: stacked shares of ``product(x, y)`` modulo 2^64, *not* truncated (if x
    and y are fixed-point encodings, the result carries the scale twice; truncation is
    exercise 3).

    The recipe: each party j computes its share of e and f locally; open them; then
    party j's share of the product is ``c_j + product(e, b_j) + product(a_j, f)``, and
    exactly one party (party 0) also adds the public ``product(e, f)``. Check on paper
    that the shares add up to ``product(e + a, f + b)``.
    """
    raise ExerciseNotDone(2, "beaver_multiply")
