"""The same graphs on secret shares: gradients must match the float ones.

Tolerances. With the default encoder (base 2, 16 fractional bits) one unit in the last
place is 2^-16 ~ 1.5e-5; each truncation (after every product) is off by at most about
one unit, and the errors of a few layers add up, growing with the size of the values
they multiply. So, parameter by parameter, we accept an absolute error of
``1e-3 * (1 + max |float gradient of that parameter|)``: about 60 units of slack for
gradients of order 1, while a wrong gradient (a missing term, a misplaced transpose) is
off by order 1. With the reference's encoder (base 10, 3 digits, unit 1e-3) the factor
is ``5e-2`` instead of ``1e-3``.

Gradients of *linear* functions (a sum, a reshape) do not depend on the shared values,
so with a public seed gradient they come out public; everything downstream of a product
with shares comes out shared, which the MLP tests check.
"""

import numpy as np
import pytest

import smpc
from autograd import Tensor, concatenate

TOLERANCE = 1e-3



@pytest.fixture
def parties():
    return smpc.make_parties(seed=0)


def revealed(value):
    """A float array from a raw gradient (shared gradients are revealed for the check)."""
    return value.get().float_precision() if isinstance(value, smpc.SharedTensor) else value


def assert_gradients_match(shared, floats, tolerance=TOLERANCE, expect_shared=True):
    for name, expected in floats.items():
        if expect_shared:
            assert isinstance(shared[name], smpc.SharedTensor), f"{name}.grad should be shared"
        atol = tolerance * (1 + np.max(np.abs(expected)))
        np.testing.assert_allclose(revealed(shared[name]), expected, atol=atol, rtol=0,
                                   err_msg=f"gradient of {name}")


# -- a small MLP, parameter by parameter ---------------------------------------------------------

def mlp_data(seed=0, batch=5, sizes=(8, 6, 4, 3)):
    rng = np.random.default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{i}"] = rng.standard_normal((n_in, n_out)) * 0.5 / np.sqrt(n_in)
        params[f"b{i}"] = 0.1 * rng.standard_normal(n_out)
    x = rng.standard_normal((batch, sizes[0]))
    target = np.eye(sizes[-1])[rng.integers(0, sizes[-1], batch)]   # one-hot, like MNIST
    return params, x, target


def mlp_gradients(params, x, target, activation, make_param, make_data):
    """Run the reference's model and loss; return (loss Tensor, {name: grad})."""
    p = {name: make_param(value) for name, value in params.items()}
    h = make_data(x).view(x.shape[0], -1)
    for i in (1, 2, 3):
        h = h @ p[f"W{i}"] + p[f"b{i}"]
        if i < 3:
            h = h.relu() if activation == "relu" else h.square()
    batch = h.shape[0]
    loss = ((h - make_data(target)) ** 2).sum().refresh() / batch
    loss.backward()
    return loss, {name: t.grad for name, t in p.items()}


def float_mode():
    return (lambda v: Tensor(v, requires_grad=True)), Tensor


def shared_mode(parties, encoder=None):
    alice, bob, cp = parties

    def share(v, requires_grad):
        return Tensor(v).fix_precision(encoder).share(alice, bob, crypto_provider=cp,
                                                      requires_grad=requires_grad)

    return (lambda v: share(v, True)), (lambda v: share(v, False))


@pytest.mark.parametrize("activation", ["square", "relu"])
def test_mlp_gradients_on_shares_match_floats(parties, activation):
    """8-6-4-3 MLP, MSE loss; tolerance 1e-3 * (1 + max |grad|) per parameter."""
    params, x, target = mlp_data()
    float_loss, float_grads = mlp_gradients(params, x, target, activation, *float_mode())
    shared_loss, shared_grads = mlp_gradients(params, x, target, activation, *shared_mode(parties))
    assert abs(shared_loss.get().float_precision().item() - float_loss.item()) < 1e-3 * (1 + float_loss.item())
    assert_gradients_match(shared_grads, float_grads)


