"""Convolution and pooling: the ring maps, the convolution triple, and the layers' gradients.

Float gradients are checked against central differences (gradcheck's defaults). Shared
results are checked against the float ones with the tolerance of test_autograd_shared.py,
``1e-3 * (1 + max |float value|)``: a few truncations of one unit (2^-16) each, while a
wrong gradient is off by order 1. Shapes stay tiny (a few channels, images up to 8x8).
"""
import numpy as np
import pytest

import nn
import smpc
from autograd import Tensor, gradcheck
from autograd.functions.conv import Conv2d
from autograd.functions.pooling import AvgPool2d, MaxPool2d
from smpc import ring
from smpc.beaver_conv import beaver_conv, conv2d as shared_conv2d
from smpc.convolution import Bilinear, conv2d, unfolded_elements

TOLERANCE = 1e-3
GEOMETRIES = [(1, 0), (2, 1), ((1, 2), (0, 1))]


def naive_conv2d(x, w, stride, padding):
    """The definition, one output position at a time."""
    (sh, sw), (ph, pw) = [(v, v) if isinstance(v, int) else v for v in (stride, padding)]
    n, c, h, width = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    ho, wo = (h + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    out = np.zeros((n, o, ho, wo), dtype=x.dtype)
    with np.errstate(over="ignore"):
        for i in range(ho):
            for j in range(wo):
                patch = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                out[:, :, i, j] = (patch[:, None] * w[None]).sum(axis=(2, 3, 4))
    return out


def revealed(value):
    return value.get().float_precision() if isinstance(value, smpc.SharedTensor) else value


def assert_close(shared, expected, tolerance=TOLERANCE):
    atol = tolerance * (1 + np.max(np.abs(expected)))
    np.testing.assert_allclose(revealed(shared), expected, atol=atol, rtol=0)


# -- the ring maps -----------------------------------------------------------------------

@pytest.mark.parametrize("stride, padding", GEOMETRIES)
def test_ring_conv2d_is_exact_on_full_range_values(stride, padding):
    rng = np.random.default_rng(0)
    x = rng.integers(-2**63, 2**63, (2, 3, 7, 6), dtype=np.int64)
    w = rng.integers(-2**63, 2**63, (4, 3, 3, 2), dtype=np.int64)
    np.testing.assert_array_equal(conv2d(x, w, stride, padding, ring.matmul),
                                  naive_conv2d(x, w, stride, padding))


def test_ring_conv2d_broadcasts_a_party_axis_on_either_side():
    rng = np.random.default_rng(1)
    x = rng.integers(-2**63, 2**63, (2, 3, 2, 9, 9), dtype=np.int64)   # party axis first
    w = rng.integers(-2**63, 2**63, (2, 4, 2, 5, 5), dtype=np.int64)
    both = conv2d(x, w, 1, 0, ring.matmul)
    left = conv2d(x[0], w, 1, 0, ring.matmul)
    for p in range(2):
        np.testing.assert_array_equal(both[p], naive_conv2d(x[p], w[p], 1, 0))
        np.testing.assert_array_equal(left[p], naive_conv2d(x[0], w[p], 1, 0))


@pytest.mark.parametrize("stride, padding", GEOMETRIES)
def test_gradient_maps_are_the_adjoints_of_the_convolution(stride, padding):
    """<conv(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(x, g)>, exactly in the ring."""
    rng = np.random.default_rng(2)
    x = rng.integers(-2**63, 2**63, (2, 3, 7, 6), dtype=np.int64)
    w = rng.integers(-2**63, 2**63, (4, 3, 3, 2), dtype=np.int64)
    y = conv2d(x, w, stride, padding, ring.matmul)
    g = rng.integers(-2**63, 2**63, y.shape, dtype=np.int64)
    gx = Bilinear("conv2d_input_grad", stride, padding, input_size=(7, 6))(g, w, ring.matmul)
    gw = Bilinear("conv2d_weight_grad", stride, padding, kernel_size=(3, 2))(x, g, ring.matmul)
    with np.errstate(over="ignore"):
        assert (y * g).sum() == (x * gx).sum() == (w * gw).sum()


@pytest.mark.parametrize("x_shape, w_shape, message", [
    ((2, 3, 5, 5), (4, 2, 3, 3), "3 channels"),
    ((3, 5, 5), (4, 3, 3, 3), "4-d"),
    ((2, 3, 2, 2), (4, 3, 3, 3), "does not fit"),
])
def test_shape_errors_say_what_is_wrong(x_shape, w_shape, message):
    with pytest.raises(ValueError, match=message):
        conv2d(np.zeros(x_shape), np.zeros(w_shape))


def test_bad_stride_and_padding_are_refused():
    with pytest.raises(ValueError, match="stride must be at least 1"):
        Bilinear("conv2d", stride=0)
    with pytest.raises(ValueError, match="padding must be at least 0"):
        Bilinear("conv2d", padding=-1)
    with pytest.raises(TypeError, match="pair of ints"):
        Bilinear("conv2d", stride=1.5)


# -- the convolution triple ----------------------------------------------------------------

def test_shared_convolution_opens_the_operands_in_their_own_shapes(parties):
    """Traffic 16 (n_x + n_w) bytes in one round, against 16 (n_cols + n_w) for im2col."""
    alice, bob, cp = parties
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 2, 8, 8)), 0.3 * rng.standard_normal((3, 2, 3, 3))
    xs, ws = (smpc.share(v, alice, bob, crypto_provider=cp) for v in (x, w))
    with alice.network.measure() as traffic:
        y = shared_conv2d(xs, ws, stride=1, padding=1)
    assert_close(y, conv2d(x, w, 1, 1))
    assert (traffic.bytes, traffic.rounds) == (16 * (x.size + w.size), 1)
    assert unfolded_elements(x.shape, 3, 1, 1) == 9 * x.size  # what im2col would open


