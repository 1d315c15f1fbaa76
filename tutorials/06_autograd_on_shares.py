# %% [markdown]
"""Tutorial 06: automatic differentiation on secret shares.

Run it from the repository root::

    python tutorials/06_autograd_on_shares.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds. Read tutorials 01-03 first (sharing, Beaver multiplication, truncation); ReLU on
shares uses the comparison of tutorials 04-05, but you can read this one without them.

What you will learn:

1. the backward pass of a product, ``grad_x = grad * y`` and ``grad_y = grad * x``, computed
   by hand on shares with two more Beaver products, and checked against floats;
2. why we differentiate the *product*, never the Beaver trick that computes it;
3. the tape: how ``autograd.Tensor`` records every operation, and how ``backward()`` reads
   the records in reverse;
4. a value used twice: its gradients add up;
5. the backward pass of a matrix product, by hand and by the tape;
6. a tiny ReLU network whose gradients on shares match the float gradients, with the
   bytes and rounds of its forward and backward passes.

Exercises 6 and 7 ask you to write ``MulBackward`` and ``MatmulBackward`` yourself once
you have read this.
"""

# %% [markdown]
# ## Setting up

# %%
import inspect

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import save_figure

import matplotlib.pyplot as plt
import numpy as np

import autograd
import nn
import smpc
from autograd import Tensor
from autograd.functions.arithmetic import Mul
from autograd.functions.matmul import Matmul

alice, bob, crypto_provider = smpc.make_parties(seed=5)
network = alice.network
TOLERANCE = 1e-3  # fixed point with 16 fractional bits: a few ulps (1.5e-5 each) of error


def revealed(value):
    """Reveal shares to the local client and decode them (for checking only)."""
    return value.get().float_precision()


# %% [markdown]
# ## 1. The derivative of a product, in floats
#
# Training needs gradients: how much does the loss change when a weight changes a little?
# Backpropagation computes them with the chain rule, one operation at a time, starting
# from the loss and walking back to the weights.
#
# Take one operation, z = x * y (elementwise). Suppose we already know `grad`, the
# gradient of the loss with respect to z (it arrives from the operations *after* this one).
# The chain rule says
#
#     grad_x = grad * dz/dx = grad * y
#     grad_y = grad * dz/dy = grad * x
#
# The derivative of a product with respect to one factor is the other factor. That is all
# of PySyft's `MulBackward`. First in floats:

# %%
x_plain = np.array([1.5, -2.0, 0.5])
y_plain = np.array([4.0, 0.25, -3.0])
grad_plain = np.array([0.1, -1.0, 2.0])   # d loss / d z, from further down the network

grad_x_plain = grad_plain * y_plain
grad_y_plain = grad_plain * x_plain
print("grad_x =", grad_x_plain)
print("grad_y =", grad_y_plain)

# Check the formula numerically: nudge x[0] and watch loss = sum(grad * z) move.
eps = 1e-6
nudged = x_plain.copy()
nudged[0] += eps
slope = (np.sum(grad_plain * nudged * y_plain) - np.sum(grad_plain * x_plain * y_plain)) / eps
print(f"numerical d loss / d x[0] = {slope:.6f}")
assert abs(slope - grad_x_plain[0]) < 1e-6

# %% [markdown]
# ## 2. The same on shares, by hand
#
# In encrypted training x, y and the incoming gradient are all secret-shared: the
# gradient depends on the private data, so it is as secret as the data. The formulas do
# not change. `grad * y` is a product of two shared tensors, so it is one more Beaver
# multiplication (tutorial 02) with a fresh triple from the crypto provider, followed by
# a truncation (tutorial 03). Computing both gradients costs two products.

# %%
x = smpc.share(x_plain, alice, bob, crypto_provider=crypto_provider)
y = smpc.share(y_plain, alice, bob, crypto_provider=crypto_provider)
grad = smpc.share(grad_plain, alice, bob, crypto_provider=crypto_provider)

with network.measure() as stats:
    grad_x = grad * y      # MulBackward, first line
    grad_y = grad * x      # MulBackward, second line
print("grad_x is", grad_x)
print("revealed grad_x:", revealed(grad_x), " floats:", grad_x_plain)
print("revealed grad_y:", revealed(grad_y), " floats:", grad_y_plain)
print(f"cost: {stats.bytes} bytes in {stats.rounds} rounds; "
      f"{stats.by_protocol['beaver_mul'].rounds} Beaver products")

