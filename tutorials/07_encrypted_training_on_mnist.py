# %% [markdown]
"""Tutorial 07: encrypted training on MNIST, the reference walk-through condensed.

Run it from the repository root::

    python tutorials/07_encrypted_training_on_mnist.py

It trains the reference's network on secret-shared MNIST digits (offline: the images come
from the sample shipped in ``datasets/sample``), trains the same network in plaintext for
comparison, prints the reference's log lines and saves the loss and accuracy curves under
``tutorials/figures/`` (set ``SMPC_TUTORIAL_OUTPUT`` to save them elsewhere). It takes
about a quarter of a minute; with ``SMPC_QUICK=1`` in the environment it trains on
fewer images for fewer epochs and takes a few seconds.

Read tutorials 01-06 first; this one puts them together. What you will see:

1. the parties, and the training configuration (all of it public);
2. the private data loader: every batch is secret-shared by the worker who owns it;
3. the reference's 784-128-64-10 network, shared with
   ``model.fix_precision().share(alice, bob, crypto_provider=cp, requires_grad=True)``;
4. ``nn.SGD(...).fix_precision()``, and the training loop with the reference's log lines;
5. the test on shares, which reveals only the number of correct predictions;
6. ``model.get().float_precision()``: the trained model back with its owner;
7. the loss curves of encrypted and plaintext training, side by side.
"""

# %% [markdown]
# ## Setting up

# %%
import time

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import nn
import smpc
from autograd import Tensor, no_grad
from datasets import DataLoader, PrivateDataLoader, load_dataset, normalize
from experiments.model import reference_net
from experiments.train_mnist import parse_args
from experiments.train_mnist import run as run_experiment

# %% [markdown]
# ## 1. The training configuration, and the parties
#
# The reference collects its hyper-parameters in a class. They are all *public*: everyone
# knows the batch size and the learning rate; only the data and the model are secret. The
# reference trains 20 epochs on 640 images and tests on 640 more; to keep this tutorial
# short we train 10 epochs (the full run is the `smpc-train` command, see the end). `precision_fractional` is our fixed-point setting: 16 fractional bits in base 2
# (the reference used 3 decimal digits; `smpc-train --precision 10:3` does that).

# %%
class Arguments:
    def __init__(self):
        self.batch_size = 64
        self.test_batch_size = 64
        self.epochs = 1 if QUICK else 10
        self.lr = 0.02
        self.seed = 1
        self.log_interval = 1                # log every batch, as the reference
        self.precision_fractional = 16       # bits, base 2
        self.n_train_items = 128 if QUICK else 640
        self.n_test_items = 64 if QUICK else 640


args = Arguments()
print(f"{args.epochs} epochs, {args.n_train_items} training and {args.n_test_items} test images")

# %% [markdown]
# The reference connects to two workers, alice and bob, and a crypto provider who deals
# the Beaver triples (tutorial 02). Ours all live in this process, on one network that
# counts every message.

# %%
alice, bob, crypto_provider = smpc.make_parties()
workers = (alice, bob)
network = alice.network
print(list(network.parties))

# %% [markdown]
# ## 2. The private data loader
#
# alice and bob each hold part of the MNIST data. Before training touches a batch, its
# owner secret-shares it: she keeps one share and sends the other to the other worker.
# The images *and* the labels (as one-hot vectors) are shared, because both are private.
# `PrivateDataLoader` wraps an ordinary `DataLoader` and does this batch by batch, the
# owners taking turns (batch 0 is alice's, batch 1 is bob's, ...). Nobody else, not even
# "me", the local client who runs the training, ever sees a batch.

# %%
train_images, train_labels = load_dataset("sample", "train")
test_images, test_labels = load_dataset("sample", "test")
train_data = (train_images[:args.n_train_items], train_labels[:args.n_train_items])
test_data = (test_images[:args.n_test_items], test_labels[:args.n_test_items])

train_loader = DataLoader(*train_data, batch_size=args.batch_size, shuffle=True, seed=args.seed)
test_loader = DataLoader(*test_data, batch_size=args.test_batch_size)
private_train_loader = PrivateDataLoader(train_loader, workers, crypto_provider)
private_test_loader = PrivateDataLoader(test_loader, workers, crypto_provider)