def test_a_convolution_triple_is_used_once(parties):
    alice, bob, cp = parties
    bilinear = Bilinear("conv2d")
    xs = smpc.share(np.ones((1, 1, 4, 4)), alice, bob, crypto_provider=cp)
    ws = smpc.share(np.ones((1, 1, 2, 2)), alice, bob, crypto_provider=cp)
    triple = cp.conv_triple(xs.holders, bilinear, xs.shape, ws.shape)
    assert triple.kind == "conv2d"
    beaver_conv(xs.shares, ws.shares, xs.holders, cp, bilinear, triple)
    with pytest.raises(smpc.TripleReuseError, match="conv2d triple was already used"):
        beaver_conv(xs.shares, ws.shares, xs.holders, cp, bilinear, triple)


def test_a_triple_of_the_wrong_shape_is_refused(parties):
    alice, bob, cp = parties
    bilinear = Bilinear("conv2d")
    xs = smpc.share(np.ones((1, 1, 4, 4)), alice, bob, crypto_provider=cp)
    ws = smpc.share(np.ones((1, 1, 2, 2)), alice, bob, crypto_provider=cp)
    triple = cp.conv_triple(xs.holders, bilinear, (1, 1, 5, 5), ws.shape)
    with pytest.raises(ValueError, match="do not match the operands"):
        beaver_conv(xs.shares, ws.shares, xs.holders, cp, bilinear, triple)


# -- gradients in float mode ---------------------------------------------------------------

@pytest.mark.parametrize("stride, padding", GEOMETRIES)
def test_conv2d_gradients_against_central_differences(stride, padding):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 2, 6, 5)), rng.standard_normal((3, 2, 3, 2))
    assert gradcheck(lambda a, b: Conv2d.apply(a, b, stride=stride, padding=padding), x, w)


def test_conv2d_layer_with_bias_against_central_differences():
    smpc.manual_seed(0)
    layer = nn.Conv2d(2, 3, 3, padding=1)
    x = np.random.default_rng(5).standard_normal((2, 2, 4, 4))
    assert gradcheck(lambda a, w, b: Conv2d.apply(a, w, padding=1) + b.reshape(3, 1, 1),
                     x, layer.weight.value, layer.bias.value)


def test_pooling_gradients_against_central_differences():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 4, 6))   # distinct values: max is differentiable there
    assert gradcheck(lambda a: AvgPool2d.apply(a, kernel=2), x)
    assert gradcheck(lambda a: MaxPool2d.apply(a, kernel=2), x)
    assert gradcheck(lambda a: MaxPool2d.apply(a, kernel=3), rng.standard_normal((1, 2, 6, 3)))


def test_pooling_refuses_windows_that_do_not_tile_the_input():
    with pytest.raises(ValueError, match="multiples of 2"):
        MaxPool2d.apply(Tensor(np.zeros((1, 1, 5, 4))), kernel=2)
    with pytest.raises(ValueError, match="at least 1"):
        AvgPool2d.apply(Tensor(np.zeros((1, 1, 4, 4))), kernel=0)


def test_conv2d_layer_refuses_the_wrong_channel_count():
    with pytest.raises(ValueError, match=r"shape \(batch, 2, height, width\)"):
        nn.Conv2d(2, 3, 3)(Tensor(np.zeros((1, 3, 5, 5))))


