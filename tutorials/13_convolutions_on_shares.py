# %% [markdown]
"""Tutorial 13: convolutions on shares, from one convolution by hand to a LeNet trained encrypted.

Run it from the repository root::

    python tutorials/13_convolutions_on_shares.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It takes a few
minutes on 2 cores (``SMPC_QUICK=1``: seconds, on a handful of images). Read the
tutorials on Beaver triples and on encrypted MNIST training first.

What you will learn:

1. a convolution as one matrix product of the *im2col* view, exact in the ring Z_2^64;
2. a convolution of two shared tensors by hand, with a convolution triple from the crypto
   provider: what is opened (``X - A`` and ``W - B``, in their own shapes) and why that is
   k*k times less than opening the unfolded matrix;
3. the two gradients of a convolution, each a convolution-like product with its own
   triple, and max pooling that keeps its one-hot for the backward pass;
4. a LeNet (SecureNN's network B) trained on shares next to the same network in
   plaintext, and what each layer costs: bytes, rounds, time.
"""

# %% [markdown]
# ## Setting up

# %%
import time

# Must precede NumPy: BLAS threads, headless matplotlib, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import nn
import smpc
from autograd import Tensor
from datasets import DataLoader, load_dataset, normalize
from experiments.model import lenet
from experiments.modes import Mode
from experiments.train_mnist import test, train_step
from smpc import ring
from smpc.convolution import Bilinear, conv2d, unfold, unfolded_elements
from smpc.sharing import open_many_among

alice, bob, crypto_provider = smpc.make_parties(seed=13)
holders = (alice, bob)
network = alice.network
rng = np.random.default_rng(13)

# %% [markdown]
# ## 1. A convolution is a matrix product in disguise
#
# A 2-D convolution slides a ``kh x kw`` kernel over the image. *im2col* writes every
# window as one row: an image ``(N, C, H, W)`` becomes a matrix with ``N H' W'`` rows and
# ``C kh kw`` columns, and the convolution is that matrix times the weight reshaped to
# ``(C kh kw, O)``. In the ring we multiply with `smpc.ring.matmul`, which is exact mod
# 2^64 (float64 BLAS on 22-bit limbs), so wrapping int64 arithmetic comes out right.

# %%
x = rng.standard_normal((1, 1, 6, 6))
w = rng.standard_normal((2, 1, 3, 3))
columns = unfold(x, (3, 3), stride=(1, 1), padding=(0, 0))
print("image", x.shape, "-> im2col", columns.shape, "(16 windows of 9 pixels)")
direct = np.array([[[(x[0, 0, i:i + 3, j:j + 3] * w[o, 0]).sum() for j in range(4)]
                    for i in range(4)] for o in range(2)])
print("im2col product equals the sliding window:", np.allclose(conv2d(x, w)[0], direct))
assert np.allclose(conv2d(x, w)[0], direct)

big = rng.integers(-2**63, 2**63, (2, 3, 8, 8), dtype=np.int64)
kernel = rng.integers(-2**63, 2**63, (4, 3, 3, 3), dtype=np.int64)
with np.errstate(over="ignore"):
    reference = np.zeros((2, 4, 6, 6), dtype=np.int64)
    for i in range(6):
        for j in range(6):
            reference[:, :, i, j] = (big[:, None, :, i:i + 3, j:j + 3] * kernel[None]).sum(axis=(2, 3, 4))
exact = (conv2d(big, kernel, matmul=ring.matmul) == reference).all()
print("exact in Z_2^64 on full-range values:", exact)
assert exact

# %% [markdown]
# ## 2. One shared convolution by hand, with its triple
#
# Convolution is *bilinear*: linear in the image and linear in the kernel, like a
# product. So Beaver's trick carries over unchanged. The crypto provider deals shares of
# a random image-shaped ``A``, a random kernel-shaped ``B`` and ``C = conv(A, B)``; the
# holders open ``E = X - A`` and ``F = W - B`` and compute
#
#     conv(X, W) = C + conv(E, B) + conv(A, F) + conv(E, F)
#
# each holder its own share of the right-hand side (only holder 0 adds ``conv(E, F)``).

# %%
x_plain = rng.standard_normal((2, 1, 8, 8))
w_plain = 0.3 * rng.standard_normal((3, 1, 3, 3))
x_shared = smpc.share(x_plain, alice, bob, crypto_provider=crypto_provider)
w_shared = smpc.share(w_plain, alice, bob, crypto_provider=crypto_provider)
convolution = Bilinear("conv2d")

with network.measure() as offline_and_online:
    triple = crypto_provider.conv_triple(holders, convolution, x_shared.shape, w_shared.shape)
    a, b, c = triple.consume()                   # stacked shares: a[j] is holder j's
    with np.errstate(over="ignore"):
        e, f = open_many_among([x_shared.shares - a, w_shared.shares - b], holders)
        z = []
        for j in range(len(holders)):            # each holder, on its own shares
            z_j = c[j] + convolution(e, b[j], ring.matmul) + convolution(a[j], f, ring.matmul)
            if j == 0:
                z_j = z_j + convolution(e, f, ring.matmul)
            z.append(z_j)
