"""The textbook SecureNN (smpc/securenn/textbook.py) equals the fast one on the same randomness.

Each case seeds the package's random source, runs the fast protocol, seeds it again the
same way and runs the textbook one on the same inputs: the outputs must be equal bit for
bit, and so must every message (sender, receiver, bytes, round) the network records.
Equal shares mean equal draws in the same order, so a change to the order of the fast
path's draws shows here first (the textbook then follows it; see its module docstring).
Correctness of the results against plaintext is tested once more here for the textbook
itself, on edge values.
"""
import numpy as np
import pytest

import smpc
from smpc import securenn
from smpc import workspace
from smpc.securenn import textbook
from smpc.securenn.field import bit_decompose, split_lm1
from smpc.sharing import reconstruct, split

SEED = 16


def run_with_seed(protocol, make_inputs):
    """Seed, make parties and inputs, run ``protocol``: (result, the messages on the network)."""
    alice, bob, helper = smpc.make_parties(seed=SEED)
    inputs = make_inputs()
    with helper.network.record_views() as views:
        result = protocol(*inputs, (alice, bob), helper)
    messages = [(name, m.sender, m.protocol, m.phase, np.array(m.payload))
                for name, received in sorted(views.items()) for m in received]
    return result, messages


def first_difference(fast, plain):
    """Where two result arrays first differ, in words, or None."""
    fast, plain = np.asarray(fast), np.asarray(plain)
    if fast.shape != plain.shape:
        return f"shapes differ: fast {fast.shape}, textbook {plain.shape}"
    if fast.dtype != plain.dtype:
        return f"dtypes differ: fast {fast.dtype}, textbook {plain.dtype}"
    unequal = np.argwhere(fast != plain)
    if unequal.size == 0:
        return None
    where = tuple(int(i) for i in unequal[0])
    return (f"{len(unequal)} entries differ; the first at index {where}: fast {fast[where]}, "
            f"textbook {plain[where]} (index 0 is the party axis where there is one)")


def assert_same(fast_protocol, plain_protocol, make_inputs):
    fast, fast_messages = run_with_seed(fast_protocol, make_inputs)
    plain, plain_messages = run_with_seed(plain_protocol, make_inputs)
    difference = first_difference(fast, plain)
    assert difference is None, f"{plain_protocol.__name__}: {difference}"
    assert len(fast_messages) == len(plain_messages), (
        f"{plain_protocol.__name__}: {len(fast_messages)} messages on the fast path, "
        f"{len(plain_messages)} on the textbook path")
    for number, (fast_message, plain_message) in enumerate(zip(fast_messages, plain_messages)):
        *fast_route, fast_payload = fast_message
        *plain_route, plain_payload = plain_message
        assert fast_route == plain_route, (
            f"{plain_protocol.__name__}: message {number} goes (receiver, sender, protocol, "
            f"phase) {fast_route} on the fast path, {plain_route} on the textbook path")
        if fast_payload.shape != plain_payload.shape and fast_payload.T.shape == plain_payload.shape:
            fast_payload = fast_payload.T     # Z_p bit shares: sent bit-major by the fast path
        difference = first_difference(fast_payload, plain_payload)
        assert difference is None, (
            f"{plain_protocol.__name__}: message {number} ({fast_route[1]} to {fast_route[0]}, "
            f"{fast_route[2]}): {difference}")
    return plain


def edge_and_random(n, rng):
    top = 2**62 - 1
    edges = np.array([0, 1, -1, 2, -2, top, -top, -2**62, 2**40, -2**40], dtype=np.int64)
    return np.concatenate([edges, rng.integers(-2**62, 2**62, n, dtype=np.int64)])


@pytest.mark.parametrize("n", [1, 300, workspace.BLOCK + 7], ids=["one", "300", "two-blocks"])
def test_private_compare_equals_the_fast_path(n):
    rng = np.random.default_rng(n)
    x = rng.integers(0, 2**64, n, dtype=np.uint64)
    r = x + rng.integers(-2, 3, n).astype(np.int64).view(np.uint64)  # x - 2 .. x + 2
    r[::3] = rng.integers(0, 2**64, r[::3].size, dtype=np.uint64)    # and far apart
    r[:1] = np.uint64(2**64 - 1)                                       # the fixed answer
    beta = rng.integers(0, 2, n).astype(bool)
    beta[:1] = True
    u = rng.integers(0, securenn.P, (n, 64))
    bit_shares = np.stack([u, (bit_decompose(x).astype(np.int64) - u) % securenn.P]).astype(np.uint8)
    plain = assert_same(securenn.private_compare, textbook.private_compare,
                        lambda: (bit_shares.copy(), r.copy(), beta.copy()))
    assert (plain == (beta ^ (x > r))).all()


def test_share_convert_equals_the_fast_path():
    rng = np.random.default_rng(1)
    values = 2 * edge_and_random(200, rng)          # even, as DReLU feeds it
    plain = assert_same(securenn.share_convert, textbook.share_convert,
                        lambda: (split(values, 2),))
    got = [(int(u) + int(v)) % (2**64 - 1) for u, v in zip(*plain)]
    assert got == [int(v) % 2**64 % (2**64 - 1) for v in values]


def test_compute_msb_equals_the_fast_path():
    rng = np.random.default_rng(2)
    values = rng.integers(0, 2**64 - 1, 300, dtype=np.uint64)
    values[:3] = [0, 2**63 - 1, 2**63]
    plain = assert_same(securenn.compute_msb, textbook.compute_msb,
                        lambda: (split_lm1(values),))
    assert (reconstruct(plain) == (values >> np.uint64(63)).astype(np.int64)).all()


def test_drelu_equals_the_fast_path():
    rng = np.random.default_rng(3)
    values = edge_and_random(300, rng).reshape(31, 10)
    plain = assert_same(securenn.drelu_bits, textbook.drelu_bits, lambda: (split(values, 2),))
    assert (reconstruct(plain) == (values >= 0)).all()
