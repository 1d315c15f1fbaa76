"""ZmqTransport between party processes on loopback, each party on its own 127.0.0.N address.

Over CURVE and plain TCP: arrays of every dtype and shape in order; a wrong key refused
(both sides' messages checked); a missing party named within the stated time; a
killed party named by the others within peer_timeout; a broken connection that comes
back losing nothing.  Every wait is bounded and every process killed at the end
(``transport_peers.run_parties``).
"""
import json
import socket
import threading
import time

import numpy as np
import pytest

import transport_peers as peers
from smpc.transport import (KeySet, PeerUnavailableError, TransportError, ZmqTransport,
                            load_config, make_key_pair, write_key_pair)


def _loopback_addresses_work():
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _loopback_addresses_work(),
                                reason="this system cannot bind 127.0.0.2 (only Linux does by default)")

FOUR = ("alice", "bob", "crypto_provider", "me")
FAST = {"transport": {"heartbeat_interval": 0.2, "peer_timeout": 5.0}}


@pytest.mark.slow  # several processes
@pytest.mark.parametrize("mode, names", [("curve", FOUR), ("plaintext", FOUR[:3])])
def test_arrays_of_every_dtype_and_shape_arrive_in_order(mode, names):
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names) if mode == "curve" else dict.fromkeys(names)
    specs = [(name, endpoints, keys[name]) for name in names]
    with peers.run_parties(specs, "exchange_every_array", options=FAST) as (_, collect):
        reports = collect(len(names), timeout=90)
    for name, (outcome, value, lines) in reports.items():
        assert outcome == "ok", (name, value, lines)
        others = [peer for peer in names if peer != name]
        assert value["checked"] == len(others) * len(peers.sample_arrays("a", "b"))
        for peer in others:
            arrays = peers.sample_arrays(name, peer)
            control = json.dumps({"from": name, "after": 3}, separators=(",", ":"))
            assert value["payload_sent"][peer] == sum(a.nbytes for a in arrays) + len(control)
            assert value["messages_sent"][peer] == len(arrays) + 1
            assert value["framing_sent"][peer] > 0
        connected = sorted(line for line in lines if line.startswith("connected: "))
        assert len(connected) == len(others)
        assert any(f"({len(others)}/{len(others)})" in line for line in connected)
        warned = any("UNENCRYPTED and UNAUTHENTICATED" in line for line in lines)
        assert warned == (mode == "plaintext")


@pytest.mark.slow  # several processes
def test_a_wrong_key_is_refused_and_both_sides_say_why():
    # bob made a new key pair but alice's configuration still lists the old public key.
    names = ("alice", "bob")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names)
    new_public, new_secret = make_key_pair()
    new_bob = KeySet(new_secret, dict(keys["bob"].public_keys, bob=new_public))
    alice_options = {"connect_timeout": 60, **FAST}
    with peers.run_parties([("alice", endpoints, keys["alice"])], "connect_only",
                           options=alice_options) as (_, collect_alice):
        with peers.run_parties([("bob", endpoints, new_bob)], "connect_only",
                               options={"connect_timeout": 20, "stay_after_error": 1.5}) as (
                                   _, collect_new_bob):
            outcome, message, bob_lines = collect_new_bob(1, timeout=30)["bob"]
        assert outcome == "KeyRefusedError", (message, bob_lines)
        assert message.startswith("alice refused our key: check that the configuration")
        assert new_public in message
        # the right bob (the key alice's configuration lists) then gets through
        with peers.run_parties([("bob", endpoints, keys["bob"])], "connect_only",
                               options={"connect_timeout": 30}) as (_, collect_bob):
            assert collect_bob(1, timeout=40)["bob"][0] == "ok"
        outcome, value, alice_lines = collect_alice(1, timeout=40)["alice"]
    assert outcome == "ok", (value, alice_lines)
    refusals = [line for line in alice_lines if "unknown public key" in line]
    assert len(refusals) == 1 and new_public in refusals[0]
    assert refusals[0].startswith("refused a connection from 127.0.0.")
    # alice also saw that the process at bob's address could not prove bob's listed key
    assert any("CURVE handshake with bob" in line for line in alice_lines)
    assert any("does not use bob's public key" in line for line in bob_lines)
    assert "connected: bob (1/1)" in alice_lines