assert np.allclose(revealed(grad_x), grad_x_plain, atol=TOLERANCE)
assert np.allclose(revealed(grad_y), grad_y_plain, atol=TOLERANCE)
assert stats.by_protocol["beaver_mul"].rounds == 2
assert stats.bytes == 2 * (2 * 2 * 8 * 3)   # two products, each opens e and f (tutorial 02)

# %% [markdown]
# Notice what did *not* happen: nobody differentiated the Beaver trick. Inside, `x * y`
# computed c + e*b + a*f + e*f from a random triple (a, b, c) and the opened e = x - a and
# f = y - b. Differentiating *that* expression with respect to its pieces would be
# meaningless (a, b and c are random numbers, not functions of x). The trick is just *how*
# the parties compute the product; the product is still x * y, so its derivative is still
# the other factor. PySyft's AutogradTensor did exactly this: it replaced the backward
# functions that would otherwise see the protocol's internals with the textbook ones.
#
# What did alice learn while computing a gradient? From the crypto provider, a PRG seed
# for her share of the triple (offline); from bob, his shares of the openings
# e = grad - a and f = y - b, which the triple masks (online, both in one message):

# %%
with network.record_views() as views:
    grad * y
for message in views["alice"]:
    print(f"alice received from {message.sender:15s} ({message.phase}, {message.protocol}): "
          f"{message.payload}")
online = [m for m in views["alice"] if m.phase == "online"]
assert [(m.sender, m.protocol, m.payload.size) for m in online] == [("bob", "beaver_mul", 6)]
assert all(m.sender == "crypto_provider" for m in views["alice"] if m.phase != "online")

# %% [markdown]
# ## 3. `Mul`, the Function
#
# In our framework each operation is a `Function` with a `forward` and a `backward` (read
# `autograd/function.py`). Here is the backward pass of `Mul`, from
# `autograd/functions/arithmetic.py`:

# %%
print(inspect.getsource(Mul.backward))

# %% [markdown]
# `grad * b` is a NumPy product when the values are floats, and a Beaver product when they
# are shares: the backward pass does not need to know which. (`unbroadcast` sums the
# gradient back to the input's shape when NumPy broadcasting stretched an input, a bias
# added to every row of a batch, say.) The forward pass saved *both* factors for this,
# `ctx.save_for_backward(a, b)`: on shares, those are shares of every activation.
#
# ## 4. The tape
#
# Writing the backward pass by hand for a whole network would be tedious. An
# `autograd.Tensor` wraps a value (floats or shares) and, when some input has
# `requires_grad=True`, every operation on it appends a *record* to the tape
# (`autograd.TAPE`): which Function ran, on which inputs, with which saved values.
# `backward()` reads the records in reverse order and calls each Function's backward.
#
# The reference's vocabulary works: `fix_precision()`, then `share(..., requires_grad=True)`.

# %%
xt = Tensor(x_plain).fix_precision().share(alice, bob, crypto_provider=crypto_provider,
                                           requires_grad=True)
yt = Tensor(y_plain).fix_precision().share(alice, bob, crypto_provider=crypto_provider,
                                           requires_grad=True)
# The rest of a network, squeezed into one shared factor that needs no gradient.
w = Tensor(grad_plain).fix_precision().share(alice, bob, crypto_provider=crypto_provider)
print(xt, yt, w, sep="\n")

loss = (xt * yt * w).sum()     # loss = sum(x * y * w), so d loss / d (x*y) = w
print("\nthe tape after the forward pass:")
for record in autograd.TAPE.records():
    print("  ", record)
assert [r.function.name for r in autograd.TAPE.records()] == ["Mul", "Mul", "Sum"]

# %% [markdown]
# Three records: the product x * y, the product with `w`, the sum. `w` is shared because
# in a real network the gradient that reaches a layer depends on the private data. Now
# `backward()`: it starts from d loss / d loss = 1 and walks the records from the last
# to the first. `Sum` spreads the public 1 over every element; the second `Mul` turns it
# into 1 * w (public times shared: local, no triple); the first `Mul` is the MulBackward
# of section 2, two Beaver products. The gradients land in `.grad` of the leaves, as
# shares.

