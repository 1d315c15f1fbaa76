"""Tests for nn's modules: parameters, modes, initialisation, layers, functional forms, loss."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nn
import smpc
from autograd import Tensor
from nn import functional as F


class Net(nn.Module):
    """The reference's model, scaled down: fc1, fc2, fc3 with ReLUs in between."""

    def __init__(self):
        self.fc1 = nn.Linear(12, 6)
        self.fc2 = nn.Linear(6, 5)
        self.scale = Tensor(np.ones(5))          # a constant, not a parameter
        self.fc3 = nn.Linear(5, 3, bias=False)

    def forward(self, x):
        x = F.relu(self.fc1(F.flatten(x)))
        return self.fc3(F.relu(self.fc2(x)) * self.scale)


# -- parameters and names ------------------------------------------------------------------

def test_named_parameters_in_definition_order():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight"]
    assert [p.shape for p in net.parameters()] == [(6, 12), (6,), (5, 6), (5,), (3, 5)]
    assert [id(p) for p in net.parameters()] == [id(p) for _, p in net.named_parameters()]
    assert net.parameters()[0] is net.fc1.weight


def test_sequential_parameter_names_and_nesting():
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3), nn.Square(),
                          nn.Sequential(nn.Linear(3, 2), nn.ReLU()))
    assert [n for n, _ in model.named_parameters()] == ["1.weight", "1.bias", "3.0.weight", "3.0.bias"]


def test_tied_parameter_is_listed_once():
    first = nn.Linear(3, 3)
    model = nn.Sequential(first, nn.Square(), first)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_parameters_require_grad_and_constants_do_not():
    net = Net()
    assert all(p.requires_grad and p.is_leaf for p in net.parameters())
    assert not any(p is net.scale for p in net.parameters())


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 1)))
    modules = [m for _, m in model.named_modules()]
    assert len(modules) == 5 and all(m.training for m in modules)
    assert model.eval() is model
    assert not any(m.training for m in modules)
    model.train()
    assert all(m.training for m in modules)
    model[1].eval()                       # a sub-tree only
    assert model.training and model[0].training and not model[1][1].training


def test_zero_grad_clears_every_gradient():
    net = Net()
    nn.mse_loss(net(Tensor(np.ones((2, 3, 4)))), np.zeros((2, 3))).backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_forward_must_be_defined():
    with pytest.raises(TypeError, match="must define forward"):
        nn.Module()(Tensor([1.0]))


# -- Linear's initialisation ---------------------------------------------------------------

@pytest.mark.parametrize("fan_in, fan_out", [(1, 3), (784, 128), (64, 10)])
def test_linear_init_is_uniform_within_pytorch_bound(fan_in, fan_out):
    smpc.manual_seed(fan_in)
    layer = nn.Linear(fan_in, fan_out)
    bound = 1 / np.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert p.value.dtype == np.float64
        assert np.all(np.abs(p.value) <= bound)
    w = layer.weight.value
    # Uniform on [-b, b]: the extremes come close to the bound and the mean is near 0.
    if w.size >= 1000:
        assert np.abs(w).max() > 0.99 * bound
        assert abs(w.mean()) < 0.05 * bound
        assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert layer.weight.shape == (fan_out, fan_in) and layer.bias.shape == (fan_out,)


def test_bias_bound_uses_fan_in_not_fan_out():
    smpc.manual_seed(1)
    layer = nn.Linear(400, 4)             # bound 0.05; 1/sqrt(4) would be 0.5
    assert np.all(np.abs(layer.bias.value) <= 0.05)
    smpc.manual_seed(1)
    wide = nn.Linear(4, 400)
    assert np.abs(wide.bias.value).max() > 0.4   # 400 draws on [-0.5, 0.5]


def test_manual_seed_makes_linear_reproducible():
    smpc.manual_seed(7)
    a = nn.Linear(5, 4)
    smpc.manual_seed(7)
    b = nn.Linear(5, 4)
    smpc.manual_seed(8)
    c = nn.Linear(5, 4)
    assert np.array_equal(a.weight.value, b.weight.value) and np.array_equal(a.bias.value, b.bias.value)
    assert not np.array_equal(a.weight.value, c.weight.value)


