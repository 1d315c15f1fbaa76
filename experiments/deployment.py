"""One party of a run across machines: its channels, the run's options, its data, its steps.

Every operator runs one command on their own machine, with the same configuration file
(each party's host, port and public key; see :mod:`smpc.transport.config`) and their own
secret key::

    smpc-party alice --config parties.conf --key alice.key     # the data owners
    smpc-party bob --config parties.conf --key bob.key
    smpc-party crypto_provider --config parties.conf --key crypto_provider.key
    smpc-train --config parties.conf --key me.key --epochs 1  # the model owner

Each process (:func:`run_party`):

1. builds its CURVE transport from the configuration and waits for its peers
   (``connect_timeout`` of the file; each arrival is logged);
2. agrees the run's options (:func:`agree_options`): the model owner sends the options
   that shape the computation, every other party compares them with its own and answers;
   on any difference both sides stop with an error listing each option and both values;
3. holds only its own data (:func:`party_data`);
4. trains: the same steps as the simulation, one progress line per step on standard
   error (step, epoch, the bytes and rounds this process sent so far, bytes per link);
   every ``--checkpoint-every`` steps it writes its own checkpoint (its rows of the
   shares, its random streams) into its own ``--checkpoint-dir``;
5. with ``--resume DIR``: the parties first agree on the last checkpoint every one of
   them has (:func:`agree_resume_step`) and continue from there, drawing exactly what an
   uninterrupted run draws, so they finish with the same model.

Data ownership.  Training batches belong alternately to alice (even batches of each
epoch's shuffled order) and bob (odd ones), as in the simulation; the shuffled order
is public (it comes from ``--seed``).  A data owner's process keeps, of the training
images it loaded, only those that fall in one of its batches in some epoch of the run,
and zeros elsewhere: with one epoch that is half the set, with E reshuffled epochs a
fraction ``1 - 2^-E`` of it (ownership follows the batch, not the image).  The model
owner holds the test images (it owns the test batches) and no training image.  The
crypto provider loads no data at all.
"""
import json
import os
import sys
import time

import numpy as np

OWNER = "me"
DATA_OWNERS = ("alice", "bob")
ALL_NAMES = (OWNER,) + DATA_OWNERS + ("crypto_provider",)
PARTY_NAMES = ALL_NAMES[1:]

#: The options every party must run with alike (what shapes the computation and the data).
AGREED_OPTIONS = ("epochs", "train_size", "test_size", "batch_size", "test_batch_size", "lr",
                  "momentum", "activation", "precision", "truncation", "comparison", "dataset",
                  "seed", "loss", "optimizer", "transport", "checkpoint_every", "csprng_seeded")


class OptionsMismatchError(RuntimeError):
    """The parties were started with different run options; the message lists them."""


def run_options(args):
    """The options of :data:`AGREED_OPTIONS`, as JSON values."""
    return {name: getattr(args, name, None) for name in AGREED_OPTIONS}


def _differences(mine, theirs):
    return [f"--{name.replace('_', '-')} {theirs.get(name)!r} at the model owner, "
            f"{mine.get(name)!r} here" for name in AGREED_OPTIONS
            if mine.get(name) != theirs.get(name)]


def agree_options(transport, me, args):
    """The model owner sends its run options; every party checks them and answers.

    Raises :class:`OptionsMismatchError` in every process when any party's options differ.
    """
    mine = run_options(args)
    if me == OWNER:
        for peer in PARTY_NAMES:
            transport.send_object(peer, {"run_options": mine})
        refusals = []
        for peer in PARTY_NAMES:
            answer = transport.recv_object(peer)
            if answer.get("refused"):
                refusals.append(f"{peer}: " + "; ".join(answer["refused"]))
        if refusals:
            raise OptionsMismatchError("the parties were started with different options: "
                                       + " | ".join(refusals)
                                       + ". Start every party with the same run options.")
        for peer in PARTY_NAMES:
            transport.send_object(peer, {"agreed": True})
        return mine
    message = transport.recv_object(OWNER)
    theirs = message.get("run_options", {}) if isinstance(message, dict) else {}
    differences = _differences(mine, theirs)
    transport.send_object(OWNER, {"refused": differences} if differences else {"ok": True})
    if differences:
        raise OptionsMismatchError(f"{me} refuses the model owner's run options: "
                                   + "; ".join(differences)
                                   + ". Start every party with the same run options.")
    transport.recv_object(OWNER)  # {"agreed": True}: every party accepted
    return theirs