def test_mlp_gradients_with_the_references_encoder(parties):
    """Base 10 with 3 digits, as in the reference; tolerance 5e-2 * (1 + max |grad|)."""
    encoder = smpc.FixedPointEncoder(base=10, precision=3)
    params, x, target = mlp_data(seed=1)
    _, float_grads = mlp_gradients(params, x, target, "square", *float_mode())
    _, shared_grads = mlp_gradients(params, x, target, "square", *shared_mode(parties, encoder))
    assert_gradients_match(shared_grads, float_grads, tolerance=5e-2)


def test_public_model_on_private_data(parties):
    """Public weights get shared gradients (they depend on the private data); as above."""
    alice, bob, cp = parties
    params, x, target = mlp_data(seed=2)
    _, float_grads = mlp_gradients(params, x, target, "square", *float_mode())
    private = shared_mode(parties)[1]
    _, grads = mlp_gradients(params, x, target, "square",
                             lambda v: Tensor(v, requires_grad=True), private)
    assert_gradients_match(grads, float_grads)


def test_relu_backward_reuses_the_forward_bit_with_a_public_gradient(parties):
    """A public gradient times the integer-scale bit must keep its fractions; atol 1e-3."""
    alice, bob, cp = parties
    values = np.array([[-1.5, 0.25], [2.0, -0.5]])
    x = Tensor(values).share(alice, bob, crypto_provider=cp, requires_grad=True)
    x.relu().backward(np.array([[0.5, 0.75], [1.25, 2.0]]))
    np.testing.assert_allclose(revealed(x.grad), [[0.0, 0.75], [1.25, 0.0]], atol=TOLERANCE)


def test_relu_on_shares_compares_once_and_backward_reuses_the_bit(parties, monkeypatch):
    """With a stand-in for SecureNN's relu_with_drelu (reveal, compare, re-share: insecure,
    for this test only) the ReLU Function's own logic is checked on real shares: one
    comparison in the forward pass, none in the backward pass; tolerance atol 1e-3."""
    alice, bob, cp = parties
    calls = []

    def stand_in(x):
        calls.append(x.shape)
        bit = (x.get().float_precision() > 0).astype(float)
        shared_bit = smpc.fix_precision(bit, encoder=smpc.INTEGER_ENCODER).share(
            alice, bob, crypto_provider=cp)
        return x * shared_bit, shared_bit

    # setitem on the module dict, so that saving the old value does not trigger smpc's
    # lazy loader (which raises ImportError while the comparisons module is missing).
    monkeypatch.setitem(vars(smpc), "relu_with_drelu", stand_in)
    values = np.array([[-1.5, 0.25], [2.0, -0.5]])
    x = Tensor(values).share(alice, bob, crypto_provider=cp, requires_grad=True)
    y = x.relu()
    np.testing.assert_allclose(y.get().float_precision().value, np.maximum(values, 0), atol=TOLERANCE)
    y.backward(np.array([[0.5, 0.75], [1.25, 2.0]]))     # a public gradient meets the bit
    np.testing.assert_allclose(revealed(x.grad), [[0.0, 0.75], [1.25, 0.0]], atol=TOLERANCE)
    assert len(calls) == 1

    params, data, target = mlp_data(seed=4)
    _, float_grads = mlp_gradients(params, data, target, "relu", *float_mode())
    _, shared_grads = mlp_gradients(params, data, target, "relu", *shared_mode(parties))
    assert_gradients_match(shared_grads, float_grads)
    assert len(calls) == 3                               # two ReLU layers, forward only


# -- each Function once more, on shares ------------------------------------------------------------

