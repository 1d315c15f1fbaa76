"""The network: bytes and rounds per protocol, nested measurements, recorded views."""
import numpy as np
import pytest

import smpc
from smpc.network import Network
from smpc.parties import Party


@pytest.fixture
def net():
    network = Network()
    return network, Party("a", network), Party("b", network), Party("c", network)


def test_a_message_outside_a_round_is_a_round_of_its_own(net):
    network, a, b, c = net
    with network.measure() as stats:
        network.send(a, b, np.zeros(3, np.int64))
        network.send(b, c, np.zeros(2, np.int64))
    assert (stats.bytes, stats.rounds, stats.messages) == (40, 2, 2)


def test_messages_inside_a_round_and_nested_rounds_count_once(net):
    network, a, b, c = net
    with network.measure() as stats, network.protocol("p"):
        with network.round():
            network.send(a, b, np.zeros(4, np.int64))
            with network.round():
                network.send(b, a, np.zeros(4, np.int64))
        with network.round():
            pass  # an empty round is no round
    assert (stats.bytes, stats.rounds) == (64, 1)
    assert (stats.by_protocol["p"].bytes, stats.by_protocol["p"].rounds, stats.by_protocol["p"].messages) == (64, 1, 2)


def test_sending_to_oneself_is_free(net):
    network, a, _, _ = net
    with network.measure() as stats:
        network.send(a, a, np.zeros(10, np.int64))
    assert (stats.bytes, stats.rounds, stats.messages) == (0, 0, 0)


def test_offline_messages_count_apart_and_take_no_round(net):
    network, a, b, _ = net
    with network.measure() as stats:
        network.send(a, b, np.zeros(5, np.int64), phase="offline")
    assert (stats.bytes, stats.rounds, stats.offline_bytes, stats.offline_messages) == (0, 0, 40, 1)
    assert "MB" in str(stats)


def test_nested_measurements_each_see_their_own_block(net):
    network, a, b, _ = net
    with network.measure() as outer:
        network.send(a, b, np.zeros(1, np.int64))
        with network.measure() as inner:
            network.send(a, b, np.zeros(2, np.int64))
    assert (outer.bytes, outer.rounds) == (24, 2)
    assert (inner.bytes, inner.rounds) == (16, 1)


def test_views_record_what_each_party_received(net):
    network, a, b, c = net
    with network.protocol("demo"), network.record_views() as views:
        network.send(a, b, np.array([1, 2], np.int64))
        network.send(c, b, np.array([3], np.int64))
    assert [m.sender for m in views["b"]] == ["a", "c"]
    assert views["b"][0].protocol == "demo" and views["b"][0].nbytes == 16
    np.testing.assert_array_equal(views["b"][1].payload, [3])
    assert "a" not in views and "c" not in views
    network.send(a, b, np.zeros(1))  # after the block: no longer recorded
    assert len(views["b"]) == 2


def test_party_names_are_unique_per_network(net):
    network, *_ = net
    with pytest.raises(ValueError, match="a party named 'a' is already on this network"):
        Party("a", network)


def test_make_parties_builds_one_network_with_a_local_client():
    alice, bob, carol, cp = smpc.make_parties(names=("alice", "bob", "carol"))
    network = alice.network
    assert bob.network is network and carol.network is network and cp.network is network
    assert set(network.parties) == {"me", "alice", "bob", "carol", "crypto_provider"}
    assert network.local.name == "me"


def test_a_meter_closed_inside_a_round_still_counts_it(parties):
    alice, bob, cp = parties
    x = smpc.share(np.ones(8), alice, bob, crypto_provider=cp)
    network = alice.network
    with network.round():
        with network.measure() as traffic:
            x.get()
    assert (traffic.bytes, traffic.rounds) == (128, 1)


def test_an_unknown_phase_is_refused(parties):
    alice, bob, _ = parties
    with pytest.raises(ValueError, match="phase must be 'online' or 'offline'"):
        alice.network.send(alice, bob, np.zeros(2), phase="ofline")


class _LoopTransport:
    """A transport between two Networks of one test: what one sends the other receives."""

    def __init__(self, queues, me):
        self.queues, self.me = queues, me

    def send(self, receiver, array, ahead=False):
        self.queues[(self.me, receiver)].append(np.array(array))

    def recv(self, sender, ahead=False):
        return self.queues[(sender, self.me)].pop(0)


def _two_processes():
    """The networks of a's process and b's process, joined by _LoopTransport."""
    queues = {("a", "b"): [], ("b", "a"): []}
    here = {}
    for name in ("a", "b"):
        network = Network(plays={name}, transport=_LoopTransport(queues, name))
        here[name] = (network, Party("a", network), Party("b", network))
    return here, queues


def test_several_arrays_go_as_one_message_and_come_back_apart():
    x, y = np.arange(6, dtype=np.int64).reshape(2, 3), np.array([-1, 7], np.int64)
    shapes = [x.shape, y.shape]
    # the simulation: nothing joined, one message counted
    network = Network()
    a, b = Party("a", network), Party("b", network)
    with network.measure() as stats, network.record_views() as views:
        got = network.send_many(a, b, [x, y], shapes, np.int64)
    np.testing.assert_array_equal(got[0], x)
    np.testing.assert_array_equal(got[1], y)
    assert (stats.messages, stats.bytes) == (1, 64)
    np.testing.assert_array_equal(views["b"][0].payload, np.r_[x.ravel(), y])
    # two processes: one message on the transport, split by the receiver
    here, queues = _two_processes()
    net_a, a_in_a, b_in_a = here["a"]
    net_b, a_in_b, b_in_b = here["b"]
    with net_a.measure() as sent:
        assert net_a.send_many(a_in_a, b_in_a, [x, y], shapes, np.int64) is None
    assert len(queues[("a", "b")]) == 1 and (sent.messages, sent.bytes) == (1, 64)
    got = net_b.send_many(a_in_b, b_in_b, None, shapes, np.int64)
    np.testing.assert_array_equal(got[0], x)
    np.testing.assert_array_equal(got[1], y)


def test_a_joined_message_of_the_wrong_size_is_an_out_of_step_error():
    here, queues = _two_processes()
    net_b, a_in_b, b_in_b = here["b"]
    queues[("a", "b")].append(np.zeros(5, np.int64))   # the sender joined other arrays
    with pytest.raises(smpc.ProtocolError, match="expected 2 arrays of int64 in one message "
                                                 "of 8 elements from a.*out of step"):
        net_b.send_many(a_in_b, b_in_b, None, [(2, 3), (2,)], np.int64)