def shared_keys(workers=DATA_OWNERS, dealer="crypto_provider"):
    """``{label: (who draws the key, who receives it)}`` for every shared stream of a run."""
    keys = {"common/" + ",".join(workers): (workers[0], workers[1:])}
    for holder in workers:
        for kind in ("dealer", "dealer-ahead"):   # inline deals, and those prepared ahead
            keys[f"{kind}/{dealer}/{holder}"] = (dealer, (holder,))
    return keys


def agree_stream_keys(transport, me, randomness):
    """Agree the shared streams' keys over the (encrypted) channels, each drawn from the OS.

    The holders' common key is drawn by alice and sent to bob only (the crypto provider
    never receives it); each dealer-holder key is drawn by the crypto provider and sent
    to that holder.  The model owner holds none of them.
    """
    from smpc.csprng import KEY_BYTES

    for label, (drawer, receivers) in shared_keys().items():
        if me == drawer:
            key = os.urandom(KEY_BYTES)
            for receiver in receivers:
                transport.send_object(receiver, {"stream_key": label, "key": key.hex()})
            randomness.set_key(label, key)
        elif me in receivers:
            message = transport.recv_object(drawer)
            if message.get("stream_key") != label:
                raise RuntimeError(f"{drawer} sent the key of {message.get('stream_key')!r} "
                                   f"where {label!r} was expected: the parties are out of step")
            randomness.set_key(label, bytes.fromhex(message["key"]))


def checkpoint_steps(directory):
    """The steps of the complete checkpoints in ``directory`` (none if it does not exist)."""
    if not directory or not os.path.isdir(directory):
        return []
    steps = []
    for entry in os.listdir(directory):
        if entry.startswith("ckpt-") and entry[5:].isdigit() and \
                os.path.exists(os.path.join(directory, entry, "state.json")):
            steps.append(int(entry[5:]))
    return sorted(steps)


def agree_resume_step(transport, me, directory):
    """The last checkpoint step every party has (0: none, start afresh); agreed by all."""
    mine = checkpoint_steps(directory)
    if me == OWNER:
        common = set(mine)
        for peer in PARTY_NAMES:
            common &= set(transport.recv_object(peer)["steps"])
        step = max(common, default=0)
        for peer in PARTY_NAMES:
            transport.send_object(peer, {"resume_step": step})
        return step
    transport.send_object(OWNER, {"steps": mine})
    return int(transport.recv_object(OWNER)["resume_step"])


def party_data(args, name):
    """The plain data party ``name``'s process holds: its own, zeros of the shapes elsewhere."""
    from datasets import DataLoader

    from .train_mnist import load_data

    if name == "crypto_provider":
        blank = lambda n: (np.zeros((n, 28, 28), np.uint8), np.zeros(n, np.int64))  # noqa: E731
        return blank(args.train_size), blank(args.test_size)
    (train_x, train_y), (test_x, test_y), _ = load_data(args)
    train_x, train_y, test_x, test_y = (a.copy() for a in (train_x, train_y, test_x, test_y))
    if name in DATA_OWNERS:
        loader = DataLoader(train_x, train_y, batch_size=args.batch_size, shuffle=True,
                            seed=args.seed)
        index = DATA_OWNERS.index(name)
        mine = np.zeros(len(train_y), bool)
        for epoch in range(args.epochs):
            for batch, indices in enumerate(loader.batch_indices(epoch)):
                if batch % len(DATA_OWNERS) == index:
                    mine[indices] = True
        train_x[~mine], train_y[~mine] = 0, 0
        test_x[:], test_y[:] = 0, 0
    else:  # the model owner: the test batches are its own, no training image
        train_x[:], train_y[:] = 0, 0
    return (train_x, train_y), (test_x, test_y)