# %%
with network.measure() as stats:
    loss.backward()
print("xt.grad is", xt.grad)
print("revealed xt.grad:", revealed(xt.grad), " floats:", grad_x_plain)
print("revealed yt.grad:", revealed(yt.grad), " floats:", grad_y_plain)
print("backward cost:", stats, "|", {k: v.rounds for k, v in stats.by_protocol.items()})
print("records left on the tape:", autograd.TAPE.records())

assert isinstance(xt.grad, smpc.SharedTensor)
assert np.allclose(revealed(xt.grad), grad_x_plain, atol=TOLERANCE)
assert np.allclose(revealed(yt.grad), grad_y_plain, atol=TOLERANCE)
assert stats.by_protocol["beaver_mul"].rounds == 2     # exactly the two products of MulBackward
assert autograd.TAPE.records() == []                   # backward frees what it used

# %% [markdown]
# Had `w` been a public constant, the whole backward pass would have been local: the
# gradient reaching x * y would be public, and public times shared needs no triple.

# %%
xt.zero_grad()
yt.zero_grad()
public_w_loss = (xt * yt * grad_plain).sum()   # a NumPy array is a public constant
with network.measure() as stats:
    public_w_loss.backward()
print("with a public w the backward pass sends", stats.bytes, "bytes")
assert stats.bytes == 0
assert np.allclose(revealed(xt.grad), grad_x_plain, atol=TOLERANCE)

# %% [markdown]
# `w` asked for no gradient, so nobody computed one: `Mul.backward` looks at
# `ctx.needs_input_grad` and skips it. On shares that matters, since every skipped product
# saves a triple and a round. The same goes for a shared value that needs no gradient,
# such as the input images: with only `xt` requiring a gradient, the same loss costs
# one product in the backward pass, not two.

# %%
xt.zero_grad()
yt.zero_grad()
y_data = Tensor(y_plain).share(alice, bob, crypto_provider=crypto_provider)  # no grad
product = (xt * y_data * w).sum()
with network.measure() as stats:
    product.backward()
print("only x needs a gradient:", stats.by_protocol["beaver_mul"].rounds, "Beaver product")
assert stats.by_protocol["beaver_mul"].rounds == 1
assert y_data.grad is None
assert np.allclose(revealed(xt.grad), grad_x_plain, atol=TOLERANCE)

# %% [markdown]
# The tape also explains an error you will meet: after `backward()` the records are
# freed (their saved shares can be large), so a second `backward()` through the same graph
# fails with a message saying what to do.

# %%
try:
    product.backward()
except RuntimeError as error:
    print("RuntimeError:", error)
else:
    raise AssertionError("a second backward through a freed graph must fail")

# %% [markdown]
# ## 5. A value used twice
#
# In y = x * x + x the value x is used three times. Each use sends a gradient back to x,
# and the chain rule says they must be *added*: dy/dx = x + x + 1 = 2x + 1. The tape does
# this: when a second gradient reaches a value that already has one, it adds (overwriting
# instead is a classic bug of toy autograd engines). Leaves also keep accumulating across
# `backward()` calls until `zero_grad()`, which is why a training loop zeroes the
# gradients before each batch.

# %%
xt.zero_grad()
twice = (xt * xt + xt).sum()
twice.backward()
print("d/dx (x*x + x) on shares:", revealed(xt.grad), " expected 2x + 1:", 2 * x_plain + 1)
assert np.allclose(revealed(xt.grad), 2 * x_plain + 1, atol=TOLERANCE)

again = (xt * xt + xt).sum()
again.backward()                       # no zero_grad(): the gradients add up
print("after a second backward without zero_grad():", revealed(xt.grad))
assert np.allclose(revealed(xt.grad), 2 * (2 * x_plain + 1), atol=TOLERANCE)
xt.zero_grad()
assert xt.grad is None

# %% [markdown]
# ## 6. Matrix products
#
# A layer of a network is a matrix product, out = a @ W, with a of shape (m, k) (a batch
# of m inputs) and W of shape (k, n). Given grad = d loss / d out, of shape (m, n):
#
#     grad_a = grad @ W.T     (m, n) @ (n, k) -> (m, k)
#     grad_W = a.T @ grad     (k, m) @ (m, n) -> (k, n)
#
# If you forget which is which, check the shapes: it is the only way the pieces fit. On
# shares each is one Beaver *matrix* product (tutorial 02), and a transpose is local
# (each party transposes its own share). By hand first:

