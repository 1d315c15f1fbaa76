# %% [markdown]
"""Tutorial 14: differential privacy on shares (DP-SGD).

Run it from the repository root::

    python tutorials/14_differential_privacy_on_shares.py

It takes about a minute (``SMPC_QUICK=1``: a few seconds, with smaller runs) and saves
two figures under ``tutorials/figures/`` (``SMPC_TUTORIAL_OUTPUT`` elsewhere).

Secret sharing hides the training data from the parties that compute on it, but not
from the model that comes out: a trained model can give away whether an example was
in its training set, or even memorise it. Differential privacy bounds what any single
example can change in the result. DP-SGD (Abadi et al., 2016) gets there in two moves
per step: every example's gradient is *clipped* to norm at most C, and Gaussian noise of
standard deviation sigma * C is added to their sum. Here both happen on shares, so no
party ever sees a gradient that is not yet clipped and noised:

1. clipping on shares: per-example norms without per-example gradients;
2. the noise, and who draws it;
3. tutorial 07's gradient leak tried again, against a DP-SGD step;
4. the price: accuracy against epsilon, and the accounting behind epsilon.

Read tutorials 05 (autograd on shares), 06 (training) and 07 (the gradient leak) first.
"""

# %% [markdown]
# ## Setting up

# %%
# Must precede NumPy: BLAS threads, headless matplotlib, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import nn
import smpc
from autograd import Tensor
from datasets import load_dataset, normalize, one_hot
from experiments.model import reference_net
from experiments.modes import Mode
from experiments.train_mnist import load_data, parse_args, run
from nn.dp import DPSGD, clipped_gradient_sums
from nn.dp.accounting import epsilon_for, noise_multiplier_for

images, labels = load_dataset("sample", "train")
alice, bob, crypto_provider = smpc.make_parties(seed=14)

# %% [markdown]
# ## 1. Clipping on shares
#
# A linear layer z = a W^T + b sees example i's input a_i and, in the backward pass,
# the gradient g_i = d loss_i / d z_i. Example i's weight gradient is the outer product
# g_i a_i^T, so its squared norm is |g_i|^2 |a_i|^2 (and the bias adds |g_i|^2): two
# squared norms of vectors we already have, instead of one weight matrix per example.
# `nn.dp.clipped_gradient_sums` adds a zero "probe" to each layer's output so that the
# backward pass leaves g in the probe's gradient, sums the squared norms over the
# layers, turns them into factors c_i = min(1, C / norm_i) on shares (a comparison, then
# an inverse square root by Newton's method, `smpc/sqrt.py`), and forms the clipped
# sum (c * g)^T a with one matrix product per layer.
#
# Eight images, the reference network, C = 1; in floats and on shares:

# %%
x_plain = normalize(images[:8])
y_plain = one_hot(labels[:8])
smpc.manual_seed(0)
plain_model = reference_net()
norms, factors, sums = clipped_gradient_sums(plain_model, Tensor(x_plain), Tensor(y_plain), clip=1.0)

smpc.manual_seed(0)
shared_model = reference_net().fix_precision().share(alice, bob, crypto_provider=crypto_provider)
share = lambda a: Tensor(a).fix_precision().share(alice, bob, crypto_provider=crypto_provider)
with alice.network.measure() as cost:
    s_norms, s_factors, s_sums = clipped_gradient_sums(shared_model, share(x_plain),
                                                       share(y_plain), clip=1.0)
# Revealed here only to show them: DP-SGD itself never reveals any of these.
got_norms = np.sqrt(s_norms.get().float_precision())
got_factors = s_factors.get().float_precision()
print("per-example gradient norms (floats):", np.round(np.sqrt(norms), 3))
print("                      (on shares):  ", np.round(got_norms, 3))
print("clip factors (on shares):           ", np.round(got_factors, 4))
print("norms after clipping (on shares):   ", np.round(got_norms * got_factors, 4))
print(f"cost of the whole clipped sum: {cost.bytes / 1e6:.2f} MB, {cost.rounds} rounds")
assert np.allclose(got_norms, np.sqrt(norms), rtol=1e-3)
assert np.all(got_norms * got_factors <= 1 + 2e-3)
weight_error = np.abs(s_sums["1.weight"].get().float_precision() - sums["1.weight"]).max()
print(f"clipped sum of the first weight: largest difference to floats {weight_error:.1e}")
assert weight_error < 5e-3

# %% [markdown]
# Clipping bounds what one example can contribute to the sum: adding or removing it
# moves the sum by at most C. That bound is the *sensitivity* the noise is scaled to.
#
# ## 2. The noise, and who draws it
#
# The noise must be unknown to whoever sees the noised sum. `nn/dp/noise.py` offers two
# answers. By default the crypto provider draws z ~ N(0, sigma^2 C^2), shares it and
# deals the shares to alice and bob offline, like a Beaver triple (the noise does not
# depend on the data): the holders each see a uniform share, the model owner sees only
# the noised result, and the crypto provider, who knows z, never sees anything computed
# from the data. Under the non-collusion assumption that suffices, with exactly the
# noise plain DP-SGD adds. The alternative (`--dp-noise holders`) has each holder add
# its own full-size noise to its share: protected even if a holder gets the model,
# at twice the noise variance.

