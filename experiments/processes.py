"""The parties of one run as separate processes on this machine, over encrypted channels.

``smpc-train --parties processes`` runs the very same program in four processes:

* the launching process plays the model owner ("me"): it shares the model, owns the test
  batches, receives the revealed losses and counts, and gets the model back;
* one process each plays alice, bob and the crypto provider.  Alice and bob own the
  training batches (alternately); the crypto provider reads no data at all.

Every process builds the same session (the same master seed, so the streams a party
draws are those it would draw in the simulation) with ``plays`` set to its own party, and
a :class:`~smpc.transport.ZmqTransport` to the others.  The links are CURVE-encrypted
and authenticated with key pairs made for the run (``transport="plain"`` for unencrypted
loopback experiments).  A party that fails or stops answering ends the run everywhere with
an error naming it.

The function each process runs is ``function(args, parties)``; what the launcher gets back
is its own result and, from every other process, a report: the bytes its transport put
on the wire to each peer (payload and framing apart) and, if the function returned a
dict, that dict.
"""
import multiprocessing
import os
from contextlib import contextmanager
import socket
import time
import traceback

PARTY_NAMES = ("alice", "bob", "crypto_provider")
OWNER = "me"
ALL_NAMES = (OWNER,) + PARTY_NAMES


class PartyFailedError(RuntimeError):
    """A party process failed or stopped answering; the message names it."""


def free_endpoints(names, host="127.0.0.1"):
    """A TCP address on ``host`` with a free port for every name."""
    sockets, endpoints = [], {}
    try:
        for name in names:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
            endpoints[name] = f"tcp://{host}:{s.getsockname()[1]}"
    finally:
        for s in sockets:
            s.close()
    return endpoints


def _transport(name, endpoints, keys, kind, peer_timeout, log):
    from smpc.transport import KeySet, ZmqTransport

    if kind == "plain":
        return ZmqTransport(name, endpoints, plaintext=True, peer_timeout=peer_timeout, log=log)
    secret, public = keys[name][1], {n: keys[n][0] for n in keys}
    return ZmqTransport(name, endpoints, keys=KeySet(secret, public),
                        peer_timeout=peer_timeout, log=log)


def _session(args, name, transport):
    import smpc

    plays = None if name is None else {name}
    return smpc.make_parties(seed=args.seed, plays=plays, transport=transport,
                             session_id=f"run-{args.seed}")


def _report(transport, name):
    return {"party": name,
            "links": {peer: vars(stats) for peer, stats in transport.stats().items()}}


def _party_main(name, endpoints, keys, kind, peer_timeout, function, args, results):
    """A child process: play ``name`` in the run, then report to the launcher."""
    import sys

    def log(line):
        print(f"[{name}] {line}", file=sys.stderr, flush=True)

    from . import tune_party_process

    tune_party_process()
    transport = None
    try:
        transport = _transport(name, endpoints, keys, kind, peer_timeout, log)
        transport.connect(timeout=peer_timeout)
        parties = _session(args, name, transport)
        profile_dir = os.environ.get("SMPC_PROFILE_DIR")   # where each party's profile goes
        if profile_dir:
            import cProfile
            profiler = cProfile.Profile()
            result = profiler.runcall(function, args, parties)
            profiler.dump_stats(os.path.join(profile_dir, f"{name}.prof"))
        else:
            result = function(args, parties)
        transport.flush(timeout=peer_timeout)
        report = _report(transport, name)
        report["result"] = result if isinstance(result, dict) else None
        transport.send_object(OWNER, {"done": name})
        transport.recv_object(OWNER)                 # the launcher's "finished": then close
        results.put(report)
    except BaseException as err:  # reported to the launcher, which names the party
        if os.environ.get("SMPC_DEBUG"):
            traceback.print_exc()
        results.put({"party": name, "error": f"{type(err).__name__}: {err}",
                     "traceback": traceback.format_exc()})
    finally:
        if transport is not None:
            transport.close(linger=5.0)


def run_parties(function, args, *, transport="curve", peer_timeout=60.0, log=None):
    """Run ``function(args, parties)`` with every party in its own process.

    Returns ``(result, reports)``: what ``function`` returned in the launcher (the model
    owner's process) and one report per party process.
    """
    import sys

    from smpc.transport import make_key_pair

    if transport not in ("curve", "plain"):
        raise ValueError(f"transport must be 'curve' or 'plain', got {transport!r}")
    log = log or (lambda line: print(f"[{OWNER}] {line}", file=sys.stderr, flush=True))
    endpoints = free_endpoints(ALL_NAMES)
    keys = {name: make_key_pair() for name in ALL_NAMES}   # the run's own key pairs
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    children = [context.Process(target=_party_main, name=f"party-{name}", daemon=True,
                                args=(name, endpoints, keys, transport, peer_timeout,
                                      function, args, results))
                for name in PARTY_NAMES]
    with _single_threaded_blas():
        for child in children:
            child.start()
    own = None
    try:
        own = _transport(OWNER, endpoints, keys, transport, peer_timeout, log)
        own.connect(timeout=peer_timeout)
        parties = _session(args, OWNER, own)
        try:
            result = function(args, parties)
        except Exception as err:
            failure = _first_failure(results, children)
            if failure:
                raise PartyFailedError(failure) from err
            raise
        own.flush(timeout=peer_timeout)
        own_report = _report(own, OWNER)
        for name in PARTY_NAMES:
            own.recv_object(name)
        for name in PARTY_NAMES:
            own.send_object(name, {"finished": True})
        reports = _collect(results, children, peer_timeout)
        return result, [own_report] + reports
    finally:
        if own is not None:
            own.close(linger=2.0)
        _stop(children)


@contextmanager
def _single_threaded_blas():
    """Start children with one BLAS thread each: three busy parties already share the
    cores, and idle BLAS threads spin (measured: a batch 3x slower when the load average
    at start was low enough for each process to take every core)."""
    from . import BLAS_THREAD_VARIABLES

    saved = {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES}
    explicit = any(value is not None for value in saved.values())
    if not explicit:
        os.environ.update({name: "1" for name in BLAS_THREAD_VARIABLES})
    try:
        yield
    finally:
        if not explicit:
            for name in BLAS_THREAD_VARIABLES:
                os.environ.pop(name, None)


def _first_failure(results, children, wait=2.0):
    """The first error a party reported, in words, if any arrives within ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            report = results.get(timeout=0.1)
        except Exception:
            continue
        if "error" in report:
            return f"{report['party']} failed: {report['error']}"
    dead = [c.name for c in children if c.exitcode not in (None, 0)]
    return f"{', '.join(dead)} exited" if dead else None


def _collect(results, children, timeout):
    reports, deadline = {}, time.monotonic() + timeout
    while len(reports) < len(children):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            missing = sorted(set(PARTY_NAMES) - set(reports))
            raise PartyFailedError(f"no report from {', '.join(missing)} within {timeout:.0f} s")
        try:
            report = results.get(timeout=min(remaining, 1.0))
        except Exception:
            continue
        if "error" in report:
            raise PartyFailedError(f"{report['party']} failed: {report['error']}")
        reports[report["party"]] = report
    return [reports[name] for name in PARTY_NAMES]


def _stop(children, grace=10.0):
    deadline = time.monotonic() + grace
    for child in children:
        child.join(timeout=max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.is_alive():
            child.terminate()
            child.join(timeout=5.0)
        if child.is_alive():
            child.kill()
            child.join(timeout=5.0)
