"""Benchmark SecureNN ReLU and gt on shares against plaintext NumPy, in the same run.

Run from the repository root::

    python benchmarks/bench_comparisons.py            # median of 21 runs per case
    python benchmarks/bench_comparisons.py --runs 51  # more runs
    python benchmarks/bench_comparisons.py --profile  # cProfile of ReLU on 100x100

Sizes: 100x100 (CrypTen's published 2-party ReLU figure is 27.6 ms there) and the
reference network's activations, 64x128 and 64x64.  For every case it prints the median
and the best time of the shared protocol, the median of the plaintext NumPy operation
(timed in the same run, interleaved), their ratio, and the online bytes and rounds
measured by the network (which the tests check against the closed forms: ReLU 528 n
bytes in 9 rounds, gt 496 n bytes in 8 rounds), and the load average, since the
machine may be shared.  All parties run in this one process, so the time is the
computation of all three parties together, without network latency.

No BLAS call is on this path: the figures do not depend on
``OPENBLAS_NUM_THREADS``.  Measured on the 2-core machine at load ~2-4, ReLU on 100x100
went from 24-35 ms with one BLAS thread (72-120 ms with the default threads) to about
10 ms; what the profile showed is in ``docs/PERFORMANCE.md``.
"""
import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402
import smpc  # noqa: E402

SHAPES = [(100, 100), (64, 128), (64, 64)]


def timings_ms(fn, runs, inner=1):
    """``runs`` samples of ``fn``, each the mean over ``inner`` calls, in ms."""
    fn()  # warm up caches, buffers and lazy imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner * 1e3)
    return times


def interleaved(shared, plain, runs, inner=50):
    """Median and best of ``shared``, median of ``plain`` (``inner`` calls a sample: it is
    microseconds), sampled alternately so that both see the same load."""
    shared_t, plain_t = [], []
    for _ in range(runs):
        shared_t += timings_ms(shared, 1)
        plain_t += timings_ms(plain, 1, inner)
    return statistics.median(shared_t), min(shared_t), statistics.median(plain_t)


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
    print(f"load average {os.getloadavg()[0]:.1f}, {args.runs} runs per case")
    print(f"{'op':5} {'shape':>9} {'median ms':>10} {'best ms':>8} {'numpy ms':>9} {'ratio':>7} "
          f"{'online bytes':>13} {'rounds':>6}")
    for shape in SHAPES:
        for name, shared, plain in cases(alice, bob, cp, shape):
            with alice.network.measure() as st:
                shared()
            median, best, t_plain = interleaved(shared, plain, args.runs)
            print(f"{name:5} {'x'.join(map(str, shape)):>9} {median:10.2f} {best:8.2f} "
                  f"{t_plain:9.4f} {median / t_plain:7.0f} {st.bytes:13,d} {st.rounds:6d}")


if __name__ == "__main__":
    main()
