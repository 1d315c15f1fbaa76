"""Benchmark: shared arithmetic against plaintext NumPy, measured in the same run.

Run from the repository root::

    python benchmarks/bench_arithmetic.py            # 30 runs per case
    python benchmarks/bench_arithmetic.py --runs 50

For the reference's first layer (a 64x784 by 784x128 matrix product) and a 64x128
elementwise product, each shared-by-shared, it prints the median time over the runs
next to the plaintext float64 NumPy time of the same product, and their ratio.  The
shared time is everything a user waits for: the dealer's triple, Beaver's opening,
the local products and the truncation (all parties run in this one process).  It
also compares int64 ``np.matmul`` with :func:`smpc.ring.matmul` (float64 BLAS on
split limbs, bit-exact) for the shapes that Beaver's matrix product meets.

Absolute times depend on the machine; the ratios are the result.  On a machine
busy with other work, multi-threaded OpenBLAS can slow down by 10-100x (threads
spin waiting for cores); compare with ``OPENBLAS_NUM_THREADS=1 python
benchmarks/bench_arithmetic.py``, and check the load before trusting a number.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

import smpc  # noqa: E402
from smpc import ring  # noqa: E402


def median_time(fn, runs):
    fn()  # warm-up: first-call allocations and imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name, ours, baseline, baseline_name):
    print(f"{name:<44} {ours * 1e3:9.3f} ms   {baseline_name} {baseline * 1e3:8.3f} ms   "
          f"ratio {ours / baseline:7.1f}x")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case (>= 20)")
    args = parser.parse_args(argv)
    runs = max(args.runs, 20)

    rng = np.random.default_rng(0)
    alice, bob, cp = smpc.make_parties(seed=0)
    x_mat, w_mat = rng.uniform(-1, 1, (64, 784)), rng.uniform(-0.1, 0.1, (784, 128))
    x_elt, y_elt = rng.uniform(-1, 1, (64, 128)), rng.uniform(-1, 1, (64, 128))
    share = lambda v: smpc.share(v, alice, bob, crypto_provider=cp)  # noqa: E731
    sx_mat, sw_mat, sx_elt, sy_elt = map(share, (x_mat, w_mat, x_elt, y_elt))

    # The shared results must be right, or the times mean nothing.
    assert np.allclose((sx_mat @ sw_mat).get().float_precision(), x_mat @ w_mat, atol=1e-2)
    assert np.allclose((sx_elt * sy_elt).get().float_precision(), x_elt * y_elt, atol=1e-3)

    print(f"median of {runs} runs; numpy {np.__version__}; {os.cpu_count()} cores\n")
    print("shared-by-shared (2 holders, dealer + Beaver + local truncation) vs plaintext float64")
    row("matmul 64x784 @ 784x128", median_time(lambda: sx_mat @ sw_mat, runs),
        median_time(lambda: x_mat @ w_mat, runs), "float")
    row("elementwise 64x128 * 64x128", median_time(lambda: sx_elt * sy_elt, runs),
        median_time(lambda: x_elt * y_elt, runs), "float")
    with cp.network.measure() as stats:
        sx_mat @ sw_mat
    print(f"  (matmul traffic: {stats.bytes} bytes in {stats.rounds} round online, "
          f"{stats.offline_bytes} bytes from the dealer)")

    print("\nring products mod 2^64: smpc.ring.matmul (float-limb BLAS) vs int64 np.matmul")
    full = lambda shape: rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max,  # noqa: E731
                                      size=shape, dtype=np.int64, endpoint=True)
    for a_shape, b_shape, what in [((64, 784), (784, 128), "e @ f"),
                                   ((64, 784), (2, 784, 128), "e @ b_shares"),
                                   ((2, 64, 784), (784, 128), "a_shares @ f")]:
        a, b = full(a_shape), full(b_shape)
        assert np.array_equal(ring.matmul(a, b), np.matmul(a, b))  # bit-exact
        row(f"{what:<13} {a_shape} @ {b_shape}", median_time(lambda: ring.matmul(a, b), runs),
            median_time(lambda: np.matmul(a, b), runs), "int64")


if __name__ == "__main__":
    main()
