"""SecureNN protocols on raw shares: correctness, range boundary, closed-form costs, privacy."""
import numpy as np
import pytest
from scipy import stats

import smpc
from smpc.securenn import (compute_msb, drelu_bits, private_compare, relu_shares,
                           select_share_shares, share_convert, wrap_bit_shares)
from smpc import workspace
from smpc.securenn.field import (P, Z_L_MINUS_1, add_lm1, bit_decompose, bit_planes, double_lm1,
                                 mod_p, random_lm1, random_multiplier_and_mask,
                                 random_nonzero_zp, random_zp, reduce_lm1, share_zp, split_lm1,
                                 sub_lm1, uniform_below)
from smpc.securenn.private_compare import private_compare_planes
from smpc.sharing import reconstruct, split

TOP = 2**62 - 1  # largest magnitude of the valid range


@pytest.fixture
def parties():
    alice, bob, cp = smpc.make_parties(seed=2019)
    return (alice, bob), cp


def edge_values():
    return np.array([0, 1, -1, 2, -2, TOP, -TOP, -2**62, 2**61, -2**61], dtype=np.int64)


def random_in_range(rng, n):
    return rng.integers(-2**62, 2**62, n, dtype=np.int64)


# -- the algebra ---------------------------------------------------------------------------

def test_bit_decompose_least_significant_first():
    values = np.array([0, 1, 6, 2**63, 2**64 - 1], dtype=np.uint64)
    bits = bit_decompose(values)
    weights = np.array([1 << i for i in range(64)], dtype=object)
    assert [int((b.astype(object) * weights).sum()) for b in bits] == [int(v) for v in values]


def test_z_l_minus_1_arithmetic_matches_python_integers():
    rng = np.random.default_rng(0)
    m = 2**64 - 1
    a = reduce_lm1(rng.integers(0, 2**64, 2000, dtype=np.uint64))
    b = reduce_lm1(rng.integers(0, 2**64, 2000, dtype=np.uint64))
    a[:3], b[:3] = [0, m - 1, m - 1], [0, m - 1, 1]
    for got, want in [(add_lm1(a, b), lambda x, y: (x + y) % m),
                      (sub_lm1(a, b), lambda x, y: (x - y) % m),
                      (double_lm1(a), lambda x, y: 2 * x % m)]:
        assert [int(v) for v in got] == [want(int(x), int(y)) for x, y in zip(a, b)]
    shares = split_lm1(a)
    assert (add_lm1(shares[0], shares[1]) == a).all()
    assert (random_lm1((1000,)) != np.uint64(m)).all()


def test_z_p_draws_are_uniform_and_shares_add_up():
    smpc.manual_seed(1)
    for draw, support in [(random_zp, range(P)), (random_nonzero_zp, range(1, P))]:
        counts = np.bincount(draw((200_000,)), minlength=P)[list(support)]
        assert counts.sum() == 200_000
        assert stats.chisquare(counts).pvalue > 1e-4
    bits = np.random.default_rng(0).integers(0, 2, (50, 64)).astype(np.uint8)
    shares = share_zp(bits)
    assert shares.dtype == np.uint8 and (shares < P).all()
    assert ((shares[0].astype(int) + shares[1]) % P == bits).all()


def test_bit_planes_are_the_transposed_bits():
    values = np.random.default_rng(1).integers(0, 2**64, 777, dtype=np.uint64)
    values[:3] = [0, 2**64 - 1, 2**63]
    assert (bit_planes(values) == bit_decompose(values).T).all()
    out = np.empty((64, 777), np.uint8)
    assert bit_planes(values, out=out) is out


def test_exact_draws_cover_their_range_uniformly():
    smpc.manual_seed(2)
    for m in (P - 1, P, 1000):
        counts = np.bincount(uniform_below((300_000,), m), minlength=m)
        assert counts.size == m and stats.chisquare(counts).pvalue > 1e-4
    s, z = random_multiplier_and_mask((100, 2000))
    assert s.min() == 1 and s.max() == P - 1 and z.min() == 0 and z.max() == P - 1
    # s and z independent: their pairs are uniform on Z_p^* x Z_p
    pairs = np.bincount(((s.astype(int) - 1) * P + z).ravel(), minlength=(P - 1) * P)
    assert stats.chisquare(pairs).pvalue > 1e-4


