"""Additive sharing: reconstruction, measured cost against the closed forms, privacy, seeds."""
import numpy as np
import pytest
from scipy.stats import chi2_contingency

import smpc
from smpc import sharing
from smpc.randomness import RandomSource, default_source

THREE = ("alice", "bob", "carol")


def parties(n_holders, seed=0, **kwargs):
    *holders, cp = smpc.make_parties(seed=seed, names=THREE[:n_holders], **kwargs)
    return holders, cp


@pytest.mark.parametrize("count", [2, 3, 5])
def test_split_reconstructs_mod_2_64(count):
    smpc.manual_seed(0)
    value = np.array([0, 1, -1, 2 ** 63 - 1, -(2 ** 63), 12345], dtype=np.int64)
    shares = sharing.split(value, count)
    assert shares.shape == (count, 6) and shares.dtype == np.int64
    np.testing.assert_array_equal(sharing.reconstruct(shares), value)


def test_fresh_zero_shares_sum_to_zero_and_are_not_zero():
    *holders, _ = smpc.make_parties(seed=0, names=("alice", "bob", "carol"))
    zero = sharing.fresh_zero_shares(holders, (4, 5))
    np.testing.assert_array_equal(sharing.reconstruct(zero), np.zeros((4, 5), dtype=np.int64))
    assert np.all(zero[0] != 0)


# -- measured communication = the closed forms of smpc/sharing.py -------------------------
@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("shape", [(), (7,), (64, 784)])
def test_share_costs_8n_per_holder_in_one_round(n_holders, shape):
    holders, cp = parties(n_holders)
    n = int(np.prod(shape))
    with holders[0].network.measure() as stats:
        smpc.share(np.zeros(shape), *holders, crypto_provider=cp)
    assert (stats.bytes, stats.rounds, stats.messages) == (8 * n * n_holders, 1, n_holders)
    assert stats.by_protocol["share"].bytes == 8 * n * n_holders
    assert stats.offline_bytes == 0


@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("shape", [(), (7,), (64, 10)])
def test_reveal_by_get_costs_8nN_in_one_round(n_holders, shape):
    holders, cp = parties(n_holders)
    x = smpc.share(np.ones(shape), *holders, crypto_provider=cp)
    n = int(np.prod(shape))
    with x.network.measure() as stats:
        x.get()
    assert (stats.bytes, stats.rounds) == (8 * n * n_holders, 1)
    assert stats.by_protocol["reveal"].rounds == 1
    # Revealing to a holder: its own share does not travel.
    with x.network.measure() as stats:
        x.get(receiver=holders[0])
    assert (stats.bytes, stats.rounds) == (8 * n * (n_holders - 1), 1)


@pytest.mark.parametrize("n_holders", [2, 3, 4])
def test_open_costs_8nN_N_minus_1_in_one_round(n_holders):
    *holders, cp = smpc.make_parties(seed=0, names=tuple(f"p{i}" for i in range(n_holders)))
    n = 11
    shares = sharing.split(np.arange(n), n_holders)
    with holders[0].network.measure() as stats:
        opened = sharing.open_among(shares, holders)
    np.testing.assert_array_equal(opened, np.arange(n))
    assert (stats.bytes, stats.rounds) == (8 * n * n_holders * (n_holders - 1), 1)
    assert stats.messages == n_holders * (n_holders - 1)
    # Two openings in parallel are still one round.
    with holders[0].network.measure() as stats:
        sharing.open_many_among([shares, shares], holders)
    assert (stats.bytes, stats.rounds) == (2 * 8 * n * n_holders * (n_holders - 1), 1)


@pytest.mark.parametrize("n_holders", [2, 3])
def test_refresh_is_free_and_linear_ops_are_local(n_holders):
    holders, cp = parties(n_holders)
    x = smpc.share(np.ones((3, 4)), *holders, crypto_provider=cp)
    with x.network.measure() as stats:
        y = x.refresh() + x - 2.0 * 1 + x.sum(axis=0) + x.T.T + x[1:] .reshape(2, 4).sum()
        smpc.concatenate([x, y], axis=0)
        x * 3
    assert (stats.bytes, stats.rounds, stats.offline_bytes) == (0, 0, 0)


# -- privacy -------------------------------------------------------------------------------
N_SAMPLES = 100_000


def byte_table(shares_a, shares_b, byte):
    """A 2 x 256 contingency table of one byte of the shares under two secrets."""
    def counts(s):
        return np.bincount(((s.view(np.uint64) >> np.uint64(8 * byte)) & np.uint64(255)).astype(np.int64),
                           minlength=256)
    table = np.stack([counts(shares_a), counts(shares_b)])
    return table[:, table.sum(axis=0) > 0]  # a value neither secret produced says nothing