def test_make_parties_seed_fixes_the_model_too():
    smpc.make_parties(seed=3)
    a = nn.Linear(3, 2)
    smpc.make_parties(seed=3)
    b = nn.Linear(3, 2)
    assert np.array_equal(a.weight.value, b.weight.value)


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(Tensor(x)).value, x @ layer.weight.value.T)


# -- layers ---------------------------------------------------------------------------------

def test_sequential_indexing_and_length():
    layers = [nn.Linear(2, 3), nn.Square(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3
    assert [model[i] for i in range(3)] == layers
    assert model[-1] is layers[2] and model[-3] is layers[0]
    for bad in (3, -4, 10):
        with pytest.raises(IndexError, match="out of range"):
            model[bad]


def test_sequential_applies_layers_in_order():
    smpc.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Square(), nn.Linear(3, 1))
    x = np.array([[1.0, -2.0], [0.5, 0.25]])
    h = x @ model[0].weight.value.T + model[0].bias.value
    expected = (h * h) @ model[2].weight.value.T + model[2].bias.value
    np.testing.assert_allclose(model(Tensor(x)).value, expected)


@pytest.mark.parametrize("shape", [(4, 1, 28, 28), (2, 3), (5, 2, 3, 2), (1, 7)])
def test_flatten_keeps_the_batch_axis(shape):
    x = np.random.default_rng(0).normal(size=shape)
    out = nn.Flatten()(Tensor(x))
    assert out.shape == (shape[0], int(np.prod(shape[1:])))
    np.testing.assert_array_equal(out.value, x.reshape(shape[0], -1))


def test_activations():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nn.ReLU()(Tensor(x)).value, [[0, 0, 0, 0.5, 3.0]])
    np.testing.assert_array_equal(nn.Square()(Tensor(x)).value, x * x)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 5), fan_in=st.integers(1, 6), fan_out=st.integers(1, 4),
       seed=st.integers(0, 2 ** 16))
def test_functional_forms_equal_the_modules(batch, fan_in, fan_out, seed):
    smpc.manual_seed(seed)
    layer = nn.Linear(fan_in, fan_out)
    x = Tensor(np.random.default_rng(seed).normal(size=(batch, fan_in)))
    np.testing.assert_array_equal(layer(x).value, F.linear(x, layer.weight, layer.bias).value)
    np.testing.assert_array_equal(nn.ReLU()(x).value, F.relu(x).value)
    np.testing.assert_array_equal(nn.Square()(x).value, F.square(x).value)
    np.testing.assert_array_equal(nn.Flatten()(x).value, F.flatten(x).value)


# -- mse_loss -------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 8), classes=st.integers(1, 5), seed=st.integers(0, 2 ** 16))
def test_mse_loss_is_the_references_reduction(batch, classes, seed):
    rng = np.random.default_rng(seed)
    out, target = rng.normal(size=(batch, classes)), rng.normal(size=(batch, classes))
    expected = ((out - target) ** 2).sum() / batch          # not a mean over all elements
    for t in (target, Tensor(target)):
        loss = nn.mse_loss(Tensor(out), t)
        assert loss.shape == ()
        np.testing.assert_allclose(loss.item(), expected, rtol=1e-12)


def test_mse_loss_gradient():
    out = Tensor(np.array([[1.0, 2.0], [3.0, -1.0]]), requires_grad=True)
    target = np.array([[0.0, 2.0], [1.0, 1.0]])
    nn.mse_loss(out, target).backward()
    np.testing.assert_allclose(out.grad, 2 * (out.value - target) / 2)


def test_mse_loss_on_shares_matches_floats():
    alice, bob, cp = smpc.make_parties(seed=0)
    rng = np.random.default_rng(1)
    out, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    shared = nn.mse_loss(Tensor(out).share(alice, bob, crypto_provider=cp),
                         Tensor(target).share(alice, bob, crypto_provider=cp))
    assert shared.is_shared
    expected = ((out - target) ** 2).sum() / 6
    assert abs(shared.get().float_precision().item() - expected) < 1e-3


@pytest.mark.parametrize("target_shape", [(4,), (4, 1), (3, 10), (10, 4)])
def test_mse_loss_refuses_mismatched_shapes(target_shape):
    with pytest.raises(ValueError, match=r"output has shape \(4, 10\).*one-hot"):
        nn.mse_loss(Tensor(np.zeros((4, 10))), np.zeros(target_shape))
