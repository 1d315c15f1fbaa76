"""Tests for nn.SGD: the update formula by hand, on floats and on shares, and its checks."""
import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor

LR, MOMENTUM, WEIGHT_DECAY = 0.1, 0.9, 0.01
STEPS = 4
# Each shared step adds a few truncations of one ulp (2^-16 ~ 1.5e-5) per element.
SHARED_TOLERANCE = 1e-4


def by_hand(w0, grads, lr, momentum, weight_decay):
    """PyTorch's SGD written out: d = g + wd w;  v = d (first) or m v + d;  w = w - lr v."""
    w, v, history = w0.copy(), None, []
    for g in grads:
        d = g + weight_decay * w
        v = d if v is None else momentum * v + d
        w = w - lr * v
        history.append((w.copy(), v.copy()))
    return history


def problem(seed=0):
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-1, 1, size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(STEPS)]
    return w0, grads


@pytest.mark.parametrize("momentum, weight_decay", [(MOMENTUM, WEIGHT_DECAY), (0.0, 0.0),
                                                    (MOMENTUM, 0.0), (0.0, WEIGHT_DECAY)])
def test_float_steps_match_the_formula(momentum, weight_decay):
    w0, grads = problem()
    p = Tensor(w0.copy(), requires_grad=True)
    opt = nn.SGD([p], lr=LR, momentum=momentum, weight_decay=weight_decay)
    for g, (w, v) in zip(grads, by_hand(w0, grads, LR, momentum, weight_decay)):
        p.grad = g
        opt.step()
        np.testing.assert_allclose(p.value, w, rtol=0, atol=1e-12)
        if momentum:
            np.testing.assert_allclose(opt.velocity[0], v, rtol=0, atol=1e-12)


def test_the_formula_tells_conventions_apart():
    # The hand-written reference is not vacuous: a wrong sign of the decay, or decay
    # applied after the momentum, changes the result far beyond the shared tolerance.
    w0, grads = problem()
    right = by_hand(w0, grads, LR, MOMENTUM, WEIGHT_DECAY)[-1][0]
    flipped = by_hand(w0, grads, LR, MOMENTUM, -WEIGHT_DECAY)[-1][0]
    no_momentum = by_hand(w0, grads, LR, 0.0, WEIGHT_DECAY)[-1][0]
    assert np.abs(right - flipped).max() > 10 * SHARED_TOLERANCE
    assert np.abs(right - no_momentum).max() > 10 * SHARED_TOLERANCE


@pytest.mark.parametrize("encoder", [smpc.DEFAULT_ENCODER, smpc.FixedPointEncoder(2, 20)],
                         ids=["2:16", "2:20"])
def test_shared_steps_match_the_formula(encoder):
    alice, bob, cp = smpc.make_parties(seed=1)
    w0, grads = problem(1)
    p = Tensor(w0).fix_precision(encoder).share(alice, bob, crypto_provider=cp, requires_grad=True)
    opt = nn.SGD([p], lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY).fix_precision()
    for g, (w, v) in zip(grads, by_hand(w0, grads, LR, MOMENTUM, WEIGHT_DECAY)):
        p.grad = smpc.share(g, alice, bob, crypto_provider=cp, encoder=encoder)
        opt.step()
        assert isinstance(p.value, smpc.SharedTensor) and isinstance(opt.velocity[0], smpc.SharedTensor)
        np.testing.assert_allclose(p.value.get().float_precision(), w, rtol=0, atol=SHARED_TOLERANCE)
        np.testing.assert_allclose(opt.velocity[0].get().float_precision(), v, rtol=0,
                                   atol=SHARED_TOLERANCE)


def test_shared_steps_with_the_references_encoding():
    # Base 10, 3 digits: optimizer.fix_precision() follows the parameters' encoding.
    encoder = smpc.FixedPointEncoder(10, 3)
    alice, bob, cp = smpc.make_parties(seed=2)
    w0, grads = problem(2)
    p = Tensor(w0).fix_precision(encoder).share(alice, bob, crypto_provider=cp, requires_grad=True)
    opt = nn.SGD([p], lr=0.02, momentum=MOMENTUM, weight_decay=0.01).fix_precision()
    for g in grads:
        p.grad = smpc.share(g, alice, bob, crypto_provider=cp, encoder=encoder)
        opt.step()
    w = by_hand(w0, grads, 0.02, MOMENTUM, 0.01)[-1][0]
    # Every truncation may be off by 0.001; a few per step, over four steps.
    np.testing.assert_allclose(p.value.get().float_precision(), w, rtol=0, atol=0.02)
    assert p.value.encoder == encoder