def test_mod_p_in_uint16():
    v = np.arange(2**16, dtype=np.uint16)
    assert (mod_p(v.copy()) == v % P).all()


def test_workspace_buffers_are_reused_and_bounded():
    space = workspace.Workspace()
    first = space.buffer("test.a", (3, 5), np.uint16)
    again = space.buffer("test.a", (2, 4), np.uint8)
    assert np.shares_memory(first, again) and again.shape == (2, 4)
    huge = space.buffer("test.huge", (workspace.KEEP_LIMIT + 1,), np.uint8)
    assert "test.huge" not in space._buffers and huge.size == workspace.KEEP_LIMIT + 1


# -- PrivateCompare ------------------------------------------------------------------------

def test_private_compare_all_cases(parties):
    holders, cp = parties
    rng = np.random.default_rng(3)
    x = rng.integers(0, 2**64, 6000, dtype=np.uint64)
    r = x.copy()
    r[:1000] += np.uint64(1)          # x < r by one
    r[1000:2000] -= np.uint64(1)      # x > r by one
    r[2000:3000] = rng.integers(0, 2**64, 1000, dtype=np.uint64)
    r[3000:3010] = np.uint64(2**64 - 1)   # the special case when beta = 1
    x[3010:3020], r[3010:3020] = np.uint64(2**64 - 1), np.uint64(0)
    for beta in (np.zeros(6000, bool), np.ones(6000, bool), rng.integers(0, 2, 6000).astype(bool)):
        got = private_compare(share_zp(bit_decompose(x)), r, beta, holders, cp)
        assert (got == (beta ^ (x > r))).all()


