"""DP-SGD on shares: accuracy against epsilon, encrypted and plaintext, and time per batch.

    python benchmarks/bench_dp.py --plot docs/dp_accuracy_vs_epsilon.png
    python benchmarks/bench_dp.py --dataset fashion-mnist --train-size 60000 \\
        --test-size 10000 --epochs 1 --skip-timing

Part 1 trains the reference MLP with ``smpc-train``'s DP-SGD (Poisson sampling, clip
norm ``--clip``, noise calibrated with dp-accounting for the whole run) at each epsilon
of ``--epsilons`` (delta 1e-5), once on shares and once in plaintext float NumPy with
the same seed -- the same initialisation, Poisson batches and noise draws -- and
prints both test accuracies, their difference, and the accuracy without DP.

Part 2 times training batches of 64 on the same data, with and without DP-SGD, on
shares and in plaintext (medians over ``--batches`` batches after one warm-up), and
prints the ratios.  The machine is shared and noisy: compare ratios.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

import nn  # noqa: E402
import smpc  # noqa: E402
from datasets import DataLoader  # noqa: E402
from experiments.dp_training import dp_train_step  # noqa: E402
from experiments.model import reference_net  # noqa: E402
from experiments.modes import Mode  # noqa: E402
from experiments.train_mnist import load_data, parse_args, run, train_step  # noqa: E402
from nn.dp import DPSGD  # noqa: E402


def accuracy_against_epsilon(options, epsilons, log):
    rows = []
    base_args = parse_args(options + ["--mode", "plaintext"])
    train_data, test_data, description = load_data(base_args)
    log(f"Data: {description}")
    for epsilon in epsilons:
        row = {"epsilon": epsilon}
        for mode in ("encrypted", "plaintext"):
            args = parse_args(options + ["--mode", mode, "--dp-epsilon", str(epsilon)])
            start = time.perf_counter()
            history, _ = run(args, mode, train_data, test_data, log=lambda *a: None)
            row[mode] = history.accuracies[-1]
            row["sigma"], row["spent"] = history.noise_multiplier, history.epsilons[-1]
            row[mode + " seconds"] = time.perf_counter() - start
        rows.append(row)
        log(f"  epsilon {epsilon:4g} (sigma {row['sigma']:.3f}, spent {row['spent']:.3f}): "
            f"encrypted {100 * row['encrypted']:6.2f}%  plaintext {100 * row['plaintext']:6.2f}%  "
            f"difference {100 * (row['encrypted'] - row['plaintext']):+.2f} points  "
            f"({row['encrypted seconds']:.0f} s / {row['plaintext seconds']:.0f} s)")
    args = parse_args(options + ["--mode", "plaintext", "--lr", "0.02"])
    baseline = run(args, "plaintext", train_data, test_data, log=lambda *a: None)[0].accuracies[-1]
    log(f"  without DP (plaintext, the reference's lr 0.02): {100 * baseline:.2f}%")
    return rows, baseline


def time_batches(mode_name, private, batches, data, clip):
    smpc.manual_seed(0)
    model = reference_net()
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, smpc.DEFAULT_ENCODER)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.1))
    privacy = DPSGD(model, clip, 1.0, 64.0, np.random.default_rng(0),
                    parties=(tuple(mode.workers), mode.crypto_provider) if mode.shares_data else None)
    loader = DataLoader(*data)
    order = np.random.default_rng(0).permutation(len(data[1]))
    times, traffic = [], []
    for i in range(batches + 1):
        indices = order[(64 * i) % (len(order) - 64):][:64]
        start = time.perf_counter()
        with mode.measure() as stats:
            if private:
                dp_train_step(model, optimizer, privacy, mode, loader, indices)
            else:
                train_step(model, optimizer, mode, *loader.make_batch(indices))
        if i:
            times.append(time.perf_counter() - start)
            traffic.append((stats.bytes, stats.rounds))
    return float(np.median(times)), np.median(np.asarray(traffic), axis=0)


def timing(train_data, batches, clip, log):
    log(f"Median time per training batch of 64 over {batches} batches "
        f"({experiments.blas_threads_setting()})")
    measured = {}
    for mode in ("plaintext", "encrypted"):
        for private in (False, True):
            measured[mode, private] = time_batches(mode, private, batches, train_data, clip)
    base = measured["plaintext", False][0]
    for (mode, private), (seconds, (nbytes, rounds)) in measured.items():
        plain_ratio = seconds / measured[mode, False][0]
        log(f"  {mode:10s} {'DP-SGD' if private else 'SGD':7s} {seconds * 1e3:8.1f} ms  "
            f"{seconds / base:6.1f}x plaintext SGD  {plain_ratio:5.2f}x non-private  "
            f"{nbytes / 1e6:6.2f} MB  {int(rounds):4d} rounds")
    return measured


def plot(rows, baseline, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    eps = [r["epsilon"] for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(eps, [100 * r["encrypted"] for r in rows], marker="o", color="tab:red",
            label="DP-SGD on shares")
    ax.plot(eps, [100 * r["plaintext"] for r in rows], marker="x", linestyle="--",
            color="tab:blue", label="DP-SGD in plaintext")
    ax.axhline(100 * baseline, color="gray", linestyle=":", label="no DP (plaintext)")
    ax.set(xscale="log", xlabel="epsilon (delta = 1e-5)", ylabel="test accuracy (%)", title=title)
    ax.minorticks_off()
    ax.set_xticks(eps, [f"{e:g}" for e in eps])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"Figure saved to {path}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="sample")
    p.add_argument("--train-size", default="6000")
    p.add_argument("--test-size", default="640")
    p.add_argument("--epochs", default="3")
    p.add_argument("--lr", default="0.1")
    p.add_argument("--clip", default="2")
    p.add_argument("--epsilons", default="1,3,8")
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--skip-timing", action="store_true")
    p.add_argument("--plot", default=None)
    args = p.parse_args(argv)
    options = ["--dataset", args.dataset, "--train-size", args.train_size, "--test-size",
               args.test_size, "--epochs", args.epochs, "--lr", args.lr, "--dp-clip", args.clip,
               "--quiet"]
    epsilons = [float(e) for e in args.epsilons.split(",")]
    print(f"Accuracy against epsilon: {args.dataset}, {args.train_size} training and "
          f"{args.test_size} test images, {args.epochs} epoch(s), lr {args.lr}, clip {args.clip}, "
          f"expected batch 64, delta 1e-5")
    rows, baseline = accuracy_against_epsilon(options, epsilons, print)
    if not args.skip_timing:
        train_data, _, _ = load_data(parse_args(options))
        timing(train_data, args.batches, float(args.clip), print)
    if args.plot:
        plot(rows, baseline, args.plot, f"{args.dataset}: {args.train_size} images, "
                                        f"{args.epochs} epoch(s)")


if __name__ == "__main__":
    main()
