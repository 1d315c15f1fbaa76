"""Mini-batches secret-shared between the workers: the data never travels in the clear.

In the reference setting two data owners, alice and bob, each hold part of
the training data and want a model trained on all of it without showing
their images or labels to anyone. Every batch is therefore *secret-shared*
before training touches it: its owner encodes the floats as fixed-point
integers, splits them into two random-looking additive shares that sum to the
encoding modulo 2^64, keeps one share and sends the other to the other
worker. Each worker then holds an int64 array that, on its own, is uniformly
random and says nothing about the batch; only the two together determine it.

Both the inputs ``x`` (normalised pixels, [B, 784]) and the one-hot targets
``y`` ([B, 10]) are shared: the labels are as private as the images.

Who owns which batch? The reference assumes each worker holds a distinct
subset of the data. We model that by handing out batches in turn: batch 0 is
owned (and split) by ``owners[0]``, batch 1 by ``owners[1]``, and so on
round-robin. Since the plain loader already shuffles, each owner ends up with
a random, disjoint half of every epoch, and both owners' data is interleaved
during training, which is the point of training jointly.
"""

import smpc

from datasets.loader import DataLoader


class PrivateDataLoader:
    """Wrap a :class:`~datasets.loader.DataLoader`; yield ``(x, y)`` as ``smpc.SharedTensor``s.

    ``workers`` hold the shares (e.g. ``(alice, bob)``); ``crypto_provider``
    is the dealer the shared tensors will use for multiplication triples;
    ``owners`` are the parties that own the data and split the batches, in
    turn (default: the workers themselves); ``encoder`` sets the fixed-point
    precision (default: base 2, 16 fractional bits).
    """

    def __init__(self, loader, workers, crypto_provider, owners=None, encoder=None):
        if not isinstance(loader, DataLoader):
            raise TypeError("PrivateDataLoader wraps a datasets.DataLoader")
        if len(workers) < 2:
            raise ValueError("secret sharing needs at least two workers, e.g. (alice, bob)")
        self.loader = loader
        self.workers = tuple(workers)
        self.crypto_provider = crypto_provider
        self.owners = tuple(owners) if owners is not None else self.workers
        if not self.owners:
            raise ValueError("owners must name at least one party")
        self.encoder = encoder or smpc.FixedPointEncoder(base=2, precision=16)

    def __len__(self):
        """Number of batches per epoch, the same as the plain loader's."""
        return len(self.loader)

    def owner_of(self, batch_index):
        """The party that owns, and therefore splits, batch ``batch_index``."""
        return self.owners[batch_index % len(self.owners)]

    def share_batch(self, x, y, owner):
        """Secret-share one plain batch from ``owner``; return ``(x_shared, y_shared)``."""
        x_shared = smpc.share(x, *self.workers, crypto_provider=self.crypto_provider,
                              encoder=self.encoder, owner=owner)
        y_shared = smpc.share(y, *self.workers, crypto_provider=self.crypto_provider,
                              encoder=self.encoder, owner=owner)
        return x_shared, y_shared

    def __iter__(self):
        # Sharing happens lazily, one batch at a time, as the plain loader
        # produces it: an epoch of MNIST is never held shared all at once.
        for index, (x, y) in enumerate(self.loader):
            yield self.share_batch(x, y, self.owner_of(index))
