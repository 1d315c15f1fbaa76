"""Helpers for the multi-process transport tests: party processes, addresses, a TCP proxy.

Each party runs in its own process (``multiprocessing``, forkserver: children start
from a clean process, so they inherit no sockets of the test process) and reports
``(name, outcome, value, log lines)`` on a queue.  ``run_parties`` bounds every wait
and kills whatever is still running when it leaves.
"""
import contextlib
import multiprocessing
import socket
import threading
import time

import numpy as np

from smpc.transport import KeySet, ZmqTransport, make_key_pair

CONTEXT = multiprocessing.get_context("forkserver")
DTYPES = (np.int64, np.uint64, np.uint8, np.bool_, np.float64)
SHAPES = ((), (0,), (3,), (2, 0, 4), (4, 5), (300_000,))
MARKER = b"SECRET-SHARE-OF-ALICE-"


def loopback_endpoints(names, first_host=2):
    """Each party on its own loopback address 127.0.0.N with a free port."""
    endpoints = {}
    for index, name in enumerate(names):
        host = f"127.0.0.{first_host + index}"
        with socket.socket() as probe:
            probe.bind((host, 0))
            endpoints[name] = f"tcp://{host}:{probe.getsockname()[1]}"
    return endpoints


def key_sets(names):
    pairs = {name: make_key_pair() for name in names}
    public = {name: p for name, (p, _) in pairs.items()}
    return {name: KeySet(secret, public) for name, (_, secret) in pairs.items()}


def sample_arrays(sender, receiver):
    """Arrays of every dtype and shape, their values depending on who sends to whom."""
    rng = np.random.default_rng(sum(map(ord, sender + ">" + receiver)))
    arrays = []
    for dtype in DTYPES:
        for shape in SHAPES:
            if dtype is np.bool_:
                arrays.append(rng.integers(0, 2, size=shape).astype(bool))
            elif dtype is np.float64:
                arrays.append(rng.standard_normal(shape))
            else:
                info = np.iinfo(dtype)
                arrays.append(rng.integers(info.min, info.max, size=shape, dtype=dtype,
                                           endpoint=True))
    arrays.append(np.arange(40, dtype=np.int64).reshape(5, 8)[::2, 1::3])  # not contiguous
    arrays.append(np.array([1, 2, 3], dtype=">i4"))  # big-endian
    return arrays


# -- what a party does in its process ----------------------------------------------------------
def exchange_every_array(transport, me, args):
    """Send every sample array to every peer, with a control message in the middle; check all."""
    for peer in transport.peers:
        arrays = sample_arrays(me, peer)
        for index, array in enumerate(arrays):
            transport.send(peer, array)
            if index == 3:
                transport.send_object(peer, {"from": me, "after": index})
    checked = 0
    for peer in transport.peers:
        for index, expected in enumerate(sample_arrays(peer, me)):
            got = transport.recv(peer)
            assert got.dtype == expected.dtype, (peer, index, got.dtype, expected.dtype)
            assert got.shape == expected.shape, (peer, index, got.shape, expected.shape)
            assert np.array_equal(got, expected), (peer, index)
            checked += 1
            if index == 3:
                assert transport.recv_object(peer) == {"from": peer, "after": index}
    stats = transport.stats()
    return {"checked": checked,
            "payload_sent": {peer: s.payload_bytes_sent for peer, s in stats.items()},
            "messages_sent": {peer: s.messages_sent for peer, s in stats.items()},
            "framing_sent": {peer: s.framing_bytes_sent for peer, s in stats.items()}}


def talk_then_wait_for_the_dealer(transport, me, args):
    """A few rounds with everyone, then wait for the crypto provider (killed meanwhile)."""
    for round_number in range(3):
        for peer in transport.peers:
            transport.send(peer, np.full(1000, round_number))
        for peer in transport.peers:
            assert transport.recv(peer)[0] == round_number
    if me == "crypto_provider":
        args["ready"].set()
        time.sleep(60)  # killed by the test long before
        return None
    args["ready_" + me].set()
    try:
        transport.recv("crypto_provider")
    except Exception as err:
        return {"error": type(err).__name__, "message": str(err), "at": time.time()}
    return {"error": None}


def connect_only(transport, me, args):
    """Connect and greet each peer (so that nobody leaves before the others are connected)."""
    for peer in transport.peers:
        transport.send_object(peer, f"hello from {me}")
    for peer in transport.peers:
        assert transport.recv_object(peer) == f"hello from {peer}"
    return {"connected": True}