class Progress:
    """One line per step on standard error: where the run is and what this process sent."""

    def __init__(self, me, transport, log):
        self.me, self.transport, self.log = me, transport, log
        self.bytes = self.rounds = 0
        self.started = time.monotonic()

    def step(self, step, total, epoch, traffic, loss=None):
        self.bytes += traffic.bytes + traffic.offline_bytes
        self.rounds += traffic.rounds
        links = ", ".join(f"->{peer} {stats.payload_bytes_sent / 1e6:.2f} MB"
                          for peer, stats in self.transport.stats().items()
                          if stats.payload_bytes_sent)
        shown = "" if loss is None else f", loss {loss:.6f}"
        self.log(f"step {step}/{total} (epoch {epoch}){shown}: sent {self.bytes / 1e6:.2f} MB in "
                 f"{self.rounds} rounds so far [{links}] {time.monotonic() - self.started:.1f} s")


def train(args, parties, me, log, checkpoint_dir=None, resume_step=0):
    """The encrypted training, as every process runs it; returns (losses, accuracies, model).

    The same steps as :func:`experiments.train_mnist.run` (same initial model, batches,
    owners and draws), so the result equals the simulation's; with ``resume_step`` the
    steps before it are skipped after loading that checkpoint.
    """
    import nn
    import smpc
    from datasets import DataLoader

    from .model import reference_net
    from .modes import Mode
    from .schedule import training_schedule
    from .train_mnist import _session_settings, make_optimizer, test, train_step

    network = parties[0].network
    train_data, test_data = party_data(args, me)
    smpc.manual_seed(args.seed)
    model = reference_net(args.activation)
    mode = Mode("encrypted", parties, args.encoder)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(make_optimizer(args, model))
    train_loader = DataLoader(*train_data, batch_size=args.batch_size, shuffle=True, seed=args.seed)
    test_loader = DataLoader(*test_data, batch_size=args.test_batch_size)
    n_batches = len(train_loader)
    total = n_batches * args.epochs
    if resume_step:
        nn.load_checkpoint(checkpoint_dir, model, optimizer, mode.workers, mode.crypto_provider,
                           encoder=args.encoder)
        log(f"resumed from the checkpoint of step {resume_step} in {checkpoint_dir}")
    progress = Progress(me, network.transport, log)
    tested = [e for e in range(1, args.epochs + 1) if e * n_batches >= resume_step]
    checkpointed = ([s - 1 for s in range(args.checkpoint_every, total + 1, args.checkpoint_every)]
                    if checkpoint_dir and args.checkpoint_every else [])
    schedule = training_schedule(mode, train_loader, test_loader, args.epochs, tested=tested,
                                 quiet_after=_positions(checkpointed, n_batches, tested,
                                                        len(test_loader)))
    losses, accuracies, step = [], [], 0
    with _session_settings(network, args):
        for epoch in range(1, args.epochs + 1):
            for batch_idx, (x_plain, y_plain) in enumerate(train_loader):
                step += 1
                if step <= resume_step:
                    schedule.skip()
                    continue
                with mode.measure() as traffic, schedule.step(("train", len(x_plain))):
                    loss = train_step(model, optimizer, mode, x_plain, y_plain,
                                      owner=mode.workers[batch_idx % len(mode.workers)],
                                      loss_name=args.loss)
                losses.append(loss)
                if checkpoint_dir and args.checkpoint_every and step % args.checkpoint_every == 0:
                    nn.save_checkpoint(checkpoint_dir, model, optimizer, step=step, epoch=epoch,
                                       batch=batch_idx, keep=2)
                progress.step(step, total, epoch, traffic, loss if me == OWNER else None)
            if epoch * n_batches >= resume_step:
                correct = test(model, mode, test_loader, schedule)
                accuracies.append(correct / test_loader.num_examples)
                if me == OWNER:
                    log(f"epoch {epoch}: test accuracy {correct}/{test_loader.num_examples}")
    mode.finish(model)
    return losses, accuracies, model


