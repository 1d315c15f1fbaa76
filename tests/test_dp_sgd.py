"""DP-SGD (nn.dp): per-example norms, clipping, noise, sampling and accounting.

On shares everything is compared with the same computation in float NumPy; the
per-example norms in floats are compared with per-example gradients computed one
example at a time by autograd (the outer-product shortcut must agree with them).
"""
import numpy as np
import pytest
from scipy import stats

import nn
import smpc
from autograd import Tensor
from nn.dp import (DPSGD, MAX_SQUARED_NORM, PoissonSampler, clip_factors, clipped_gradient_sums,
                   shared_gaussian_noise, summed_squared_error)
from nn.dp.noise import dealer_noise_generator, float_gaussian_noise

ENC = smpc.DEFAULT_ENCODER


def small_model(seed=5):
    smpc.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(20, 16), nn.ReLU(), nn.Linear(16, 4))


def batch(rng, size=12, scale=1.0):
    return rng.normal(0, scale, (size, 20)), np.eye(4)[rng.integers(0, 4, size)]


def per_example_gradients(model, x, y):
    grads = []
    for i in range(len(x)):
        model.zero_grad()
        summed_squared_error(model(Tensor(x[i:i + 1])), Tensor(y[i:i + 1])).backward()
        grads.append({name: p.grad.copy() for name, p in model.named_parameters()})
    model.zero_grad()
    return grads


def shared(parties, values):
    alice, bob, cp = parties
    return Tensor(smpc.share(values, alice, bob, crypto_provider=cp))


def test_per_example_norms_and_clipped_sums_match_one_example_at_a_time():
    rng = np.random.default_rng(0)
    x, y = batch(rng, scale=2.0)
    model = small_model()
    grads = per_example_gradients(model, x, y)
    norms, factors, sums = clipped_gradient_sums(model, Tensor(x), Tensor(y), clip=1.0)
    true_norms = np.array([sum((g ** 2).sum() for g in example.values()) for example in grads])
    np.testing.assert_allclose(norms, true_norms, rtol=1e-12)
    assert np.any(true_norms > 1) and np.any(true_norms < MAX_SQUARED_NORM)
    np.testing.assert_allclose(factors, np.minimum(1, 1 / np.sqrt(true_norms)), rtol=1e-12)
    for name, total in sums.items():
        expected = sum(f * example[name] for f, example in zip(factors, grads))
        np.testing.assert_allclose(total, expected, rtol=1e-10, atol=1e-12)
    assert all(p.grad is None and p.requires_grad for p in model.parameters())


def test_clipped_per_example_norms_on_shares_equal_float(parties):
    alice, bob, cp = parties
    rng = np.random.default_rng(1)
    x, y = batch(rng, scale=2.0)
    plain = small_model()
    norms, factors, sums = clipped_gradient_sums(plain, Tensor(x), Tensor(y), clip=1.0)
    model = small_model().fix_precision().share(alice, bob, crypto_provider=cp)
    s_norms, s_factors, s_sums = clipped_gradient_sums(model, shared(parties, x),
                                                       shared(parties, y), clip=1.0)
    got_norms = s_norms.get().float_precision()
    got_factors = s_factors.get().float_precision()
    np.testing.assert_allclose(got_norms, norms, rtol=1e-3, atol=1e-3)
    clipped = np.sqrt(norms) * factors
    assert np.all(clipped <= 1 + 1e-12) and np.any(np.isclose(clipped, 1.0))
    # the clipped norms: within fixed-point error (inverse square root: 8 ulps; norms: 1e-3)
    np.testing.assert_allclose(np.sqrt(got_norms) * got_factors, clipped, atol=2e-3)
    for name, total in sums.items():
        np.testing.assert_allclose(s_sums[name].get().float_precision(), total, atol=5e-3)


def test_clip_factor_rule_on_shares_and_floats(parties):
    alice, bob, cp = parties
    clip = 0.5
    squared = np.array([0.0, 0.01, clip ** 2 - ENC.ulp, clip ** 2, clip ** 2 + ENC.ulp, 1.0, 37.5,
                        MAX_SQUARED_NORM - 1, MAX_SQUARED_NORM, MAX_SQUARED_NORM + 5, 30000.0])
    expected = np.where(squared >= MAX_SQUARED_NORM, 0.0,
                        np.minimum(1.0, clip / np.sqrt(np.maximum(squared, 1e-300))))
    np.testing.assert_allclose(clip_factors(squared, clip), expected, rtol=1e-12)
    s = smpc.share(squared, alice, bob, crypto_provider=cp)
    got = clip_factors(s, clip).get().float_precision()
    assert np.all(np.abs(got - expected) <= 8 * ENC.ulp + 1e-4 * expected), got - expected


