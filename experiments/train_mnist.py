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
from contextlib import nullcontext

import numpy as np

import nn
import smpc
from autograd import no_grad
from datasets import DataLoader, load_dataset

from .cli_errors import check_options, clean_errors
from .model import MODELS
from .modes import MODES, Mode
from .predict import report_encrypted_prediction
from .schedule import training_schedule


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


#: ``--loss``: the reference's MSE on one-hot targets, or cross-entropy (softmax on shares).
LOSSES = {"mse": nn.mse_loss, "cross-entropy": nn.cross_entropy}
#: ``--optimizer``.  Adam's default learning rate: of 1e-3, 3e-3 and 1e-2 (plaintext
#: cross-entropy, 20 epochs on the embedded sample), 3e-3 reached 88% first and held it.
OPTIMIZERS = {"sgd": nn.SGD, "adam": nn.Adam}
DEFAULT_LR = {"sgd": 0.02, "adam": 3e-3}


def make_optimizer(args, model):
    """The optimiser of ``--optimizer`` with ``--lr`` (and ``--momentum`` for SGD)."""
    if args.optimizer == "adam":
        return nn.Adam(model.parameters(), lr=args.lr)
    return nn.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="smpc-train", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=positive_int, default=20)
    p.add_argument("--train-size", type=positive_int, default=640)
    p.add_argument("--test-size", type=positive_int, default=640)
    p.add_argument("--batch-size", type=positive_int, default=64)
    p.add_argument("--test-batch-size", type=positive_int, default=64)
    p.add_argument("--lr", type=positive_float, default=None,
                   help=f"learning rate (default {DEFAULT_LR['sgd']} with sgd, {DEFAULT_LR['adam']} with adam)")
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
    p.add_argument("--data-dir", default=None,
                   help="the directory holding the data set's files (used alone, never downloaded into)")
    p.add_argument("--offline", action="store_true", help="never download: use files on disk only")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--log-interval", type=positive_int, default=1, help="log every N batches")
    p.add_argument("--plot", metavar="FILE", default=None, help="save loss/accuracy curves")
    p.add_argument("--loss", choices=LOSSES, default="mse",
                   help="mse (the reference's) or cross-entropy (softmax on shares)")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS), default="sgd")
    p.add_argument("--quiet", action="store_true",
                   help="no per-batch log lines: only test accuracies and the summary")
    p.add_argument("--parties", choices=("simulation", "processes"), default="simulation",
                   help="simulation: one process plays every party; processes: alice, bob "
                        "and the crypto provider each in their own process on this machine")
    p.add_argument("--transport", choices=("curve", "plain"), default="curve",
                   help="with --parties processes: CURVE-encrypted links (default) or plain TCP")
    dp = p.add_argument_group("differential privacy (DP-SGD on shares, see nn/dp/)")
    dp.add_argument("--dp-epsilon", type=positive_float, default=None, metavar="E",
                    help="train with DP-SGD, spending at most epsilon E over the whole run")
    dp.add_argument("--dp-delta", type=float, default=1e-5, metavar="D", help="in (0, 1)")
    dp.add_argument("--dp-clip", type=float, default=1.0, metavar="C",
                    help="per-example gradient norm bound C, in [1/16, 128)")
    dp.add_argument("--dp-noise", choices=("dealer", "holders"), default="dealer",
                    help="who draws the Gaussian noise (see nn/dp/noise.py)")
    add_deployment_options(p)
    args = p.parse_args(argv)
    if args.dp_epsilon is not None:
        from nn.dp import check_clip
        if not 0 < args.dp_delta < 1:
            p.error(f"--dp-delta {args.dp_delta:g}: must be in (0, 1), e.g. 1e-5")
        try:
            check_clip(args.dp_clip)
        except ValueError as err:
            p.error(f"--dp-clip {args.dp_clip:g}: {err}")
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
    if args.lr is None:
        args.lr = DEFAULT_LR[args.optimizer]
    if args.optimizer == "adam" and args.momentum:
        p.error("--momentum is an SGD setting; Adam keeps its own moments (betas 0.9, 0.999)")
    if (args.optimizer == "adam" or args.loss == "cross-entropy") and \
            args.encoder != smpc.DEFAULT_ENCODER and "encrypted" in args.modes:
        p.error(f"--loss {args.loss} --optimizer {args.optimizer} on shares needs the default "
                f"--precision 16: their approximations are built for 16 fractional bits")
    return check_options(p, args)


