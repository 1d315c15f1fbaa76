"""Exercise 5: ComputeMSB and DReLU, the sign of a secret number.

Read first: ``tutorials/05_securenn_share_convert_msb_drelu.py`` (ShareConvert, ComputeMSB,
DReLU), and the sections "ComputeMSB" and "DReLU and ReLU" of ``docs/PROTOCOLS.md``.
The paper: Wagh, Gupta & Chandran, "SecureNN", PETS 2019, Algorithms 4 and 5.
Test your code with::

    pytest tests/exercises -m ex_drelu --implementation=learner

You get the building blocks in ``tools`` (a :class:`exercises.securenn_tools.SecureNNTools`:
dealing, opening, PrivateCompare, Beaver multiplication, ShareConvert) and the local
arithmetic mod L - 1 in :mod:`exercises.securenn_tools` (``add_lm1``, ``double_lm1``).
Your task is to put them together. L = 2^64.

Replace each ``raise ExerciseNotDone(...)`` with your code.
"""
from exercises import ExerciseNotDone
from exercises.securenn_tools import add_lm1, double_lm1  # noqa: F401  (for you to use)


def compute_msb(a_shares, tools):
    """Shares in Z_L (int64 ``(2, n)``, values 0/1) of the most significant bit of a.

    ``a_shares``: uint64 ``(2, n)``, shares of a in Z_{L-1}.

    Why it works: L - 1 is odd, so MSB(a) = LSB(2a mod L-1). To get the LSB of y = 2a,
    mask it: r = y + x (mod L-1) with the helper's random x. Then
    LSB(y) = LSB(x) XOR LSB(r) XOR (x > r), because the sum wrapped exactly when x > r,
    and a wrap subtracts the odd L - 1, flipping the LSB.

    1. ``x_shares, x_bit_shares, x0_shares = tools.deal_mask(n)``; ``beta = tools.coin(n)``.
    2. Each party: y_j = 2 a_j and r_j = y_j + x_j (mod L-1); open r (``tools.open_lm1``).
    3. ``tools.private_compare(x_bit_shares, r, beta)`` gives shares of
       beta' = beta XOR (x > r).
    4. gamma = beta' XOR beta (= x > r) and delta = x0 XOR LSB(r), both XORs of a shared
       bit u with a public bit b: u + b - 2bu, the public b added by party 0 only.
       theta = gamma * delta (``tools.multiply``), and MSB = gamma + delta - 2 theta,
       plus ``tools.zero_shares(n)`` so the result's shares are fresh.
    """
    raise ExerciseNotDone(5, "compute_msb")


def drelu(a_shares, tools):
    """Shares in Z_L (int64, the shape of ``a_shares``) of DReLU(a) = 1 if a >= 0 else 0.

    ``a_shares``: int64 ``(2, n)``, shares of a in Z_L, with -2^62 <= a < 2^62.

    DReLU(a) = 1 - MSB(ShareConvert(2a)): doubling makes the value even (ShareConvert
    cannot take L - 1, which is odd) and keeps its sign while |a| < 2^62. The 1 is a public
    constant: party 0 adds it.
    """
    raise ExerciseNotDone(5, "drelu")
