"""Soak run: one full epoch over the 60,000 Fashion-MNIST training images on shares.

    python benchmarks/soak_fashion_mnist.py --plot soak_loss.png

(takes a few minutes; ``--train-size``/``--test-size`` shrink it for a quick look.)
Trains the reference MLP (784-128-64-10, ReLU, MSE on one-hot targets, SGD lr 0.02,
batch 64) once encrypted -- model and data secret-shared between alice and bob,
SecureNN comparisons, the configured default truncation unless ``--truncation``
says otherwise -- and once in plaintext with the same seed, the same
initialisation and the same batch order.  Prints the loss of both every 50
batches, the test accuracy of both on the 10,000 test images (on shares for the
encrypted run, only the count revealed), the time per batch and per epoch, and
the peak memory of the process (``ru_maxrss``).  Saves the two loss curves to
``--plot`` (matplotlib, Agg backend).  The issue's targets: one encrypted epoch in
at most 2 minutes, peak memory at most 2 GB.  Not part of CI.
"""
import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import experiments  # noqa: E402,F401  (first: single-threaded BLAS, see experiments/__init__.py)
import numpy as np  # noqa: E402

import smpc  # noqa: E402
from experiments.train_mnist import load_data, parse_args, run  # noqa: E402

WINDOW = 50


def peak_memory_mb():
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plot(histories, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax_gap) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True,
                                     gridspec_kw={"height_ratios": [3, 1.4]})
    smoothed = []
    for h, colour, style in zip(histories, ("tab:red", "tab:blue"), ("-", "--")):
        losses = np.asarray(h.losses)
        ax.plot(losses, color=colour, alpha=0.2, linewidth=0.6)
        window = min(WINDOW, len(losses))
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        steps = np.arange(window - 1, len(losses))
        smoothed.append(smooth)
        ax.plot(steps, smooth, color=colour, linestyle=style,
                label=f"{h.mode} (mean of {window} batches), test accuracy {100 * h.accuracies[-1]:.1f}%")
    ax.set_ylabel("MSE loss")
    ax.set_title("Fashion-MNIST, one epoch: training on shares vs plaintext")
    ax.legend()
    gap = np.asarray(histories[0].losses) - np.asarray(histories[1].losses)
    ax_gap.plot(gap, color="tab:gray", linewidth=0.6, label="per batch")
    ax_gap.plot(steps, smoothed[0] - smoothed[1], color="black", label=f"mean of {window}")
    ax_gap.axhline(0, color="black", linewidth=0.5)
    ax_gap.set_ylabel("encrypted - plaintext")
    ax_gap.set_xlabel("batch (64 images)")
    ax_gap.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--plot", metavar="FILE", default="soak_fashion_mnist.png")
    p.add_argument("--train-size", type=int, default=60_000)
    p.add_argument("--test-size", type=int, default=10_000)
    p.add_argument("--truncation", choices=smpc.config.TRUNCATION_METHODS,
                   default=smpc.config.settings.truncation)
    p.add_argument("--seed", type=int, default=1)
    own = p.parse_args(argv)
    args = parse_args(["--dataset", "fashion-mnist", "--epochs", "1", "--batch-size", "64",
                       "--test-batch-size", "500", "--lr", "0.02", "--activation", "relu",
                       "--train-size", str(own.train_size), "--test-size", str(own.test_size),
                       "--truncation", own.truncation, "--seed", str(own.seed),
                       "--log-interval", str(WINDOW), "--mode", "encrypted,plaintext"])
    train_data, test_data, description = load_data(args)
    print(f"Data: {description}; {len(train_data[1]):,} training and {len(test_data[1]):,} test images")
    print(f"truncation={args.truncation}, comparison={args.comparison}, seed={args.seed}", flush=True)

    histories, walls = [], []
    for mode in args.modes:
        start = time.perf_counter()
        history, _ = run(args, mode, train_data, test_data, log=lambda line: print(line, flush=True))
        walls.append(time.perf_counter() - start)
        histories.append(history)
        print(f"[{mode}] wall time {walls[-1]:.1f} s, peak memory so far {peak_memory_mb():.0f} MB",
              flush=True)

    encrypted, plaintext = histories
    enc_losses, plain_losses = np.asarray(encrypted.losses), np.asarray(plaintext.losses)
    print(f"\nLoss every {WINDOW} batches (batch loss, and the mean over the {WINDOW} batches ending there)")
    print(f"{'batch':>6} {'encrypted':>10} {'plaintext':>10} {'mean enc':>9} {'mean plain':>10} {'diff':>8}")
    for i in range(0, len(enc_losses), WINDOW):
        window = slice(max(0, i - WINDOW + 1), i + 1)
        me, mp = enc_losses[window].mean(), plain_losses[window].mean()
        print(f"{i:6d} {enc_losses[i]:10.5f} {plain_losses[i]:10.5f} {me:9.5f} {mp:10.5f} {me - mp:+8.5f}")
    gap = np.abs(enc_losses - plain_losses)
    print(f"largest |encrypted - plaintext| batch loss: {gap.max():.5f} (batch {int(gap.argmax())}); "
          f"median {np.median(gap):.5f}; relative to the plaintext loss: "
          f"median {np.median(gap / plain_losses):.2%}")

    times = np.asarray(encrypted.batch_times)
    print(f"\nEncrypted: {len(times)} batches, median {np.median(times) * 1e3:.1f} ms per batch "
          f"({np.median(times) / np.median(plaintext.batch_times):.0f}x plaintext), training epoch "
          f"{times.sum():.1f} s (target <= 120 s), epoch with the test pass {walls[0]:.1f} s; "
          f"{np.median(encrypted.batch_bytes) / 1e6:.2f} MB and "
          f"{int(np.median(encrypted.batch_rounds))} rounds per batch")
    print(f"Plaintext: median {np.median(plaintext.batch_times) * 1e3:.2f} ms per batch, "
          f"epoch {np.sum(plaintext.batch_times):.1f} s")
    print(f"Test accuracy: encrypted {100 * encrypted.accuracies[-1]:.2f}%, "
          f"plaintext {100 * plaintext.accuracies[-1]:.2f}%")
    print(f"Peak memory (ru_maxrss): {peak_memory_mb():.0f} MB (target <= 2048 MB)")
    plot(histories, own.plot)
    print(f"Loss curves saved to {own.plot}")


if __name__ == "__main__":
    main()
