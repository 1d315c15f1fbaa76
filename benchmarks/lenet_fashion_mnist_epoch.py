"""One full Fashion-MNIST epoch of the LeNet (SecureNN's network B) on shares vs plaintext.

    python benchmarks/lenet_fashion_mnist_epoch.py --dataset fashion-mnist [--comparison binary]

(tens of minutes on 2 cores; ``--train-size``/``--test-size`` shrink it for a quick look,
``--dataset sample`` runs on the embedded sample, offline.)  Trains
``smpc-train --model lenet`` (MSE on one-hot targets, SGD lr 0.02, batch 64) once
encrypted -- model and data secret-shared between alice and bob, SecureNN (or binary)
comparisons --
and once in plaintext with the same seed, initialisation and batch order.  Prints both
losses every 50 batches, the test accuracy of both (on shares for the encrypted run, only
the count revealed), the time per batch and per epoch and the peak memory, and saves the
two loss curves to ``--plot``.  The targets: the encrypted epoch under 30 minutes, the
accuracies within 1 point.  Not part of CI.
"""
import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import experiments  # noqa: E402  (first: BLAS threads, see experiments/__init__.py)
import numpy as np  # noqa: E402

from experiments.train_mnist import load_data, parse_args, run  # noqa: E402
from soak_fashion_mnist import plot  # noqa: E402

WINDOW = 50


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=("fashion-mnist", "mnist", "sample"), default="fashion-mnist")
    p.add_argument("--plot", metavar="FILE", default="lenet_fashion_mnist.png")
    p.add_argument("--train-size", type=int, default=60_000)
    p.add_argument("--test-size", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--comparison", choices=("securenn", "binary"), default="securenn")
    own = p.parse_args(argv)
    if own.dataset == "sample":
        own.train_size, own.test_size = min(own.train_size, 6000), min(own.test_size, 640)
    args = parse_args(["--model", "lenet", "--dataset", own.dataset, "--epochs", "1",
                       "--batch-size", "64", "--test-batch-size", "64", "--lr", "0.02",
                       "--train-size", str(own.train_size), "--test-size", str(own.test_size),
                       "--seed", str(own.seed), "--comparison", own.comparison, "--log-interval", str(WINDOW),
                       "--mode", "encrypted,plaintext"])
    train_data, test_data, description = load_data(args)
    print(f"Data: {description}; {len(train_data[1]):,} training and {len(test_data[1]):,} test images")
    print(f"model=lenet, truncation={args.truncation}, comparison={args.comparison}, seed={args.seed}, "
          f"{experiments.blas_threads_setting()}", flush=True)
    histories, walls = [], []
    for mode in args.modes:
        start = time.perf_counter()
        history, _ = run(args, mode, train_data, test_data, log=lambda line: print(line, flush=True))
        walls.append(time.perf_counter() - start)
        histories.append(history)
        print(f"[{mode}] wall time {walls[-1]:.1f} s", flush=True)
    encrypted, plaintext = histories
    gap = np.abs(np.asarray(encrypted.losses) - np.asarray(plaintext.losses))
    print(f"\nlargest |encrypted - plaintext| batch loss {gap.max():.5f}, median {np.median(gap):.5f} "
          f"(median relative {np.median(gap / np.asarray(plaintext.losses)):.2%})")
    times = np.asarray(encrypted.batch_times)
    print(f"Encrypted: {len(times)} batches, median {np.median(times):.3f} s per batch "
          f"({np.median(times) / np.median(plaintext.batch_times):.0f}x plaintext), training epoch "
          f"{times.sum() / 60:.1f} min (target < 30 min), with the test pass {walls[0] / 60:.1f} min; "
          f"{np.median(encrypted.batch_bytes) / 1e6:.1f} MB, {int(np.median(encrypted.batch_rounds))} "
          "rounds per batch")
    print(f"Plaintext: median {np.median(plaintext.batch_times) * 1e3:.1f} ms per batch, "
          f"epoch {np.sum(plaintext.batch_times):.1f} s")
    print(f"Test accuracy: encrypted {100 * encrypted.accuracies[-1]:.2f}%, "
          f"plaintext {100 * plaintext.accuracies[-1]:.2f}% "
          f"(difference {100 * abs(encrypted.accuracies[-1] - plaintext.accuracies[-1]):.2f} points)")
    print(f"Peak memory (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    plot(histories, own.plot)
    print(f"Loss curves saved to {own.plot}")


if __name__ == "__main__":
    main()
