# %% [markdown]
"""Tutorial 08: encrypt only what is necessary.

Run it from the repository root::

    python tutorials/08_encrypt_only_what_is_necessary.py

It measures what encryption costs, in time per batch and in bytes and rounds sent, for
the reference's network in several settings, all in the same run, and saves two figures
under ``tutorials/figures/`` (set ``SMPC_TUTORIAL_OUTPUT`` to save them elsewhere). It
takes about ten seconds; ``SMPC_QUICK=1`` times fewer batches.

The reference ends with advice: "encrypt only what's necessary". If the model is not a
secret, keep it in the clear; if ReLU is too expensive, a square may do. This tutorial
checks both pieces of advice with numbers:

1. a public model trained on private data: what it saves, and what it leaks (the
   gradients go to the model owner, and a gradient can give an image away);
2. ReLU versus x^2 as the activation: cost, and what it does to learning;
3. a cost table: time per batch, bytes and rounds, and the ratio to plaintext NumPy,
   measured in the same run; where the bytes go.

Read tutorials 02 (costs of products), 04-05 (comparisons) and 07 (the training loop) first.
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
from datasets import DataLoader, load_dataset, normalize, one_hot
from experiments.model import reference_net
from experiments.modes import Mode
from experiments.train_mnist import load_data, parse_args, run, train_step

TIMED_BATCHES = 2 if QUICK else 20    # per setting, after one warm-up batch

images, labels = load_dataset("sample", "train")

# %% [markdown]
# ## 1. Who needs to hide what?
#
# Three parties have secrets in the reference: the model owner (the weights are a
# business asset) and the data owners alice and bob (the images are personal data). There
# are three ways to run the training, and `experiments/modes.py` implements each:
#
# | mode           | model          | data    | what the parties learn beyond the loss       |
# |----------------|----------------|---------|----------------------------------------------|
# | `plaintext`    | floats         | floats  | everything: the baseline                     |
# | `public-model` | public floats  | shared  | the model owner sees every batch's gradient  |
# | `encrypted`    | shared         | shared  | nothing but the loss and the test count      |
#
# With a public model, a layer's product x @ W.T multiplies shares by public numbers:
# local, no triple, no round. (The backward pass still multiplies shares by shares: the
# weight gradient x.T @ delta involves the private input twice over.) And the model owner
# has to *update* the weights, for which it needs the gradient in the clear. The gradient
# is computed from the private batch...
#
# ## 2. What a revealed gradient gives away
#
# Take the first layer, out = x @ W.T + b, and a batch of one image x. Its gradients are
#
#     grad_W[i, :] = delta_i * x        grad_b[i] = delta_i
#
# where delta_i = d loss / d out_i. Every row of grad_W is the image times a number, and
# grad_b says which number: dividing row i by grad_b[i] returns the image, exactly. With
# a batch of 64 the rows are sums of 64 scaled images, which is harder to undo but still
# far from "nothing" (attacks such as "deep leakage from gradients" recover batches too).
# Let us play the model owner in `public-model` mode, with a batch of one.

# %%
alice, bob, crypto_provider = smpc.make_parties(seed=7)
smpc.manual_seed(7)
public_model = reference_net("relu")                # floats, owned by "me"
mode = Mode("public-model", (alice, bob, crypto_provider))

secret_image = images[:1]                            # alice's private digit
x, y = mode.batch(normalize(secret_image), one_hot(labels[:1]), owner=alice)
print("what the model sees:", x)
with alice.network.measure() as forward_cost:
    output = public_model(x)
print("protocols of the forward pass:", sorted(forward_cost.by_protocol))
assert "beaver_matmul" not in forward_cost.by_protocol      # the layers are local
loss = nn.mse_loss(output, y)
loss.backward()
print("gradient of the first layer's weight, before revealing:", public_model[1].weight.grad)
mode.after_backward(public_model)                    # the owner receives the gradients
grad_W = public_model[1].weight.grad                 # (128, 784) floats, now in the clear
grad_b = public_model[1].bias.grad                   # (128,)
row = int(np.argmax(np.abs(grad_b)))                 # the row with the largest scale
reconstruction = grad_W[row] / grad_b[row]
truth = normalize(secret_image).reshape(-1)
error = np.abs(reconstruction - truth).max()
print(f"model owner's reconstruction from row {row}: largest pixel error {error:.3f} "
      f"(pixels range from {truth.min():.2f} to {truth.max():.2f})")
assert isinstance(grad_W, np.ndarray)
assert error < 0.05 * (truth.max() - truth.min())

# %%
fig, axes = plt.subplots(1, 2, figsize=(5, 2.8))
axes[0].imshow(truth.reshape(28, 28), cmap="gray")
axes[0].set_title("alice's private image")
axes[1].imshow(reconstruction.reshape(28, 28), cmap="gray")
axes[1].set_title("grad_W[i] / grad_b[i]")
for ax in axes:
    ax.axis("off")
fig.suptitle("Public model, private data: the model owner sees the gradient", fontsize=9)
fig.tight_layout()
save_figure(fig, "08_gradient_leak.png")

# %% [markdown]
# So "public model, private data" protects the data from the other *workers*, but not
# from the *model owner*. It is the right choice when the model owner is also entitled
# to the data's gradients (one data owner training its own model, say), or with bigger
# batches plus other defences (differential privacy adds noise to exactly these
# gradients). In `encrypted` mode the gradients stay shared and the weights are updated
# on shares: the model owner learns only the final model.
#
# ## 3. ReLU or x^2?
#
# ReLU on shares needs a secure comparison (tutorials 04-05): many rounds of communication,
# for every hidden unit of every image. x^2 needs one Beaver square (tutorial 02). The
# reference reports 3.2 s per batch with ReLU and 1.2 s with x^2. But x^2 is a different
# network: does it still learn? In plaintext, three epochs of each (cheap to check):

# %%
accuracy = {}
for activation in ("relu", "square"):
    run_args = parse_args(["--mode", "plaintext", "--epochs", "3", "--activation", activation,
                           "--quiet"])
    train_data, test_data, _ = load_data(run_args)
    history, _ = run(run_args, "plaintext", train_data, test_data, log=lambda line: None)
    accuracy[activation] = history.accuracies
    print(f"{activation:6s}: test accuracy per epoch "
          f"{', '.join(f'{100 * a:.0f}%' for a in history.accuracies)}")
assert all(a[-1] > 0.5 for a in accuracy.values())   # both learn
assert abs(accuracy["relu"][-1] - accuracy["square"][-1]) < 0.1   # about equally well

# %% [markdown]
# On this small network and data both learn about equally well. (x^2 grows fast for large
# inputs: deeper networks, or larger learning rates, can blow up with it, which is why it
# is not the default everywhere.)
#
# ## 4. The cost table
#
# Now the price of each choice. For each setting we train a few batches of 64 with the
# training step of `smpc-train` (`experiments.train_mnist.train_step`, shown in full in
# tutorial 07) and measure each batch: wall-clock time, and everything sent on the
# network with `network.measure()`. The first batch warms up caches and is not counted.
# Plaintext is measured in the same run, so the ratios compare like with like on this
# machine.

# %%
SETTINGS = [  # (label, mode, activation)
    ("plaintext, ReLU", "plaintext", "relu"),
    ("public model, ReLU", "public-model", "relu"),
    ("public model, x^2", "public-model", "square"),
    ("encrypted, x^2", "encrypted", "square"),
    ("encrypted, ReLU", "encrypted", "relu"),
]
loader = DataLoader(images[:640], labels[:640], batch_size=64, shuffle=True, seed=0)
batches = list(loader)


def measure(mode_name, activation):
    """Median wall and CPU seconds per batch; bytes, rounds and protocols of one batch."""
    smpc.manual_seed(0)
    model = reference_net(activation)
    parties = smpc.make_parties() if mode_name != "plaintext" else None
    mode = Mode(mode_name, parties)
    mode.prepare_model(model)
    optimizer = mode.prepare_optimizer(nn.SGD(model.parameters(), lr=0.02))
    wall, cpu = [], []
    for i in range(TIMED_BATCHES + 1):
        x_plain, y_plain = batches[i % len(batches)]
        start, start_cpu = time.perf_counter(), time.process_time()
        if mode.shares_data:                          # alice owns the data, as in tutorial 07
            with mode.network.measure() as st:
                train_step(model, optimizer, mode, x_plain, y_plain, owner=mode.workers[0])
        else:
            train_step(model, optimizer, mode, x_plain, y_plain)
            st = smpc.Stats()
        if i:
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return float(np.median(wall)), float(np.median(cpu)), st


measured = {label: measure(mode_name, activation) for label, mode_name, activation in SETTINGS}
results = {label: (cpu, st) for label, (_, cpu, st) in measured.items()}
base = results["plaintext, ReLU"][0]
print(f"{'setting':20s} {'wall/batch':>11s} {'CPU/batch':>10s} {'x plaintext':>12s} "
      f"{'MB/batch':>9s} {'rounds':>7s}")
for label, (wall, cpu, st) in measured.items():
    print(f"{label:20s} {wall * 1e3:8.1f} ms {cpu * 1e3:7.1f} ms {cpu / base:11.0f}x "
          f"{st.bytes / 1e6:9.2f} {st.rounds:7d}")

# %% [markdown]
# Two times per batch: the wall-clock time, and the CPU time this process used. On a
# machine shared with other programs the wall-clock time includes waiting for them, so
# the ratios (the "x plaintext" column) use CPU time. Every party runs in this one
# process, so the CPU time is the work of all of them together; a real deployment would
# spread it over the machines and add network latency per round instead.

# %% [markdown]
# Some of these numbers follow from tutorial 02 and can be checked exactly. The bytes are
# deterministic (the shapes fix them), unlike the times:
#
# * Plaintext sends nothing.
# * With a public model the forward products are local; what remains is ReLU's
#   comparisons, x^2's squares, the loss, the weight gradients (shares times shares), and
#   sharing the batch and revealing the loss and the gradients to the model owner.
#   Revealing 109,386 gradients costs 2 x 8 bytes each, which eats part of the saving.
# * With x^2 the comparisons are gone: no protocol but products, sharing and revealing.

# %%
def protocol_group(name):
    if name.startswith("beaver_"):
        return "products (Beaver)"
    if name in ("share", "reveal", "open"):
        return "sharing and revealing"
    return "comparisons (ReLU)"


breakdown = {label: {} for label in results}
for label, (_, st) in results.items():
    for protocol, cost in st.by_protocol.items():
        group = protocol_group(protocol)
        breakdown[label][group] = breakdown[label].get(group, 0) + cost.bytes
    print(f"{label:20s}", {g: f"{b / 1e6:.2f} MB" for g, b in breakdown[label].items()})

assert results["plaintext, ReLU"][1].bytes == 0
n_params = sum(p.size for p in reference_net().parameters())
assert results["public model, ReLU"][1].by_protocol["reveal"].bytes >= 2 * 8 * n_params
assert "comparisons (ReLU)" not in breakdown["encrypted, x^2"]
assert "comparisons (ReLU)" not in breakdown["public model, x^2"]
assert breakdown["encrypted, ReLU"]["comparisons (ReLU)"] > 0
for activation in ("ReLU", "x^2"):   # encrypting the model costs more bytes and time
    assert results[f"encrypted, {activation}"][1].bytes > results[f"public model, {activation}"][1].bytes
assert results["encrypted, ReLU"][1].rounds > results["encrypted, x^2"][1].rounds
assert results["encrypted, ReLU"][1].bytes > results["encrypted, x^2"][1].bytes
assert min(seconds for label, (seconds, _) in results.items() if "plaintext" not in label) > base

# %% [markdown]
# Read the table with the reference's two claims in mind. Replacing ReLU by x^2 removes
# the comparisons: less than half the bytes, half the rounds, and (see the CPU column of
# your run) much of the time. Keeping the model public, on the other hand, buys less than
# one might hope once the activation is ReLU: the comparisons, which act on the private
# activations, remain, and revealing the gradients costs bytes of its own. Combined with
# x^2 it sends the fewest bytes of all, at the price of section 2's leak.

# %%
relu_enc, square_enc = results["encrypted, ReLU"][1], results["encrypted, x^2"][1]
relu_pub, square_pub = results["public model, ReLU"][1], results["public model, x^2"][1]
assert relu_enc.bytes > 2 * square_enc.bytes and relu_enc.rounds >= 2 * square_enc.rounds
assert relu_pub.bytes > 0.8 * relu_enc.bytes
assert square_pub.bytes == min(st.bytes for label, (_, st) in results.items() if "plaintext" not in label)
print(f"x^2 instead of ReLU (encrypted): {square_enc.bytes / relu_enc.bytes:.0%} of the bytes, "
      f"{square_enc.rounds / relu_enc.rounds:.0%} of the rounds")
print(f"public model instead of shared (ReLU): {relu_pub.bytes / relu_enc.bytes:.0%} of the bytes")

# %% [markdown]
# Where the rounds go. A round is a wait for the network, so over a real connection they
# matter as much as bytes. With ReLU, the public model takes **one round more** than the
# fully encrypted model, although it skips products. Per protocol:

# %%
for label in ("encrypted, ReLU", "public model, ReLU"):
    st = results[label][1]
    print(f"{label:20s} {st.rounds} rounds:", {p: c.rounds for p, c in st.by_protocol.items()})
enc_rounds = results["encrypted, ReLU"][1].by_protocol
pub_rounds = results["public model, ReLU"][1].by_protocol
assert enc_rounds["beaver_matmul"].rounds - pub_rounds["beaver_matmul"].rounds == 5
assert pub_rounds["reveal"].rounds - enc_rounds["reveal"].rounds == 6
assert results["public model, ReLU"][1].rounds == results["encrypted, ReLU"][1].rounds + 1

# %% [markdown]
# With a public model, the products with the weights are local: the three forward
# products and the two backward products `grad @ W.T` (the first layer's is never
# computed) leave, 5 rounds fewer. But the model owner must receive the gradients to
# update its model: three weight gradients and three bias gradients, each revealed in a
# round of its own, 6 rounds more. Both settings reveal the loss (1 round), share the
# batch (2 rounds: images and targets), and run the same ReLUs (9 rounds each forward,
# one Beaver product each backward). Net: 5 fewer, 6 more, one round more in all.
#
# Sharing the batch is counted too: alice, its owner, keeps one share and sends bob the
# other, 64 x 784 pixels and 64 x 10 targets at 8 bytes each. Every setting that shares
# the data pays exactly that.

# %%
share_bytes = {label: st.by_protocol["share"].bytes for label, (_, st) in results.items()
               if "share" in st.by_protocol}
print("bytes to share one batch:", share_bytes)
assert set(share_bytes.values()) == {8 * 64 * (784 + 10)}

# %% [markdown]
# A picture of the table: bytes per batch by what they pay for (left), rounds per batch
# (middle), time per batch relative to plaintext (right, log scale).

# %%
groups = ["sharing and revealing", "products (Beaver)", "comparisons (ReLU)"]
colors = ["tab:gray", "tab:blue", "tab:red"]
labels_ = list(results)
fig, (ax_bytes, ax_rounds, ax_time) = plt.subplots(1, 3, figsize=(15, 3.8))
left = np.zeros(len(labels_))
for group, color in zip(groups, colors):
    amounts = np.array([breakdown[lab].get(group, 0) / 1e6 for lab in labels_])
    ax_bytes.barh(labels_, amounts, left=left, color=color, label=group)
    left += amounts
ax_bytes.set_xlabel("MB sent online per training batch of 64")
ax_bytes.legend(fontsize=8, loc="upper right")
ax_bytes.invert_yaxis()
round_counts = [results[lab][1].rounds for lab in labels_]
ax_rounds.barh(labels_, round_counts, color="tab:purple")
for i, count in enumerate(round_counts):
    ax_rounds.text(count, i, f" {count}", va="center", fontsize=8)
ax_rounds.set_xlabel("communication rounds per training batch")
ax_rounds.set_xlim(0, max(round_counts) * 1.2)
ax_rounds.invert_yaxis()
ax_rounds.set_yticklabels([])
ratios = [results[lab][0] / base for lab in labels_]
ax_time.barh(labels_, ratios, color="tab:green")
for i, r in enumerate(ratios):
    ax_time.text(r, i, f" {r:.0f}x", va="center", fontsize=8)
ax_time.set_xscale("log")
ax_time.set_xlabel("CPU time per batch / plaintext (log scale)")
ax_time.set_xlim(0.5, max(ratios) * 5)
ax_time.invert_yaxis()
ax_time.set_yticklabels([])
fig.tight_layout()
save_figure(fig, "08_cost_table.png")

# %% [markdown]
# ## What we saw
#
# * A public model makes every layer's product local, but the gradients must go to the
#   model owner in the clear, and a gradient can hand over an image: it is a choice
#   about *who* may learn what, not a free speed-up.
# * The comparisons behind ReLU are the single most expensive part of an encrypted
#   training step, in bytes and above all in rounds. x^2 removes them and, on this
#   small network, learns as well.
# * Encrypting costs a large factor over plaintext NumPy; the table says how much for
#   each choice, measured side by side. Over a real network each round costs a
#   round-trip time too, which this single-process simulation does not pay: rounds
#   matter even more there.
#
# `python benchmarks/bench_training.py` measures the same settings over more batches.
# Next: tutorial 09, encrypted prediction with a trained model.
