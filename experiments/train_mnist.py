"""Encrypted training of the reference MLP on MNIST: the project's main job.

Run the reference experiment (offline, on the embedded sample)::

    smpc-train

which is ``python -m experiments.train_mnist`` once the project is installed.
A quick look, and a comparison with plaintext training plotted to a file::

    smpc-train --epochs 2 --mode encrypted,plaintext --plot curves.png

It reproduces the PySyft walk-through: the 784-128-64-10 MLP with ReLU, model
and data secret-shared between alice and bob with a crypto provider, MSE on
one-hot targets, SGD with lr 0.02, batches of 64, 640 training and 640 test
images, 20 epochs.  The test runs on shares too: only the number of correct
predictions is revealed.  At the end the model goes back to its owner.
"""
import argparse
import sys
import time

import numpy as np

import nn
import smpc
from autograd import no_grad
from datasets import DataLoader, load_dataset

from .model import MODELS
from .modes import MODES, Mode


def positive_int(text):
    """argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text}")
    return value


def positive_float(text):
    """argparse type: a number above 0."""
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="smpc-train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=positive_int, default=20)
    p.add_argument("--train-size", type=positive_int, default=640)
    p.add_argument("--test-size", type=positive_int, default=640)
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--test-batch-size", type=positive_int, default=64)
    p.add_argument("--lr", type=positive_float, default=0.02)
    p.add_argument("--momentum", type=float, default=0.0, help="in [0, 1)")
    p.add_argument("--activation", choices=("relu", "square"), default="relu")
    p.add_argument("--model", choices=tuple(MODELS), default="mlp",
                   help="mlp: the reference 784-128-64-10; lenet: SecureNN's network B (two 5x5 "
                        "convolutions with max pooling, 256-100-10)")
    p.add_argument("--mode", default="encrypted",
                   help="encrypted | plaintext | public-model, or several joined by commas")
    p.add_argument("--precision", default="16",
                   help="fractional bits (16), or base:digits such as 10:3 (the reference's)")
    p.add_argument("--truncation", choices=smpc.config.TRUNCATION_METHODS, default="local")
    p.add_argument("--comparison", choices=smpc.config.COMPARISON_METHODS, default="securenn")
    p.add_argument("--dataset", choices=("sample", "mnist", "fashion-mnist"), default="sample")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-interval", type=positive_int, default=1, help="log every N batches")
    p.add_argument("--plot", metavar="FILE", default=None, help="save loss/accuracy curves")
    p.add_argument("--quiet", action="store_true",
                   help="no per-batch log lines: only test accuracies and the summary")
    args = p.parse_args(argv)
    args.modes = [m.strip() for m in args.mode.split(",") if m.strip()]
    if not args.modes:
        p.error(f"--mode {args.mode!r} names no mode: choose from {', '.join(MODES)}")
    if not 0 <= args.momentum < 1:
        p.error(f"--momentum {args.momentum}: must be in [0, 1)")
    for mode in args.modes:
        if mode not in MODES:
            p.error(f"--mode {mode!r}: choose from {', '.join(MODES)}")
    try:
        args.encoder = smpc.encoder_from_setting(args.precision)
    except ValueError as err:
        p.error(f"--precision {args.precision!r}: {err}")
    return args


def load_data(args):
    """The plain training and test splits (the data owners' data, before sharing)."""
    train = load_dataset(args.dataset, "train", data_dir=args.data_dir)
    test = load_dataset(args.dataset, "test", data_dir=args.data_dir)
    for split, size, name in ((train, args.train_size, "--train-size"),
                              (test, args.test_size, "--test-size")):
        if size > len(split.labels):
            raise SystemExit(f"{name} {size} is larger than the {len(split.labels)} images available "
                             f"in {args.dataset}; use --dataset mnist or a smaller size")
    return ((train.images[:args.train_size], train.labels[:args.train_size]),
            (test.images[:args.test_size], test.labels[:args.test_size]), train.description)


class History:
    """What one run measured: loss per batch, accuracy per epoch, time and traffic."""

    def __init__(self, mode):
        self.mode = mode
        self.losses, self.epoch_losses, self.accuracies = [], [], []
        self.batch_times, self.batch_bytes, self.batch_rounds = [], [], []


def run(args, mode_name, train_data, test_data, log=print):
    """Train and test in one mode; return its :class:`History` and the trained float model."""
    smpc.manual_seed(args.seed)
    model = MODELS[args.model](args.activation)   # same initialisation in every mode
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, args.encoder)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=args.lr, momentum=args.momentum))
    train_loader = DataLoader(*train_data, batch_size=args.batch_size, shuffle=True, seed=args.seed)
    test_loader = DataLoader(*test_data, batch_size=args.test_batch_size)
    owners = getattr(mode, "workers", [None])
    history = History(mode_name)
    n_batches, n_items = len(train_loader), train_loader.num_examples
    with smpc.config.using(truncation=args.truncation, comparison=args.comparison):
        for epoch in range(1, args.epochs + 1):
            epoch_loss = []
            for batch_idx, (x_plain, y_plain) in enumerate(train_loader):
                start = time.perf_counter()
                with mode.measure() as traffic:
                    loss_value = train_step(model, optimizer, mode, x_plain, y_plain,
                                            owner=owners[batch_idx % len(owners)])
                elapsed = time.perf_counter() - start
                history.losses.append(loss_value)
                epoch_loss.append(loss_value)
                history.batch_times.append(elapsed)
                history.batch_bytes.append(traffic.bytes)
                history.batch_rounds.append(traffic.rounds)
                if not args.quiet and batch_idx % args.log_interval == 0:
                    comm = (f"\tComm: {traffic.bytes / 1e6:.2f} MB, {traffic.rounds} rounds"
                            if mode.shares_data else "")
                    log(f"Train Epoch: {epoch} [{batch_idx * args.batch_size}/{n_items} "
                        f"({100.0 * batch_idx / n_batches:.0f}%)]\tLoss: {loss_value:.6f}"
                        f"\tTime: {elapsed:.3f}s{comm}")
            history.epoch_losses.append(float(np.mean(epoch_loss)))
            correct = test(model, mode, test_loader)
            total = test_loader.num_examples
            history.accuracies.append(correct / total)
            log(f"\nTest set [{mode_name}]: Accuracy: {correct}/{total} "
                f"({100.0 * correct / total:.0f}%)\n")
    mode.finish(model)
    return history, model


