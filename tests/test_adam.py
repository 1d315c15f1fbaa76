"""nn.Adam: the formula with bias correction in floats, and the same steps on shares."""
import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor


def textbook_steps(w, grads, lr, betas, eps):
    """Adam with bias correction and eps inside the root, written out in float64."""
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        w = w - lr * m_hat / np.sqrt(v_hat + eps ** 2)
    return w


def test_adam_in_floats_is_the_textbook_formula():
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=5)
    grads = [rng.normal(0, 0.05, 5) for _ in range(6)]
    p = Tensor(w0.copy(), requires_grad=True)
    optimizer = nn.Adam([p], lr=0.01)
    for g in grads:
        p.grad = g
        optimizer.step()
    assert optimizer.eps == 2.0 ** -4 / 16                    # 4e-3, (16 eps)^2 a power of two
    assert np.allclose(p.value, textbook_steps(w0, grads, 0.01, (0.9, 0.999), optimizer.eps))


def test_first_step_moves_each_weight_by_about_lr():
    p = Tensor(np.zeros(3), requires_grad=True)
    p.grad = np.array([0.1, -0.2, 0.0])
    nn.Adam([p], lr=0.01).step()
    assert np.allclose(p.value, [-0.01, 0.01, 0.0], atol=1e-3)


def regression_problem():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4))
    y = x @ np.array([[0.5], [-1.0], [0.25], [2.0]])
    return x, y


def train(parties, shared, steps=8):
    x, y = regression_problem()
    w = Tensor(np.zeros((4, 1)), requires_grad=True)
    xs, ys = Tensor(x), Tensor(y)
    if shared:
        alice, bob, cp = parties
        w = Tensor(np.zeros((4, 1))).share(alice, bob, crypto_provider=cp, requires_grad=True)
        xs = Tensor(x).share(alice, bob, crypto_provider=cp)
        ys = Tensor(y).share(alice, bob, crypto_provider=cp)
    optimizer = nn.Adam([w], lr=0.05)
    if shared:
        optimizer.fix_precision()
    for _ in range(steps):
        optimizer.zero_grad()
        nn.mse_loss(xs @ w, ys).backward()
        optimizer.step()
    return w.value.get().float_precision() if shared else w.value


def test_adam_on_shares_tracks_adam_in_floats(parties):
    plain = train(parties, shared=False)
    secret = train(parties, shared=True)
    assert np.max(np.abs(plain)) > 0.2              # it moved
    assert np.allclose(secret, plain, atol=5e-3)


def test_adam_on_shares_costs_its_closed_form(parties):
    alice, bob, cp = parties
    p = Tensor(np.zeros(10)).share(alice, bob, crypto_provider=cp, requires_grad=True)
    p.grad = Tensor(np.full(10, 0.01)).share(alice, bob, crypto_provider=cp).value
    optimizer = nn.Adam([p]).fix_precision()
    with alice.network.measure() as stats:
        optimizer.step()
    k = optimizer.newton_iterations
    assert k == 16
    truncations = 4 * k + 4                          # masked, 16 bytes and 1 round each
    assert (stats.bytes, stats.rounds) == ((1056 + 16 + 32 + 96 * k + 16 * truncations) * 10,
                                           11 + 3 * k + truncations)


def test_adam_refuses_what_shares_cannot_hold(parties):
    alice, bob, cp = parties
    p = Tensor(np.zeros(2)).share(alice, bob, crypto_provider=cp, requires_grad=True)
    p.grad = Tensor(np.ones(2)).share(alice, bob, crypto_provider=cp).value
    with pytest.raises(ValueError, match="eps"):
        nn.Adam([p], eps=1e-8).step()
    with pytest.raises(ValueError, match="betas"):
        nn.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="learning rate"):
        nn.Adam([p], lr=0)
    base10 = Tensor(np.zeros(2)).fix_precision(smpc.encoder_from_setting("10:3"))
    q = base10.share(alice, bob, crypto_provider=cp, requires_grad=True)
    q.grad = q.value
    with pytest.raises(ValueError, match="default encoding"):
        nn.Adam([q]).step()


def test_adam_state_round_trip():
    p = Tensor(np.zeros(2), requires_grad=True)
    optimizer = nn.Adam([p], lr=0.01)
    p.grad = np.array([0.1, 0.2])
    optimizer.step()
    state = optimizer.state_dict()
    other = nn.Adam([p]).load_state_dict(state)
    assert other.steps == 1 and other.lr == 0.01
    assert np.allclose(other.second[0], optimizer.second[0])