rng = np.random.default_rng(3)
A = rng.standard_normal((2, 3))
B = rng.standard_normal((3,))
CASES = {
    "Add/Sub/Neg with broadcasting": (lambda a, b: -(a + b) - b, A, B),
    "Mul with broadcasting": (lambda a, b: a * b, A, B),
    "Matmul with a batch": (lambda a, b: a.reshape(2, 1, 3) @ b.reshape(3, 1), A, B),
    "DivByPublic": (lambda a, b: a / 4 + b / 0.5 - a / -3, A, B),
    "Sum and Mean": (lambda a, b: a.sum(axis=0) + a.mean(axis=1, keepdims=True) + b.mean(), A, B),
    "Transpose and T": (lambda a, b: a.transpose(1, 0) * b.reshape(3, 1) + a.T, A, B),
    "Index with repeats": (lambda a, b: a[[0, 0, 1], 1:] * b[np.array([2, 2])], A, B),
    "Concatenate": (lambda a, b: concatenate([a, b.reshape(1, 3), a], axis=0), A, B),
    "Square and PowTwo": (lambda a, b: a.square() * 0.5 + b ** 2, A, B),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_function_on_shares_matches_floats(parties, case):
    """Gradients of sum(w * f(a, b)) for fixed random w; tolerance 1e-3 * (1 + max |grad|)."""
    alice, bob, cp = parties
    fn, a, b = CASES[case]
    fa, fb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    out = fn(fa, fb)
    w = np.random.default_rng(4).standard_normal(out.shape)
    out.backward(w)

    sa, sb = (Tensor(v).share(alice, bob, crypto_provider=cp, requires_grad=True) for v in (a, b))
    shared_out = fn(sa, sb)
    np.testing.assert_allclose(shared_out.get().float_precision().value, out.value, atol=TOLERANCE)
    shared_out.backward(w)
    assert_gradients_match({"a": sa.grad, "b": sb.grad}, {"a": fa.grad, "b": fb.grad},
                           expect_shared=False)


# -- the reference's vocabulary and the errors around it --------------------------------------------

def test_fix_precision_share_get_float_precision_round_trip(parties):
    alice, bob, cp = parties
    values = np.array([[1.5, -2.25], [0.125, 3.0]])
    shared = Tensor(values).fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    assert shared.is_shared and shared.is_leaf and shared.requires_grad
    back = shared.refresh().get().float_precision()
    assert isinstance(back, Tensor) and np.allclose(back.value, values)


def test_meaningless_mixtures_are_clear_errors(parties):
    alice, bob, cp = parties
    x = Tensor(np.ones(3)).share(alice, bob, crypto_provider=cp)
    with pytest.raises(TypeError, match=r"encoded with .*shares.*fix_precision\(encoder="):
        x * Tensor(np.ones(3)).fix_precision(smpc.FixedPointEncoder(base=10, precision=3))
    with pytest.raises(TypeError, match="int64"):
        x + np.arange(3)                       # integer arrays were never encoded
    with pytest.raises(TypeError, match="get"):
        x.float_precision()
    with pytest.raises(TypeError, match="already shared"):
        x.share(alice, bob, crypto_provider=cp)
    with pytest.raises(TypeError, match="reveals shares"):
        Tensor(np.ones(2)).get()
    with pytest.raises(TypeError, match=r"get\(\) first"):
        x.sum().item()


def test_shares_times_a_public_fixed_point_constant():
    """A fixed-point constant next to shares: the gradient is public fixed point, not garbage."""
    alice, bob, cp = smpc.make_parties(seed=0)
    c = np.array([0.5, -1.0, 2.0])
    for product in (lambda x, k: x * k, lambda x, k: k * x):
        x = Tensor(np.array([1.0, 2.0, 3.0])).share(alice, bob, crypto_provider=cp, requires_grad=True)
        product(x, Tensor(c).fix_precision()).sum().backward()
        grad = x.grad.float_precision() if hasattr(x.grad, "float_precision") else x.grad.get().float_precision()
        np.testing.assert_allclose(grad, c, atol=2 ** -15)