def test_a_missing_party_is_named_within_the_stated_time():
    names = ("alice", "bob", "crypto_provider")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names)
    lines = []
    alice = ZmqTransport("alice", endpoints, keys=keys["alice"], log=lines.append,
                         heartbeat_interval=0.2, peer_timeout=5)
    bob = ZmqTransport("bob", endpoints, keys=keys["bob"], log=lambda line: None,
                       heartbeat_interval=0.2, peer_timeout=5)
    alice.waiting_report_interval = 0.5
    bob_waits = threading.Thread(target=lambda: pytest.raises(PeerUnavailableError, bob.connect, 3))
    try:
        bob_waits.start()
        start = time.monotonic()
        with pytest.raises(PeerUnavailableError) as caught:
            alice.connect(timeout=2.0)
        elapsed = time.monotonic() - start
    finally:
        bob_waits.join(timeout=10)
        alice.close(linger=0.5)
        bob.close(linger=0.5)
    assert 2.0 <= elapsed < 4.0
    message = str(caught.value)
    assert f"no answer from crypto_provider at {endpoints['crypto_provider']}" in message
    assert "bob at" not in message and "firewall" in message
    assert "connected: bob (1/2)" in lines
    assert any(line.startswith(f"waiting for crypto_provider ({endpoints['crypto_provider']})")
               for line in lines)


@pytest.mark.slow  # several processes
def test_a_killed_party_is_named_by_the_others_within_peer_timeout():
    names = ("alice", "bob", "crypto_provider")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names)
    peer_timeout, heartbeat = 1.5, 0.25
    args = {"ready": peers.CONTEXT.Event(), "ready_alice": peers.CONTEXT.Event(),
            "ready_bob": peers.CONTEXT.Event()}
    options = {"transport": {"heartbeat_interval": heartbeat, "peer_timeout": peer_timeout}}
    specs = [(name, endpoints, keys[name]) for name in names]
    with peers.run_parties(specs, "talk_then_wait_for_the_dealer", args, options) as (processes,
                                                                                      collect):
        assert all(args[event].wait(60) for event in ("ready", "ready_alice", "ready_bob"))
        killed_at = time.time()
        processes["crypto_provider"].kill()
        reports = collect(2, timeout=30)
    for name in ("alice", "bob"):
        outcome, value, lines = reports[name]
        assert outcome == "ok", (value, lines)
        assert value["error"] == "PeerLostError"
        assert value["message"].startswith("crypto_provider has been silent for ")
        assert f"peer_timeout={peer_timeout:g} s" in value["message"]
        assert endpoints["crypto_provider"] in value["message"]
        waited = value["at"] - killed_at
        assert peer_timeout - heartbeat - 0.3 <= waited <= peer_timeout + 2.0