# -- the same on shares --------------------------------------------------------------------

def shared_input(value, parties, requires_grad=True):
    alice, bob, cp = parties
    return Tensor(value).fix_precision().share(alice, bob, crypto_provider=cp,
                                               requires_grad=requires_grad)


def gradients(fn, inputs, weights):
    out = fn(*inputs)
    out.backward(weights)
    return out, [t.grad for t in inputs]


@pytest.mark.parametrize("stride, padding", GEOMETRIES[:2])
def test_conv2d_on_shares_matches_floats(parties, stride, padding):
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((2, 2, 6, 5)), 0.5 * rng.standard_normal((3, 2, 3, 2))

    def fn(a, b):
        return Conv2d.apply(a, b, stride=stride, padding=padding)

    g = rng.standard_normal(fn(Tensor(x), Tensor(w)).shape)
    out_f, grads_f = gradients(fn, [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)], g)
    g_shared = smpc.share(g, *parties[:2], crypto_provider=parties[2])
    out_s, grads_s = gradients(fn, [shared_input(x, parties), shared_input(w, parties)], g_shared)
    assert_close(out_s.value, out_f.value)
    for shared, expected in zip(grads_s, grads_f):
        assert isinstance(shared, smpc.SharedTensor)
        assert_close(shared, expected)


def test_public_weights_on_private_data(parties):
    """The public-model mode: float weights, shared input, a shared weight gradient."""
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((2, 2, 5, 5)), 0.5 * rng.standard_normal((3, 2, 3, 3))
    out_f, (gx_f, gw_f) = gradients(lambda a, b: Conv2d.apply(a, b).sum(),
                                    [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)],
                                    None)
    out_s, (gx_s, gw_s) = gradients(lambda a, b: Conv2d.apply(a, b).sum(),
                                    [shared_input(x, parties), Tensor(w, requires_grad=True)], None)
    assert_close(out_s.value, out_f.value)
    assert isinstance(gw_s, smpc.SharedTensor)
    assert_close(gw_s, gw_f)
    assert_close(gx_s, gx_f)


@pytest.mark.parametrize("pool", [AvgPool2d, MaxPool2d])
def test_pooling_on_shares_matches_floats(parties, pool):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 2, 4, 4))
    x[0, 0, :2, :2] = 0.5          # a tie: the first maximum gets the gradient, as in NumPy
    g = rng.standard_normal((2, 2, 2, 2))
    out_f, (gx_f,) = gradients(lambda a: pool.apply(a, kernel=2), [Tensor(x, requires_grad=True)], g)
    g_shared = smpc.share(g, *parties[:2], crypto_provider=parties[2])
    out_s, (gx_s,) = gradients(lambda a: pool.apply(a, kernel=2), [shared_input(x, parties)], g_shared)
    assert_close(out_s.value, out_f.value)
    assert_close(gx_s, gx_f)
    # a public gradient into shares keeps its fractions
    _, (gx_p,) = gradients(lambda a: pool.apply(a, kernel=2), [shared_input(x, parties)], g)
    assert_close(gx_p, gx_f)


def test_max_pool_on_shares_at_the_edges_of_the_range(parties):
    """Largest encodable magnitudes and values one unit apart still pick the right maximum."""
    unit = 2.0 ** -16
    big = 2.0 ** 15 - 1
    x = np.array([[[[big, -big], [unit, 0.0]], [[-big, -big + unit], [-big, -big]]]])
    out = MaxPool2d.apply(shared_input(x, parties, requires_grad=False), kernel=2)
    np.testing.assert_array_equal(revealed(out.value), [[[[big]], [[-big + unit]]]])


def test_a_small_cnn_on_shares_tracks_floats(parties):
    """Conv -> MaxPool -> ReLU -> Conv -> AvgPool -> Linear with MSE: every parameter's gradient."""
    def model():
        smpc.manual_seed(3)
        return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(),
                             nn.Conv2d(2, 2, 3, padding=1), nn.AvgPool2d(2), nn.Flatten(),
                             nn.Linear(8, 3))
    rng = np.random.default_rng(10)
    x, target = rng.standard_normal((3, 1, 8, 8)), np.eye(3)[[0, 2, 1]]
    plain = model()
    nn.mse_loss(plain(Tensor(x)), Tensor(target)).backward()
    shared = model()
    alice, bob, cp = parties
    shared.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)
    loss = nn.mse_loss(shared(shared_input(x, parties, False)),
                       shared_input(target, parties, False))
    loss.backward()
    for p_plain, p_shared in zip(plain.parameters(), shared.parameters()):
        assert_close(p_shared.grad, p_plain.grad)
