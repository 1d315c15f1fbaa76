"""The three ways to run the reference: what is encrypted, and what each party learns.

==============  ==============  ==============  ======================================
mode            model           data            what leaks beyond the reference
==============  ==============  ==============  ======================================
plaintext       floats          floats          everything (the baseline)
encrypted       shared          shared          nothing but the revealed loss and the
                                                count of correct test predictions
public-model    public floats   shared          the model owner sees each batch's
                                                gradient (needed to update a public
                                                model), which can leak about the batch
==============  ==============  ==============  ======================================

A :class:`Mode` turns plain batches into the tensors the model sees, prepares
the model, and reveals what the log prints.
"""
from contextlib import nullcontext

import numpy as np

import smpc

from autograd import Tensor
from autograd import values as V

MODES = ("encrypted", "plaintext", "public-model")


class Mode:
    """How one run treats its model and data (see the table above)."""

    def __init__(self, name, parties=None, encoder=None):
        if name not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {name!r}")
        self.name = name
        self.encoder = encoder
        if parties is not None:
            *self.workers, self.crypto_provider = parties

    @property
    def shares_data(self):
        return self.name != "plaintext"

    @property
    def network(self):
        return self.workers[0].network if self.shares_data else None

    def offline_seconds(self):
        """Time this process has spent drawing prepared triples (zero in plaintext)."""
        return self.network.preprocessing.offline_seconds if self.shares_data else 0.0

    def measure(self):
        """Count the traffic of a block (zero in plaintext)."""
        return self.network.measure() if self.shares_data else nullcontext(smpc.Stats())

    def prepare_model(self, model):
        if self.name == "encrypted":
            model.fix_precision(self.encoder).share(
                *self.workers, crypto_provider=self.crypto_provider, requires_grad=True)
        return model

    def prepare_optimizer(self, optimizer):
        return optimizer.fix_precision(self.encoder) if self.name == "encrypted" else optimizer

    def batch(self, x, y, owner=None):
        """Plain arrays -> the tensors the model trains on (shared by the data owner)."""
        if not self.shares_data:
            return Tensor(x), Tensor(y)
        network = self.network
        if not network.plays(owner or network.local):
            # The batch's plaintext exists only in its owner's process; here only its shape.
            x, y = np.zeros_like(x), np.zeros_like(y)
        def share(a):
            return Tensor(a).fix_precision(self.encoder).value.share(
                *self.workers, crypto_provider=self.crypto_provider, owner=owner)
        return Tensor(share(x)), Tensor(share(y))

    def after_backward(self, model):
        """Public-model mode: the model owner receives the (revealed) gradients."""
        if self.name != "public-model":
            return
        for p in model.parameters():
            if p.grad is not None and V.is_shared(p.grad):
                p.grad = p.grad.get().float_precision()

    def reveal(self, tensor):
        """A scalar or small array the protocol may reveal (the loss, a count)."""
        value = tensor.value if isinstance(tensor, Tensor) else tensor
        if V.is_shared(value):
            return value.get().float_precision()
        if V.is_fixed(value):
            return value.float_precision()
        return np.asarray(value)

    def count_correct(self, output, y):
        """Number of correct predictions; on shares only the count is revealed."""
        value = output.value
        if not V.is_shared(value):
            return int((np.argmax(value, axis=1) == np.argmax(y.value, axis=1)).sum())
        predicted = value.argmax(axis=1)          # shared index, integer scale
        truth = _shared_labels(y.value)
        return int(round(float(predicted.eq(truth).sum().get().float_precision())))

    def finish(self, model):
        """The trained model goes back to its owner, as floats."""
        if self.name == "encrypted":
            model.get().float_precision()
        return model


def _shared_labels(y_onehot):
    """Shared one-hot targets -> shared label indices: a public dot product with 0..9."""
    # Integer public weights: the product needs no truncation, so labels stay exact.
    classes = np.arange(y_onehot.shape[-1], dtype=np.int64).reshape(-1, 1)
    return (y_onehot @ classes).reshape(-1)
