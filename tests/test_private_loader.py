"""Tests for datasets.private_loader: shared batches reconstruct, and one share reveals nothing."""

import numpy as np
import pytest

import smpc
from datasets import DataLoader, load_dataset
from datasets.private_loader import PrivateDataLoader

TOLERANCE = 2.0 ** -16  # fixed point with 16 fractional bits rounds to within 2^-17


@pytest.fixture
def parties():
    alice, bob, cp = smpc.make_parties(seed=0)
    return alice, bob, cp


@pytest.fixture(scope="module")
def sample():
    images, labels = load_dataset("sample", "test")
    return images[:100], labels[:100]


def make_loaders(sample, parties, **kwargs):
    alice, bob, cp = parties
    plain = DataLoader(*sample, batch_size=16, shuffle=True, seed=5)
    twin = DataLoader(*sample, batch_size=16, shuffle=True, seed=5)  # the same batches
    return twin, PrivateDataLoader(plain, (alice, bob), cp, **kwargs)


def test_batches_reconstruct_to_the_plain_batches(sample, parties):
    plain, private = make_loaders(sample, parties)
    assert len(private) == len(plain) == 7
    count = 0
    for (x, y), (xs, ys) in zip(plain, private):
        assert isinstance(xs, smpc.SharedTensor) and isinstance(ys, smpc.SharedTensor)
        assert xs.shares.shape == (2, *x.shape) and xs.shares.dtype == np.int64
        assert ys.shares.shape == (2, *y.shape)
        np.testing.assert_allclose(xs.get().float_precision(), x, rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(ys.get().float_precision(), y, rtol=0, atol=TOLERANCE)
        count += 1
    assert count == 7


def received_per_batch(private, network):
    """For each batch: who sent what to whom while it was being shared."""
    per_batch = []
    batches = iter(private)
    while True:
        with network.record_views() as views:
            try:
                next(batches)
            except StopIteration:
                return per_batch
        per_batch.append({name: [m.sender for m in msgs] for name, msgs in views.items()})


def test_owners_take_turns(sample, parties):
    alice, _, _ = parties
    _, private = make_loaders(sample, parties)
    assert [private.owner_of(i).name for i in range(4)] == ["alice", "bob", "alice", "bob"]
    # The owner keeps one share and sends the other: the other worker receives
    # one x-share and one y-share per batch, from that batch's owner, and
    # nothing else.
    per_batch = received_per_batch(private, alice.network)
    assert len(per_batch) == 7
    for index, received in enumerate(per_batch):
        if index % 2 == 0:
            assert received == {"bob": ["alice", "alice"]}
        else:
            assert received == {"alice": ["bob", "bob"]}


def test_a_single_owner_can_own_everything(sample, parties):
    alice, _, _ = parties
    _, private = make_loaders(sample, parties, owners=[alice])
    per_batch = received_per_batch(private, alice.network)
    assert per_batch == [{"bob": ["alice", "alice"]}] * 7


def test_one_share_is_not_the_data(sample, parties):
    _, private = make_loaders(sample, parties)
    xs, ys = next(iter(private))
    plain = xs.get().float_precision().ravel()
    for holder in range(2):
        share = xs.shares[holder].ravel()
        # No linear relation between a share and the data ...
        correlation = np.corrcoef(share.astype(np.float64), plain)[0, 1]
        assert abs(correlation) < 0.05
        # ... and the share looks uniform over int64: about half the values are
        # negative, about half exceed 2^62 in size, and every bit is set about
        # half the time (the encoded pixels themselves are tiny, around 2^16).
        assert 0.45 < np.mean(share < 0) < 0.55
        assert 0.45 < np.mean(np.abs(share.astype(np.float64)) > 2.0 ** 62) < 0.55
        bits = (share.view(np.uint64)[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
        assert np.all(np.abs(bits.mean(axis=0) - 0.5) < 0.05)
        # The one-hot targets are hidden just as well: no share is 0 or 1 in
        # fixed point, which is all a plain one-hot row contains.
        assert not np.isin(ys.shares[holder], [0, 1 << 16]).any()


def test_epochs_reshuffle_like_the_plain_loader(sample, parties):
    plain, private = make_loaders(sample, parties)
    for _ in range(2):
        first_plain = next(iter(plain))[0]
        first_private = next(iter(private))[0].get().float_precision()
        np.testing.assert_allclose(first_private, first_plain, atol=TOLERANCE)


def test_bad_arguments(sample, parties):
    alice, bob, cp = parties
    loader = DataLoader(*sample, batch_size=10)
    with pytest.raises(ValueError):
        PrivateDataLoader(loader, (alice,), cp)
    with pytest.raises(ValueError):
        PrivateDataLoader(loader, (alice, bob), cp, owners=[])
    with pytest.raises(TypeError):
        PrivateDataLoader([(1, 2)], (alice, bob), cp)
