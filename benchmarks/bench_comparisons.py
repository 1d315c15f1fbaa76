"""Benchmark SecureNN ReLU and gt on shares against plaintext NumPy, in the same run.

Run from the repository root::

    python benchmarks/bench_comparisons.py            # median of 21 runs per case
    python benchmarks/bench_comparisons.py --runs 51  # more runs
    python benchmarks/bench_comparisons.py --profile  # cProfile of ReLU on 100x100

Sizes: 100x100 (CrypTen's published 2-party ReLU figure is 27.6 ms there) and the
reference network's activations, 64x128 and 64x64.  For every case it prints the median
time of the shared protocol, of the plaintext NumPy operation, their ratio, and the
online bytes and rounds measured by the network (which the tests check against the
closed forms: ReLU 528 n bytes in 9 rounds, gt 496 n bytes in 8 rounds).  All parties
run in this one process, so the time is the computation of all three parties together,
without network latency.
"""
import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import smpc  # noqa: E402

SHAPES = [(100, 100), (64, 128), (64, 64)]


def median_ms(fn, runs):
    fn()  # warm up caches and lazy imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def plain_ms(fn, runs, inner=50):
    """Plaintext operations are microseconds: time ``inner`` calls per sample."""
    return median_ms(lambda: [fn() for _ in range(inner)], runs) / inner


def cases(alice, bob, cp, shape):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=shape), rng.normal(size=shape)
    x = smpc.share(a, alice, bob, crypto_provider=cp)
    y = smpc.share(b, alice, bob, crypto_provider=cp)
    return [("relu", lambda: x.relu(), lambda: np.maximum(a, 0.0)),
            ("gt", lambda: x.gt(y), lambda: a > b)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    alice, bob, cp = smpc.make_parties(seed=0)
    if args.profile:
        relu = cases(alice, bob, cp, (100, 100))[0][1]
        relu()
        cProfile.runctx("for _ in range(20): relu()", globals(), {"relu": relu}, "/tmp/relu.prof")
        pstats.Stats("/tmp/relu.prof").sort_stats("tottime").print_stats(15)
        return
    print(f"{'op':5} {'shape':>9} {'shared ms':>10} {'numpy ms':>9} {'ratio':>8} "
          f"{'online bytes':>13} {'rounds':>6}")
    for shape in SHAPES:
        for name, shared, plain in cases(alice, bob, cp, shape):
            with alice.network.measure() as st:
                shared()
            t_shared, t_plain = median_ms(shared, args.runs), plain_ms(plain, args.runs)
            print(f"{name:5} {'x'.join(map(str, shape)):>9} {t_shared:10.2f} {t_plain:9.4f} "
                  f"{t_shared / t_plain:8.0f} {st.bytes:13,d} {st.rounds:6d}")


if __name__ == "__main__":
    main()