def add_deployment_options(p):
    """The options of a run with every party on its own machine (:mod:`experiments.deployment`)."""
    g = p.add_argument_group("parties on separate machines")
    g.add_argument("--config", metavar="FILE", default=None,
                   help="the parties' configuration file: run as the model owner across machines")
    g.add_argument("--key", metavar="FILE", default=None, help="this party's secret key file")
    g.add_argument("--checkpoint-dir", metavar="DIR", default=None,
                   help="write this party's checkpoints into DIR")
    g.add_argument("--checkpoint-every", type=positive_int, default=None, metavar="N",
                   help="with --checkpoint-dir or --resume: a checkpoint every N steps")
    g.add_argument("--resume", metavar="DIR", default=None,
                   help="continue from the last checkpoint every party has in its DIR")
    g.add_argument("--csprng-seeded", action="store_true",
                   help="derive the AES-CTR random streams from --seed (reproducible: tests "
                        "only) instead of keying them from the OS and by agreement")
    g.add_argument("--save-result", metavar="FILE", default=None,
                   help="the model owner writes the losses, accuracies and model as JSON")


def load_data(args):
    """The plain training and test splits (the data owners' data, before sharing)."""
    download = args.data_dir is None and not args.offline  # an explicit directory is used alone
    train = load_dataset(args.dataset, "train", data_dir=args.data_dir, download=download)
    test = load_dataset(args.dataset, "test", data_dir=args.data_dir, download=download)
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
        self.batch_offline_times = []  # of each batch's time: drawing its prepared triples


def run(args, mode_name, train_data, test_data, log=print, parties=None):
    """Train and test in one mode; return its :class:`History` and the trained float model.

    ``parties``: the session to run on (default: a simulation seeded by ``args.seed``).
    With the parties in separate processes every process runs this same function.
    """
    if getattr(args, "dp_epsilon", None) is not None:   # DP-SGD: experiments/dp_training.py
        from .dp_training import run_dp
        history = History(mode_name)
        return history, run_dp(args, mode_name, train_data, test_data, history, log, parties)
    smpc.manual_seed(args.seed)
    model = MODELS[args.model](args.activation)   # same initialisation in every mode
    if parties is None and mode_name != "plaintext":
        parties = smpc.make_parties(seed=args.seed)
    mode = Mode(mode_name, parties, args.encoder)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(make_optimizer(args, model))
    train_loader = DataLoader(*train_data, batch_size=args.batch_size, shuffle=True, seed=args.seed)
    test_loader = DataLoader(*test_data, batch_size=args.test_batch_size)
    owners = getattr(mode, "workers", [None])
    history = History(mode_name)
    schedule = training_schedule(mode, train_loader, test_loader, args.epochs)
    n_batches, n_items = len(train_loader), train_loader.num_examples
    settings = (smpc.config.using(truncation=args.truncation, comparison=args.comparison)
                if parties is None or parties[0].network.settings is smpc.config.settings
                else _session_settings(parties[0].network, args))
    with settings:
        for epoch in range(1, args.epochs + 1):
            epoch_loss = []
            for batch_idx, (x_plain, y_plain) in enumerate(train_loader):
                start, offline = time.perf_counter(), mode.offline_seconds()
                with mode.measure() as traffic, schedule.step(("train", len(x_plain))):
                    loss_value = train_step(model, optimizer, mode, x_plain, y_plain,
                                            owner=owners[batch_idx % len(owners)],
                                            loss_name=args.loss)
                elapsed = time.perf_counter() - start
                history.batch_offline_times.append(mode.offline_seconds() - offline)
                history.losses.append(loss_value)
                epoch_loss.append(loss_value)
                history.batch_times.append(elapsed)
                history.batch_bytes.append(traffic.bytes)
                history.batch_rounds.append(traffic.rounds)
                if not args.quiet and batch_idx % args.log_interval == 0:
                    comm = (f"\tComm: {traffic.bytes / 1e6:.2f} MB, {traffic.rounds} rounds"
                            if mode.shares_data and mode.network.is_simulation else "")
                    log(f"Train Epoch: {epoch} [{batch_idx * args.batch_size}/{n_items} "
                        f"({100.0 * batch_idx / n_batches:.0f}%)]\tLoss: {loss_value:.6f}"
                        f"\tTime: {elapsed:.3f}s{comm}")
            history.epoch_losses.append(float(np.mean(epoch_loss)))
            correct = test(model, mode, test_loader, schedule)
            total = test_loader.num_examples
            history.accuracies.append(correct / total)
            log(f"\nTest set [{mode_name}]: Accuracy: {correct}/{total} "
                f"({100.0 * correct / total:.0f}%)\n")
    mode.finish(model)
    return history, model


def _session_settings(network, args):
    """A block with the run's protocol choices set on the session's own settings."""
    from contextlib import contextmanager

    @contextmanager
    def block():
        network.settings.truncation, network.settings.comparison = args.truncation, args.comparison
        network.settings.check()
        yield network.settings
    return block()


