"""Gradients of Exp, Log, Reciprocal, Sqrt, InvSqrt, Sigmoid, Tanh, Softmax, LogSoftmax
and CrossEntropy: against central differences in float mode, and on shares against the
float gradients of the same inputs.

Inputs stay inside each function's valid range (away from the clamps, where the
derivative jumps).  On shares the tolerance comes from the forward approximation's error
(docstrings of smpc.exponential and friends), a few times larger for products of them.
"""
import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor, gradcheck
from nn import functional as F

RNG = np.random.default_rng(7)

ELEMENTWISE = {
    # name: (function, float inputs in range, tolerance of shares vs floats)
    "exp": (F.exp, RNG.uniform(-3, 1.5, (3, 4)), 2e-2),
    "log": (F.log, RNG.uniform(0.3, 20, (3, 4)), 2e-3),
    "reciprocal": (F.reciprocal, RNG.uniform(0.5, 8, (3, 4)), 2e-3),
    "sqrt": (F.sqrt, RNG.uniform(0.2, 50, (3, 4)), 2e-3),
    "inv_sqrt": (F.inv_sqrt, RNG.uniform(0.5, 50, (3, 4)), 2e-3),
    "sigmoid": (F.sigmoid, RNG.uniform(-6, 6, (3, 4)), 3e-3),
    "tanh": (F.tanh, RNG.uniform(-3, 3, (3, 4)), 5e-3),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_gradient_against_central_differences(name):
    fn, x, _ = ELEMENTWISE[name]
    assert gradcheck(fn, x, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("axis", [0, 1])
def test_softmax_gradients_against_central_differences(axis):
    x = RNG.normal(0, 2, (3, 5))
    assert gradcheck(lambda t: F.softmax(t, axis=axis), x)
    assert gradcheck(lambda t: F.log_softmax(t, axis=axis), x)


def test_cross_entropy_gradient_against_central_differences():
    logits = RNG.normal(0, 2, (4, 5))
    target = np.eye(5)[[0, 3, 3, 1]]
    assert gradcheck(lambda t: nn.cross_entropy(t, target), logits)


def test_cross_entropy_value_and_backward_formula():
    logits = RNG.normal(0, 2, (4, 5))
    target = np.eye(5)[[0, 3, 3, 1]]
    x = Tensor(logits, requires_grad=True)
    loss = nn.cross_entropy(x, target)
    log_p = logits - logits.max(1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(1, keepdims=True))
    assert np.isclose(loss.item(), -(target * log_p).sum() / 4)
    loss.backward()
    assert np.allclose(x.grad, (np.exp(log_p) - target) / 4)
    with pytest.raises(ValueError, match="one-hot"):
        nn.cross_entropy(x, target[:, :3])


# -- on shares, against the float gradients ------------------------------------------------

def shared(parties, values, requires_grad=False):
    alice, bob, cp = parties
    return Tensor(values).share(alice, bob, crypto_provider=cp, requires_grad=requires_grad)


def float_and_shared_gradients(parties, fn, x, weights):
    plain = Tensor(x, requires_grad=True)
    fn(plain).backward(weights)
    secret = shared(parties, x, requires_grad=True)
    out = fn(secret)
    out.backward(shared(parties, weights))
    return plain.grad, secret.grad.get().float_precision(), out.value.get().float_precision()


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_gradient_on_shares_matches_floats(parties, name):
    fn, x, tolerance = ELEMENTWISE[name]
    weights = RNG.uniform(-1, 1, x.shape)
    expected, got, value = float_and_shared_gradients(parties, fn, x, weights)
    with np.errstate(all="ignore"):
        assert np.allclose(value, fn(Tensor(x)).value, rtol=tolerance, atol=tolerance)
    assert np.allclose(got, expected, rtol=3 * tolerance, atol=3 * tolerance)


@pytest.mark.parametrize("which", ["softmax", "log_softmax"])
def test_softmax_gradients_on_shares_match_floats(parties, which):
    fn = getattr(F, which)
    x = RNG.normal(0, 2, (4, 10))
    weights = RNG.uniform(-1, 1, x.shape)
    expected, got, _ = float_and_shared_gradients(parties, lambda t: fn(t, axis=1), x, weights)
    assert np.allclose(got, expected, atol=2e-2)


def test_cross_entropy_on_shares_matches_floats(parties):
    logits = RNG.normal(0, 2, (8, 10))
    target = np.eye(10)[RNG.integers(0, 10, 8)]
    plain = Tensor(logits, requires_grad=True)
    plain_loss = nn.cross_entropy(plain, target)
    plain_loss.backward()
    secret = shared(parties, logits, requires_grad=True)
    loss = nn.cross_entropy(secret, shared(parties, target).value)
    loss.backward()
    assert abs(loss.value.get().float_precision() - plain_loss.item()) < 5e-3
    assert np.allclose(secret.grad.get().float_precision(), plain.grad, atol=1e-3)
