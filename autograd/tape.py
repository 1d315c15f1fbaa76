"""The tape: a record of every operation, walked backwards to get gradients.

Reverse-mode automatic differentiation in one paragraph. While the forward pass runs,
every operation whose inputs need a gradient writes a line on the tape: which Function
ran, its context (the values it saved), its inputs, and the shape of its output. To
differentiate a scalar ``loss`` with respect to everything that produced it, start with
d loss / d loss = 1 and read the tape *backwards*: each record turns the gradient of its
output into gradients of its inputs (the chain rule, written once in the Function's
``backward``), and those gradients flow on to the records that produced the inputs.
Reading in reverse recording order guarantees that a record is reached only after every
record that used its output, so its output gradient is complete by then.

Two rules make it correct, and both are tested:

* **Gradients accumulate.** A value used twice (``y = x * x``, or a weight shared by two
  layers) receives one contribution per use; they are *added*, never overwritten
  (micrograd's classic bug). Leaves keep accumulating into ``.grad`` across backward
  calls until ``zero_grad()``.
* **Only what is reachable.** Backward from ``loss`` visits only the records that
  ``loss`` depends on, and afterwards frees them (their saved values can be large: shares
  of every activation), so a second backward through the same graph is a clear error
  unless the first one was told ``retain_graph=True``.

The tape holds its records *weakly*: a record lives as long as the tensor it produced.
A forward pass you never differentiate (an evaluation loop, say) therefore costs nothing
once its tensors are gone, even outside :class:`no_grad`.
"""

import itertools
import weakref

import numpy as np

# Grad mode: when off, no operation is recorded (see no_grad below).
_grad_enabled = True


def is_grad_enabled():
    """True unless inside a :class:`no_grad` block."""
    return _grad_enabled


class no_grad:
    """Context manager: operations inside record nothing and produce no-grad tensors.

    Use it for evaluation and for the optimiser's in-place parameter update::

        with autograd.no_grad():
            predictions = model(test_images)
    """

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False
        return self

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


class Record:
    """One line of the tape: ``function`` ran with ``ctx`` on ``inputs``."""

    __slots__ = ("index", "function", "ctx", "inputs", "output_shape", "freed", "__weakref__")

    def __init__(self, index, function, ctx, inputs, output_shape):
        self.index = index                # position in recording order
        self.function = function
        self.ctx = ctx
        self.inputs = tuple(inputs)
        self.output_shape = tuple(output_shape)
        self.freed = False

    def free(self):
        """Release the saved values and the inputs once backward is done with them."""
        self.ctx.free()
        self.inputs = ()
        self.freed = True

    def __repr__(self):
        shapes = ", ".join(str(x.shape) for x in self.inputs)
        state = " (freed)" if self.freed else ""
        return f"#{self.index} {self.function.name}({shapes}) -> {self.output_shape}{state}"


class Tape:
    """The list of records in the order the operations ran."""

    def __init__(self):
        self._refs = []                   # weak references to Records, in order
        self._counter = itertools.count()
        self._prune_at = 256

    def record(self, function, ctx, inputs, output):
        """Append a record for ``function`` having produced ``output``; return it.

        The caller keeps the record alive by storing it on the output tensor.
        """
        record = Record(next(self._counter), function, ctx, inputs, output.shape)
        self._refs.append(weakref.ref(record))
        if len(self._refs) >= self._prune_at:
            self._prune()
        return record

    def records(self):
        """The live records, oldest first (handy for printing what a forward pass did)."""
        return [r for r in (ref() for ref in self._refs) if r is not None and not r.freed]

    def __len__(self):
        return len(self.records())

    def _prune(self):
        # Forget the references whose records are gone or freed.
        self._refs = [weakref.ref(r) for r in self.records()]
        self._prune_at = max(256, 2 * len(self._refs))

    def backward(self, root, grad, retain_graph=False):
        """Propagate ``grad`` (d out / d root) from tensor ``root`` to every leaf it depends on."""
        if root._record is None:          # a leaf: its gradient is the seed itself
            _accumulate(root, grad)
            return
        reachable = _reachable_records(root._record)
        grads = {root._record: grad}      # record -> gradient of that record's output

        # Reverse recording order is a valid reverse topological order: every record that
        # used a value was recorded after the record that made it.
        for record in sorted(reachable, key=lambda r: r.index, reverse=True):
            out_grad = grads.pop(record, None)
            if out_grad is None:
                continue
            in_grads = record.function.backward(record.ctx, out_grad)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            _check_arity(record, in_grads)
            for x, g in zip(record.inputs, in_grads):
                if g is None or not x.requires_grad:
                    continue
                _check_shape(record, x, g)
                if x._record is None:
                    _accumulate(x, g)
                else:
                    previous = grads.get(x._record)
                    grads[x._record] = g if previous is None else previous + g
            if not retain_graph:
                record.free()
        if not retain_graph:
            self._prune()


def _reachable_records(start):
    """All records that ``start``'s output depends on through inputs needing a gradient."""
    seen = {start}
    stack = [start]
    while stack:
        record = stack.pop()
        if record.freed:
            raise RuntimeError(
                f"cannot backward through {record.function.name} (record #{record.index}): "
                f"its part of the graph was freed by an earlier backward(). Run the forward "
                f"pass again, or pass retain_graph=True to the first backward()."
            )
        for x in record.inputs:
            parent = x._record
            if x.requires_grad and parent is not None and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _accumulate(leaf, grad):
    """leaf.grad += grad, creating it on first use (never overwriting a previous gradient)."""
    if isinstance(grad, np.generic):      # NumPy scalars become 0-d arrays
        grad = np.asarray(grad)
    if leaf.grad is None and isinstance(grad, np.ndarray) and not grad.flags.owndata:
        # A view (a broadcast, or an array another input also received) would make an
        # in-place update of this gradient fail or change another one: own a copy.
        grad = grad.copy()
    leaf.grad = grad if leaf.grad is None else leaf.grad + grad


def _check_arity(record, in_grads):
    if len(in_grads) != len(record.inputs):
        raise RuntimeError(
            f"{record.function.name}.backward returned {len(in_grads)} gradients "
            f"for {len(record.inputs)} inputs"
        )


def _check_shape(record, x, g):
    if tuple(g.shape) != tuple(x.shape):
        raise RuntimeError(
            f"{record.function.name}.backward returned a gradient of shape {tuple(g.shape)} "
            f"for an input of shape {tuple(x.shape)}; did it forget unbroadcast()?"
        )


#: The one tape that all operations record on.
TAPE = Tape()
