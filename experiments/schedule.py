"""The steps of a run, in order, so that each step can announce the next one.

The crypto provider deals a step's triples ahead of time only if it knows which step
comes next (:mod:`smpc.preprocessing`).  A training run knows its whole sequence of
steps in advance: per epoch, the training batches, then the test batches.  A
:class:`Schedule` holds that sequence of keys (a step's kind and batch size: its shapes)
and gives each step its context, announcing the step after it.
"""
from contextlib import nullcontext


def batch_sizes(loader, epoch=0):
    """The sizes of the batches ``loader`` gives in ``epoch``."""
    return [len(indices) for indices in loader.batch_indices(epoch)]


class Schedule:
    """The keys of a run's steps in order; ``step(key)`` runs the next one.

    ``mode``: the run's :class:`~experiments.modes.Mode` (plaintext runs have no dealer;
    their steps are plain blocks).  ``quiet_after``: positions (0-based) after which no
    step is announced, for example the steps followed by a checkpoint, which must not
    find correlated randomness dealt for a step it does not save.
    """

    def __init__(self, mode, keys, quiet_after=()):
        self.mode = mode
        self.keys = list(keys)
        self.quiet_after = set(quiet_after)
        self.position = 0

    def step(self, key):
        """The context of the next step of the run, which must be ``key``."""
        if self.position >= len(self.keys) or self.keys[self.position] != key:
            expected = self.keys[self.position] if self.position < len(self.keys) else "none"
            raise RuntimeError(f"step {self.position} of the run is {expected!r}, but the "
                               f"program ran {key!r}: the schedule does not match the loop")
        position = self.position
        self.position += 1
        if not self.mode.shares_data:
            return nullcontext()
        following = (self.keys[position + 1] if position + 1 < len(self.keys)
                     and position not in self.quiet_after else None)
        return self.mode.network.preprocessing.step(key, following)

    def skip(self, count=1):
        """Pass over steps that do not run (those before a resumed checkpoint)."""
        self.position += count


def training_schedule(mode, train_loader, test_loader, epochs, kind="train", tested=None,
                      train_sizes=None, quiet_after=()):
    """The steps of ``epochs`` epochs: each epoch's training batches, then its test batches.

    ``train_sizes``: per epoch, the training batch sizes (default: the loader's);
    ``tested``: the epochs (1-based) that end with a test (default: all).
    """
    keys = []
    test_keys = [("test", n) for n in batch_sizes(test_loader)]
    for epoch in range(1, epochs + 1):
        sizes = train_sizes[epoch - 1] if train_sizes is not None else batch_sizes(
            train_loader, epoch - 1)
        keys += [(kind, n) for n in sizes]
        if tested is None or epoch in tested:
            keys += test_keys
    return Schedule(mode, keys, quiet_after)