def test_bad_clip_norms_and_models_are_refused():
    for bad in (0, 0.01, 128, -1, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="clip norm C"):
            clip_factors(np.array([1.0]), bad)
    class Odd(nn.Module):
        def forward(self, x):
            return x
    with pytest.raises(TypeError, match="Odd is not one of them"):
        DPSGD(nn.Sequential(nn.Linear(2, 2), Odd()), 1.0, 1.0, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="noise scheme"):
        DPSGD(small_model(), 1.0, 1.0, 10, np.random.default_rng(0), noise="me")


@pytest.mark.parametrize("scheme, variance_factor", [("dealer", 1), ("holders", 2)])
def test_the_noise_on_shares_has_the_stated_distribution(parties, scheme, variance_factor):
    alice, bob, cp = parties
    std, n = 0.75, 20000
    noise = shared_gaussian_noise((alice, bob), cp, (n,), std, ENC, np.random.default_rng(4),
                                  scheme)
    values = noise.get().float_precision()
    stated = std * np.sqrt(variance_factor)
    assert stats.kstest(values, "norm", args=(0, stated)).pvalue > 1e-3
    other = std * np.sqrt(3 - variance_factor)           # the other scheme's spread: rejected
    assert stats.kstest(values, "norm", args=(0, other)).pvalue < 1e-6
    # each holder's share alone is uniform over the ring (top 4 bits of each element)
    top = (noise.shares[0].view(np.uint64) >> np.uint64(60)).astype(np.int64)
    if scheme == "dealer":
        assert stats.chisquare(np.bincount(top, minlength=16)).pvalue > 1e-3
    if scheme == "dealer":   # the plaintext twin of the same session (seed 0) draws the same noise
        same = float_gaussian_noise((n,), std, dealer_noise_generator(0), scheme)
        np.testing.assert_allclose(values, same, atol=ENC.ulp)


def test_dealer_noise_is_offline_and_costs_one_share_per_holder(parties):
    alice, bob, cp = parties
    with alice.network.measure() as st:
        shared_gaussian_noise((alice, bob), cp, (100,), 1.0, ENC, np.random.default_rng(0))
    assert st.bytes == 0 and st.rounds == 0 and st.offline_bytes == 2 * 8 * 100
    with alice.network.measure() as st:
        shared_gaussian_noise((alice, bob), cp, (100,), 1.0, ENC, np.random.default_rng(0),
                              "holders")
    assert st.offline_bytes == 0 and st.bytes == 0


@pytest.mark.parametrize("noise_multiplier", [0.0, 1.3])
def test_private_gradients_on_shares_equal_float_run_for_run(parties, noise_multiplier):
    alice, bob, cp = parties
    rng = np.random.default_rng(2)
    x, y = batch(rng, size=10, scale=2.0)
    plain = small_model()
    # the plaintext twin draws the noise the session's crypto provider (seed 0) draws
    DPSGD(plain, 1.0, noise_multiplier, 8.0, dealer_noise_generator(0)).private_gradients(
        Tensor(x), Tensor(y))
    model = small_model().fix_precision().share(alice, bob, crypto_provider=cp)
    DPSGD(model, 1.0, noise_multiplier, 8.0, np.random.default_rng(9)).private_gradients(
        shared(parties, x), shared(parties, y))
    for p, q in zip(plain.parameters(), model.parameters()):
        np.testing.assert_allclose(q.grad.get().float_precision(), p.grad, atol=2e-3)
    if noise_multiplier:   # the noise dominates: each coordinate is far from the clipped mean
        _, _, sums = clipped_gradient_sums(small_model(), Tensor(x), Tensor(y), 1.0)
        deviation = plain[1].weight.grad - sums["1.weight"] / 8.0
        assert 0.8 < deviation.std() / (noise_multiplier / 8.0) < 1.2


def test_an_empty_batch_is_noise_alone(parties):
    alice, bob, cp = parties
    model = small_model().fix_precision().share(alice, bob, crypto_provider=cp)
    DPSGD(model, 2.0, 1.0, 5.0, np.random.default_rng(0), parties=((alice, bob), cp)) \
        .private_gradients(Tensor(np.zeros((0, 20))), Tensor(np.zeros((0, 4))))
    grad = model[1].weight.grad.get().float_precision()
    assert grad.shape == (16, 20)
    assert 0.8 < grad.std() / (2.0 / 5.0) < 1.2


def test_poisson_sampler():
    sampler = PoissonSampler(1000, 0.05, seed=3)
    assert sampler.steps_per_epoch == 20 and sampler.expected_batch_size == 50
    first = sampler.epoch_batches()
    sizes = np.array([len(b) for b in first + sampler.epoch_batches()])
    assert len(first) == 20 and abs(sizes.mean() - 50) < 5 and sizes.std() > 2
    again = PoissonSampler(1000, 0.05, seed=3).epoch_batches()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    for bad in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match="sampling rate"):
            PoissonSampler(10, bad)