@pytest.mark.slow  # several processes
@pytest.mark.parametrize("mode", ["curve", "plaintext"])
def test_a_broken_connection_loses_nothing_and_only_curve_hides_the_payload(mode):
    names = ("alice", "bob")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names) if mode == "curve" else dict.fromkeys(names)
    proxy = peers.TcpProxy("127.0.0.9", endpoints["bob"])
    alice_view = dict(endpoints, bob=proxy.endpoint)  # alice reaches bob through the proxy
    args = {"count": 200, "first_half_sent": peers.CONTEXT.Event(),
            "blackhole_on": peers.CONTEXT.Event(), "second_part_sent": peers.CONTEXT.Event(),
            "restored": peers.CONTEXT.Event()}
    options = {"transport": {"heartbeat_interval": 0.2, "peer_timeout": 10.0}}
    specs = [("alice", alice_view, keys["alice"]), ("bob", endpoints, keys["bob"])]
    try:
        with peers.run_parties(specs, "stream_through_a_broken_link", args, options) as (_, collect):
            assert args["first_half_sent"].wait(60)
            proxy.blackhole()  # what is in flight now vanishes
            args["blackhole_on"].set()
            assert args["second_part_sent"].wait(60)
            proxy.sever()  # the connection drops; alice's socket reconnects by itself
            args["restored"].set()
            reports = collect(2, timeout=60)
    finally:
        proxy.close()
    (alice_outcome, alice, alice_lines), (bob_outcome, bob, bob_lines) = reports["alice"], reports["bob"]
    assert alice_outcome == "ok" and bob_outcome == "ok", (alice, alice_lines, bob, bob_lines)
    assert bob["received"] == list(range(args["count"]))  # all, in order, once
    assert alice["resent"] >= 10  # the ten sent into the black hole at least were lost
    assert any("the connection to bob broke" in line for line in alice_lines)
    assert (peers.MARKER in proxy.captured) == (mode == "plaintext")


@pytest.mark.slow  # several processes
def test_a_restarted_party_is_reported_not_mixed_with_its_old_self():
    names = ("alice", "bob")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names)
    args = {"exchanged_alice": peers.CONTEXT.Event(), "exchanged_bob": peers.CONTEXT.Event()}
    options = {"transport": {"heartbeat_interval": 0.2, "peer_timeout": 20.0}}
    specs = [(name, endpoints, keys[name]) for name in names]
    with peers.run_parties(specs, "exchange_then_wait_for_a_restart", args, options) as (
            processes, collect):
        assert args["exchanged_alice"].wait(60) and args["exchanged_bob"].wait(60)
        processes["bob"].kill()
        processes["bob"].join(timeout=10)
        again = dict(args, second_life=True)
        with peers.run_parties([("bob", endpoints, keys["bob"])], "exchange_then_wait_for_a_restart",
                               again, dict(options, connect_timeout=3)):
            outcome, value, lines = collect(1, timeout=30)["alice"]
    assert outcome == "ok", (value, lines)
    assert value["error"] == "PeerLostError"
    assert value["message"].startswith("bob restarted (a new process")  # long before 20 s


def test_a_configuration_file_and_key_files_make_working_transports(tmp_path):
    names = ("alice", "bob")
    endpoints = peers.loopback_endpoints(names)
    lines = ["[settings]", "peer_timeout = 5", "heartbeat_interval = 0.2", ""]
    for name in names:
        _, _, public = write_key_pair(name, tmp_path)
        host, port = endpoints[name][len("tcp://"):].split(":")
        lines += [f"[{name}]", f"host = {host}", f"port = {port}", f"public_key = {public}", ""]
    (tmp_path / "parties.conf").write_text("\n".join(lines))
    config = load_config(tmp_path / "parties.conf", required=names)
    quiet = lambda line: None  # noqa: E731
    alice = config.transport("alice", tmp_path / "alice.key", log=quiet)
    bob = config.transport("bob", tmp_path / "bob.key", log=quiet)
    try:
        assert alice.peer_timeout == 5 and alice.heartbeat_interval == 0.2
        waiter = threading.Thread(target=bob.connect, args=(10,))
        waiter.start()
        alice.connect(timeout=10)
        waiter.join(timeout=10)
        alice.send("bob", np.arange(4.0))
        assert np.array_equal(bob.recv("alice"), np.arange(4.0))
    finally:
        alice.close(linger=1)
        bob.close(linger=1)
    with pytest.raises(ValueError, match="needs carol's secret key file|has no section"):
        config.transport("carol")


