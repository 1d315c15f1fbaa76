# %% [markdown]
"""Tutorial 12: cross-entropy on shares, and the functions it needs.

Run it from the repository root::

    python tutorials/12_cross_entropy_on_shares.py

It prints what it finds and saves two figures under ``tutorials/figures/`` (set
``SMPC_TUTORIAL_OUTPUT`` to save them elsewhere). It takes about a minute; with
``SMPC_QUICK=1`` in the environment, a few seconds. Read tutorials 01-06 first.

The reference trained with MSE because the negative log-likelihood needs an exponential
and a logarithm, "not practical with fixed precision values". Here we build them from
products, public constants, truncations and comparisons, and measure how good they are.

What you will learn:

1. the exponential by repeated squaring of ``1 + x / 2^n``, and why its error grows with x;
2. the reciprocal by Newton's iteration, started from the *octave* of x, found with one
   batched comparison;
3. the inverse square root, the logarithm (Householder), sigmoid and tanh, each with its
   valid range and what happens outside it (clamping);
4. softmax with the maximum subtracted, and cross-entropy whose gradient is
   ``(softmax - target) / N`` -- no logarithm in the backward pass;
5. the reference MLP trained with MSE and with cross-entropy, on shares and in floats.
"""

# %% [markdown]
# ## Setting up

# %%
# Must precede NumPy: BLAS threads, headless matplotlib, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np
import scipy.special

import smpc
from experiments import train_mnist
from smpc import exponential, logarithm, reciprocal, sigmoid, softmax, sqrt

alice, bob, crypto_provider = smpc.make_parties(seed=12)
network = alice.network
POINTS = 201 if QUICK else 2001


def on_shares(fn, values, **kwargs):
    """Share ``values``, apply ``fn`` on the shares, reveal; also return the traffic."""
    x = smpc.share(values, alice, bob, crypto_provider=crypto_provider)
    with network.measure() as stats:
        y = fn(x, **kwargs)
    return y.get().float_precision(), stats


def encoded(values):
    """What the shares hold: the inputs rounded to 16 fractional bits."""
    return smpc.DEFAULT_ENCODER.decode(smpc.DEFAULT_ENCODER.encode(values))


# %% [markdown]
# ## 1. The exponential: ``(1 + x / 2^n)^(2^n)``
#
# One truncation gives ``1 + x / 256``; eight squarings raise it to the power 256. The
# limit definition of e^x converges slowly: the relative error is about ``x^2 / 512``,
# and the rounding of ``1 + x / 256`` (one unit, 2^-16) is multiplied 256 times. So the
# exponential is good near zero and poor at the top of its range (clamped at 10, where
# e^x is still inside the fixed-point range of 32768).

# %%
xs = np.linspace(-16, 10, POINTS)
y, stats = on_shares(exponential.exp, xs)
truth = np.exp(encoded(xs))
relative = np.abs(y - truth) / truth
print(f"exp: relative error {relative[np.abs(xs) <= 1].max():.1e} on [-1, 1], "
      f"{relative[-1]:.0%} at x = 10; absolute {np.abs(y - truth)[xs <= 0].max():.1e} on [-16, 0]")
closed_bytes, closed_rounds, _ = exponential.exp_cost(xs.size)
print(f"exp on {xs.size} values: {stats.bytes} bytes and {stats.rounds} rounds "
      f"(closed form 1056 N + 16 n N = {closed_bytes} bytes, 9 + n = {closed_rounds} rounds)")
assert (stats.bytes, stats.rounds) == exponential.exp_cost(xs.size)[:2]
assert relative[-1] < 0.2 and relative[np.abs(xs) <= 1].max() < 1e-2

# %% [markdown]
# ## 2. The reciprocal: Newton from the octave
#
# Newton's iteration ``y <- y (2 - x y)`` squares the error ``e = 1 - x y`` at each step,
# but only from a good start. Comparing x with 2^-12, 2^-11, ..., 2^14 *in one batched
# comparison* gives the octave ``k = floor(log2 x)``, and ``(2/3) 2^-k`` is a public
# combination of those bits: ``e`` starts below 1/3, and three steps leave 1.5e-4.

# %%
positive = np.geomspace(2.0 ** -12, 2.0 ** 15 - 1, POINTS)
results = {}
for name, fn, exact in [("reciprocal", reciprocal.reciprocal, lambda x: 1 / x),
                        ("inv_sqrt", sqrt.inv_sqrt, lambda x: 1 / np.sqrt(x)),
                        ("sqrt", sqrt.sqrt, np.sqrt),
                        ("log", logarithm.log, np.log)]:
    y, stats = on_shares(fn, positive)
    truth = exact(encoded(positive))
    results[name] = (y, truth)
    large = np.abs(truth) >= 2.0 ** -4
    print(f"{name:10s} max abs error {np.abs(y - truth).max():.1e}, max relative "
          f"{(np.abs(y - truth)[large] / np.abs(truth[large])).max():.1e} (|value| >= 1/16); "
          f"{stats.bytes / positive.size:.0f} bytes per value, {stats.rounds} rounds")
assert np.abs(results["log"][0] - results["log"][1]).max() < 3e-4

