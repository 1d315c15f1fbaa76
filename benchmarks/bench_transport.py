"""Benchmark: the transport between two processes (plain TCP and CURVE) and the CSPRNG.

Run from the repository root::

    python benchmarks/bench_transport.py              # 8 MiB arrays, 21 runs
    python benchmarks/bench_transport.py --mib 1 --runs 40

Two parties on loopback, each on its own address (127.0.0.2 and 127.0.0.3), one
process each: alice sends 8 int64 arrays of ``--mib`` MiB to bob per run and waits
for his answer; the rate counts payload bytes.  The round trip is a one-element
array sent back and forth (what each protocol round pays at least).  Then the
random generators in this process: :class:`smpc.csprng.CryptoRandomSource`
(AES-128-CTR) against NumPy's PCG64 (what the simulation uses), drawing the same
number of ring elements.  Medians over the runs; the ratios are the result (the
machine is shared).
"""
import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout
import numpy as np  # noqa: E402

from smpc.csprng import CryptoRandomSource  # noqa: E402
from smpc.transport import KeySet, ZmqTransport, make_key_pair  # noqa: E402

ARRAYS_PER_RUN = 8
PINGS = 200


def free_endpoint(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return f"tcp://{host}:{probe.getsockname()[1]}"


def bob(endpoints, keys, runs, pings):
    with ZmqTransport("bob", endpoints, keys=keys, plaintext=keys is None,
                      log=lambda line: None) as transport:
        transport.connect(timeout=30)
        for _ in range(runs + 1):
            for _ in range(ARRAYS_PER_RUN):
                transport.recv("alice")
            transport.send_object("alice", "done")
        for _ in range(pings + 10):
            transport.send("alice", transport.recv("alice"))
        transport.recv_object("alice")


def measure_link(mode, mib, runs):
    endpoints = {"alice": free_endpoint("127.0.0.2"), "bob": free_endpoint("127.0.0.3")}
    pairs = {name: make_key_pair() for name in endpoints}
    public = {name: pair[0] for name, pair in pairs.items()}
    keys = {name: KeySet(pair[1], public) if mode == "CURVE" else None
            for name, pair in pairs.items()}
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=bob, args=(endpoints, keys["bob"], runs, PINGS), daemon=True)
    process.start()
    try:
        with ZmqTransport("alice", endpoints, keys=keys["alice"], plaintext=keys["alice"] is None,
                          log=lambda line: None) as alice:
            alice.connect(timeout=60)
            payload = np.random.default_rng(0).integers(0, 2**62, size=mib * 2**17)
            times = []
            for run in range(runs + 1):  # the first run warms up
                start = time.perf_counter()
                for _ in range(ARRAYS_PER_RUN):
                    alice.send("bob", payload)
                assert alice.recv_object("bob") == "done"
                if run:
                    times.append(time.perf_counter() - start)
            one = np.zeros(1, dtype=np.int64)
            round_trips = []
            for ping in range(PINGS + 10):
                start = time.perf_counter()
                alice.send("bob", one)
                alice.recv("bob")
                if ping >= 10:
                    round_trips.append(time.perf_counter() - start)
            alice.send_object("bob", "bye")
            stats = alice.stats()["bob"]
        process.join(timeout=30)
    finally:
        if process.is_alive():
            process.kill()
    rate = ARRAYS_PER_RUN * payload.nbytes / statistics.median(times) / 1e9
    return rate, statistics.median(round_trips), stats


def median_rate(draw, nbytes, runs):
    draw()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        draw()
        times.append(time.perf_counter() - start)
    return nbytes / statistics.median(times) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=8, help="MiB per array (default 8)")
    parser.add_argument("--runs", type=int, default=21, help="timed runs (>= 5)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 5)
    print(f"two processes on loopback, {ARRAYS_PER_RUN} arrays of {args.mib} MiB per run, "
          f"median of {runs} runs")
    rates = {}
    for mode in ("plain TCP", "CURVE"):
        rate, round_trip, stats = measure_link(mode, args.mib, runs)
        rates[mode] = rate
        framing = stats.framing_bytes_sent / max(stats.messages_sent, 1)
        print(f"  {mode:<10} {rate:6.2f} GB/s   round trip of one element {round_trip * 1e6:7.0f} us"
              f"   framing {framing:.0f} bytes per message")
    print(f"  CURVE / plain: {rates['CURVE'] / rates['plain TCP']:.2f}x the throughput")

    count = args.mib * 2**17
    crypto, pcg = CryptoRandomSource.from_os(), np.random.Generator(np.random.PCG64(0))
    buffer = np.empty(count, dtype=np.int64)
    crypto_fill = median_rate(lambda: crypto.fill(buffer.view(np.uint8)), buffer.nbytes, runs)
    crypto_ring = median_rate(lambda: crypto.ring(count), buffer.nbytes, runs)
    pcg_ring = median_rate(lambda: pcg.bit_generator.random_raw(count), buffer.nbytes, runs)
    print(f"random ring elements, {args.mib} MiB per draw, median of {runs}")
    print(f"  PCG64 random_raw (NumPy, not cryptographic)  {pcg_ring:6.2f} GB/s")
    print(f"  AES-128-CTR ring() (new array)               {crypto_ring:6.2f} GB/s   "
          f"{crypto_ring / pcg_ring:.2f}x PCG64")
    print(f"  AES-128-CTR fill() (reused buffer)           {crypto_fill:6.2f} GB/s   "
          f"{crypto_fill / pcg_ring:.2f}x PCG64")
    return 0


if __name__ == "__main__":
    sys.exit(main())