# %% [markdown]
# A look at one batch, to see what "shared" means here. The loader yields a pair of
# `SharedTensor`s. alice's share of the pixels is a block of random-looking 64-bit
# integers; only the sum of both shares is the (normalised, fixed-point) image. During the
# sharing, bob received exactly one message per tensor, from the batch's owner, and the
# local client received nothing.

# %%
peek_loader = PrivateDataLoader(DataLoader(*train_data, batch_size=args.batch_size),
                                workers, crypto_provider)
with network.record_views() as views:
    data, target = next(iter(peek_loader))
print("data  :", data)
print("target:", target)
print("alice's share of the first pixels:", data.shares[0][0, 150:153])
print("the first pixels, revealed       :", data.get().float_precision()[0, 150:153])
print("bob received:", [(m.sender, m.protocol, m.nbytes) for m in views["bob"]])
assert data.shape == (args.batch_size, 784) and target.shape == (args.batch_size, 10)
assert [m.sender for m in views["bob"]] == ["alice", "alice"]   # batch 0 is alice's
assert views["me"] == []

# %% [markdown]
# ## 3. The model, shared
#
# The reference's network: 784 pixels in, two hidden layers of 128 and 64 units with ReLU,
# 10 outputs (one per digit). `experiments.model.reference_net` builds it from our `nn`
# layers (read `nn/layers.py`: a `Linear` is `x @ W.T + b`).
#
# Then the reference's two calls: `fix_precision()` turns every float parameter into a
# public fixed-point integer (tutorial 01), and `share(...)` splits each into shares for
# alice and bob. `requires_grad=True` asks autograd (tutorial 06) to compute gradients for
# the shared parameters. The model's owner ("me") no longer holds the weights; alice and
# bob each hold random-looking shares.

# %%
smpc.manual_seed(args.seed)                      # the plaintext run below starts identically
model = reference_net("relu")
print(model)
initial_fc1 = model[1].weight.value.copy()       # kept only to check the end of the story
model.fix_precision().share(alice, bob, crypto_provider=crypto_provider, requires_grad=True)
print("fc1 weight is now:", model[1].weight)
print(f"{sum(p.size for p in model.parameters()):,} parameters, all shared")
assert all(p.is_shared and p.requires_grad for p in model.parameters())

# %% [markdown]
# ## 4. The optimiser and the training loop
#
# The optimiser's hyper-parameters are public, so they are not shared; but they must meet
# shared fixed-point values, so `fix_precision()` encodes them (lr = 0.02 becomes the
# integer round(0.02 * 2^16) = 1311). A step is then w = w - lr * grad: one public-times-
# shared product per parameter, which is local.
#
# The loss is the reference's mean squared error on the one-hot targets: cross-entropy
# needs exp and log, which are impractical on fixed-point shares. The `.refresh()` before
# the division gives the sum fresh random shares before it is truncated (tutorial 03).
# After each batch we reveal the loss, and only the loss, to print it.

# %%
optimizer = nn.SGD(model.parameters(), lr=args.lr)
optimizer = optimizer.fix_precision()
assert smpc.fix_precision(args.lr).values == 1311         # the public, encoded lr
encrypted_losses = []


def train(args, model, private_train_loader, optimizer, epoch):
    for batch_idx, (data, target) in enumerate(private_train_loader):   # a private dataset
        start_time = time.time()
        data, target = Tensor(data), Tensor(target)
        optimizer.zero_grad()
        output = model(data)
        # loss = F.nll_loss(output, target)  <-- not possible here
        batch_size = output.shape[0]
        loss = ((output - target) ** 2).sum().refresh() / batch_size
        loss.backward()
        optimizer.step()

        loss = loss.get().float_precision()          # reveal the loss, nothing else
        encrypted_losses.append(loss.item())
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}\tTime: {:.3f}s'.format(
                epoch, batch_idx * args.batch_size, len(private_train_loader) * args.batch_size,
                100. * batch_idx / len(private_train_loader), loss.item(), time.time() - start_time))


