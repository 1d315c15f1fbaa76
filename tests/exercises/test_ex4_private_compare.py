"""Exercise 4: SecureNN PrivateCompare (tutorial 04). Marker: ex_private_compare."""
import numpy as np
import pytest

EXERCISE = "ex4_private_compare"
pytestmark = pytest.mark.ex_private_compare

P = 67
TOP = np.uint64(2 ** 64 - 1)


def bits_of(x):
    return np.unpackbits(np.ascontiguousarray(x, dtype="<u8").view(np.uint8).reshape(-1, 8),
                         axis=-1, bitorder="little").astype(np.int64)


def share_bits(rng, x):
    bits = bits_of(x)
    mask = rng.integers(0, P, size=bits.shape)
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


def run(impl, rng, x, r, beta):
    helper = Helper()
    out = impl.private_compare(share_bits(rng, x), r, beta, helper, rng=rng)
    return np.asarray(out).astype(bool), helper


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
    assert out.shape == (n,)
    assert np.array_equal(out, (x > r) ^ bool(beta_value))


def test_edge_values(impl):
    rng = np.random.default_rng(41)
    edges = np.array([0, 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 2, 2 ** 64 - 1], dtype=np.uint64)
    x, r = (a.ravel() for a in np.meshgrid(edges, edges))
    for beta_value in (0, 1):  # includes r = 2^64 - 1 with beta = 1, the special case
        beta = np.full(x.shape, beta_value)
        out, _ = run(impl, rng, x, r, beta)
        assert np.array_equal(out, (x > r) ^ bool(beta_value)), f"beta = {beta_value}"


def test_mixed_beta(impl):
    rng = np.random.default_rng(42)
    n = 1000
    x, r = random_u64(rng, n), random_u64(rng, n)
    beta = rng.integers(0, 2, n)
    out, _ = run(impl, rng, x, r, beta)
    assert np.array_equal(out, (x > r) ^ beta.astype(bool))


def test_one_message_each_in_z_p(impl):
    rng = np.random.default_rng(43)
    n = 50
    _, helper = run(impl, rng, random_u64(rng, n), random_u64(rng, n), np.zeros(n, dtype=int))
    assert len(helper.received) == 1, "send_to_helper must be called exactly once"
    messages = helper.received[0]
    assert messages.shape == (2, n, 64)
    assert messages.min() >= 0 and messages.max() < P


def test_what_the_helper_sees_is_masked(impl):
    """Same x > r in every row: the helper sees one zero at a uniform position, and
    uniform non-zero values everywhere else."""
    rng = np.random.default_rng(44)
    n = 20_000
    x = np.full(n, 2 ** 40 + 12345, dtype=np.uint64)
    r = np.full(n, 2 ** 40, dtype=np.uint64)
    out, helper = run(impl, rng, x, r, np.zeros(n, dtype=int))
    assert out.all()
    total = helper.received[0].astype(np.int64).sum(axis=0) % P
    zeros = total == 0
    assert np.array_equal(zeros.sum(axis=1), np.ones(n)), "exactly one zero per row"
    position_counts = np.bincount(np.argmax(zeros, axis=1), minlength=64)
    expected = n / 64
    assert np.max(np.abs(position_counts - expected)) < 5.5 * np.sqrt(expected), \
        "the zero's position must be uniformly random (shuffle the positions)"
    value_counts = np.bincount(total[~zeros], minlength=P)[1:]
    expected = (~zeros).sum() / (P - 1)
    assert np.max(np.abs(value_counts - expected)) < 5.5 * np.sqrt(expected), \
        "the non-zero values must be uniform on 1..66 (multiply by random s_i)"
