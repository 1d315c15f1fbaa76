"""What each party's process of a run across machines holds: its own data only."""
import numpy as np

from experiments.deployment import party_data
from experiments.train_mnist import load_data, parse_args


def holds(images):
    return images.reshape(len(images), -1).any(axis=1)


def test_each_data_owner_holds_the_images_of_its_own_batches_only():
    args = parse_args(["--epochs", "1", "--train-size", "256", "--test-size", "64"])
    (train_x, _), (test_x, _), _ = load_data(args)
    data = {name: party_data(args, name) for name in ("me", "alice", "bob", "crypto_provider")}
    alice, bob = holds(data["alice"][0][0]), holds(data["bob"][0][0])
    assert alice.sum() == bob.sum() == 128 and not (alice & bob).any()
    assert np.array_equal(data["alice"][0][0][alice], train_x[alice])
    assert (alice | bob).sum() == holds(train_x).sum()
    for name in ("alice", "bob", "crypto_provider"):
        assert not data[name][1][0].any()          # the test images are the model owner's
    assert not data["me"][0][0].any() and np.array_equal(data["me"][1][0], test_x)
    assert not data["crypto_provider"][0][0].any()


def test_over_more_epochs_a_data_owner_holds_the_images_of_its_batches_in_any_epoch():
    args = parse_args(["--epochs", "3", "--train-size", "256", "--test-size", "64"])
    alice = holds(party_data(args, "alice")[0][0])
    assert 128 < alice.sum() < 256