product = smpc.SharedTensor(np.stack(z), holders, crypto_provider, x_shared.encoder)
# z carries two scales; one truncation brings it back to one
result = product / x_shared.encoder.scale
error = np.abs(result.get().float_precision() - conv2d(x_plain, w_plain)).max()
print(f"shared convolution by hand: largest error {error:.1e} (one unit is {2**-16:.1e})")
print(f"online: {offline_and_online.bytes} bytes in {offline_and_online.rounds} round "
      f"(16 (n_x + n_w) = {16 * (x_plain.size + w_plain.size)}); offline, from the dealer: "
      f"{offline_and_online.offline_bytes} bytes (seeds and the correction share of C)")
print("opened shapes:", e.shape, f.shape, "= the shapes of X and W")
print("the triple is gone:", triple.used)
assert error < 1e-3 and triple.used
assert offline_and_online.bytes == 16 * (x_plain.size + w_plain.size) and e.shape == x_plain.shape

# %% [markdown]
# What would opening the unfolded matrix cost instead? Every pixel appears in up to
# ``kh kw`` windows, so the im2col matrix is up to ``kh kw`` times larger than the image.
# With two holders a Beaver step sends ``16 (n_x + n_w)`` bytes with the convolution
# triple, ``16 (n_cols + n_w)`` with the unfolded one:

# %%
for shape, kernel_shape in (((64, 1, 28, 28), (16, 1, 5, 5)), ((64, 16, 12, 12), (16, 16, 5, 5))):
    n_x, n_w = np.prod(shape), np.prod(kernel_shape)
    n_cols = unfolded_elements(shape, kernel_shape[-2:])
    print(f"input {shape}, kernel {kernel_shape}: triple {16 * (n_x + n_w) / 1e6:5.2f} MB, "
          f"im2col {16 * (n_cols + n_w) / 1e6:5.2f} MB ({(n_cols + n_w) / (n_x + n_w):.1f}x)")

# %% [markdown]
# ## 3. The backward pass: two more convolutions, and pooling
#
# With ``Y = conv(X, W)`` and the gradient ``G`` of ``Y``:
#
# * ``dX`` is the *transposed* convolution of ``G`` with ``W`` (each output gradient is
#   spread back over the window it came from);
# * ``dW`` is a convolution of ``X`` with ``G`` (every window weighted by the gradient
#   of the output it made, summed over the batch).
#
# Both are bilinear again, so each gets its own triple in its own operands' shapes:
# ``(G, W)`` and ``(X, G)``. `nn.Conv2d` does all of this; let us check it against the
# plaintext layer on a tiny batch, and count the traffic of its backward pass.

# %%
smpc.manual_seed(0)
layer_plain = nn.Conv2d(1, 3, 3, padding=1)
smpc.manual_seed(0)
layer_shared = nn.Conv2d(1, 3, 3, padding=1)
layer_shared.fix_precision().share(alice, bob, crypto_provider=crypto_provider, requires_grad=True)
x_in = Tensor(x_plain, requires_grad=True)
out = layer_plain(x_in)
grad_plain = rng.standard_normal(out.shape)
out.backward(grad_plain)
x_in_shared = Tensor(x_plain).fix_precision().share(alice, bob, crypto_provider=crypto_provider,
                                                    requires_grad=True)
out_shared = layer_shared(x_in_shared)
grad_shared = smpc.share(grad_plain, alice, bob, crypto_provider=crypto_provider)
with network.measure() as backward_traffic:
    out_shared.backward(grad_shared)
for name, plain, shared in (("dX", x_in.grad, x_in_shared.grad),
                            ("dW", layer_plain.weight.grad, layer_shared.weight.grad)):
    largest = np.abs(shared.get().float_precision() - plain).max()
    print(f"{name}: largest error {largest:.1e}")
    assert largest < 1e-3
print("backward traffic by protocol:",
      {name: cost.bytes for name, cost in backward_traffic.by_protocol.items()})

# %% [markdown]
# **Pooling.** Average pooling is local: a sum of each window's shares and one division
# by the public window size (a truncation). Max pooling needs comparisons: a tournament
# over each window, 3 comparisons for 2x2. Like ReLU, which keeps its comparison bit for
# the backward pass, max pooling keeps the *one-hot* of each window's winner, carried
# through the tournament; backward is one product ``grad * onehot``, no comparison.

# %%
window = np.array([[[[0.2, 0.9], [-0.4, 0.5]]]])
pool = nn.MaxPool2d(2)
w_in = Tensor(window).fix_precision().share(alice, bob, crypto_provider=crypto_provider,
                                            requires_grad=True)
with network.measure() as pool_traffic:
    pooled = pool(w_in)