def stream_through_a_broken_link(transport, me, args):
    """alice streams numbered arrays to bob through the proxy, which breaks in the middle."""
    count, half = args["count"], args["count"] // 2
    if me == "alice":
        transport.send("bob", np.frombuffer(MARKER * 200, dtype=np.uint8))
        assert transport.recv_object("bob") == "marker received"
        for index in range(count):
            if index == half:
                args["first_half_sent"].set()
                assert args["blackhole_on"].wait(20)
            if index == half + 10:
                time.sleep(0.3)  # these ten vanish in the proxy
                args["second_part_sent"].set()
                assert args["restored"].wait(20)
            transport.send("bob", np.full(20_000, index, dtype=np.int64))
        assert transport.recv_object("bob") == {"received": count}
        stats = transport.stats()["bob"]
        return {"resent": stats.messages_resent, "sent": stats.messages_sent}
    assert bytes(transport.recv("alice")) == MARKER * 200
    transport.send_object("alice", "marker received")
    received = [int(transport.recv("alice")[0]) for _ in range(count)]
    transport.send_object("alice", {"received": len(received)})
    return {"received": received, "duplicates": transport.stats()["alice"].duplicates_dropped}


def exchange_then_wait_for_a_restart(transport, me, args):
    """One exchange; then bob is killed and started again while alice waits for him."""
    peer = "bob" if me == "alice" else "alice"
    if args.get("second_life"):
        return {"connected": True}
    transport.send(peer, np.arange(3))
    assert np.array_equal(transport.recv(peer), np.arange(3))
    args["exchanged_" + me].set()
    if me == "bob":
        time.sleep(60)  # killed by the test
    try:
        transport.recv(peer)
    except Exception as err:
        return {"error": type(err).__name__, "message": str(err)}
    return {"error": None}


SCRIPTS = {function.__name__: function for function in (
    exchange_then_wait_for_a_restart,
    exchange_every_array, talk_then_wait_for_the_dealer, connect_only,
    stream_through_a_broken_link)}


def party_main(name, endpoints, keys, script, args, options, results):
    lines = []
    try:
        transport = ZmqTransport(name, endpoints, keys=keys, plaintext=keys is None,
                                 log=lines.append, **options.get("transport", {}))
        with transport:
            try:
                transport.connect(timeout=options.get("connect_timeout", 20))
                value = SCRIPTS[script](transport, name, args)
            except BaseException:
                time.sleep(options.get("stay_after_error", 0))  # so that peers can watch it
                raise
        results.put((name, "ok", value, lines))
    except BaseException as err:  # reported to the test, which asserts on it
        results.put((name, type(err).__name__, str(err), lines))


@contextlib.contextmanager
def run_parties(specs, script, args=None, options=None):
    """Start one process per ``(name, endpoints, keys)``; yield (processes, collect); kill at the end.

    ``collect(count, timeout)`` returns ``{name: (outcome, value, lines)}`` for the first
    ``count`` parties to report, waiting at most ``timeout`` seconds in all.
    """
    results = CONTEXT.Queue()
    processes = {}
    try:
        for name, endpoints, keys in specs:
            process = CONTEXT.Process(target=party_main, daemon=True,
                                      args=(name, endpoints, keys, script, args or {},
                                            options or {}, results))
            process.start()
            processes[name] = process

        def collect(count, timeout):
            deadline, reports = time.monotonic() + timeout, {}
            while len(reports) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"only {sorted(reports)} reported within {timeout} s")
                name, outcome, value, lines = results.get(timeout=remaining)
                reports[name] = (outcome, value, lines)
            return reports

        yield processes, collect
    finally:
        for process in processes.values():
            if process.is_alive():
                process.kill()
        for process in processes.values():
            process.join(timeout=10)


class TcpProxy:
    """A TCP relay between a party and the address it connects to, with a switch to break it.

    ``blackhole()`` makes the current connections swallow what they carry (bytes in
    flight vanish, as when a cable is pulled); ``sever()`` then closes them, and new
    connections relay normally again.  ``captured`` holds every byte relayed forward.
    """

    def __init__(self, host, target_endpoint):
        target_host, target_port = target_endpoint[len("tcp://"):].rsplit(":", 1)
        self.target = (target_host, int(target_port))
        self.listener = socket.create_server((host, 0))
        self.listener.settimeout(0.1)
        self.endpoint = f"tcp://{host}:{self.listener.getsockname()[1]}"
        self.captured = bytearray()
        self.connections = []  # [client, upstream, {"discard": bool}]
        self.lock = threading.Lock()
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            state = {"discard": False}
            with self.lock:
                self.connections.append((client, upstream, state))
            threading.Thread(target=self._pump, args=(client, upstream, state, True),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, state, False),
                             daemon=True).start()

    def _pump(self, source, destination, state, forward):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if state["discard"]:
                    continue
                if forward:
                    self.captured += data
                destination.sendall(data)
        except OSError:
            pass
        for end in (source, destination):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def blackhole(self):
        with self.lock:
            for _, _, state in self.connections:
                state["discard"] = True

    def sever(self):
        with self.lock:
            old, self.connections = self.connections, []
        for client, upstream, _ in old:
            for end in (client, upstream):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close(self):
        self.stopped = True
        self.sever()
        self.listener.close()