def train_step(model, optimizer, mode, x_plain, y_plain, owner=None):
    """One SGD step on one batch; returns the revealed loss (the only value revealed)."""
    x, y = mode.batch(x_plain, y_plain, owner=owner)
    optimizer.zero_grad()
    loss = nn.mse_loss(model(x), y)
    loss.backward()
    mode.after_backward(model)
    optimizer.step()
    return float(mode.reveal(loss))


def test(model, mode, test_loader):
    """Count correct predictions; on shares, only the count is revealed."""
    model.eval()
    correct = 0
    with no_grad():
        for x_plain, y_plain in test_loader:
            x, y = mode.batch(x_plain, y_plain)
            correct += mode.count_correct(model(x), y)
    model.train()
    return correct


def summarize(histories, log=print):
    log("Summary (median per training batch):")
    base = next((h for h in histories if h.mode == "plaintext"), None)
    for h in histories:
        t = float(np.median(h.batch_times))
        ratio = f", {t / float(np.median(base.batch_times)):.0f}x plaintext" if base and h is not base else ""
        log(f"  {h.mode:13s} {t * 1e3:8.1f} ms{ratio}; {np.median(h.batch_bytes) / 1e6:.2f} MB, "
            f"{int(np.median(h.batch_rounds))} rounds; final accuracy {100 * h.accuracies[-1]:.1f}%")


def main(argv=None):
    args = parse_args(argv)
    train_data, test_data, description = load_data(args)
    if not args.quiet:
        print(f"Data: {description}")
    histories, models = [], {}
    for mode_name in args.modes:
        history, models[mode_name] = run(args, mode_name, train_data, test_data)
        histories.append(history)
    if len(histories) > 1 or not args.quiet:
        summarize(histories)
    if "encrypted" in args.modes:
        from .predict import report_encrypted_prediction
        with smpc.config.using(truncation=args.truncation, comparison=args.comparison):
            report_encrypted_prediction(models["encrypted"], test_data, args)
    if args.plot:
        from .plotting import plot_histories
        plot_histories(histories, args.plot)
        print(f"Curves saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
