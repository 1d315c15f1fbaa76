"""MSE against cross-entropy, SGD against Adam, plaintext against shares, side by side.

Run from the repository root::

    python benchmarks/compare_losses.py                          # embedded sample, 20 epochs
    python benchmarks/compare_losses.py --epochs 5
    python benchmarks/compare_losses.py --dataset fashion-mnist --epochs 1 \\
        --runs cross-entropy:sgd                                 # one full epoch, 60,000 images

Each run is ``smpc-train``'s (the reference MLP, batches of 64, seed 1; the same
initialisation and batch order in both modes) with ``--loss`` and ``--optimizer`` set as
``--runs`` lists them (``loss:optimizer``, comma-separated; default all four), each once
in plaintext (float64 NumPy) and once encrypted (model and data shared, SecureNN,
local truncation).  Learning rates are the command's defaults: 0.02 for SGD, 0.003 for
Adam.  It prints the test accuracy of every epoch for both modes, the largest gap
between them, and the median time per training batch with its ratio to plaintext
(timed in the same run; the machine is shared, compare ratios).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

from experiments import train_mnist  # noqa: E402

ALL_RUNS = "mse:sgd,cross-entropy:sgd,mse:adam,cross-entropy:adam"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=("sample", "fashion-mnist", "mnist"), default="sample")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--runs", default=ALL_RUNS, help=f"loss:optimizer pairs (default {ALL_RUNS})")
    args = parser.parse_args(argv)
    sizes = [] if args.dataset == "sample" else ["--train-size", "60000", "--test-size", "10000"]
    print(f"dataset {args.dataset}, {args.epochs} epochs; test accuracy per epoch (%), "
          "plaintext / encrypted\n")
    rows = []
    for pair in args.runs.split(","):
        loss, optimizer = pair.split(":")
        histories = {}
        for mode in ("plaintext", "encrypted"):
            run_args = train_mnist.parse_args(
                ["--dataset", args.dataset, "--epochs", str(args.epochs), "--loss", loss,
                 "--optimizer", optimizer, "--mode", mode, "--quiet"] + sizes)
            train, test, _ = train_mnist.load_data(run_args)
            histories[mode], _ = train_mnist.run(run_args, mode, train, test, log=lambda *a: None)
        plain, secret = histories["plaintext"], histories["encrypted"]
        per_epoch = " ".join(f"{100 * p:.1f}/{100 * s:.1f}"
                             for p, s in zip(plain.accuracies, secret.accuracies))
        gap = 100 * np.max(np.abs(np.array(plain.accuracies) - secret.accuracies))
        t_plain, t_secret = np.median(plain.batch_times), np.median(secret.batch_times)
        print(f"{loss} + {optimizer}: {per_epoch}", flush=True)
        rows.append((loss, optimizer, 100 * plain.accuracies[-1], 100 * secret.accuracies[-1],
                     gap, 1e3 * t_plain, 1e3 * t_secret, t_secret / t_plain,
                     np.median(secret.batch_bytes) / 1e6, int(np.median(secret.batch_rounds))))
    print("\n| loss | optimizer | final accuracy plaintext | encrypted | largest gap over epochs "
          "| time per batch plaintext | encrypted | traffic per batch |")
    print("|---|---|---|---|---|---|---|---|")
    for loss, opt, acc_p, acc_s, gap, t_p, t_s, ratio, mb, rounds in rows:
        print(f"| {loss} | {opt} | {acc_p:.1f}% | {acc_s:.1f}% | {gap:.1f} points | {t_p:.1f} ms | "
              f"{t_s:.0f} ms ({ratio:.0f}x) | {mb:.1f} MB, {rounds} rounds |")


if __name__ == "__main__":
    sys.exit(main())
