"""Time per training batch of the reference model, encrypted and plaintext, in one run.

    python benchmarks/bench_training.py [--batches 20] [--comparison securenn|binary]
                                        [--truncation local|masked|exact]

Prints, for each configuration, the median time per batch of 64 over
``--batches`` batches (after one warm-up batch), the ratio to plaintext float
NumPy measured in the same run, and the bytes and rounds per batch.  The
machine is shared and noisy: compare the ratios, not the absolute times.
For scale, on a 2-core machine: the PySyft reference reported 3.2 s per batch,
CrypTen 0.4.1 (two processes over loopback, same model and data) 0.91 s.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout
import experiments  # noqa: E402,F401  (first: BLAS threads and kept memory; see there)
import numpy as np  # noqa: E402

import nn  # noqa: E402
import smpc  # noqa: E402
from datasets import DataLoader, load_dataset  # noqa: E402
from experiments.model import reference_net  # noqa: E402
from experiments.modes import Mode  # noqa: E402
from experiments.train_mnist import train_step  # noqa: E402

CONFIGS = [  # (label, mode, activation)
    ("plaintext float NumPy", "plaintext", "relu"),
    ("public model, private data", "public-model", "relu"),
    ("encrypted, x^2 activation", "encrypted", "square"),
    ("encrypted, ReLU", "encrypted", "relu"),
]


def time_batches(mode_name, activation, batches, loader, settings):
    smpc.manual_seed(0)
    model = reference_net(activation)
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, smpc.DEFAULT_ENCODER)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.02))
    times, traffic = [], []
    data = list(loader)
    with smpc.config.using(**settings):
        for i in range(batches + 1):
            x_plain, y_plain = data[i % len(data)]
            start = time.perf_counter()
            owner = mode.workers[i % len(mode.workers)] if mode.shares_data else None
            with mode.measure() as stats:  # batches shared by their owners, as in smpc-train
                train_step(model, optimizer, mode, x_plain, y_plain, owner=owner)
            if i:  # the first batch warms caches up
                times.append(time.perf_counter() - start)
                traffic.append((stats.bytes, stats.rounds))
    return float(np.median(times)), np.median(np.asarray(traffic), axis=0)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--comparison", choices=smpc.config.COMPARISON_METHODS, default="securenn")
    p.add_argument("--truncation", choices=smpc.config.TRUNCATION_METHODS, default="local")
    p.add_argument("--only", choices=[mode for _, mode, _ in CONFIGS], action="append",
                   help="time only these modes (plaintext is always timed, as the base)")
    args = p.parse_args(argv)
    images, labels = load_dataset("sample", "train")
    loader = DataLoader(images[:1280], labels[:1280], batch_size=64, shuffle=True, seed=0)
    settings = {"comparison": args.comparison, "truncation": args.truncation}
    print(f"Median time per batch of 64 over {args.batches} batches "
          f"(comparison={args.comparison}, truncation={args.truncation}; "
          f"{experiments.blas_threads_setting()})")
    base = None
    for label, mode, activation in CONFIGS:
        if args.only and mode not in args.only and mode != "plaintext":
            continue
        seconds, (nbytes, rounds) = time_batches(mode, activation, args.batches, loader, settings)
        base = base or seconds
        print(f"  {label:28s} {seconds * 1e3:9.2f} ms  {seconds / base:7.0f}x plaintext  "
              f"{nbytes / 1e6:7.2f} MB  {int(rounds):4d} rounds")


if __name__ == "__main__":
    main()