def test_an_optimiser_step_on_shares_sends_nothing():
    # The hyper-parameters are public fixed-point numbers: the update is local arithmetic.
    alice, bob, cp = smpc.make_parties(seed=3)
    w0, grads = problem(3)
    p = Tensor(w0).share(alice, bob, crypto_provider=cp, requires_grad=True)
    opt = nn.SGD([p], lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY).fix_precision()
    with smpc.config.using(truncation="local"):
        for g in grads:
            p.grad = smpc.share(g, alice, bob, crypto_provider=cp)
            with alice.network.measure() as stats:
                opt.step()
            assert stats.bytes == 0 and stats.rounds == 0 and stats.offline_bytes == 0


def test_parameters_without_gradient_are_left_alone():
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = nn.SGD([a, b], lr=0.5, momentum=0.9)
    a.grad = np.array([1.0, 2.0])
    opt.step()
    np.testing.assert_array_equal(a.value, [0.5, 0.0])
    np.testing.assert_array_equal(b.value, [1.0, 1.0])
    assert opt.velocity[1] is None
    opt.zero_grad()
    assert a.grad is None


def test_zero_grad_is_needed_between_steps():
    # Gradients accumulate (as in PyTorch): two backward passes without zero_grad add up.
    p = Tensor(np.array([1.0]), requires_grad=True)
    (p * 3.0).sum().backward()
    (p * 3.0).sum().backward()
    np.testing.assert_array_equal(p.grad, [6.0])


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": 0}, "learning rate"), ({"lr": -0.1}, "learning rate"),
    ({"lr": 0.1, "momentum": 1.0}, "momentum"), ({"lr": 0.1, "momentum": -0.1}, "momentum"),
    ({"lr": 0.1, "weight_decay": -1e-3}, "weight_decay"),
])
def test_bad_hyper_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.SGD([Tensor(np.ones(1), requires_grad=True)], **kwargs)


def test_a_hyper_parameter_that_rounds_to_zero_is_refused():
    alice, bob, cp = smpc.make_parties(seed=4)
    encoder = smpc.FixedPointEncoder(10, 3)
    p = Tensor(np.ones(2)).fix_precision(encoder).share(alice, bob, crypto_provider=cp,
                                                         requires_grad=True)
    opt = nn.SGD([p], lr=0.1, weight_decay=1e-4).fix_precision()     # 1e-4 < 0.0005
    p.grad = smpc.share(np.ones(2), alice, bob, crypto_provider=cp, encoder=encoder)
    with pytest.raises(ValueError, match="rounds to 0"):
        opt.step()


def test_a_mismatched_optimiser_encoding_is_refused():
    alice, bob, cp = smpc.make_parties(seed=5)
    encoder = smpc.FixedPointEncoder(10, 3)
    p = Tensor(np.ones(2)).fix_precision(encoder).share(alice, bob, crypto_provider=cp,
                                                         requires_grad=True)
    opt = nn.SGD([p], lr=0.1).fix_precision(smpc.DEFAULT_ENCODER)
    p.grad = smpc.share(np.ones(2), alice, bob, crypto_provider=cp, encoder=encoder)
    with pytest.raises(ValueError, match="follow the parameters"):
        opt.step()


def test_a_shared_gradient_on_a_public_parameter_is_refused():
    alice, bob, cp = smpc.make_parties(seed=6)
    p = Tensor(np.ones(2), requires_grad=True)
    p.grad = smpc.share(np.ones(2), alice, bob, crypto_provider=cp)
    with pytest.raises(TypeError, match="shared gradient"):
        nn.SGD([p], lr=0.1).step()


def test_state_dict_round_trip():
    w0, grads = problem()
    p = Tensor(w0.copy(), requires_grad=True)
    opt = nn.SGD([p], lr=LR, momentum=MOMENTUM)
    p.grad = grads[0]
    opt.step()
    other = nn.SGD([Tensor(w0.copy(), requires_grad=True)], lr=1.0).load_state_dict(opt.state_dict())
    assert (other.lr, other.momentum) == (LR, MOMENTUM)
    np.testing.assert_array_equal(other.velocity[0], opt.velocity[0])
    with pytest.raises(ValueError, match="different number"):
        nn.SGD([p, p], lr=1.0).load_state_dict(opt.state_dict())