def test_misuse_is_refused_clearly():
    names = ("alice", "bob")
    endpoints = peers.loopback_endpoints(names)
    keys = peers.key_sets(names)
    with pytest.raises(ValueError, match="plaintext=True to run unencrypted"):
        ZmqTransport("alice", endpoints)
    with pytest.raises(ValueError, match="not both"):
        ZmqTransport("alice", endpoints, keys=keys["alice"], plaintext=True)
    with pytest.raises(ValueError, match="no address for carol"):
        ZmqTransport("carol", endpoints, plaintext=True)
    with pytest.raises(ValueError, match="heartbeat_interval < peer_timeout"):
        ZmqTransport("alice", endpoints, plaintext=True, heartbeat_interval=5, peer_timeout=2)
    with ZmqTransport("alice", endpoints, keys=keys["alice"], log=lambda line: None) as alice:
        with pytest.raises(TransportError, match="cannot listen on .*already running"):
            ZmqTransport("alice", endpoints, keys=keys["alice"], log=lambda line: None)
        with pytest.raises(TransportError, match="call connect"):
            alice.recv("bob")
        with pytest.raises(ValueError, match="cannot send to 'carol': the parties are alice, bob"):
            alice.send("carol", np.zeros(2))
        with pytest.raises(ValueError, match="alice cannot send to itself"):
            alice.send("alice", np.zeros(2))
        with pytest.raises(TypeError, match="dtype object"):
            alice.send("bob", np.array([None, 1]))
        with pytest.raises(TypeError, match="use send_object"):
            alice.send("bob", [1, 2])
        with pytest.raises(TypeError, match="JSON-serialisable"):
            alice.send_object("bob", np.zeros(2))


def _connected_pair(names=("alice", "bob"), heartbeat_interval=1.0):
    endpoints = peers.loopback_endpoints(names)
    quiet = lambda line: None  # noqa: E731
    first, second = (ZmqTransport(name, endpoints, plaintext=True, log=quiet,
                                  heartbeat_interval=heartbeat_interval, peer_timeout=10.0)
                     for name in names)
    waiter = threading.Thread(target=second.connect, args=(10,))
    waiter.start()
    first.connect(timeout=10)
    waiter.join(timeout=10)
    return first, second


def _connected_three(**timing):
    """alice, bob and crypto_provider, plain TCP on loopback, connected."""
    names = ("alice", "bob", "crypto_provider")
    endpoints = peers.loopback_endpoints(names)
    quiet = lambda line: None  # noqa: E731
    alice, bob, cp = (ZmqTransport(name, endpoints, plaintext=True, log=quiet, **timing)
                      for name in names)
    waiters = [threading.Thread(target=t.connect, args=(10,)) for t in (bob, cp)]
    for waiter in waiters:
        waiter.start()
    alice.connect(timeout=10)
    for waiter in waiters:
        waiter.join(timeout=10)
    return alice, bob, cp


def test_the_ahead_channel_keeps_its_order_apart_from_the_programs_messages():
    """What the dealer's thread sends ahead never gets in the way of the program's
    messages on the same link, whatever the interleaving; each channel keeps its order."""
    alice, bob = _connected_pair()
    try:
        def dealer_thread():
            for i in range(50):
                alice.send("bob", np.full(3, i), ahead=True)
        thread = threading.Thread(target=dealer_thread)
        thread.start()
        for i in range(50):
            alice.send("bob", np.full(2, -i))
        thread.join(timeout=10)
        assert [int(bob.recv("alice")[0]) for _ in range(50)] == [-i for i in range(50)]
        assert [int(bob.recv("alice", ahead=True)[0]) for _ in range(50)] == list(range(50))
    finally:
        alice.close(linger=1)
        bob.close(linger=1)


def test_acknowledgements_come_without_one_message_each():
    """The receiver acknowledges by what it sends anyway (and a heartbeat); flush still
    sees everything acknowledged quickly, by asking with a heartbeat of its own."""
    alice, bob = _connected_pair(heartbeat_interval=5.0)   # no regular heartbeat meanwhile
    try:
        for i in range(20):
            alice.send("bob", np.full(4, i))
        for i in range(20):
            assert int(bob.recv("alice")[0]) == i
        start = time.monotonic()
        assert alice.flush(timeout=4.0)
        assert time.monotonic() - start < 2.0
        framing = bob.stats()["alice"].framing_bytes_sent
        assert framing < 10 * 22   # a header is 22 bytes here: far fewer than one per message
    finally:
        alice.close(linger=1)
        bob.close(linger=1)