# %% [markdown]
# ## 5. Testing on shares
#
# The test runs on shares as well: a shared model on shared test images gives shared
# outputs. The predicted digit is the position of the largest output, `argmax`, computed
# with secure comparisons (tutorial 05); the true digit is the one-hot target times the
# public vector (0, 1, ..., 9), a local product. `eq` compares them, `sum` counts, and only
# that count is revealed: nobody learns which images were right, let alone the
# predictions. `no_grad()` tells autograd not to record anything.

# %%
CLASSES = np.arange(10, dtype=np.int64).reshape(10, 1)   # public integers: exact products
accuracies = []


def test(args, model, private_test_loader):
    correct = 0
    with no_grad():
        for data, target in private_test_loader:
            output = model(Tensor(data)).value                   # shared (batch, 10)
            pred = output.argmax(axis=1)                         # shared digit per image
            truth = (target @ CLASSES).reshape(-1)               # shared true digit
            correct = pred.eq(truth).sum() + correct             # shared count

    correct = correct.get().float_precision()
    total = len(private_test_loader.loader.labels)
    accuracies.append(correct.item() / total)
    print('\nTest set: Accuracy: {:.0f}/{} ({:.0f}%)\n'.format(
        correct.item(), total, 100. * correct.item() / total))
    return int(round(correct.item()))


# %% [markdown]
# ## Let's launch the training!

# %%
start = time.time()
for epoch in range(1, args.epochs + 1):
    train(args, model, private_train_loader, optimizer, epoch)
    with network.record_views() as views:
        correct_on_shares = test(args, model, private_test_loader)
encrypted_seconds = time.time() - start
print(f"encrypted training and testing took {encrypted_seconds:.1f} s")

# %% [markdown]
# What did the local client learn from the last test? It received two shares of one
# number: the count. (Workers exchanged many messages, all masked openings.)

# %%
to_me = views["me"]
print("messages to me during the test:", [(m.sender, m.payload.shape, m.nbytes) for m in to_me])
assert [m.sender for m in to_me] == ["alice", "bob"]
assert all(m.payload.shape == () for m in to_me)

# %% [markdown]
# ## 6. The model goes back to its owner
#
# `model.get()` brings every parameter's shares back to the owner, who adds them;
# `float_precision()` decodes them to floats. The model is an ordinary float model again,
# and can be checked in the clear: its accuracy on the same test images must be the count
# we revealed on shares (up to a tie or two broken differently by fixed-point rounding).

# %%
model.get().float_precision()
print("fc1 weight:", model[1].weight)
assert not model[1].weight.is_shared
assert not np.allclose(model[1].weight.value, initial_fc1)   # it did train

with no_grad():
    outputs = model(Tensor(normalize(test_data[0]))).value     # the same normalisation
correct_in_clear = int((outputs.argmax(axis=1) == test_data[1]).sum())
print(f"accuracy of the returned model in the clear: {correct_in_clear}/{len(test_data[1])}; "
      f"on shares: {correct_on_shares}")
assert abs(correct_in_clear - correct_on_shares) <= 2

# %% [markdown]
# ## 7. Encrypted vs plaintext
#
# How much does training on shares change the learning itself? We train the same network,
# from the same initial weights, on the same batches in the same order, in plaintext
# floats. `experiments.train_mnist.run` is the job behind the `smpc-train` command; its
# loop is the one above (in `train_step`) with the sharing switched off by its "mode".

# %%
plain_args = parse_args(["--mode", "plaintext", "--epochs", str(args.epochs),
                         "--train-size", str(args.n_train_items),
                         "--test-size", str(args.n_test_items),
                         "--seed", str(args.seed), "--lr", str(args.lr), "--quiet"])
start = time.time()
plain_history, _ = run_experiment(plain_args, "plaintext", train_data, test_data,
                                  log=lambda line: None)
plain_seconds = time.time() - start

