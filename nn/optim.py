"""Optimisers: SGD with momentum and weight decay, on floats or on shares.

One step, for each parameter ``w`` with gradient ``g`` (PyTorch's convention)::

    g = g + weight_decay * w                  (if weight_decay)
    v = momentum * v + g  (v = g at first)    (if momentum)
    w = w - lr * v

On shares every line is local arithmetic plus truncations: the hyper-parameters
are *public*.  ``optimizer.fix_precision()`` turns them into public fixed-point
numbers, as the reference does, so they multiply shares without any sharing.
"""
import smpc
from autograd import values as V


class SGD:
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be non-negative, got {weight_decay}")
        self.params = list(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.encoder = None
        self.velocity = [None] * len(self.params)

    def fix_precision(self, encoder=None):
        """Use the hyper-parameters as public fixed-point numbers on shared parameters.

        Without an ``encoder`` each hyper-parameter is encoded like the gradient it
        meets, so ``optimizer.fix_precision()`` works for a model encoded with base 10
        and 3 digits (the reference's setting) as well as for the default.
        """
        self.encoder = encoder
        return self

    def _public(self, number, like):
        # Floats meet floats; shares meet public fixed-point encodings of the same scale.
        if not V.is_shared(like):
            return number
        encoder = self.encoder or like.encoder
        if encoder != like.encoder:
            raise ValueError(f"the optimiser was fixed with {encoder} but the parameters are "
                             f"encoded with {like.encoder}; call fix_precision() without an "
                             "encoder to follow the parameters")
        fixed = smpc.fix_precision(number, encoder)
        if number != 0 and fixed.values == 0:
            # Silently training without weight decay (or with lr 0) is worse than stopping.
            raise ValueError(f"hyper-parameter {number!r} rounds to 0 with {encoder} "
                             f"(smallest step {encoder.ulp:g}); use more fractional digits")
        return fixed

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def step(self):
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if V.is_shared(g) and not V.is_shared(p.value):
                raise TypeError(
                    "a public parameter received a shared gradient: reveal it to the model "
                    "owner first (g.get().float_precision()) or share the model")
            if self.weight_decay:
                g = g + self._public(self.weight_decay, g) * p.value
            if self.momentum:
                v = self.velocity[i]
                g = g if v is None else self._public(self.momentum, g) * v + g
                self.velocity[i] = g
            p.value = p.value - self._public(self.lr, g) * g

    def state_dict(self):
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay,
                "velocity": list(self.velocity)}

    def load_state_dict(self, state):
        if len(state["velocity"]) != len(self.params):
            raise ValueError("optimiser state is for a different number of parameters")
        self.lr, self.momentum, self.weight_decay = state["lr"], state["momentum"], state["weight_decay"]
        self.velocity = list(state["velocity"])
        return self
