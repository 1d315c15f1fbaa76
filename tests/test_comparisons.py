"""The user-facing comparisons on SharedTensor: results, scales, ranges, costs, dispatch."""
import math

import numpy as np
import pytest

import smpc
from smpc import INTEGER_ENCODER, SharedTensor
from smpc.comparisons import drelu, relu_with_drelu

TOP = 2**62 - 1
HALF = 2**61
OPS = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal,
       "eq": np.equal}


@pytest.fixture
def parties():
    return smpc.make_parties(seed=7)


def raw(values, parties):
    """Share int64 ring values as they are (integer scale), to reach the range's edge."""
    alice, bob, cp = parties
    return SharedTensor.share_encoded(np.asarray(values, np.int64), (alice, bob), cp,
                                      INTEGER_ENCODER)


def revealed(t):
    return t.get().values


def test_drelu_edges_and_scale(parties):
    x = raw([0, 1, -1, TOP, -TOP], parties)
    bit = drelu(x)
    assert bit.encoder == INTEGER_ENCODER
    assert revealed(bit).tolist() == [1, 1, 0, 1, 0]


@pytest.mark.parametrize("name", sorted(OPS))
def test_shared_shared_edges_and_100k_random(parties, name):
    rng = np.random.default_rng(1)
    edge_x = [0, 1, -1, 0, 0, TOP, -TOP, 0, 0, 5]
    edge_y = [0, 0, 0, 1, -1, 0, 0, TOP, -TOP, 5]
    x = np.concatenate([edge_x, rng.integers(-HALF, HALF, 100_000)])
    y = np.concatenate([edge_y, rng.integers(-HALF, HALF, 100_000)])
    y[-1000:] = x[-1000:]  # plenty of ties
    got = getattr(smpc, name)(raw(x, parties), raw(y, parties))
    assert got.encoder == INTEGER_ENCODER
    assert (revealed(got) == OPS[name](x, y)).all()


@pytest.mark.parametrize("name", sorted(OPS))
def test_shared_public_edges_and_100k_random(parties, name):
    rng = np.random.default_rng(2)
    x = np.concatenate([[0, 1, -1, TOP, -TOP, 7, 2**31],
                        rng.integers(-HALF, HALF, 100_000)])
    public = rng.integers(-2**31, 2**31, x.size)
    public[:7] = [0, 0, 0, 0, 0, 7, 2**31]
    public[-1000:] = x[-1000:] = rng.integers(-2**31, 2**31, 1000)
    got = getattr(raw(x, parties), name)(public)
    assert (revealed(got) == OPS[name](x, public)).all()
    # a public number on the left: 3 > x is x < 3
    flipped = getattr(smpc, name)(3, raw(x[7:57], parties))
    assert (revealed(flipped) == OPS[name](3, x[7:57])).all()


def test_fixed_point_comparisons_and_broadcasting(parties):
    alice, bob, cp = parties
    a = np.array([[-1.5, 0.0, 2.25], [1e-5, -1e-5, 3.0]])
    x = smpc.share(a, alice, bob, crypto_provider=cp)
    assert (revealed(x > 0.0) == (x.get().float_precision() > 0)).all()
    row = smpc.share(np.array([0.0, 0.0, 3.0]), alice, bob, crypto_provider=cp)
    assert revealed(x.ge(row)).tolist() == [[0, 1, 0], [1, 0, 1]]
    assert revealed(x.eq(row)).tolist() == [[0, 1, 0], [0, 0, 1]]
    # usable in arithmetic: the count of matches, revealed alone
    assert revealed(x.eq(row).sum()) == 2
    assert revealed(x * x.gt(0)).tolist() == revealed(x.relu()).tolist()


