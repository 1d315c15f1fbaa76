"""Accuracy of every approximation on shares, over its valid range, against float64.

Run from the repository root::

    python benchmarks/accuracy_functions.py              # 20,001-point grids
    python benchmarks/accuracy_functions.py --points 2001

For each function it shares a dense grid over the stated valid range (uniform for exp,
sigmoid, tanh and softmax's logits, geometric for the functions of positive inputs)
plus the edges (the ends of the range, zero, one unit either side of zero and of one),
computes the function on the shares, reveals the result and compares it with the float64
function of the *encoded* inputs (what the shares hold).  It prints, as a Markdown
table: the maximum absolute error, the maximum relative error where the true value is
at least 2^-4 in magnitude (below that, one unit of 2^-16 is already a large relative
error, and absolute error is the measure), the argument of the worst absolute error,
and the measured online bytes and rounds per call next to the closed form in the
function's docstring.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402
import scipy.special  # noqa: E402

import smpc  # noqa: E402
from smpc import exponential, logarithm, reciprocal, sigmoid, softmax, sqrt  # noqa: E402

ULP = 2.0 ** -16
RELATIVE_FLOOR = 2.0 ** -4


def positive(low, high, points):
    return np.concatenate([np.geomspace(low, high - ULP, points),
                           [low, low + ULP, 1 - ULP, 1.0, 1 + ULP, high - ULP]])


def uniform(low, high, points):
    edges = np.array([low, high, 0.0, ULP, -ULP, 1.0, -1.0])
    return np.concatenate([np.linspace(low, high, points), edges[(edges >= low) & (edges <= high)]])


def softmax_rows(points):
    """Rows of 10 logits: random spreads up to +-16 around random centres, and edge rows."""
    rng = np.random.default_rng(0)
    rows = max(points // 10, 8)
    x = rng.uniform(-8, 8, (rows, 10)) * rng.uniform(0, 1, (rows, 1)) + rng.uniform(-100, 100, (rows, 1))
    x[0], x[1] = 0.0, np.linspace(-16, 0, 10)
    x[2, 3] = 30.0
    return x


def cases(points):
    """(name, range as text, inputs, function on shares, float truth, cost closed form)."""
    low, high = 2.0 ** -12, 2.0 ** 15
    grid_positive = positive(low, high, points)
    rows = softmax_rows(points)
    return [
        ("exp", "[-16, 10]", uniform(-16, 10, points), exponential.exp, np.exp,
         lambda n: exponential.exp_cost(n)[:2]),
        ("exp (softmax's part)", "[-16, 0]", uniform(-16, 0, points), exponential.exp, np.exp,
         lambda n: exponential.exp_cost(n)[:2]),
        ("reciprocal", "[2^-12, 2^15]", grid_positive, reciprocal.reciprocal, lambda x: 1 / x,
         lambda n: reciprocal.reciprocal_cost(n)[:2]),
        ("inv_sqrt", "[2^-12, 2^15]", grid_positive, sqrt.inv_sqrt, lambda x: 1 / np.sqrt(x),
         lambda n: sqrt.inv_sqrt_cost(n)[:2]),
        ("inv_sqrt, below (Adam's)", "[2^-12, 2^6]", positive(low, 2.0 ** 6, points),
         lambda x: sqrt.inv_sqrt(x, guess="below", high=2.0 ** 6), lambda x: 1 / np.sqrt(x),
         lambda n: sqrt.inv_sqrt_cost(n, guess="below", high=2.0 ** 6)[:2]),
        ("sqrt", "[2^-12, 2^15]", grid_positive, sqrt.sqrt, np.sqrt,
         lambda n: sqrt.inv_sqrt_cost(n, root=True)[:2]),
        ("log", "[2^-12, 2^15]", grid_positive, logarithm.log, np.log,
         lambda n: logarithm.log_cost(n)[:2]),
        ("sigmoid", "[-16, 16]", uniform(-16, 16, points), sigmoid.sigmoid, scipy.special.expit,
         lambda n: sigmoid.sigmoid_cost(n)[:2]),
        ("tanh", "[-8, 8]", uniform(-8, 8, points), sigmoid.tanh, np.tanh,
         lambda n: sigmoid.sigmoid_cost(n)[:2]),
        ("softmax (10 classes)", "any logits", rows, lambda x: softmax.softmax(x, axis=1),
         lambda x: scipy.special.softmax(x, axis=1),
         lambda n: softmax.softmax_cost(rows.shape, 1, "softmax")),
        ("log_softmax (10 classes)", "any logits (differences clamped at -16)", rows,
         lambda x: softmax.log_softmax(x, axis=1),
         lambda x: softmax.log_softmax(x, axis=1),    # float64, the same clamp
         lambda n: softmax.softmax_cost(rows.shape, 1, "log_softmax")),
    ]


def measure(parties, values, fn):
    alice, bob, cp = parties
    x = smpc.share(values, alice, bob, crypto_provider=cp)
    with alice.network.measure() as stats:
        y = fn(x)
    return y.get().float_precision(), stats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20001, help="grid points per function")
    args = parser.parse_args(argv)
    parties = smpc.make_parties(seed=0)
    print(f"Grids of {args.points} points plus edges; relative error where |truth| >= 2^-4.\n")
    print("| function | valid range | max abs error | at | max rel error | bytes, rounds "
          "(measured = closed form) |")
    print("|---|---|---|---|---|---|")
    for name, valid, values, fn, truth_fn, cost in cases(args.points):
        got, stats = measure(parties, values, fn)
        encoded = smpc.DEFAULT_ENCODER.decode(smpc.DEFAULT_ENCODER.encode(values))
        truth = truth_fn(encoded)
        error = np.abs(got - truth)
        big = np.abs(truth) >= RELATIVE_FLOOR
        worst = np.unravel_index(np.argmax(error), error.shape)
        at = values[worst] if values.ndim == 1 else f"row {worst[0]}"
        closed = cost(values.size)
        check = "=" if (stats.bytes, stats.rounds) == tuple(closed) else "!= " + str(closed)
        at_text = f"{at:.4g}" if isinstance(at, float) else at
        print(f"| {name} | {valid} | {error.max():.2e} | {at_text} | "
              f"{(error[big] / np.abs(truth[big])).max():.2e} | "
              f"{stats.bytes / values.size:.0f} B/element, {stats.rounds} rounds {check} |")


if __name__ == "__main__":
    sys.exit(main())