def train_step(model, optimizer, mode, x_plain, y_plain, owner=None, loss_name="mse"):
    """One optimiser step on one batch; returns the revealed loss (the only value revealed)."""
    x, y = mode.batch(x_plain, y_plain, owner=owner)
    optimizer.zero_grad()
    loss = LOSSES[loss_name](model(x), y)
    loss.backward()
    mode.after_backward(model)
    optimizer.step()
    return float(mode.reveal(loss))


def test(model, mode, test_loader, schedule=None):
    """Count correct predictions; on shares, only the count is revealed.

    ``schedule``: the run's :class:`~experiments.schedule.Schedule`, whose next steps are
    these test batches (so the dealer prepares them ahead); None: no announced steps.
    """
    model.eval()
    correct = 0
    with no_grad():
        for x_plain, y_plain in test_loader:
            with schedule.step(("test", len(x_plain))) if schedule else nullcontext():
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
        traffic = (f"{np.median(h.batch_bytes) / 1e6:.2f} MB, {int(np.median(h.batch_rounds))} rounds"
                   if getattr(h, "traffic_seen", True) else "traffic per link below")
        log(f"  {h.mode:13s} {t * 1e3:8.1f} ms{ratio}; {traffic}; "
            f"final accuracy {100 * h.accuracies[-1]:.1f}%")


def load_data_for(args, network):
    """The data a process of the run holds: real data where it plays a data owner (alice
    and bob own the training batches, the model owner the test batches, alice the images
    of the prediction), only zeros of the right shapes in the crypto provider's process."""
    if any(network.plays_name(name) for name in ("alice", "bob", "me")):
        return load_data(args)
    shape = (28, 28)
    blank = lambda n: (np.zeros((n,) + shape, np.uint8), np.zeros(n, np.int64))  # noqa: E731
    return blank(args.train_size), blank(args.test_size), "(the crypto provider holds no data)"


def encrypted_run(args, parties, log=print):
    """The encrypted run and encrypted prediction, as every process of the session runs it.

    Returns the :class:`History` and the trained float model (meaningful in the model
    owner's process; the others hold only zeros of its shapes).
    """
    network = parties[0].network
    owner_here = network.plays(network.local)
    log = log if owner_here else (lambda *a, **k: None)
    train_data, test_data, _ = load_data_for(args, network)
    history, model = run(args, "encrypted", train_data, test_data, log=log, parties=parties)
    report_encrypted_prediction(model, test_data, args, log=log, parties=parties)
    return history, model


def _encrypted_run_quiet_parties(args, parties):
    """The function every process runs with ``--parties processes``."""
    return encrypted_run(args, parties)


def main(argv=None):
    args = parse_args(argv)
    with clean_errors("smpc-train"):
        if args.config is not None:
            from .party import main_model_owner
            return main_model_owner(args)
        if args.parties == "processes":
            return main_processes(args)
        return _main(args)


def _main(args):
    train_data, test_data, description = load_data(args)
    if not args.quiet:
        print(f"Data: {description}")
    histories, models, sessions = [], {}, {}
    for mode_name in args.modes:
        sessions[mode_name] = smpc.make_parties(seed=args.seed) if mode_name != "plaintext" else None
        history, models[mode_name] = run(args, mode_name, train_data, test_data,
                                         parties=sessions[mode_name])
        histories.append(history)
    if len(histories) > 1 or not args.quiet:
        summarize(histories)
    if "encrypted" in args.modes:
        with smpc.config.using(truncation=args.truncation, comparison=args.comparison):
            report_encrypted_prediction(models["encrypted"], test_data, args,
                                        parties=sessions["encrypted"])
    if args.plot:
        from .plotting import plot_histories
        plot_histories(histories, args.plot)
        print(f"Curves saved to {args.plot}")
    return 0


def main_processes(args):
    """``--parties processes``: the encrypted run with every party in its own process."""
    from .processes import run_parties

    if args.modes != ["encrypted"]:
        raise SystemExit("--parties processes runs the encrypted mode only; drop --mode or use "
                         "--mode encrypted")
    (history, _), reports = run_parties(_encrypted_run_quiet_parties, args,
                                        transport=args.transport)
    history.traffic_seen = False   # this process sees only its own messages
    summarize([history])
    print("Bytes on the wire per link (payload; framing apart):")
    for report in reports:
        for peer, link in report["links"].items():
            if link["payload_bytes_sent"]:
                print(f"  {report['party']:>15} -> {peer:<15} {link['payload_bytes_sent'] / 1e6:9.2f} MB"
                      f" (+{link['framing_bytes_sent'] / 1e3:.1f} kB framing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