# %%
noise = nn.dp.shared_gaussian_noise((alice, bob), crypto_provider, (20000,), 0.5,
                                    smpc.DEFAULT_ENCODER, np.random.default_rng(1))
values = noise.get().float_precision()
print(f"dealer's noise: mean {values.mean():+.4f}, standard deviation {values.std():.4f} "
      f"(stated: 0.5); alice's share of one entry: {noise.shares[0][0]}")
assert abs(values.std() - 0.5) < 0.02

# %% [markdown]
# ## 3. Tutorial 07's leak, against DP-SGD
#
# In tutorial 07 the model was public and the owner received each batch's gradient; from
# a batch of one image, grad_W[i] / grad_b[i] gave the image back exactly. Now the same
# batch of one, in public-model mode, three ways: the plain gradient; the clipped
# gradient (no noise); the DP-SGD gradient (clipped, noised on shares, then revealed).

# %%
secret_image = images[:1]
truth = normalize(secret_image).reshape(-1)
sigma = noise_multiplier_for(8.0, 1e-5, 0.1, 200)      # the reference run at epsilon 8


def owner_reconstruction(noise_multiplier, clip):
    """The model owner's attack on the gradient it receives in public-model mode."""
    smpc.manual_seed(7)
    model = reference_net()
    mode = Mode("public-model", (alice, bob, crypto_provider))
    x, y = mode.batch(normalize(secret_image), one_hot(labels[:1]), owner=alice)
    if clip is None:
        nn.mse_loss(model(x), y).backward()
    else:
        DPSGD(model, clip, noise_multiplier, 1.0, np.random.default_rng(3),
              parties=((alice, bob), crypto_provider)).private_gradients(x, y)
    mode.after_backward(model)                           # the owner receives the gradients
    grad_W, grad_b = model[1].weight.grad, model[1].bias.grad
    row = int(np.argmax(np.abs(grad_b)))
    return grad_W[row] / grad_b[row]


attempts = {"plain gradient": owner_reconstruction(0.0, None),
            "clipped, no noise": owner_reconstruction(0.0, 1.0),
            f"DP-SGD (sigma {sigma:.2f})": owner_reconstruction(sigma, 1.0)}
for name, picture in attempts.items():
    error = np.abs(picture - truth).mean()
    print(f"{name:22s}: mean pixel error {error:.3f}")
errors = [np.abs(p - truth).mean() for p in attempts.values()]
assert errors[0] < 0.05 and errors[1] < 0.05          # clipping alone scales, it hides nothing
assert errors[2] > 20 * errors[0]

# %%
fig, axes = plt.subplots(1, 4, figsize=(9, 2.8))
axes[0].imshow(truth.reshape(28, 28), cmap="gray")
axes[0].set_title("alice's image", fontsize=9)
for ax, (name, picture) in zip(axes[1:], attempts.items()):
    ax.imshow(np.clip(picture, truth.min(), truth.max()).reshape(28, 28), cmap="gray")
    ax.set_title(name, fontsize=9)
for ax in axes:
    ax.axis("off")
fig.suptitle("What the model owner rebuilds from the gradient it receives", fontsize=9)
fig.tight_layout()
save_figure(fig, "14_gradient_leak_vs_dp.png")

# %% [markdown]
# Clipping alone changes nothing for this attack: it scales the whole gradient by one
# factor, and the ratio grad_W[i] / grad_b[i] does not see the scale. The noise is what
# protects. (Noise this large against a batch of one is the point of DP: one example
# may not stand out. In training, the noise is shared by a batch of some 64 examples,
# and the updates average it down over many steps.)
#
# ## 4. The price: accuracy against epsilon
#
# `smpc-train --dp-epsilon E` samples batches by Poisson sampling (each example joins a
# batch with probability q = batch size / training size, the sampling the accountant
# assumes), picks the smallest noise multiplier for which the whole run spends at most
# E at delta, with Google's `dp-accounting` library (Renyi DP), and prints the epsilon
# spent after each epoch. DP-SGD wants a larger learning rate than plain SGD, because
# clipping shrinks the gradients: lr 0.1 with C = 2 here.

# %%
TRAIN_SIZE, EPOCHS = (640, 1) if QUICK else (6000, 3)
EPSILONS = (1.0, 3.0, 8.0)
common = ["--train-size", str(TRAIN_SIZE), "--epochs", str(EPOCHS), "--lr", "0.1",
          "--dp-clip", "2", "--quiet"]
