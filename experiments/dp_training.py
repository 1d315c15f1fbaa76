"""``smpc-train --dp-epsilon E``: DP-SGD in any of the three modes, with its accounting.

The run's sampling rate is ``q = batch_size / train_size`` (Poisson sampling, so
batches vary in size around ``--batch-size``), an epoch is ``round(1 / q)`` steps, and
the noise multiplier is the smallest that spends at most ``E`` over all the epochs at
``--dp-delta`` (:func:`nn.dp.accounting.noise_multiplier_for`).  After every epoch
the epsilon spent so far is printed.

Nothing about the training batches is revealed: no loss (it would leak outside the
guarantee), only the per-epoch test accuracy on the separate test set.  On shares the
noise comes from the private noise stream of the party that draws it (the crypto
provider, by default); the plaintext run of the same seed draws from the same stream
(:func:`nn.dp.noise.dealer_noise_generator`, which only an experiment that knows the
session's master seed can rebuild), so with the dealer's noise a plaintext and an
encrypted run differ only by the fixed-point arithmetic.
"""
import time

import numpy as np

import nn
from nn.dp.noise import dealer_noise_generator
import smpc
from autograd import Tensor
from datasets import DataLoader
from nn.dp import DPSGD, PoissonSampler, rate_for_batch_size, steps_for
from nn.dp.accounting import PrivacyLedger, noise_multiplier_for

from .model import reference_net
from .modes import Mode
from .schedule import Schedule, batch_sizes



class DPSettings:
    """What a DP run needs to know before it starts: sampling rate, steps, noise."""

    def __init__(self, args, num_examples):
        self.epsilon, self.delta, self.clip = args.dp_epsilon, args.dp_delta, args.dp_clip
        self.noise = args.dp_noise
        self.rate = rate_for_batch_size(args.batch_size, num_examples)
        self.steps = steps_for(args.epochs, self.rate)
        self.noise_multiplier = noise_multiplier_for(self.epsilon, self.delta, self.rate,
                                                     self.steps)

    def describe(self):
        return (f"DP-SGD: target epsilon {self.epsilon:g} at delta {self.delta:g}; clip norm "
                f"{self.clip:g}, noise multiplier {self.noise_multiplier:.3f} ({self.noise} "
                f"draws it), Poisson rate {self.rate:.4g}, {self.steps} steps")


def run_dp(args, mode_name, train_data, test_data, history, log=print, parties=None):
    """Train with DP-SGD in ``mode_name``; fill ``history``; return the trained float model.

    ``parties``: the session (default: a simulation seeded by ``args.seed``); with the
    parties in separate processes every process runs this same function."""
    from .train_mnist import test   # the same test loop as ordinary training

    images, labels = train_data
    settings = DPSettings(args, len(labels))
    log(settings.describe())
    smpc.manual_seed(args.seed)
    model = reference_net(args.activation)
    if parties is None and mode_name != "plaintext":
        parties = smpc.make_parties(seed=args.seed)
    mode = Mode(mode_name, parties, args.encoder)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=args.lr, momentum=args.momentum))
    sampler = PoissonSampler(len(labels), settings.rate, seed=args.seed)
    batches = DataLoader(images, labels)
    privacy = DPSGD(model, settings.clip, settings.noise_multiplier, sampler.expected_batch_size,
                    noise_source=dealer_noise_generator(args.seed),
                    noise=settings.noise, encoder=args.encoder,
                    parties=(tuple(mode.workers), mode.crypto_provider) if mode.shares_data else None)
    ledger = PrivacyLedger(settings.noise_multiplier, settings.rate, settings.delta)
    test_loader = DataLoader(*test_data, batch_size=args.test_batch_size)
    owners = getattr(mode, "workers", [None])
    history.epsilons, history.noise_multiplier = [], settings.noise_multiplier
    with smpc.config.using(truncation=args.truncation, comparison=args.comparison):
        for epoch in range(1, args.epochs + 1):
            epoch_batches = sampler.epoch_batches()
            # The sample of the next epoch is drawn when it starts: one schedule per epoch.
            schedule = Schedule(mode, [("dp-train", len(i)) for i in epoch_batches]
                                + [("test", n) for n in batch_sizes(test_loader)])
            for step, indices in enumerate(epoch_batches):
                start = time.perf_counter()
                with mode.measure() as traffic, schedule.step(("dp-train", len(indices))):
                    dp_train_step(model, optimizer, privacy, mode, batches, indices,
                                  owner=owners[step % len(owners)])
                elapsed = time.perf_counter() - start
                ledger.record_steps()
                history.batch_times.append(elapsed)
                history.batch_bytes.append(traffic.bytes)
                history.batch_rounds.append(traffic.rounds)
                if not args.quiet and step % args.log_interval == 0:
                    comm = (f"\tComm: {traffic.bytes / 1e6:.2f} MB, {traffic.rounds} rounds"
                            if mode.shares_data and mode.network.is_simulation else "")
                    log(f"Train Epoch: {epoch} [step {step + 1}/{len(epoch_batches)}]\t"
                        f"Batch: {len(indices)} examples\tTime: {elapsed:.3f}s{comm}")
            correct = test(model, mode, test_loader, schedule)
            total = test_loader.num_examples
            history.accuracies.append(correct / total)
            history.epsilons.append(ledger.epsilon)
            log(f"\nTest set [{mode_name}, DP]: Accuracy: {correct}/{total} "
                f"({100.0 * correct / total:.0f}%)\tPrivacy spent: epsilon = "
                f"{history.epsilons[-1]:.3f} at delta = {settings.delta:g} after "
                f"{ledger.steps} steps\n")
    mode.finish(model)
    return model


def dp_train_step(model, optimizer, privacy, mode, batches, indices, owner=None):
    """One DP-SGD step on the examples at ``indices``; reveals nothing about them."""
    if len(indices):
        x, y = mode.batch(*batches.make_batch(indices), owner=owner)
    else:  # an empty Poisson sample: the update is noise alone
        x, y = Tensor(np.zeros((0, 28 * 28))), Tensor(np.zeros((0, batches.num_classes)))
    optimizer.zero_grad()
    privacy.private_gradients(x, y)
    mode.after_backward(model)
    optimizer.step()