def test_relu_values_and_kept_bit(parties):
    alice, bob, cp = parties
    a = np.random.default_rng(3).normal(scale=100, size=(64, 128))
    a[0, :3] = [0.0, 2**-16, -2**-16]
    x = smpc.share(a, alice, bob, crypto_provider=cp)
    relu, bit = relu_with_drelu(x)
    plain = x.get().values
    assert relu.encoder == x.encoder and bit.encoder == INTEGER_ENCODER
    assert (revealed(relu) == np.maximum(plain, 0)).all()
    assert (revealed(bit) == (plain >= 0)).all()
    relu_raw, _ = smpc.relu_with_drelu(raw([TOP, -TOP, 1, -1, 0], parties))
    assert revealed(relu_raw).tolist() == [TOP, 0, 1, 0, 0]


def test_select_share(parties):
    alice, bob, cp = parties
    x = smpc.share(np.array([1.0, 2.0, 3.0]), alice, bob, crypto_provider=cp)
    y = smpc.share(np.array([-1.0, 5.0, 0.5]), alice, bob, crypto_provider=cp)
    bit = raw([0, 1, 1], parties)
    assert smpc.select_share(bit, x, y).get().float_precision().tolist() == [1.0, 5.0, 0.5]
    assert smpc.select_share(bit, x, 0.0).get().float_precision().tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 10, 17])
def test_max_and_argmax_against_numpy(parties, n):
    rng = np.random.default_rng(n)
    a = rng.integers(-4, 4, size=(6, n, 3)).astype(float)  # small range: many ties
    a[0] = 1.0                                               # all equal
    x = smpc.share(a, *parties[:2], crypto_provider=parties[2])
    for axis in (1, -2, 0, 2):
        m, i = x.max(axis), x.argmax(axis)
        assert i.encoder == INTEGER_ENCODER and m.encoder == x.encoder
        assert (m.get().float_precision() == a.max(axis)).all()
        assert (revealed(i) == a.argmax(axis)).all()  # numpy: the first index on ties


def test_argmax_eq_target_counts_correct_predictions(parties):
    alice, bob, cp = parties
    output = np.random.default_rng(4).normal(size=(64, 10))
    target = output.argmax(1)
    target[:10] = (target[:10] + 1) % 10
    pred = smpc.share(output, alice, bob, crypto_provider=cp).argmax(axis=1)
    labels = SharedTensor.share_encoded(target, (alice, bob), cp, INTEGER_ENCODER)
    assert revealed(pred.eq(labels.view(pred.shape)).sum()) == 54
    assert revealed(pred.eq(target).sum()) == 54


@pytest.mark.parametrize("n, m", [(10, 64), (7, 5)])
def test_tournament_costs(parties, n, m):
    x = smpc.share(np.zeros((m, n)), *parties[:2], crypto_provider=parties[2])
    for fn, per_step in [(smpc.max_along, 528), (smpc.argmax, 544)]:
        with x.network.measure() as st:
            fn(x, 1)
        assert (st.bytes, st.rounds) == (per_step * (n - 1) * m, 9 * math.ceil(math.log2(n)))


def test_comparison_costs(parties):
    x = raw(np.arange(40) - 20, parties)
    for name, (nbytes, rounds) in {"gt": (496, 8), "le": (496, 8), "eq": (992, 8)}.items():
        with x.network.measure() as st:
            getattr(x, name)(x[::-1])
        assert (st.bytes, st.rounds) == (nbytes * 40, rounds)
    with x.network.measure() as st:
        x.relu()
    assert (st.bytes, st.rounds) == (528 * 40, 9)


def test_dispatch_to_the_binary_protocol(parties, monkeypatch):
    import sys
    import types
    calls = []
    fake = types.ModuleType("smpc.binary")

    def drelu_bits(shares, holders, crypto_provider):
        calls.append(shares.shape)
        return smpc.securenn.drelu_bits(shares, holders, crypto_provider)

    fake.drelu_bits = drelu_bits
    monkeypatch.setitem(sys.modules, "smpc.binary", fake)
    monkeypatch.setattr(smpc, "binary", fake, raising=False)
    x = raw([3, -3], parties)
    with smpc.config.using(comparison="binary"):
        assert revealed(x.gt(0)).tolist() == [1, 0]
    assert calls == [(2, 2)]
    assert revealed(x.gt(0)).tolist() == [1, 0] and len(calls) == 1
