"""Module: a bundle of parameters and a forward computation.

As in PyTorch, a module's parameters are the :class:`autograd.Tensor` attributes
that require a gradient, and its sub-modules are its :class:`Module` attributes;
:meth:`Module.named_parameters` finds both by walking the attributes in the
order they were set, so there is no registration magic to learn.

The reference's life cycle of a model, kept word for word::

    model = Net()
    model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    ...train on shares...
    model.get().float_precision()    # back to its owner, as floats

Each step changes the parameters *in place* (the same Tensor objects get a new
``value``), so an optimiser built on ``model.parameters()`` keeps working.
"""
import numpy as np

import smpc
from autograd import Tensor
from autograd import values as V


def Parameter(value):
    """A trainable leaf tensor (float64), as ``nn.Parameter`` in PyTorch."""
    return Tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


class Module:
    """Base class of layers and models: parameters, modes, and the sharing life cycle."""

    training = True

    def forward(self, *inputs):
        raise TypeError(f"{type(self).__name__} must define forward(self, ...)")

    def __call__(self, *inputs):
        return self.forward(*inputs)

    # -- parameters and sub-modules -----------------------------------------------------
    def _trainable(self, value):
        # A parameter keeps being one while shared or fixed (requires_grad is off then).
        return isinstance(value, Tensor) and getattr(value, "is_parameter", False)

    def __setattr__(self, name, value):
        if isinstance(value, Tensor) and value.requires_grad and value.is_leaf:
            value.is_parameter = True
        object.__setattr__(self, name, value)

    def named_modules(self, prefix="", _seen=None):
        """Yield ``(name, module)`` for this module and every sub-module, depth first.

        A module reachable twice (shared between two parents) is yielded once, as in PyTorch.
        """
        seen = set() if _seen is None else _seen
        if id(self) in seen:
            return
        seen.add(id(self))
        yield prefix, self
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield from value.named_modules(f"{prefix}{name}.", seen)

    def named_parameters(self):
        """Yield ``(dotted name, parameter)`` in definition order.

        A tied parameter (one Tensor in two places) is yielded once, under its first
        name; otherwise an optimiser would update it twice per step.
        """
        seen = set()
        for prefix, module in self.named_modules():
            for name, value in vars(module).items():
                if module._trainable(value) and id(value) not in seen:
                    seen.add(id(value))
                    yield f"{prefix}{name}", value

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode=True):
        for _, module in self.named_modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    # -- the reference's life cycle -----------------------------------------------------
    def _replace_values(self, convert, requires_grad):
        # Convert all first, then assign: a refusal half-way must not leave a mixed model.
        params = self.parameters()
        new_values = [convert(p.value) for p in params]
        for p, value in zip(params, new_values):
            p.value = value
            p.requires_grad = requires_grad
            p.grad = None
        return self

    def fix_precision(self, encoder=None):
        """Encode every parameter as public fixed point (no gradient until shared)."""
        def encode(value):
            if not V.is_float(value):
                raise TypeError(f"fix_precision() needs float parameters, found {V.kind(value)}")
            return smpc.fix_precision(value, encoder)
        return self._replace_values(encode, requires_grad=False)

    def share(self, *workers, crypto_provider, requires_grad=True, owner=None):
        """Secret-share every (fixed-point) parameter among ``workers``."""
        def share_one(value):
            if V.is_shared(value):
                raise TypeError("the model is already shared")
            fixed = value if V.is_fixed(value) else smpc.fix_precision(value)
            return fixed.share(*workers, crypto_provider=crypto_provider, owner=owner)
        return self._replace_values(share_one, requires_grad)

    def get(self):
        """Bring every shared parameter back to the owner (public fixed point)."""
        def reveal(value):
            if not V.is_shared(value):
                raise TypeError(f"get() needs shared parameters, found {V.kind(value)}")
            return value.get()
        return self._replace_values(reveal, requires_grad=False)

    def float_precision(self):
        """Decode every fixed-point parameter to floats; they require gradients again."""
        def decode(value):
            if not V.is_fixed(value):
                raise TypeError(f"float_precision() needs fixed-point parameters, found {V.kind(value)}")
            return value.float_precision()
        return self._replace_values(decode, requires_grad=True)

    def state_dict(self):
        """``{name: raw value}`` of every parameter (floats, fixed point or shares)."""
        return {name: p.value for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Set parameter values from :meth:`state_dict`-like data, checking names and shapes."""
        params = dict(self.named_parameters())
        if set(state) != set(params):
            raise KeyError(f"parameter names differ: missing {sorted(set(params) - set(state))}, "
                           f"unexpected {sorted(set(state) - set(params))}")
        for name, value in state.items():
            if tuple(value.shape) != params[name].shape:
                raise ValueError(f"parameter {name!r} has shape {params[name].shape}, "
                                 f"the state has {tuple(value.shape)}")
            params[name].value = value
            params[name].grad = None
            params[name].requires_grad = not V.is_fixed(value)
        return self

    def __repr__(self):
        children = [f"  ({n}): {m!r}".replace("\n", "\n  ")
                    for n, m in vars(self).items() if isinstance(m, Module)]
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n" + "\n".join(children) + "\n)"

    def extra_repr(self):
        return ""