def test_private_compare_planes_and_reused_buffers_across_sizes(parties):
    """The bit-plane entry point agrees with the row one, and the kept buffers give right
    answers whatever the order of sizes (a power of two, blocks, smaller, larger)."""
    holders, cp = parties
    rng = np.random.default_rng(10)
    for n in (8192, 37, workspace.BLOCK + 5, 1, 3000):
        x = rng.integers(0, 2**64, n, dtype=np.uint64)
        r = x.copy()
        r[: n // 2] = rng.integers(0, 2**64, n // 2, dtype=np.uint64)
        beta = rng.integers(0, 2, n).astype(bool)
        want = beta ^ (x > r)
        assert (private_compare_planes(share_zp(bit_planes(x)), r, beta, holders, cp)
                == want).all()
        assert (private_compare(share_zp(bit_decompose(x)), r, beta, holders, cp) == want).all()


# -- ShareConvert and the wrap bit ---------------------------------------------------------

def test_share_convert_gives_the_same_value_mod_l_minus_1(parties):
    holders, cp = parties
    rng = np.random.default_rng(4)
    a = np.concatenate([edge_values(), rng.integers(-2**63, 2**63 - 1, 20000, dtype=np.int64)])
    a = a[a != -1]  # ShareConvert's one excluded input, L - 1
    converted = share_convert(split(a, 2), holders, cp)
    assert converted.dtype == np.uint64
    assert (add_lm1(converted[0], converted[1]) == reduce_lm1(a.view(np.uint64))).all()


def test_wrap_bit_shares_in_both_rings(parties):
    holders, cp = parties
    a = np.concatenate([edge_values(), random_in_range(np.random.default_rng(5), 20000)])
    shares = split(a, 2)
    u = shares.view(np.uint64)
    wrap = (u[0] + u[1] < u[0]).astype(np.int64)
    assert 0 < wrap.mean() < 1
    assert (reconstruct(wrap_bit_shares(shares, holders, cp)) == wrap).all()
    in_lm1 = wrap_bit_shares(shares, holders, cp, ring=Z_L_MINUS_1)
    assert (add_lm1(in_lm1[0], in_lm1[1]) == wrap.astype(np.uint64)).all()
    square = wrap_bit_shares(shares[:, :10000].reshape(2, 100, 100), holders, cp)
    assert (reconstruct(square) == wrap[:10000].reshape(100, 100)).all()


# -- ComputeMSB, DReLU, ReLU, SelectShare --------------------------------------------------

def test_compute_msb(parties):
    holders, cp = parties
    a = reduce_lm1(np.random.default_rng(6).integers(0, 2**64, 20000, dtype=np.uint64))
    a[:4] = [0, 1, 2**63 - 1, 2**64 - 2]
    msb = reconstruct(compute_msb(split_lm1(a), holders, cp))
    assert (msb == (a >> np.uint64(63)).astype(np.int64)).all()


def test_drelu_edges_and_100k_random_values(parties):
    holders, cp = parties
    a = np.concatenate([edge_values(), random_in_range(np.random.default_rng(7), 100_000)])
    bit = reconstruct(drelu_bits(split(a, 2), holders, cp))
    assert (bit == (a >= 0)).all()


def test_drelu_keeps_shape(parties):
    holders, cp = parties
    a = np.arange(-12, 12).reshape(2, 3, 4)
    bit = drelu_bits(split(a, 2).transpose(0, 3, 1, 2), holders, cp)
    assert bit.shape == (2, 4, 2, 3)
    assert (reconstruct(bit) == (a >= 0).transpose(2, 0, 1)).all()


def test_valid_range_is_tight(parties):
    """|a| < 2^62 is the range: just outside it, doubling overflows and the sign flips."""
    holders, cp = parties
    a = np.array([2**62 - 1, -2**62, 2**62, -2**62 - 1], dtype=np.int64)
    assert reconstruct(drelu_bits(split(a, 2), holders, cp)).tolist() == [1, 0, 0, 1]


def test_drelu_needs_two_holders():
    alice, bob, carol, cp = smpc.make_parties(seed=0, names=("alice", "bob", "carol"))
    with pytest.raises(smpc.ProtocolError, match="exactly two"):
        drelu_bits(split(np.zeros(3, np.int64), 3), (alice, bob, carol), cp)


def test_relu_and_select_share(parties):
    holders, cp = parties
    a = np.concatenate([edge_values(), random_in_range(np.random.default_rng(8), 5000)])
    relu, bit = relu_shares(split(a, 2), holders, cp)
    assert (reconstruct(relu) == np.maximum(a, 0)).all()
    assert (reconstruct(bit) == (a >= 0)).all()
    b = a[::-1].copy()
    chosen = select_share_shares(bit, split(a, 2), split(b, 2), holders, cp)
    assert (reconstruct(chosen) == np.where(a >= 0, b, a)).all()


# -- communication equals the closed forms -------------------------------------------------

N = 300


def measured(holders, fn):
    with holders[0].network.measure() as st:
        fn()
    return st


def test_cost_private_compare(parties):
    holders, cp = parties
    x = np.arange(N, dtype=np.uint64)
    st = measured(holders, lambda: private_compare(
        share_zp(bit_decompose(x)), x, np.zeros(N, bool), holders, cp))
    assert (st.bytes, st.rounds, st.offline_bytes) == (128 * N, 1, 0)
    assert st.by_protocol["private_compare"].bytes == 128 * N


def test_cost_share_convert(parties):
    holders, cp = parties
    st = measured(holders, lambda: share_convert(split(np.arange(N), 2), holders, cp))
    assert (st.bytes, st.rounds, st.offline_bytes) == (304 * N, 4, 0)
    assert st.by_protocol["share_convert"].bytes == 176 * N
    assert st.by_protocol["private_compare"].bytes == 128 * N


def test_cost_compute_msb(parties):
    holders, cp = parties
    a = split_lm1(np.arange(N, dtype=np.uint64))
    st = measured(holders, lambda: compute_msb(a, holders, cp))
    assert (st.bytes, st.rounds) == (192 * N, 4)
    # offline: x, its bits and its LSB from P2 (160n) + a Beaver triple by PRG keys
    # (an 8n correction; the keys are agreed once per session).
    assert st.offline_bytes == 160 * N + 8 * N  # P2's x, bits, LSB; the triple's correction
    assert st.by_protocol["beaver_mul"].bytes == 32 * N


def test_cost_drelu_relu_select(parties):
    holders, cp = parties
    a = split(np.arange(N) - N // 2, 2)
    st = measured(holders, lambda: drelu_bits(a, holders, cp))
    assert (st.bytes, st.rounds) == (496 * N, 8)
    st = measured(holders, lambda: relu_shares(a, holders, cp))
    assert (st.bytes, st.rounds) == (528 * N, 9)
    st = measured(holders, lambda: select_share_shares(a, a, a, holders, cp))
    assert (st.bytes, st.rounds) == (32 * N, 1)


# -- privacy: the helper's view does not depend on the compared value ----------------------

def helper_views(value, runs=12, n=1000):
    """What P2 receives in PrivateCompare during DReLU of n copies of ``value``, per run."""
    alice, bob, cp = smpc.make_parties(seed=int(abs(value)) % 1000 + 7)
    holders = (alice, bob)
    from_alice, from_bob = [], []
    for _ in range(runs):
        with alice.network.record_views() as views:
            drelu_bits(split(np.full(n, value, np.int64), 2), holders, cp)
        for m in views["crypto_provider"]:
            if m.protocol == "private_compare":
                (from_alice if m.sender == "alice" else from_bob).append(m.payload)
    return np.concatenate(from_alice), np.concatenate(from_bob)


def same_distribution(counts_a, counts_b):
    table = np.array([counts_a, counts_b])
    table = table[:, table.sum(axis=0) > 0]
    return stats.chi2_contingency(table).pvalue


def test_private_compare_view_is_independent_of_the_value():
    (a0, a1), (b0, b1) = helper_views(-5), helper_views(2**61 + 12345)
    assert a0.dtype == np.uint8 and a0.shape[1] == 64
    strict = 1e-3
    # every entry the holders send, alone and as a pair (the helper's full per-entry view)
    for x, y in [(a0, b0), (a1, b1)]:
        assert same_distribution(np.bincount(x.ravel(), minlength=P),
                                 np.bincount(y.ravel(), minlength=P)) > strict
    pair_a = np.bincount((a0.astype(int) * P + a1).ravel(), minlength=P * P)
    pair_b = np.bincount((b0.astype(int) * P + b1).ravel(), minlength=P * P)
    assert same_distribution(pair_a, pair_b) > strict
    # per row: zero or one zero entry, a fair coin either way; its position uniform
    for d0, d1 in [(a0, a1), (b0, b1)]:
        zero = (d0.astype(int) + d1) % P == 0
        per_row = zero.sum(axis=1)
        assert per_row.max() == 1
        assert stats.binomtest(int(per_row.sum()), per_row.size).pvalue > strict
        assert stats.chisquare(np.bincount(np.nonzero(zero)[1], minlength=64)).pvalue > strict
    zeros_a = ((a0.astype(int) + a1) % P == 0).sum(axis=1)
    zeros_b = ((b0.astype(int) + b1) % P == 0).sum(axis=1)
    assert same_distribution(np.bincount(zeros_a, minlength=2),
                             np.bincount(zeros_b, minlength=2)) > strict


def test_private_compare_view_is_independent_of_the_shares_the_helper_dealt(parties):
    """P2 dealt the bit shares, so it knows x^0.  For r = 0 it could then compute where
    party 0's c^0_i are zero; the re-randomisation d = s c + (-1)^j z hides that."""
    holders, cp = parties
    n = 20000
    x = np.random.default_rng(9).integers(0, 2**64, n, dtype=np.uint64)
    shares = share_zp(bit_decompose(x))
    with holders[0].network.record_views() as views:
        private_compare(shares, np.zeros(n, np.uint64), np.zeros(n, bool), holders, cp)
    d0 = next(m.payload for m in views["crypto_provider"] if m.sender == "alice")
    x0 = shares[0].astype(int)
    above = x0[:, ::-1].cumsum(axis=1)[:, ::-1] - x0      # sum over k > i (q = 0)
    predicted = np.minimum(((above - x0) % P == 0).sum(axis=1), 3)
    observed = np.minimum((d0 == 0).sum(axis=1), 3)
    table = np.zeros((4, 4))
    np.add.at(table, (predicted, observed), 1)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    assert stats.chi2_contingency(table).pvalue > 1e-3