def independence_p_values(share_of):
    """p-values of chi-square tests: is one party's share independent of the secret?

    ``share_of(secret)`` returns that party's share of ``secret`` for N_SAMPLES fresh
    sharings.  Two very different secrets; the top, middle and bottom bytes.
    """
    secret_a, secret_b = np.int64(0), np.int64(2 ** 62 + 12345)
    shares_a, shares_b = share_of(secret_a), share_of(secret_b)
    return [chi2_contingency(byte_table(shares_a, shares_b, byte))[1] for byte in (7, 3, 0)]


@pytest.mark.parametrize("party", [0, 1])
def test_one_partys_share_is_independent_of_the_secret(party):
    smpc.manual_seed(7)
    p_values = independence_p_values(
        lambda s: sharing.split(np.full(N_SAMPLES, s), 2)[party])
    assert min(p_values) > 1e-4, p_values  # 3 tests at 1e-4: a false alarm is rare and seeded


def test_the_statistic_detects_a_bad_sharing_with_a_small_mask():
    """The same statistic on x - r with r below 2^40 (not uniform in Z_2^64) must alarm."""
    smpc.manual_seed(7)

    def bad_share(secret):
        r = default_source.integers(0, 2 ** 40, N_SAMPLES)
        return np.full(N_SAMPLES, secret) - r

    assert min(independence_p_values(bad_share)) < 1e-12


def test_a_holders_view_of_share_and_get_is_only_its_own_share():
    (alice, bob), cp = parties(2)
    network = alice.network
    with network.record_views() as views:
        x = smpc.share(np.array([3.0, -1.0]), alice, bob, crypto_provider=cp)
    assert [m.sender for m in views["alice"]] == ["me"] and [m.sender for m in views["bob"]] == ["me"]
    np.testing.assert_array_equal(views["alice"][0].payload, x.shares[0])
    np.testing.assert_array_equal(views["bob"][0].payload, x.shares[1])
    assert "crypto_provider" not in views
    with network.record_views() as views:
        x.get()
    assert set(views) == {"me"} and len(views["me"]) == 2


# -- reproducibility -------------------------------------------------------------------------
def test_same_seed_same_shares_and_different_seed_different_shares():
    def shares(seed):
        (alice, bob), cp = parties(2, seed=seed)
        return smpc.share(np.linspace(-5, 5, 30), alice, bob, crypto_provider=cp).shares
    np.testing.assert_array_equal(shares(3), shares(3))
    assert not np.any(shares(3) == shares(4))


class _RecordingTransport:
    """Between threads of one test, each playing one holder's process; logs each call."""

    def __init__(self, me, mailboxes, log):
        self.me, self.mailboxes, self.log = me, mailboxes, log

    def send(self, receiver, array, ahead=False):
        self.log.append((self.me, "send", receiver))
        self.mailboxes[(self.me, receiver)].put(np.array(array))

    def recv(self, sender, ahead=False):
        self.log.append((self.me, "recv", sender))
        return self.mailboxes[(sender, self.me)].get(timeout=5)


@pytest.mark.parametrize("n_holders", [2, 3])
def test_in_an_opening_every_holder_sends_before_it_waits(n_holders):
    """A holder that waited for a share before sending its own would make the others wait
    a round trip: in each holder's process every send of the round comes first."""
    import queue
    import threading
    names = THREE[:n_holders]
    mailboxes = {(s, r): queue.Queue() for s in names for r in names if s != r}
    log, results = [], {}
    values = [np.arange(4, dtype=np.int64), np.array([-5, 9], np.int64)]

    def holder(name):
        transport = _RecordingTransport(name, mailboxes, log)
        *holders, _cp = smpc.make_parties(seed=3, names=names, plays={name}, transport=transport)
        row = names.index(name)
        shares = [sharing.split(v, n_holders, RandomSource(7 + k))[[row]]
                  for k, v in enumerate(values)]  # the same split in every process
        results[name] = sharing.open_many_among(shares, holders)

    threads = [threading.Thread(target=holder, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    for name in names:
        for opened, value in zip(results[name], values):
            np.testing.assert_array_equal(opened, value)
        calls = [kind for who, kind, _ in log if who == name]
        assert calls == ["send"] * (n_holders - 1) + ["recv"] * (n_holders - 1)


def test_sharings_opened_together_need_one_dtype():
    holders, _cp = parties(2)
    ints = sharing.split(np.arange(3), 2)
    with pytest.raises(TypeError, match="the sharings opened together must have one dtype, "
                                        "got int64, uint64"):
        sharing.open_many_among([ints, ints.view(np.uint64)], holders)