# %%
rng = np.random.default_rng(0)
a_plain = rng.normal(size=(4, 3))
W_plain = rng.normal(size=(3, 2))
g_plain = rng.normal(size=(4, 2))

a_sh = smpc.share(a_plain, alice, bob, crypto_provider=crypto_provider)
W_sh = smpc.share(W_plain, alice, bob, crypto_provider=crypto_provider)
g_sh = smpc.share(g_plain, alice, bob, crypto_provider=crypto_provider)
with network.measure() as stats:
    grad_a = g_sh @ W_sh.T
    grad_W = a_sh.T @ g_sh
print("grad_a shape", grad_a.shape, "grad_W shape", grad_W.shape)
print("largest error vs floats:",
      np.abs(revealed(grad_a) - g_plain @ W_plain.T).max(),
      np.abs(revealed(grad_W) - a_plain.T @ g_plain).max())
assert grad_a.shape == a_plain.shape and grad_W.shape == W_plain.shape
assert np.allclose(revealed(grad_a), g_plain @ W_plain.T, atol=TOLERANCE)
assert np.allclose(revealed(grad_W), a_plain.T @ g_plain, atol=TOLERANCE)
assert stats.by_protocol["beaver_matmul"].rounds == 2

# %% [markdown]
# And by the tape. `Matmul.backward` (in `autograd/functions/matmul.py`) is the two
# lines above, plus the handling of stacks of matrices and 1-D operands that NumPy's `@`
# allows:

# %%
print(inspect.getsource(Matmul.backward))

a_t = Tensor(a_plain).share(alice, bob, crypto_provider=crypto_provider, requires_grad=True)
W_t = Tensor(W_plain).share(alice, bob, crypto_provider=crypto_provider, requires_grad=True)
out = a_t @ W_t
out.backward(Tensor(g_plain).share(alice, bob, crypto_provider=crypto_provider))
assert np.allclose(revealed(a_t.grad), g_plain @ W_plain.T, atol=TOLERANCE)
assert np.allclose(revealed(W_t.grad), a_plain.T @ g_plain, atol=TOLERANCE)
print("the tape's Matmul backward matches the hand computation")

# %% [markdown]
# (`out.backward(g)` with an explicit gradient is how you differentiate a non-scalar
# output; for a loss, a single number, plain `backward()` starts from 1.)
#
# ## 7. A tiny network: gradients on shares vs floats
#
# Now a whole network, the reference's recipe in miniature: Linear, ReLU, Linear, and the
# reference's loss, the mean squared error on one-hot targets,
# `((output - target) ** 2).sum() / batch_size` (`nn.mse_loss`). We build the same network
# twice from the same seed: one copy stays in floats, the other is shared between alice
# and bob exactly as the reference shares its model. Both see the same batch (shared for
# the second copy), both run backward, and we compare every parameter's gradient.
#
# ReLU on shares runs a secure comparison (tutorial 05) that outputs the shared bit
# x > 0 along with max(x, 0). The ReLU Function keeps that bit, and its backward pass is
# the product grad * bit: no second comparison.

# %%
def tiny_net(seed):
    smpc.manual_seed(seed)            # the same seed gives the same initial weights
    return nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3))


inputs = rng.normal(size=(4, 6))
targets = np.eye(3)[[0, 2, 1, 2]]      # one-hot labels

float_net = tiny_net(seed=11)
float_loss = nn.mse_loss(float_net(Tensor(inputs)), Tensor(targets))
float_loss.backward()

shared_net = tiny_net(seed=11)
shared_net.fix_precision().share(alice, bob, crypto_provider=crypto_provider, requires_grad=True)
x_sh = Tensor(inputs).fix_precision().share(alice, bob, crypto_provider=crypto_provider)
t_sh = Tensor(targets).fix_precision().share(alice, bob, crypto_provider=crypto_provider)
with network.measure() as forward_cost:
    shared_loss = nn.mse_loss(shared_net(x_sh), t_sh)
with network.measure() as backward_cost:
    shared_loss.backward()

