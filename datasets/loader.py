"""Cutting a dataset into mini-batches: normalisation, one-hot targets, shuffling.

A training loop wants, again and again, a small batch of inputs ``x`` and
targets ``y``. For MNIST with a fully connected network and a mean-squared
error loss (the reference's setup) that means:

* ``x``: float64 of shape [B, 784]: each 28x28 image flattened, pixel values
  scaled to [0, 1] and then standardised with the MNIST training set's mean
  0.1307 and standard deviation 0.3081, as the reference does;
* ``y``: float64 of shape [B, 10]: the label as a *one-hot* row, e.g. digit 3
  is ``[0, 0, 0, 1, 0, 0, 0, 0, 0, 0]``.

Both transformations are plain functions (:func:`normalize`, :func:`one_hot`)
so they can be used without a loader. They are applied batch by batch, so the
full 60,000-image training set never exists as a 376 MB float64 array.
"""

import math

import numpy as np

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


def normalize(images, mean=MNIST_MEAN, std=MNIST_STD):
    """uint8 images [N, 28, 28] (or [N, 784]) -> float64 [N, 784], standardised.

    ``(pixel / 255 - mean) / std``: a blank pixel becomes about -0.42 and a
    full-ink pixel about 2.82.
    """
    images = np.asarray(images)
    flat = images.reshape(len(images), -1).astype(np.float64)
    return (flat / 255.0 - mean) / std


def one_hot(labels, num_classes=10):
    """Integer labels [N] -> float64 [N, num_classes], a single 1.0 per row."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}")
    out = np.zeros((len(labels), num_classes), dtype=np.float64)
    out[np.arange(len(labels)), labels] = 1.0
    return out


class DataLoader:
    """Iterate over ``(x, y)`` mini-batches of a dataset, one epoch per ``for`` loop.

    ``shuffle=True`` visits the examples in a new random order each epoch.
    With a ``seed`` the orders are reproducible: epoch ``e`` uses the
    generator ``np.random.default_rng([seed, e])``, so two loaders with the
    same seed produce the same sequence of epochs, and each epoch differs from
    the last. ``drop_last=True`` skips a final batch smaller than
    ``batch_size`` (useful when every batch must have the same shape).
    """

    def __init__(self, images, labels, batch_size=64, shuffle=False, seed=None,
                 drop_last=False, num_classes=10):
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.images = images
        self.labels = labels
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.num_classes = num_classes
        self.epoch = 0  # how many epochs have been started

    @property
    def num_examples(self):
        return len(self.labels)

    def __len__(self):
        """Number of batches per epoch."""
        if self.drop_last:
            return self.num_examples // self.batch_size
        return math.ceil(self.num_examples / self.batch_size)

    def order(self, epoch):
        """The order in which epoch ``epoch`` visits the examples (indices)."""
        if not self.shuffle:
            return np.arange(self.num_examples)
        # No seed: fresh OS entropy, so unseeded runs differ, as one expects.
        rng = np.random.default_rng(None if self.seed is None else [self.seed, epoch])
        return rng.permutation(self.num_examples)

    def batch_indices(self, epoch):
        """The list of index arrays, one per batch, for epoch ``epoch``."""
        order = self.order(epoch)
        starts = range(0, self.num_examples, self.batch_size)
        batches = [order[start: start + self.batch_size] for start in starts]
        return batches[: len(self)]  # drops the short last batch if drop_last

    def make_batch(self, indices):
        """The ``(x, y)`` pair for the examples at ``indices``."""
        x = normalize(self.images[indices])
        y = one_hot(self.labels[indices], self.num_classes)
        return x, y

    def __iter__(self):
        # Count the epoch now, not lazily at the first batch, so that
        # `iter(loader)` always starts a new epoch.
        epoch = self.epoch
        self.epoch += 1
        return (self.make_batch(indices) for indices in self.batch_indices(epoch))
