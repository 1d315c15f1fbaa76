"""The reference's life cycle of a model: fix_precision -> share -> get -> float_precision."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import smpc
from autograd import Tensor

BASE2_16 = smpc.DEFAULT_ENCODER
BASE10_3 = smpc.FixedPointEncoder(10, 3)
# Rounding to the nearest encoding is off by at most half an ulp.
ROUND_TRIP = {BASE2_16: 2.0 ** -17, BASE10_3: 0.0005}


def make_model():
    return nn.Sequential(nn.Linear(6, 5), nn.Square(), nn.Linear(5, 3))


def values(model):
    return [np.array(p.value, copy=True) for p in model.parameters()]


@pytest.mark.parametrize("encoder", [BASE2_16, BASE10_3], ids=["2:16", "10:3"])
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), scale=st.sampled_from([1e-3, 1.0, 100.0]))
def test_round_trip_within_half_an_ulp(encoder, seed, scale):
    alice, bob, cp = smpc.make_parties(seed=seed)
    model = make_model()
    for p in model.parameters():
        p.value = p.value * scale
    before = values(model)
    params = model.parameters()

    assert model.fix_precision(encoder) is model
    assert all(isinstance(p.value, smpc.FixedPrecisionTensor) and not p.requires_grad
               for p in model.parameters())
    assert model.share(alice, bob, crypto_provider=cp, requires_grad=True) is model
    for p in model.parameters():
        assert isinstance(p.value, smpc.SharedTensor) and p.requires_grad
        assert [h.name for h in p.value.holders] == ["alice", "bob"] and p.value.encoder == encoder
    model.get()
    assert all(isinstance(p.value, smpc.FixedPrecisionTensor) for p in model.parameters())
    model.float_precision()

    assert [id(p) for p in model.parameters()] == [id(p) for p in params]  # changed in place
    for p, old in zip(model.parameters(), before):
        assert p.requires_grad and p.value.dtype == np.float64 and p.grad is None
        assert np.abs(p.value - old).max() <= ROUND_TRIP[encoder] * (1 + 1e-9)


def test_round_trip_bound_is_tight():
    # The bound is reached: a value half-way between two encodings.
    alice, bob, cp = smpc.make_parties(seed=0)
    layer = nn.Linear(1, 1)
    layer.weight.value = np.array([[2.0 ** -17 * 0.999]])
    layer.fix_precision().share(alice, bob, crypto_provider=cp).get().float_precision()
    assert layer.weight.value[0, 0] == 0.0


def test_a_single_share_is_not_the_parameter():
    alice, bob, cp = smpc.make_parties(seed=1)
    model = make_model()
    encoded = [BASE2_16.encode(v) for v in values(model)]
    model.fix_precision().share(alice, bob, crypto_provider=cp)
    for p, enc in zip(model.parameters(), encoded):
        shares = p.value.shares
        assert shares.shape == (2, *enc.shape)
        assert not np.any(shares[0] == enc) and not np.any(shares[1] == enc)
        np.testing.assert_array_equal(shares[0] + shares[1], enc)     # mod 2^64


def test_share_without_requires_grad():
    alice, bob, cp = smpc.make_parties(seed=2)
    model = make_model().fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=False)
    assert not any(p.requires_grad for p in model.parameters())


def test_a_shared_model_runs_forward_and_backward():
    alice, bob, cp = smpc.make_parties(seed=3)
    model = make_model()
    x = np.random.default_rng(0).normal(size=(4, 6))
    expected = model(Tensor(x)).value
    model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    out = model(Tensor(x).fix_precision().share(alice, bob, crypto_provider=cp))
    assert out.is_shared
    np.testing.assert_allclose(out.get().float_precision().value, expected, atol=1e-3)
    nn.mse_loss(out, np.zeros((4, 3))).backward()
    assert all(isinstance(p.grad, smpc.SharedTensor) for p in model.parameters())


def float_model():
    return make_model()


def fixed_model():
    return make_model().fix_precision()


def shared_model():
    alice, bob, cp = smpc.make_parties(seed=4)
    return make_model().fix_precision().share(alice, bob, crypto_provider=cp)


@pytest.mark.parametrize("stage, call, message", [
    (float_model, lambda m: m.get(), r"get\(\) needs shared parameters, found float"),
    (fixed_model, lambda m: m.get(), r"get\(\) needs shared parameters, found fixed"),
    (float_model, lambda m: m.float_precision(), r"needs fixed-point parameters, found float"),
    (shared_model, lambda m: m.float_precision(), r"needs fixed-point parameters, found shared"),
    (fixed_model, lambda m: m.fix_precision(), r"needs float parameters, found fixed"),
    (shared_model, lambda m: m.fix_precision(), r"needs float parameters, found shared"),
    (shared_model, lambda m: m.share(*smpc.make_parties()[:2], crypto_provider=None),
     "already shared"),
])
def test_wrong_stage_calls_are_refused_and_change_nothing(stage, call, message):
    model = stage()
    kinds = [type(p.value) for p in model.parameters()]
    with pytest.raises(TypeError, match=message):
        call(model)
    assert [type(p.value) for p in model.parameters()] == kinds


def test_fix_precision_refuses_parameters_out_of_range_and_changes_nothing():
    model = make_model()
    model[2].bias.value = model[2].bias.value + 1e6     # beyond 2^15 for 16 bits; the last one
    before = values(model)
    with pytest.raises(smpc.FixedPointRangeError, match="outside the fixed-point range"):
        model.fix_precision()
    for p, old in zip(model.parameters(), before):
        assert p.requires_grad and np.array_equal(p.value, old)
