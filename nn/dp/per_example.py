"""Per-example gradient norms and the clipped gradient sum, without per-example gradients.

DP-SGD (Abadi et al., "Deep learning with differential privacy", CCS 2016, Alg. 1)
clips every example's gradient to norm at most ``C`` before summing the batch.  The
obvious way materialises one gradient per example: ``B`` copies of the model.  For a
linear layer ``z = a W^T + b`` there is no need (Goodfellow, "Efficient per-example
gradient computations", 2015): example ``i``'s weight gradient is the outer product
``g_i a_i^T`` of the gradient ``g_i = d loss_i / d z_i`` at the layer's output and the
layer's input ``a_i``, so

    |grad_W,i|^2 = |g_i|^2 |a_i|^2,        |grad_b,i|^2 = |g_i|^2,

and the clipped sum is again one matrix product, ``(c * g)^T a`` with the clip factors
``c_i`` scaling the rows of ``g``.

How ``g`` is obtained: the forward pass adds a zero *probe* tensor to every linear
layer's output (``z + p`` with ``p = 0``, a leaf that requires a gradient), and the
backward pass of the *summed* per-example loss leaves ``d loss / d z`` in ``p.grad``,
one row per example.  The parameters do not require gradients meanwhile, so the
unclipped batch gradient (``g^T a``) is never computed at all.

Everything here is written with operators that float arrays and shares share, so the
same code runs in plaintext and on shares.  Supported models: :class:`nn.Sequential`
of :class:`nn.Linear` layers and per-example layers (ReLU, Square, Flatten).

Cost on shares for a batch of ``B`` and linear layers of widths ``n_in -> n_out``
(two holders), on top of the forward and backward pass without weight gradients:
one Beaver square of all inputs and output gradients, ``16 B sum(n_in + n_out)``
bytes, 1 round; one product of the per-layer squared norms, ``32 B L`` bytes, 1
round; the clip factors (:mod:`nn.dp.clipping`); one product scaling the rows of
every ``g``, ``16 B (sum n_out + 1)`` bytes, 1 round; and per layer the product
``(c g)^T a``, ``16 B (n_in + n_out)`` bytes, 1 round.
"""
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from autograd import Tensor
from autograd import values as V

from ..layers import Flatten, Linear, ReLU, Sequential, Square
from .clipping import clip_factors

PER_EXAMPLE_LAYERS = (ReLU, Square, Flatten)


@dataclass
class LinearTrace:
    """What one linear layer leaves for the per-example computation."""
    layer: Linear
    inputs: object      # the layer's input a (raw value, one row per example)
    probe: Tensor       # the zero added to its output; probe.grad = d loss / d z


def summed_squared_error(output, target):
    """The sum over examples of ``sum_j (output_ij - target_ij)^2`` (MSE without the mean)."""
    target = target if isinstance(target, Tensor) else Tensor(target)
    if tuple(output.shape) != tuple(target.shape):
        raise ValueError(f"output has shape {tuple(output.shape)} but target has "
                         f"{tuple(target.shape)}; one-hot encode the labels first")
    return ((output - target) ** 2).sum()


def check_supported(model):
    """Refuse, before any work, a model whose per-example norms this module cannot compute."""
    layers = list(model) if isinstance(model, Sequential) else [model]
    for layer in layers:
        if not isinstance(layer, (Linear,) + PER_EXAMPLE_LAYERS):
            raise TypeError(
                f"DP-SGD computes per-example gradient norms for Sequential models of Linear, "
                f"ReLU, Square and Flatten layers; {type(layer).__name__} is not one of them")
    if not any(isinstance(layer, Linear) for layer in layers):
        raise TypeError("DP-SGD needs at least one Linear layer with parameters to train")
    return layers


@contextmanager
def parameters_frozen(model):
    """Parameters need no gradient inside (the unclipped weight gradient is not computed)."""
    params = model.parameters()
    saved = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad = False
    try:
        yield
    finally:
        for p, flag in zip(params, saved):
            p.requires_grad = flag


def traced_forward(model, x):
    """The model's output, and a :class:`LinearTrace` per linear layer, in order."""
    traces = []
    for layer in check_supported(model):
        if isinstance(layer, Linear):
            inputs = x.value
            out = layer(x)
            probe = Tensor(V.zeros(out.shape, like=out.value), requires_grad=True)
            traces.append(LinearTrace(layer, inputs, probe))
            x = out + probe
        else:
            x = layer(x)
    return x, traces


def _square(value):
    return value.square() if V.is_shared(value) else value * value


def _column_blocks(widths):
    edges = np.concatenate([[0], np.cumsum(widths)])
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def squared_norms(traces):
    """Per-example squared gradient norms, summed over the layers: ``(B,)``."""
    parts = [t.inputs for t in traces] + [t.probe.grad for t in traces]
    squares = _square(V.concatenate(parts, axis=1))                 # one square for all
    sums = [squares[:, block].sum(axis=1)
            for block in _column_blocks([p.shape[1] for p in parts])]
    layers = len(traces)
    has_bias = np.array([[float(t.layer.bias is not None)] for t in traces])
    input_norms = V.concatenate([s.reshape(1, -1) for s in sums[:layers]], axis=0) + has_bias
    grad_norms = V.concatenate([s.reshape(1, -1) for s in sums[layers:]], axis=0)
    return (input_norms * grad_norms).sum(axis=0)                   # one product for all


def clipped_gradient_sums(model, x, y, clip, loss=summed_squared_error):
    """``(squared norms, clip factors, {parameter name: clipped sum})`` for one batch.

    ``x`` and ``y`` are Tensors (floats or shares) with one row per example.  The
    clipped sum of a parameter is ``sum_i c_i grad_i`` with ``c_i = min(1, C / |grad_i|)``
    (see :func:`nn.dp.clipping.clip_factors` for the exact rule).
    """
    with parameters_frozen(model):
        output, traces = traced_forward(model, x)
        loss(output, y).backward()
    norms = squared_norms(traces)
    factors = clip_factors(norms, clip)
    grads = [t.probe.grad for t in traces]
    blocks = _column_blocks([g.shape[1] for g in grads])
    scaled_all = V.concatenate(grads, axis=1) * factors.reshape(-1, 1)   # one product
    names = {id(p): name for name, p in model.named_parameters()}
    sums = {}
    for trace, block in zip(traces, blocks):
        scaled = scaled_all[:, block]
        sums[names[id(trace.layer.weight)]] = scaled.T @ trace.inputs
        if trace.layer.bias is not None:
            sums[names[id(trace.layer.bias)]] = scaled.sum(axis=0)
    return norms, factors, sums
