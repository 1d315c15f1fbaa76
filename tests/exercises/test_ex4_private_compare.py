"""Exercise 4: SecureNN PrivateCompare (tutorial 04). Marker: ex_private_compare."""
import numpy as np
import pytest

from checks import check, check_equal, check_shape

EXERCISE = "ex4_private_compare"
pytestmark = pytest.mark.ex_private_compare

P = 67
TOP = np.uint64(2 ** 64 - 1)


def bits_of(x):
    return np.unpackbits(np.ascontiguousarray(x, dtype="<u8").view(np.uint8).reshape(-1, 8),
                         axis=-1, bitorder="little").astype(np.int64)


def share_bits(rng, x, alice_holds_zeros=False):
    """Shares in Z_p of the bits of x; with ``alice_holds_zeros``, alice's shares are all 0
    (a valid sharing, one the helper could deal: bob then holds the bits themselves)."""
    bits = bits_of(x)
    mask = np.zeros_like(bits) if alice_holds_zeros else rng.integers(0, P, size=bits.shape)
    return np.stack([mask, (bits - mask) % P]).astype(np.uint8)


def random_u64(rng, n):
    return rng.integers(-2 ** 63, 2 ** 63, size=n, dtype=np.int64).view(np.uint64)


class Helper:
    """The test's send_to_helper: records what the helper received."""

    def __init__(self):
        self.received = []

    def __call__(self, messages):
        messages = np.asarray(messages)
        self.received.append(messages.copy())
        return messages


def run(impl, rng, x, r, beta, alice_holds_zeros=False):
    helper = Helper()
    out = impl.private_compare(share_bits(rng, x, alice_holds_zeros), r, beta, helper, rng=rng)
    check(len(helper.received) == 1,
          f"send_to_helper was called {len(helper.received)} times, expected exactly once",
          "PrivateCompare is one round: both messages go to the helper in one call")
    return np.asarray(out).astype(bool), helper


def check_answers(out, x, r, beta, what):
    expected = (x > r) ^ np.asarray(beta).astype(bool)
    check_shape(out, expected.shape, "the helper's answer")
    check_equal(out, expected, f"the helper's answer beta XOR (x > r) ({what})",
                axes=["value"], inputs={"x": x, "r": r, "beta": np.asarray(beta)},
                hint="beta = 0 tests x > r; beta = 1 tests x <= r with t = r + 1 and the first "
                     "two terms negated (sigma = -1); public terms (j*r_i, the +1) are added "
                     "by party 1 only; r = 2^64 - 1 with beta = 1 needs the fixed answer 1")


@pytest.mark.parametrize("beta_value", [0, 1])
def test_random_values(impl, beta_value):
    rng = np.random.default_rng(40)
    n = 2000
    x, r = random_u64(rng, n), random_u64(rng, n)
    x[:500] = r[:500]                                  # x == r
    x[500:700] = r[500:700] + np.uint64(1)             # x == r + 1
    x[700:900] = r[700:900] - np.uint64(1)             # x == r - 1
    beta = np.full(n, beta_value)
    out, _ = run(impl, rng, x, r, beta)
    check_answers(out, x, r, beta, f"random values, beta = {beta_value}")


def test_edge_values(impl):
    rng = np.random.default_rng(41)
    edges = np.array([0, 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 2, 2 ** 64 - 1], dtype=np.uint64)
    x, r = (a.ravel() for a in np.meshgrid(edges, edges))
    for beta_value in (0, 1):  # includes r = 2^64 - 1 with beta = 1, the special case
        beta = np.full(x.shape, beta_value)
        out, _ = run(impl, rng, x, r, beta)
        check_answers(out, x, r, beta, f"edge values, beta = {beta_value}")


def test_mixed_beta(impl):
    rng = np.random.default_rng(42)
    n = 1000
    x, r = random_u64(rng, n), random_u64(rng, n)
    beta = rng.integers(0, 2, n)
    out, _ = run(impl, rng, x, r, beta)
    check_answers(out, x, r, beta, "beta different per value")


def test_one_message_each_in_z_p(impl):
    rng = np.random.default_rng(43)
    n = 50
    _, helper = run(impl, rng, random_u64(rng, n), random_u64(rng, n), np.zeros(n, dtype=int))
    messages = helper.received[0]
    check_shape(messages, (2, n, 64), "the messages sent to the helper",
                "one row of 64 numbers per compared value, from each of the two parties")
    check(messages.min() >= 0 and messages.max() < P,
          f"the messages hold values from {messages.min()} to {messages.max()}, outside Z_67",
          "reduce every entry mod 67 (in int64, before converting to uint8)")


def test_what_the_helper_sees_is_masked(impl):
    """Same x > r in every row: the helper sees one zero at a uniform position, and
    uniform non-zero values everywhere else."""
    rng = np.random.default_rng(44)
    n = 20_000
    x = np.full(n, 2 ** 40 + 12345, dtype=np.uint64)
    r = np.full(n, 2 ** 40, dtype=np.uint64)
    out, helper = run(impl, rng, x, r, np.zeros(n, dtype=int))
    check_answers(out, x, r, np.zeros(n, dtype=int), "x > r in every row")
    total = helper.received[0].astype(np.int64).sum(axis=0) % P
    zeros = total == 0
    check_equal(zeros.sum(axis=1), np.ones(n, dtype=int), "the number of zeros in the helper's sum",
                axes=["row"], hint="exactly one c_i is zero when x > r; masking must keep it a zero")
    position_counts = np.bincount(np.argmax(zeros, axis=1), minlength=64)
    expected = n / 64
    worst = int(np.argmax(np.abs(position_counts - expected)))
    check(np.max(np.abs(position_counts - expected)) < 5.5 * np.sqrt(expected),
          f"the zero sits at position {worst} in {position_counts[worst]} of {n} rows "
          f"(a uniform position: about {expected:.0f})",
          "shuffle the 64 positions of each row with a common random permutation")
    value_counts = np.bincount(total[~zeros], minlength=P)[1:]
    expected = (~zeros).sum() / (P - 1)
    worst = int(np.argmax(np.abs(value_counts - expected)))
    check(np.max(np.abs(value_counts - expected)) < 5.5 * np.sqrt(expected),
          f"the non-zero entries of the helper's sum take the value {worst + 1} "
          f"{value_counts[worst]} times (uniform on 1..66: about {expected:.0f})",
          "multiply every c_i by a common random s_i in [1, 67)")


def test_each_message_alone_is_uniform(impl):
    """The mask z: even when alice's bit shares are all zero (a sharing the helper itself
    could have dealt), her message must be uniform on Z_p, and so must bob's."""
    rng = np.random.default_rng(45)
    n = 3000
    x, r = random_u64(rng, n), random_u64(rng, n)
    out, helper = run(impl, rng, x, r, np.zeros(n, dtype=int), alice_holds_zeros=True)
    check_answers(out, x, r, np.zeros(n, dtype=int), "alice's bit shares all zero")
    for party, name in enumerate(["alice", "bob"]):
        counts = np.bincount(helper.received[0][party].ravel().astype(np.int64), minlength=P)
        expected = n * 64 / P
        worst = int(np.argmax(np.abs(counts - expected)))
        check(np.max(np.abs(counts - expected)) < 5.5 * np.sqrt(expected),
              f"{name}'s message (party {party}) holds the value {worst} {counts[worst]} times "
              f"in {n * 64} entries (uniform: about {expected:.0f}); with alice's bit shares all "
              f"zero, her c_i are 0 and s_i * c_i is 0 too",
              "re-randomise the pair: party 0 adds a common random z_i in [0, 67), party 1 "
              "subtracts it")