def test_a_party_that_stops_tells_every_peer_why():
    """abort() reaches every peer: its receives from that party end with "<party>
    stopped the run: <reason>", after what that party sent before."""
    alice, bob, cp = _connected_three(heartbeat_interval=1.0, peer_timeout=20.0)
    try:
        alice.send("bob", np.arange(3))
        alice.abort("its data directory has no train-images file")
        start = time.monotonic()
        assert np.array_equal(bob.recv("alice"), np.arange(3))   # what came before, first
        for transport in (bob, cp):
            with pytest.raises(TransportError, match="alice stopped the run: its data directory"):
                transport.recv("alice")
        assert time.monotonic() - start < 5.0
    finally:
        for transport in (alice, bob, cp):
            transport.close(linger=1)


def _wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_waiting_receive_reads_the_socket_and_the_io_thread_takes_it_back():
    """Messages that come while nobody receives wait in the queue (the I/O thread reads
    them); a receive that has to wait reads the socket itself; once receives stop, the
    I/O thread reads again and keeps the link alive.  Order holds across the hand-overs."""
    alice, bob = _connected_pair(heartbeat_interval=0.2)
    bob.router_return_after = 0.05
    try:
        for i in range(5):  # nobody receives: the I/O thread queues them
            alice.send("bob", np.full(3, i))
        assert _wait_until(lambda: bob._links["alice"].inbox.qsize() == 5)
        assert bob._router_mode == "io"
        assert [int(bob.recv("alice")[0]) for _ in range(5)] == list(range(5))
        got = []
        waiter = threading.Thread(target=lambda: got.extend(int(bob.recv("alice")[0])
                                                            for _ in range(20)))
        waiter.start()  # waits before anything is sent: the socket is handed over
        assert _wait_until(lambda: bob._router_mode == "caller")
        for i in range(20):
            alice.send("bob", np.full(2, 100 + i))
        waiter.join(timeout=10)
        assert got == [100 + i for i in range(20)]
        assert _wait_until(lambda: bob._router_mode == "io")  # taken back after 0.05 s
        time.sleep(0.6)  # heartbeats meanwhile, read by the I/O thread
        alice.send("bob", np.arange(4))
        assert np.array_equal(bob.recv("alice"), np.arange(4))
        assert bob._links["alice"].state == "connected"
    finally:
        alice.close(linger=1)
        bob.close(linger=1)


def test_two_threads_receiving_at_once_each_get_their_messages():
    """One thread reads the socket for both: the other finds its message in its queue."""
    alice, bob, cp = _connected_three(heartbeat_interval=0.5, peer_timeout=10.0)
    try:
        got = {}
        def receive(sender):
            got[sender] = [int(bob.recv(sender)[0]) for _ in range(30)]
        threads = [threading.Thread(target=receive, args=(name,)) for name in ("alice", "crypto_provider")]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        for i in range(30):
            alice.send("bob", np.full(2, i))
            cp.send("bob", np.full(2, -i))
        start = time.monotonic()
        for thread in threads:
            thread.join(timeout=10)
        assert time.monotonic() - start < 5.0
        assert got == {"alice": list(range(30)), "crypto_provider": [-i for i in range(30)]}
    finally:
        for transport in (alice, bob, cp):
            transport.close(linger=1)


def test_a_receive_waiting_when_the_transport_closes_ends_with_an_error():
    alice, bob = _connected_pair()
    outcome = []
    def wait():
        try:
            bob.recv("alice")
        except TransportError as err:
            outcome.append(str(err))
    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)   # the receive has the socket now
    try:
        bob.close(linger=1)   # alice is still there: only bob's own closing can end it
        waiter.join(timeout=5)
        assert not waiter.is_alive()
        assert outcome == ["bob's transport was closed while receiving"]
    finally:
        alice.close(linger=1)