def _positions(steps, n_batches, tested, n_test_batches):
    """Where training steps (0-based over all training steps) fall in the run's schedule,
    which also holds the test batches of the epochs in ``tested``."""
    positions = []
    for s in steps:
        epoch = s // n_batches + 1
        tests_before = sum(1 for e in tested if e < epoch) * n_test_batches
        positions.append(s + tests_before)
    return positions


def _select_checkpoint(directory, step):
    """Make the checkpoint of ``step`` in ``directory`` the one to load."""
    from nn.checkpoint import checkpoint_name, select_checkpoint

    select_checkpoint(directory, checkpoint_name(step))


def run_party(args, me, log=None):
    """Play ``me`` in a run across machines (see the module's docstring); returns the
    result of :func:`train` in the model owner's process, None elsewhere."""
    import smpc
    from smpc.transport import load_config

    from . import tune_party_process

    tune_party_process()
    log = log or (lambda line: print(f"[{me}] {line}", file=sys.stderr, flush=True))
    if args.checkpoint_every and args.optimizer != "sgd":
        raise ValueError("--checkpoint-every saves SGD's state; use --optimizer sgd")
    config = load_config(args.config, required=ALL_NAMES)
    transport = config.transport(me, args.key, plaintext=args.transport == "plain", log=log)
    try:
        peers = [name for name in ALL_NAMES if name != me]
        log(f"listening on {config.parties[me].bind_endpoint}; waiting for {', '.join(peers)} "
            f"({'plain TCP' if args.transport == 'plain' else 'CURVE'}, peer_timeout "
            f"{config.peer_timeout:g} s)")
        transport.connect(timeout=config.connect_timeout)
        log(f"connected to {', '.join(peers)}")
        agree_options(transport, me, args)
        directory = args.resume or args.checkpoint_dir
        resume_step = agree_resume_step(transport, me, directory) if args.resume else 0
        if resume_step:
            _select_checkpoint(directory, resume_step)
        elif args.resume:
            log(f"no checkpoint common to every party in {directory}: starting afresh")
        streams = "csprng" if args.csprng_seeded else "csprng-os"
        parties = smpc.make_parties(seed=args.seed, plays={me}, transport=transport,
                                    session_id=f"run-{args.seed}", random_streams=streams)
        if streams == "csprng-os":
            agree_stream_keys(transport, me, parties[0].network.randomness)
            log("random streams: AES-128-CTR, own keys from the OS, shared keys agreed over "
                "the channels")
        else:
            log("random streams: AES-128-CTR keyed from --seed (--csprng-seeded: reproducible, "
                "for tests; anyone who knows the seed can predict every share)")
        result = train(args, parties, me, log, directory, resume_step)
        # The end: everybody tells the model owner, which then lets everybody close.
        if me == OWNER:
            for peer in PARTY_NAMES:
                transport.recv_object(peer)
            for peer in PARTY_NAMES:
                transport.send_object(peer, {"finished": True})
        else:
            transport.send_object(OWNER, {"done": me})
            transport.recv_object(OWNER)
        log("the run has ended")
        return result if me == OWNER else None
    except Exception as error:
        transport.abort(str(error))   # every peer stops too, with these words
        raise
    finally:
        transport.close(linger=5.0)


def save_result(path, losses, accuracies, model):
    """The model owner's result as JSON (losses, accuracies, the model's parameters)."""
    with open(path, "w") as f:
        json.dump({"losses": losses, "accuracies": accuracies,
                   "parameters": {name: np.asarray(p.value, float).tolist()
                                  for name, p in model.named_parameters()}}, f)
