"""Poisson sampling of batches, the sampling the privacy accountant assumes.

The amplification by subsampling that makes DP-SGD affordable (each step touches an
example only with probability ``q``) is proved for Poisson sampling: every example
joins each batch independently with probability ``q``, so batch sizes vary around
``q N`` and may even be 0.  Shuffling and cutting fixed-size batches is a different
mechanism with a different (weaker, for the same numbers) guarantee, so DP runs use
this sampler and the accountant's ``PoissonSampledDpEvent``.

Who samples: the data owners, with randomness of their own; the holders learn the
size of each batch (the shapes of the shares), the model owner nothing.  The
gradient sum is divided by the *expected* batch size ``q N``, a public constant, so
the update does not depend on the actual size.
"""
import numpy as np


class PoissonSampler:
    """``steps_per_epoch`` batches per epoch; each example in each with probability ``rate``."""

    def __init__(self, num_examples, rate, seed=None):
        if not isinstance(num_examples, (int, np.integer)) or num_examples < 1:
            raise ValueError(f"num_examples must be a whole number of at least 1, got {num_examples!r}")
        if not 0 < rate <= 1:
            raise ValueError(f"the sampling rate must be in (0, 1], got {rate!r}")
        self.num_examples = int(num_examples)
        self.rate = float(rate)
        self.seed = seed
        self.epoch = 0

    @property
    def expected_batch_size(self):
        return self.rate * self.num_examples

    @property
    def steps_per_epoch(self):
        """``round(1 / q)`` steps: on average one pass over the data."""
        return max(1, int(round(1.0 / self.rate)))

    def epoch_batches(self):
        """The index arrays of one epoch's batches (a new epoch at every call)."""
        rng = np.random.default_rng(None if self.seed is None else [self.seed, self.epoch])
        self.epoch += 1
        chosen = rng.random((self.steps_per_epoch, self.num_examples)) < self.rate
        return [np.flatnonzero(row) for row in chosen]


def rate_for_batch_size(batch_size, num_examples):
    """The Poisson rate whose expected batch size is ``batch_size`` (at most 1)."""
    return min(1.0, batch_size / num_examples)


def steps_for(epochs, rate):
    return epochs * max(1, int(round(1.0 / rate)))
