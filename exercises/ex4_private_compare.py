"""Exercise 4: SecureNN's PrivateCompare.

Read first: ``tutorials/04_securenn_private_compare.py``, and the section "PrivateCompare"
of ``docs/PROTOCOLS.md``. The paper: Wagh, Gupta & Chandran, "SecureNN", PETS 2019,
Algorithm 3. (``smpc/securenn/textbook.py`` is a worked solution: read it after trying.)
Test your code with::

    pytest tests/exercises -m ex_private_compare --implementation=learner

The setting: alice (party 0) and bob (party 1) hold shares, in the field Z_p with
p = 67, of the 64 bits of a secret number x. They also know a public number r and a
random bit beta that they drew in common (the helper does not know beta). They send
one masked message each to the helper (the crypto provider), who learns
``beta XOR (x > r)`` and nothing else: since beta is a fair coin the helper never sees,
that bit is a coin flip to it.

Replace ``raise ExerciseNotDone(...)`` with your code, using NumPy only.
"""
from exercises import ExerciseNotDone

P = 67


def private_compare(bit_shares, r, beta, send_to_helper, rng=None):
    """The helper's output ``beta XOR (x > r)``, computed as the protocol computes it.

    Parameters
    ----------
    bit_shares : uint8 array, shape ``(2, n, 64)``
        ``bit_shares[j, k, i]`` is party j's share in Z_p of bit i (least significant
        first) of the k-th secret x; ``(bit_shares[0] + bit_shares[1]) % 67`` are the bits.
    r : uint64 array, shape ``(n,)``: the public numbers to compare with.
    beta : array of 0/1, shape ``(n,)``: the holders' common random bits.
    send_to_helper : function
        ``send_to_helper(messages) -> received``: ``messages`` is a uint8 array of shape
        ``(2, n, 64)`` with values in [0, 67), party j's message in ``messages[j]``; the
        return value is what the helper received (the same two messages). Call it exactly
        once: it is the only communication of the protocol.
    rng : numpy.random.Generator or None
        For the common randomness of the holders (s, z and the permutation); a fresh
        ``numpy.random.default_rng()`` if None.

    Returns
    -------
    bool array of shape ``(n,)``: ``beta XOR (x > r)``, as the *helper* computes it from
    the two messages it received (and from nothing else).

    The steps (all arithmetic in Z_p; public terms added by party 1 only, "j" is 0 or 1):

    1. Where beta = 0: w_i = x_i XOR r_i = x_i + j*r_i - 2*r_i*x_i and
       c_i = j*r_i - x_i + j + (sum over k > i of w_k). Some c_i is 0 exactly when x > r.
    2. Where beta = 1 (and r != 2^64 - 1): the same with t = r + 1 in place of r and the
       first two terms negated: c_i = x_i - j*t_i + j + (sum over k > i of x_k XOR t_k).
       Some c_i is 0 exactly when x < t, i.e. x <= r.
    3. Where beta = 1 and r = 2^64 - 1 (then x <= r always: the answer must be 1): any
       shares of a vector with exactly one zero, e.g. party 1 holds 0 everywhere and
       party 0 holds 0 at one position and 1 elsewhere.
    4. Mask, with randomness the two parties draw in common (from ``rng``):
       d_i = s_i * c_i + (-1)^j * z_i, with s_i uniform in [1, p) (a zero stays zero,
       any other value becomes uniform) and z_i uniform in [0, p) (party 0 adds it,
       party 1 subtracts it: the sum is unchanged, but the two messages become a fresh
       random pair; in SecureNN the helper dealt the bit shares, and without z it could
       relate each message to the shares it knows). Then shuffle the 64 positions of
       each row with a common random permutation (or rotation), so the position of the
       zero says nothing.
    5. Send. The helper adds the two messages mod p and answers 1 for a row with a zero.

    Hint: the suffix sums "over k > i" for all i at once are one reversed cumulative sum.
    Convert to int64 before computing, and reduce mod 67 before sending as uint8.
    """
    raise ExerciseNotDone(4, "private_compare")