print(f"loss: floats {float_loss.item():.5f}, shares {shared_loss.get().float_precision().item():.5f}")
pairs = []
for (name, p_float), (_, p_shared) in zip(float_net.named_parameters(),
                                           shared_net.named_parameters()):
    g_shared = revealed(p_shared.grad)
    error = np.abs(g_shared - p_float.grad).max()
    print(f"  {name:10s} shape {str(p_float.shape):8s} largest gradient error {error:.1e}")
    assert isinstance(p_shared.grad, smpc.SharedTensor)
    assert error < TOLERANCE, name
    pairs.append((p_float.grad.ravel(), g_shared.ravel()))
assert abs(shared_loss.get().float_precision().item() - float_loss.item()) < TOLERANCE

# %% [markdown]
# Every gradient agrees to a few ulps of fixed point. What did the two passes cost? The
# forward pass runs the products of the layers, the loss's square and the ReLU's
# comparison; the backward pass only products: the ReLU backward is one multiplication by
# the saved bit.

# %%
def show(label, st):
    print(f"{label}: {st.bytes / 1e3:8.1f} kB in {st.rounds:3d} rounds  "
          f"({', '.join(f'{k} {v.rounds}' for k, v in st.by_protocol.items())})")


show("forward ", forward_cost)
show("backward", backward_cost)
comparison_rounds = sum(v.rounds for k, v in forward_cost.by_protocol.items()
                        if not k.startswith(("beaver", "open", "reveal", "share")))
backward_protocols = set(backward_cost.by_protocol)
print("protocols used by the backward pass:", sorted(backward_protocols))
assert backward_protocols <= {"beaver_mul", "beaver_matmul", "beaver_square"}
assert comparison_rounds > 0           # the comparison happened in the forward pass only
assert (forward_cost.rounds, backward_cost.rounds) == (2 + 9 + 1, 3 + 1)

# %% [markdown]
# The rounds, counted: the forward pass is 12 = 2 (one Beaver matrix product per layer)
# + 9 (the ReLU: 8 for its DReLU, 1 for bit * x) + 1 (the loss's square). The backward
# pass is 4 = 3 matrix products (the second layer's weight and input gradients, the first
# layer's weight gradient; the input gradient of the first layer is never computed,
# nobody needs it) + 1 (ReLU's backward, grad * the saved bit). Each product waits for
# the one before, so each is a round of its own.

# %% [markdown]
# A picture of the agreement: each dot is one gradient entry, float value across, value
# computed on shares and revealed up. They sit on the diagonal.

# %%
fig, ax = plt.subplots(figsize=(4.5, 4.5))
for (name, _), (g_float, g_shared) in zip(float_net.named_parameters(), pairs):
    ax.scatter(g_float, g_shared, s=18, label=name)
lim = max(np.abs(np.concatenate([p[0] for p in pairs])).max(), 1e-3) * 1.1
ax.plot([-lim, lim], [-lim, lim], color="black", linewidth=0.8)
ax.set_xlim(-lim, lim)
ax.set_ylim(-lim, lim)
ax.set_xlabel("gradient computed on floats")
ax.set_ylabel("gradient computed on shares (revealed)")
ax.set_title("Tiny ReLU network: every gradient entry")
ax.legend(fontsize=8)
fig.tight_layout()
save_figure(fig, "06_gradients_shares_vs_floats.png")

# %% [markdown]
# ## What we saw
#
# * The backward pass of z = x * y is grad_x = grad * y and grad_y = grad * x: on shares,
#   two more Beaver products. Nobody differentiates the Beaver trick itself.
# * A Function saves what its backward needs; the tape records each call and `backward()`
#   replays the records in reverse, freeing them as it goes.
# * A gradient that nobody needs (a public constant, the input data) is not computed,
#   which saves a triple and a round on shares.
# * Gradients of a value used twice are added, and leaves accumulate until `zero_grad()`.
# * Matmul: grad_a = grad @ W.T, grad_W = a.T @ grad; the shapes tell you which is which.
# * A small ReLU network's gradients on shares match the float gradients; the comparison
#   runs only in the forward pass.
#
# Next: tutorial 07 trains the reference's MNIST network this way, end to end. Exercises 6
# and 7: `pytest tests/exercises -m ex_mul_backward --implementation=learner` and
# `pytest tests/exercises -m ex_matmul_backward --implementation=learner`.
