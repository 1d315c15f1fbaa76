"""Adam (Kingma & Ba, ICLR 2015) with bias correction, on floats or on shares.

One step at time ``t`` for each parameter ``w`` with gradient ``g``::

    g = g + weight_decay * w                  (if weight_decay)
    m = beta1 m + (1 - beta1) g
    v = beta2 v + (1 - beta2) g^2
    w = w - lr * m_hat / sqrt(v_hat + eps^2),   m_hat = m / (1 - beta1^t),
                                                v_hat = v / (1 - beta2^t)

The textbook denominator is ``sqrt(v_hat) + eps``; ``sqrt(v_hat + eps^2)`` lies between
``max(sqrt(v_hat), eps)`` and ``sqrt(v_hat) + eps``, and needs one inverse square root on
shares where the textbook form needs a square root *and* a reciprocal.  Floats and
shares compute the same formula, so that encrypted Adam can be compared with plaintext
Adam.

Fixed point, and how the step fits in it.  With 16 fractional bits a typical gradient
(1e-3) squared is below one unit, and ``(1 - beta2) g^2`` far below.  So the moments are
kept in scaled units, exactly equivalent in floats:

* ``G = S g`` with the public ``S = 2^4`` (an exact integer product);
* ``M = beta1 M + (1 - beta1) G``, that is ``S m``;
* ``V = beta2 V + G^2``, that is ``S^2 v / (1 - beta2)``: no tiny factor ``1 - beta2``;
* ``u = V (1 - beta2) / (1 - beta2^t) + (S eps)^2 = S^2 (v_hat + eps^2)``;
* ``w = w - lr * M / (1 - beta1^t) * inv_sqrt(u)``, the ``S`` cancelling.

``inv_sqrt`` runs from below (:func:`smpc.sqrt.inv_sqrt`, ``guess="below"``) on
``[2^floor(log2 (S eps)^2), 2^6]``: one clamp and no octave comparisons, which would cost
496 bytes per parameter and exponent.  The clamp at the top caps the denominator
``sqrt(v_hat + eps^2)`` at ``8 / S = 0.5`` (a gradient's root mean square above 0.5 takes
a larger step than textbook Adam's), in floats as on shares.  ``V`` must stay below the
fixed-point range: the root mean square gradient below ``sqrt(32768 (1 - beta2)) / S
= 0.36`` with the defaults.  ``eps`` is rounded down so that ``(S eps)^2`` is a power of
two (exact in fixed point: floats and shares add the same constant); the default
``4e-3`` becomes ``2^-4 / S = 3.9e-3``.  An ``eps`` below ``2^-6 / S = 9.8e-4`` is
refused on shares (``(S eps)^2`` would be under 16 units).  Why 4e-3 and not the usual
1e-8: Adam divides each gradient by its own root mean square, so where that is near
zero the rounding of the gradient on shares (one unit, 1.5e-5) is magnified; measured on
the embedded sample (5 epochs, ``benchmarks/compare_losses.py``), encrypted Adam strayed
up to 1.4 points of test accuracy from plaintext Adam with ``eps = 1e-3`` and stayed
within 0.5 with ``4e-3``, at the same accuracy (87-88%).

Truncation.  A step truncates about ``4 k + 6`` times per parameter (``k`` Newton steps,
16 with the defaults), some values near 2^7: local truncation's wild errors (probability
``|x| / 2^64`` each) would strike within a few hundred steps of the reference model, and
one wild moment ruins its weight (measured: one of three encrypted cross-entropy runs
of 50 steps collapsed).  So when the run's method is ``local``, Adam's step truncates
with ``masked`` (:mod:`smpc.safe_truncation`: never wild in its range, statistically
private); ``masked`` and ``exact`` runs keep theirs.

Cost of the first step on ``P`` shared parameters (two holders, SecureNN, masked
truncation): ``(1056 + 16 + 32 + 96 k + 16 T) P`` bytes and ``11 + 3 k + T`` rounds, with
``T = 4 k + 4`` truncations (later steps add the three of the moments' updates) -- about
forty times a training batch's traffic for the reference model.
"""
import math

import smpc
from autograd import values as V
from smpc.fixed_point import DEFAULT_ENCODER
from smpc.sqrt import below_iterations, inv_sqrt

