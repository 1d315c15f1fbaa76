"""Benchmark: DReLU by binary sharing (smpc.binary.drelu_bits) against plaintext ``x >= 0``.

Run from the repository root::

    python benchmarks/bench_binary.py            # 30 runs per shape
    python benchmarks/bench_binary.py --runs 50

For each shape (100x100, 64x128, 64x64) it prints the median time of
``drelu_bits`` over the runs after 3 untimed warm-up calls (dealing included: the
crypto provider's work runs in the same process), the best run in brackets (on a
shared, loaded machine the median picks up other processes' time slices), the
median of plaintext NumPy ``x >= 0`` measured in the same run, their ratio, and the measured online bytes, rounds and offline bytes
next to the closed forms of :mod:`smpc.binary.costs`.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

import smpc  # noqa: E402
from smpc.binary import drelu_bits, drelu_cost  # noqa: E402

SHAPES = [(100, 100), (64, 128), (64, 64)]


def timings(function, runs, warmup=3):
    """(median, best) seconds over ``runs`` timed calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(np.min(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs per shape (at least 20)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 20)
    alice, bob, cp = smpc.make_parties(seed=0)
    holders = (alice, bob)
    rng = np.random.default_rng(0)
    print(f"binary DReLU, median of {runs} runs (best in brackets), 2 holders, PRG-seed dealer;"
          f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'shape':>9} {'secure ms':>15} {'plain us':>9} {'ratio':>6} {'online B':>8} "
          f"{'rounds':>6} {'offline B':>9}  closed form (B, rounds, offline B)")
    for shape in SHAPES:
        x = rng.normal(size=shape)
        shares = smpc.share(x, alice, bob, crypto_provider=cp).shares
        with alice.network.measure() as stats:
            bits = drelu_bits(shares, holders, cp)
        assert np.array_equal(bits.sum(axis=0), (x >= 0).astype(np.int64)), "wrong result"
        secure, secure_best = timings(lambda: drelu_bits(shares, holders, cp), runs)
        plain, _ = timings(lambda: x >= 0, runs)
        cost = drelu_cost(int(np.prod(shape)))
        print(f"{'x'.join(map(str, shape)):>9} {secure * 1e3:6.2f} ({secure_best * 1e3:5.2f}) "
              f"{plain * 1e6:9.1f} {secure / plain:6.0f} {stats.bytes:8d} {stats.rounds:6d} "
              f"{stats.offline_bytes:9d}  ({cost.bytes}, {cost.rounds}, {cost.offline_bytes})")


if __name__ == "__main__":
    main()
