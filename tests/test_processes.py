"""The parties in separate processes compute exactly what the simulation computes.

Four processes (the model owner, alice, bob, the crypto provider) run the same program
over loopback; with the same master seed the revealed losses, the count of correct test
predictions and the model returned to its owner are bit-identical to the simulation's,
for both comparison protocols and every truncation method.  Each process's transport put
on the wire to each peer exactly the bytes the simulation's accounting attributes to
that party's sends, and alice, who takes part in every online round, counts the
simulation's rounds.
"""
import numpy as np
import pytest

import smpc
from experiments import train_mnist
from experiments.processes import ALL_NAMES, run_parties

SMALL = ["--epochs", "1", "--train-size", "192", "--test-size", "64", "--quiet"]


def equivalence_run(args, parties):
    """Two training steps and a test pass; what every party's process can report."""
    network = parties[0].network
    train_data, test_data, _ = train_mnist.load_data_for(args, network)
    with network.measure() as stats:
        history, model = train_mnist.run(args, "encrypted", train_data, test_data,
                                         log=lambda *a, **k: None, parties=parties)
    return {"losses": history.losses, "accuracies": history.accuracies,
            "params": [np.array(p.value) for p in model.parameters()],
            "links": {f"{a}->{b}": n for (a, b), n in stats.by_link.items()},
            "rounds": stats.rounds,
            "prepared_steps": network.preprocessing.prepared_steps,
            "dealer_seconds": network.preprocessing.dealer_seconds}


@pytest.mark.slow
@pytest.mark.parametrize("comparison", smpc.config.COMPARISON_METHODS)
@pytest.mark.parametrize("truncation", smpc.config.TRUNCATION_METHODS)
def test_four_processes_equal_the_simulation(truncation, comparison):
    args = train_mnist.parse_args(SMALL + ["--truncation", truncation, "--comparison", comparison])
    simulated = equivalence_run(args, smpc.make_parties(seed=args.seed))
    owner, reports = run_parties(equivalence_run, args, transport="plain", peer_timeout=60)

    assert owner["losses"] == simulated["losses"]          # the revealed losses, bit for bit
    assert owner["accuracies"] == simulated["accuracies"]  # the revealed correct-counts
    for got, want in zip(owner["params"], simulated["params"]):
        assert got.dtype == want.dtype and np.array_equal(got, want)   # the returned model

    for report in reports:
        party = report["party"]
        for peer, link in report["links"].items():
            expected = simulated["links"].get(f"{party}->{peer}", 0)
            assert link["payload_bytes_sent"] == expected, (
                f"{party} put {link['payload_bytes_sent']} bytes on the wire to {peer}; the "
                f"simulation counts {expected} for that party's sends")
    alice = next(r for r in reports if r["party"] == "alice")
    assert alice["result"]["rounds"] == simulated["rounds"]
    assert {r["party"] for r in reports} == set(ALL_NAMES)

    # The dealer worked ahead: steps 2 and 3 ran on prepared triples, which the crypto
    # provider's background thread dealt (step 3's while the holders computed step 2).
    dealer = next(r for r in reports if r["party"] == "crypto_provider")["result"]
    assert simulated["prepared_steps"] == owner["prepared_steps"] == 2
    assert dealer["prepared_steps"] == 2 and dealer["dealer_seconds"] > 0


class _NoPeers:
    """A transport for a process alone: sends are kept, a receive would wait forever."""

    def __init__(self):
        self.sent = []

    def send(self, receiver, array):
        self.sent.append((receiver, array))

    def recv(self, sender):
        raise AssertionError(f"this test expects no message from {sender}")


def test_a_process_that_plays_alice_holds_only_alices_rows():
    transport = _NoPeers()
    alice, bob, cp = smpc.make_parties(seed=0, plays={"alice"}, transport=transport)
    x = smpc.share(np.array([1.5, -2.0, 3.0]), alice, bob, crypto_provider=cp, owner=alice)
    assert x.shares.shape == (1, 3)                       # alice's row, and no other
    with pytest.raises(IndexError):
        x.shares[1]                                       # bob's row is not here to read
    assert [r for r, _ in transport.sent] == ["bob"]      # bob's share left on the wire
    with pytest.raises(ValueError, match="one share row per holder played here \\(1 of 2"):
        smpc.SharedTensor(np.zeros((2, 3), np.int64), (alice, bob), cp)
    y = x + 1.0                                           # local steps need no peer
    assert y.shares.shape == (1, 3)


def test_the_crypto_provider_process_holds_no_rows_and_sees_only_shapes():
    transport = _NoPeers()
    alice, bob, cp = smpc.make_parties(seed=0, plays={"crypto_provider"}, transport=transport)
    x = smpc.share(np.zeros((4, 5)), alice, bob, crypto_provider=cp)   # shared by "me"
    assert x.shares.shape == (0, 4, 5) and x.shape == (4, 5)
    assert transport.sent == []                           # it sent nothing: it shares nothing
    z = (x.reshape(-1) * 2.0)[3:]
    assert z.shares.shape == (0, 17)
    cp.mul_triple((alice, bob), (3,), (3,))               # dealing: only corrections leave
    assert [r for r, _ in transport.sent] == ["bob"]


@pytest.mark.slow
@pytest.mark.parametrize("extra", [("--loss", "cross-entropy", "--optimizer", "adam"),
                                   ("--dp-epsilon", "3", "--train-size", "256"),
                                   ("--model", "lenet", "--train-size", "64")],
                         ids=["cross-entropy-adam", "dp-sgd", "lenet"])
def test_the_newer_protocols_run_unchanged_in_processes(extra):
    """exp, softmax, inverse square roots (Adam), DP-SGD's clipping and dealer's noise, and
    the convolution triples and max pooling of the LeNet were written on the same runtime:
    in processes they give the simulation's results."""
    args = train_mnist.parse_args(SMALL + list(extra))
    simulated = equivalence_run(args, smpc.make_parties(seed=args.seed))
    owner, _ = run_parties(equivalence_run, args, transport="plain", peer_timeout=60)
    assert owner["losses"] == simulated["losses"]
    assert owner["accuracies"] == simulated["accuracies"]
    for got, want in zip(owner["params"], simulated["params"]):
        assert np.array_equal(got, want)