quiet = lambda *line: None
accuracy, spent = {}, {}
for epsilon in EPSILONS:
    args = parse_args(common + ["--mode", "plaintext", "--dp-epsilon", str(epsilon)])
    train_data, test_data, _ = load_data(args)
    history, _ = run(args, "plaintext", train_data, test_data, log=quiet)
    accuracy[epsilon], spent[epsilon] = history.accuracies[-1], history.epsilons
    print(f"epsilon {epsilon:g}: noise multiplier {history.noise_multiplier:.2f}, "
          f"test accuracy {100 * accuracy[epsilon]:.1f}%, epsilon after each epoch "
          f"{', '.join(f'{e:.2f}' for e in spent[epsilon])}")
args = parse_args(["--train-size", str(TRAIN_SIZE), "--epochs", str(EPOCHS), "--quiet",
                   "--mode", "plaintext"])           # the reference recipe, lr 0.02
train_data, test_data, _ = load_data(args)
baseline = run(args, "plaintext", train_data, test_data, log=quiet)[0].accuracies[-1]
print(f"without DP: test accuracy {100 * baseline:.1f}%")
assert all(spent[e][-1] <= e * (1 + 1e-6) for e in EPSILONS)
assert accuracy[8.0] > 0.3

# %% [markdown]
# The same run on shares tracks the plaintext one (same seed: same initialisation,
# same Poisson batches, the same noise draws), up to the fixed-point arithmetic:

# %%
args = parse_args(common + ["--mode", "encrypted", "--dp-epsilon", "8",
                            "--train-size", str(min(TRAIN_SIZE, 640))])
train_data, test_data, _ = load_data(args)
encrypted = run(args, "encrypted", train_data, test_data, log=quiet)[0]
args = parse_args(common + ["--mode", "plaintext", "--dp-epsilon", "8",
                            "--train-size", str(min(TRAIN_SIZE, 640))])
plaintext = run(args, "plaintext", train_data, test_data, log=quiet)[0]
print(f"epsilon 8 on {min(TRAIN_SIZE, 640)} images: encrypted {100 * encrypted.accuracies[-1]:.1f}%, "
      f"plaintext {100 * plaintext.accuracies[-1]:.1f}%; time per DP step on shares "
      f"{1e3 * np.median(encrypted.batch_times):.0f} ms")
assert abs(encrypted.accuracies[-1] - plaintext.accuracies[-1]) <= 0.02

# %%
fig, ax = plt.subplots(figsize=(5, 3.4))
ax.plot(EPSILONS, [100 * accuracy[e] for e in EPSILONS], marker="o", label="DP-SGD (plaintext)")
ax.scatter([8.0], [100 * encrypted.accuracies[-1]], color="tab:red", zorder=3,
           label=f"DP-SGD on shares ({min(TRAIN_SIZE, 640)} images)")
ax.axhline(100 * baseline, color="gray", linestyle="--", label="no DP")
ax.set(xscale="log", xlabel="epsilon (delta = 1e-5)", ylabel="test accuracy (%)",
       title=f"{TRAIN_SIZE} training images, {EPOCHS} epoch(s)")
ax.minorticks_off()
ax.set_xticks(EPSILONS, [f"{e:g}" for e in EPSILONS])
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
save_figure(fig, "14_accuracy_vs_epsilon.png")

# %% [markdown]
# Where epsilon comes from: the run is T steps of a Gaussian mechanism on a Poisson
# sample, and the accountant composes them. Fewer steps, a lower sampling rate or more
# noise spend less. The reference run (640 images, batches of 64, 20 epochs: q = 0.1,
# T = 200) at epsilon 3 needs this much noise:

# %%
sigma_3 = noise_multiplier_for(3.0, 1e-5, 0.1, 200)
print(f"noise multiplier for epsilon 3 over the reference run: {sigma_3:.3f}; "
      f"epsilon after 1, 10, 20 epochs: "
      f"{', '.join(f'{epsilon_for(sigma_3, 0.1, 10 * e, 1e-5):.2f}' for e in (1, 10, 20))}")
assert epsilon_for(sigma_3, 0.1, 200, 1e-5) <= 3.0

# %% [markdown]
# ## What we saw
#
# * Per-example clipping on shares costs little for linear layers: squared norms of
#   vectors the backward pass has anyway, a comparison and an inverse square root per
#   example, and the clipped sum as one matrix product per layer.
# * The noise is drawn by a party that never sees its result (or, at twice the
#   variance, by each holder), so no single party knows the noise protecting it.
# * Against the model owner's gradient attack, clipping alone does nothing; the noise
#   turns the reconstruction into noise.
# * Privacy costs accuracy, more so with few training examples: the noise per step is
#   fixed by epsilon, the signal grows with the data.
#
# `python benchmarks/bench_dp.py` measures accuracy against epsilon encrypted and in
# plaintext, and the time per DP-SGD batch against ordinary training.