first = abs(encrypted_losses[0] - plain_history.losses[0])
worst = np.max(np.abs(np.array(encrypted_losses) - np.array(plain_history.losses)))
print(f"first batch loss: encrypted {encrypted_losses[0]:.6f}, plaintext {plain_history.losses[0]:.6f}")
print(f"last batch loss : encrypted {encrypted_losses[-1]:.6f}, plaintext {plain_history.losses[-1]:.6f}")
print(f"largest difference over all {len(encrypted_losses)} batches: {worst:.2e}")
print(f"final test accuracy: encrypted {100 * accuracies[-1]:.1f}%, "
      f"plaintext {100 * plain_history.accuracies[-1]:.1f}%")
print(f"time: encrypted {encrypted_seconds:.1f} s, plaintext {plain_seconds:.2f} s")

assert len(encrypted_losses) == len(plain_history.losses)
assert first < 1e-3            # same start: only fixed-point rounding differs
relative = np.abs(np.array(encrypted_losses) / np.array(plain_history.losses) - 1)
print(f"largest relative difference: {relative.max():.2%}")
assert relative.max() < 0.01   # and stay within a percent of each other
assert encrypted_losses[-1] < encrypted_losses[0]

# %% [markdown]
# A picture: the two loss curves (left); since they lie on top of each other, their
# difference (middle), on a much finer scale; and the test accuracy after each epoch
# (right).

# %%
batches_per_epoch = len(encrypted_losses) / args.epochs
epochs_axis = np.arange(1, len(encrypted_losses) + 1) / batches_per_epoch
epoch_numbers = np.arange(1, args.epochs + 1)
fig, (ax_loss, ax_diff, ax_acc) = plt.subplots(1, 3, figsize=(14, 4))
ax_loss.plot(epochs_axis, plain_history.losses, color="tab:orange", linewidth=3, label="plaintext")
ax_loss.plot(epochs_axis, encrypted_losses, color="tab:blue", linestyle="--", label="encrypted")
ax_loss.set(xlabel="epoch", ylabel="MSE loss", title="Training loss per batch")
ax_loss.legend()
ax_diff.axhline(0, color="black", linewidth=0.8)
ax_diff.plot(epochs_axis, np.array(encrypted_losses) - np.array(plain_history.losses),
             color="tab:blue", marker=".")
ax_diff.set(xlabel="epoch", ylabel="encrypted - plaintext loss",
            title="The difference: fixed-point rounding")
ax_acc.plot(epoch_numbers, 100 * np.array(plain_history.accuracies), color="tab:orange",
            linewidth=3, marker="o", label="plaintext")
ax_acc.plot(epoch_numbers, 100 * np.array(accuracies), color="tab:blue", linestyle="--",
            marker="x", label="encrypted (only the count revealed)")
ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", title="Test accuracy")
ax_acc.legend(loc="lower right")
for ax in (ax_loss, ax_diff, ax_acc):
    ax.grid(alpha=0.3)
fig.tight_layout()
save_figure(fig, "07_loss_curves.png")

# %% [markdown]
# The curves lie on top of each other: fixed point with 16 fractional bits changes the
# loss in the third decimal at most (the largest difference printed above: about 1.5e-3
# over the 10 epochs, a few 1e-4 in the quick setting). The difference starts near zero
# (4e-6 at the first batch) and grows during the first epochs, because each step's
# rounding nudges the shared weights away from the float ones and the nudges add up; it
# stays below half a percent of the loss (checked above: under 1%), far below the
# batch-to-batch noise. Training on shares is the same
# training, only slower.
# (`smpc-train --precision 10:3` shows what the reference's coarser 3 decimal digits do.)
#
# ## What we saw
#
# * Every batch is shared by its owner; the model is shared by its owner; the crypto
#   provider only deals randomness. The hyper-parameters are public.
# * The training loop is the ordinary one: forward, the MSE loss, `backward()`, `step()`.
#   Only the loss is revealed, to print it.
# * The test reveals one number per epoch, the count of correct predictions.
# * `model.get().float_precision()` returns an ordinary float model, whose accuracy in the
#   clear matches the count revealed on shares.
# * Encrypted and plaintext training follow the same loss curve.
#
# The full reference run, 20 epochs on 640 images with a plot (about 12 s on an idle
# 2-core machine; the README gives its figures):
# `smpc-train --mode encrypted,plaintext --plot curves.png`.
#
# Next: tutorial 08 asks what really needs encrypting, and what each choice costs.