from .optim import SGD

MOMENT_SCALE = 2 ** 4
DENOMINATOR_HIGH = 2.0 ** 6
SMALLEST_FLOOR = 2.0 ** -12


class Adam(SGD):
    """Adam with bias correction; ``optimizer.fix_precision()`` as for :class:`SGD`."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=4e-3, weight_decay=0.0):
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        beta1, beta2 = betas
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps}")
        self.betas, self.requested_eps = (float(beta1), float(beta2)), float(eps)
        # (S eps)^2 is rounded down to a power of two: exact in fixed point, so floats and
        # shares add the same constant (an encoding of 2.56e-4 would be off by 1%).
        floor = (MOMENT_SCALE * self.requested_eps) ** 2
        self.floor = min(2.0 ** math.floor(math.log2(floor)), DENOMINATOR_HIGH / 2)
        self.eps = math.sqrt(self.floor) / MOMENT_SCALE
        self.newton_iterations = below_iterations(self.floor, DENOMINATOR_HIGH)
        self.steps = 0
        self.first = [None] * len(self.params)
        self.second = [None] * len(self.params)

    def _check_shared_range(self, encoder):
        if encoder != DEFAULT_ENCODER:
            raise ValueError(f"Adam on shares needs the default encoding ({DEFAULT_ENCODER}); "
                             f"these parameters use {encoder}, whose unit would round its "
                             "small moments to zero")
        if self.floor < SMALLEST_FLOOR:
            raise ValueError(
                f"Adam's eps {self.requested_eps:g} is too small for shares: (2^4 eps)^2 must be at least "
                f"2^-12 (eps >= {math.sqrt(SMALLEST_FLOOR) / MOMENT_SCALE:.3g}) to survive 16 "
                "fractional bits; use a larger eps")

    def step(self):
        shared = any(V.is_shared(p.grad) for p in self.params if p.grad is not None)
        if shared and smpc.config.settings.truncation == "local":
            # About 80 truncations per parameter and step, some of values near 2^7: with
            # local truncation's wild errors (probability |x| / 2^64 each) a run of a few
            # hundred steps would meet one, and one wild moment ruins its weight.
            with smpc.config.using(truncation="masked"):
                return self._step()
        return self._step()

    def _step(self):
        self.steps += 1
        beta1, beta2 = self.betas
        bias1 = 1 - beta1 ** self.steps
        # Divisors (real, at least 1) rather than small factors: division keeps a real
        # divisor's reciprocal at extra precision on shares.
        second_divisor = (1 - beta2 ** self.steps) / (1 - beta2)
        step_divisor = bias1 / self.lr
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            shared = V.is_shared(g)
            if shared and not V.is_shared(p.value):
                raise TypeError(
                    "a public parameter received a shared gradient: reveal it to the model "
                    "owner first (g.get().float_precision()) or share the model")
            if shared:
                self._check_shared_range(g.encoder)
            if self.weight_decay:
                g = g + self._public(self.weight_decay, g) * p.value
            scaled = g * MOMENT_SCALE
            squared = scaled.square() if shared else scaled * scaled
            m, v = self.first[i], self.second[i]
            m = scaled * self._public(1 - beta1, g) if m is None else \
                m * self._public(beta1, g) + scaled * self._public(1 - beta1, g)
            v = squared if v is None else v * self._public(beta2, g) + squared
            self.first[i], self.second[i] = m, v
            u = V.divide(v, second_divisor) + self.floor
            r = inv_sqrt(u, self.newton_iterations, guess="below", low=self.floor,
                         high=DENOMINATOR_HIGH)
            p.value = p.value - V.divide(m, step_divisor) * r

    def state_dict(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.requested_eps,
                "weight_decay": self.weight_decay, "steps": self.steps,
                "first": list(self.first), "second": list(self.second)}

    def load_state_dict(self, state):
        if len(state["first"]) != len(self.params):
            raise ValueError("optimiser state is for a different number of parameters")
        self.__init__(self.params, state["lr"], state["betas"], state["eps"], state["weight_decay"])
        self.steps = state["steps"]
        self.first, self.second = list(state["first"]), list(state["second"])
        return self