pooled.backward(np.ones((1, 1, 1, 1)))
print("max:", pooled.value.get().float_precision().ravel(),
      "gradient:", w_in.grad.get().float_precision().ravel(),
      f"({pool_traffic.bytes} bytes, {pool_traffic.rounds} rounds for one window)")
assert np.array_equal(w_in.grad.get().float_precision().ravel(), [0, 1, 0, 0])

# %% [markdown]
# ## 4. A LeNet trained on shares
#
# `experiments.model.lenet` is SecureNN's network B: two 5x5 convolutions with 16
# channels, each followed by 2x2 max pooling and ReLU, then 256-100-10. Pooling comes
# before ReLU: the two commute, and ReLU then runs on a quarter of the values. We train it
# encrypted and in plaintext with the same seed, initialisation and batch order; it is
# `smpc-train --model lenet`.

# %%
images, labels = load_dataset("sample", "train")
test_images, test_labels = load_dataset("sample", "test")
train_size, test_size, batch = (32, 32, 16) if QUICK else (640, 320, 64)
histories = {}
for mode_name in ("plaintext", "encrypted"):
    smpc.manual_seed(1)
    model = lenet()
    parties = smpc.make_parties(seed=1) if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties, smpc.DEFAULT_ENCODER)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.02))
    loader = DataLoader(images[:train_size], labels[:train_size], batch_size=batch, shuffle=True, seed=1)
    losses, times = [], []
    for x_batch, y_batch in loader:
        start = time.perf_counter()
        losses.append(train_step(model, optimizer, mode, x_batch, y_batch))
        times.append(time.perf_counter() - start)
    correct = test(model, mode, DataLoader(test_images[:test_size], test_labels[:test_size], batch_size=batch))
    histories[mode_name] = losses
    print(f"{mode_name:9s}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, {np.median(times) * 1e3:7.1f} ms "
          f"per batch of {batch}, test accuracy {correct}/{test_size}")
gap = np.abs(np.array(histories["encrypted"]) - np.array(histories["plaintext"])).max()
print(f"largest per-batch loss difference, encrypted vs plaintext: {gap:.1e}")
assert gap < 1e-2

fig, ax = plt.subplots(figsize=(6, 3.5))
for name, style in (("plaintext", "--"), ("encrypted", "-")):
    ax.plot(histories[name], style, label=name)
ax.set_xlabel(f"batch ({batch} images)")
ax.set_ylabel("MSE loss")
ax.set_title("LeNet on the MNIST sample: shares vs plaintext")
ax.legend()
fig.tight_layout()
save_figure(fig, "13_lenet_on_shares.png")

# %% [markdown]
# ## 5. What each layer costs
#
# One batch through the encrypted LeNet, layer by layer: forward and backward traffic,
# rounds and time. The comparisons (max pooling, ReLU) carry most of the bytes; the
# convolutions' triples are cheap to open but their ring products are the heaviest
# local work. (``benchmarks/bench_lenet.py`` prints the same table for a batch of 64.)

# %%
smpc.manual_seed(0)
parties = smpc.make_parties(seed=2)
model = lenet()
Mode("encrypted", parties, smpc.DEFAULT_ENCODER).prepare_model(model)
h = smpc.share(normalize(images[:batch]), parties[0], parties[1], crypto_provider=parties[2])
print(f"{'layer':36s} {'fwd MB':>7s} {'rnd':>4s} {'ms':>7s} | {'bwd MB':>7s} {'rnd':>4s} {'ms':>7s}")
for index in range(len(model)):
    layer = model[index]
    inp = Tensor(h, requires_grad=index > 1)       # the data needs no gradient
    start = time.perf_counter()
    with parties[0].network.measure() as fwd:
        out = layer(inp)
    forward_ms = (time.perf_counter() - start) * 1e3
    upstream = smpc.share(0.01 * rng.standard_normal(out.shape), parties[0], parties[1],
                          crypto_provider=parties[2])
    start = time.perf_counter()
    with parties[0].network.measure() as bwd:
        if out.requires_grad:
            out.backward(upstream)
    backward_ms = (time.perf_counter() - start) * 1e3
    print(f"{repr(layer)[:36]:36s} {fwd.bytes / 1e6:7.2f} {fwd.rounds:4d} {forward_ms:7.1f} | "
          f"{bwd.bytes / 1e6:7.2f} {bwd.rounds:4d} {backward_ms:7.1f}")
    h = out.value

# %% [markdown]
# ## Summary
#
# * A convolution and both of its gradients are bilinear maps; each gets a Beaver
#   triple of its own shapes (`CryptoProvider.conv_triple`), used once.
# * The holders open ``X - A`` and ``W - B``: ``16 (n_x + n_w)`` bytes for two holders,
#   against ``16 (n_cols + n_w)`` for the unfolded matrix, 10-25x more for 5x5 kernels.
# * im2col stays *local*: it is how each holder computes its share quickly.
# * Max pooling keeps the one-hot of its winners for the backward pass, as ReLU keeps its
#   bit; average pooling is free of communication.