# %% [markdown]
# The comparison is most of the cost (27 DReLUs per value). Where the range is narrow the
# caller says so: softmax's denominators lie in ``[1, 10]``, so it compares with five
# powers of two only. Outside the range, inputs are *clamped*: a secret cannot be checked
# without revealing something, but it can be moved into the range.

# %%
y, _ = on_shares(reciprocal.reciprocal, np.array([0.0, -3.0]))
print("reciprocal of 0 and -3 (clamped to 2^-12):", y)
assert np.allclose(y, 4096, rtol=1e-3)

# %% [markdown]
# ## 3. Sigmoid and tanh
#
# ``sigmoid(x) = 1 / (1 + e^-|x|)`` for ``x >= 0`` and one minus that for ``x < 0``: the
# exponential only ever sees ``-|x| <= 0`` and the reciprocal ``[1, 2]``, where a line
# is a good first guess and two Newton steps suffice. ``tanh(x) = 2 sigmoid(2x) - 1``.

# %%
wide = np.linspace(-16, 16, POINTS)
curves = {}
for name, fn, exact in [("sigmoid", sigmoid.sigmoid, scipy.special.expit),
                        ("tanh", sigmoid.tanh, np.tanh)]:
    y, stats = on_shares(fn, wide)
    curves[name] = (y, exact(encoded(wide)))
    print(f"{name}: max abs error {np.abs(y - exact(encoded(wide))).max():.1e}, "
          f"{stats.bytes / wide.size:.0f} bytes per value, {stats.rounds} rounds")
assert np.abs(curves["sigmoid"][0] - curves["sigmoid"][1]).max() < 3e-3

# %%
fig, axes = plt.subplots(2, 3, figsize=(13, 6.5))
panels = [("exp", xs, on_shares(exponential.exp, xs)[0], np.exp(encoded(xs)), "linear")]
panels += [(name, positive, *results[name], "log") for name in ("reciprocal", "inv_sqrt", "log")]
panels += [(name, wide, *curves[name], "linear") for name in ("sigmoid", "tanh")]
for ax, (name, grid, y, truth, scale) in zip(axes.flat, panels):
    ax.plot(grid, np.abs(y - truth), lw=0.8)
    ax.set_xscale(scale)
    ax.set_yscale("log")
    ax.set_title(f"{name}: |shares - float64|")
    ax.set_xlabel("x")
fig.tight_layout()
save_figure(fig, "12_approximation_errors.png")

# %% [markdown]
# ## 4. Softmax and cross-entropy
#
# Subtracting the row maximum (the tournament of comparisons of tutorial 04) puts every
# exponent at or below zero and the denominator in ``[1, classes]``. Cross-entropy is
# ``-sum(target * log_softmax) / N``; its gradient with respect to the logits is
# ``(softmax - target) / N``, so training needs the logarithm only for the loss it
# prints.

# %%
logits = np.random.default_rng(0).normal(0, 3, (8, 10))
y, stats = on_shares(softmax.softmax, logits, axis=1)
error = np.abs(y - scipy.special.softmax(encoded(logits), axis=1)).max()
print(f"softmax of 8 rows of 10: max abs error {error:.1e}, {stats.bytes} bytes, "
      f"{stats.rounds} rounds (closed form: {softmax.softmax_cost(logits.shape, 1)})")
assert error < 5e-3 and (stats.bytes, stats.rounds) == softmax.softmax_cost(logits.shape, 1)

# %% [markdown]
# ## 5. Training with both losses, on shares and in floats
#
# The same seed gives the same initialisation and batch order in both modes.

# %%
epochs, train_size, test_size = (2, 128, 128) if QUICK else (5, 640, 640)
fig, ax = plt.subplots(figsize=(7, 4))
for loss in ("mse", "cross-entropy"):
    for mode in ("plaintext", "encrypted"):
        args = train_mnist.parse_args(["--epochs", str(epochs), "--train-size", str(train_size),
                                       "--test-size", str(test_size), "--loss", loss,
                                       "--mode", mode, "--quiet"])
        train, test, _ = train_mnist.load_data(args)
        history, _ = train_mnist.run(args, mode, train, test, log=lambda *a: None)
        accuracy = [100 * a for a in history.accuracies]
        print(f"{loss:13s} {mode:9s} accuracy per epoch: {' '.join(f'{a:.1f}' for a in accuracy)}"
              f"; median batch {1e3 * np.median(history.batch_times):.0f} ms")
        ax.plot(range(1, epochs + 1), accuracy, marker="o",
                ls="-" if mode == "plaintext" else "--", label=f"{loss}, {mode}")
ax.set_xlabel("epoch")
ax.set_ylabel("test accuracy (%)")
ax.legend()
fig.tight_layout()
save_figure(fig, "12_training_mse_vs_cross_entropy.png")

# %% [markdown]
# With the reference's learning rate 0.02, cross-entropy learns more slowly than MSE at
# first: its gradient ``(softmax - target) / N`` is about half of MSE's ``2 (output -
# target) / N``. ``smpc-train --loss cross-entropy --optimizer adam`` trains faster
# (Adam on shares needs an inverse square root of every second moment: see ``nn/adam.py``
# for how its ranges are kept inside 16 fractional bits).
