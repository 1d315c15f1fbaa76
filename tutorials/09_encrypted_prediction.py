# %% [markdown]
"""Tutorial 09: encrypted prediction.

Run it from the repository root::

    python tutorials/09_encrypted_prediction.py

It trains a small model in plaintext, shares it, classifies secret-shared
images with it, and saves one figure under ``tutorials/figures/`` (set
``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It takes a few seconds;
``SMPC_QUICK=1`` classifies fewer images.

The reference points out that training is not always what needs encrypting: often a
model is already trained, and the question is how to *use* it on data its owner must not
see, and without handing the model to the data's owner either. What you will see:

1. the setting: a model owner, a client with private images, and the two workers and
   crypto provider who compute;
2. the model and the images shared, a forward pass on shares, and the predicted labels
   revealed to the client only;
3. who received what, checked message by message;
4. the time per image, and why it falls with the batch size (rounds do not grow).

Read tutorials 01-07 first.
"""

# %% [markdown]
# ## Setting up

# %%
import time

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from autograd import Tensor, no_grad
from datasets import load_dataset, normalize
from experiments.predict import encrypted_predict
from experiments.train_mnist import load_data, parse_args, run

N_IMAGES = 16 if QUICK else 64
BATCH_SIZES = (1, 16) if QUICK else (1, 4, 16, 64)

# %% [markdown]
# ## 1. A trained model
#
# We need a trained model to share. Training in plaintext is fast, so the model owner
# trains the reference's network (ReLU, 784-128-64-10) for a few epochs on the 640
# training images, with `experiments.train_mnist.run`, the job behind `smpc-train`.

# %%
train_args = parse_args(["--mode", "plaintext", "--epochs", "5", "--quiet"])
train_data, test_data, _ = load_data(train_args)
start = time.time()
history, model = run(train_args, "plaintext", train_data, test_data, log=lambda line: None)
print(f"trained in {time.time() - start:.1f} s; test accuracy per epoch: "
      f"{', '.join(f'{100 * a:.0f}%' for a in history.accuracies)}")
assert history.accuracies[-1] > 0.7

# %% [markdown]
# ## 2. The parties
#
# Four roles now. The *model owner* is the local client "me", who holds the trained
# weights. The *client* (a hospital, say) holds private images and wants them
# classified. alice and bob are the two workers who compute on shares, and the crypto
# provider deals randomness as before. The client is a party of its own on the same
# network: `smpc.Party("client", network)`.

# %%
alice, bob, crypto_provider = smpc.make_parties(seed=3)
network = alice.network
client = smpc.Party("client", network)
model_owner = network.local
print("parties:", list(network.parties))

test_images, test_labels = load_dataset("sample", "test")
private_images = test_images[:N_IMAGES]           # the client's secret
true_labels = test_labels[:N_IMAGES]              # ...which only the evaluation below knows

# The model owner keeps the float model for reference (to compare with at the end).
with no_grad():
    plain_predictions = model(Tensor(normalize(private_images))).value.argmax(axis=1)
float_state = {name: p.value.copy() for name, p in model.named_parameters()}

# %% [markdown]
# ## 3. Predicting on shares
#
# The model owner shares the model, exactly as for training, but without
# `requires_grad`: no gradient will be computed. The client shares its images with
# `owner=client`: the client splits them and sends one share to each worker. Then the
# workers run the forward pass on shares (inside `no_grad()`, so nothing is recorded
# for a backward pass), compute the argmax of each row with secure comparisons
# (tutorial 05), and send their shares of the labels *to the client*:
# `get(receiver=client)`. Nobody else can add the shares up.

# %%
model.fix_precision().share(alice, bob, crypto_provider=crypto_provider, requires_grad=False)
print("the shared model's first weight:", model[1].weight)

with network.record_views() as views, network.measure() as cost:
    x = smpc.share(normalize(private_images), alice, bob, crypto_provider=crypto_provider,
                   owner=client)
    with no_grad():
        scores = model(Tensor(x)).value           # shared (N, 10)
        labels = scores.argmax(axis=1)            # shared (N,), integer scale
    predicted = labels.get(receiver=client).float_precision()

predicted = np.rint(predicted).astype(int)
print("the client learns:", predicted)
print("plaintext model  :", plain_predictions)
print("true labels      :", true_labels)
agree = int((predicted == plain_predictions).sum())
print(f"agreement with the float model: {agree}/{N_IMAGES}; "
      f"accuracy {100 * np.mean(predicted == true_labels):.0f}%")
print(f"cost: {cost}")
assert agree >= N_IMAGES - 1          # a near-tie may go the other way in fixed point
rounds = {"the client shares its images": 1,
          "three layers, one Beaver matrix product each": 3,
          "two ReLUs, 9 rounds each (DReLU 8 + one Beaver product)": 2 * 9,
          "argmax over 10 scores: 4 levels of 9 rounds (tutorial 05)": 4 * 9,
          "the labels' shares to the client": 1}
for step, count in rounds.items():
    print(f"  {count:2d} rounds: {step}")
print(f"  {sum(rounds.values())} rounds in all; local truncation adds none")
assert cost.rounds == sum(rounds.values()) == 59

# %% [markdown]
# ## 4. Who received what
#
# The network recorded every message each party received. Let us check the claims:
#
# * the model owner ("me") received nothing at all: it does not see the images, the
#   scores or the labels;
# * the client received exactly two messages, one share of the labels from each worker,
#   and nothing about the model;
# * alice and bob received the client's shares of the images and, while computing,
#   each other's masked openings (Beaver, comparisons); never the labels in the clear;
# * the crypto provider received only what the comparison protocol sends to its helper
#   (tutorials 04-05 showed that it is masked), and no reveal.

# %%
for party in ("me", "client", "alice", "bob", "crypto_provider"):
    received = views[party]
    by_protocol = {}
    for m in received:
        by_protocol[m.protocol] = by_protocol.get(m.protocol, 0) + m.nbytes
    print(f"{party:16s} {len(received):4d} messages  "
          f"{', '.join(f'{k} {v / 1e3:.1f} kB' for k, v in by_protocol.items())}")

assert views["me"] == []
assert [(m.sender, m.protocol, m.payload.shape) for m in views["client"]] == [
    ("alice", "reveal", (N_IMAGES,)), ("bob", "reveal", (N_IMAGES,))]
for worker in ("alice", "bob"):
    assert all(m.protocol != "reveal" for m in views[worker])
    assert any(m.sender == "client" and m.protocol == "share" for m in views[worker])
assert {m.protocol for m in views["crypto_provider"]} <= {
    "private_compare", "share_convert", "compute_msb"}          # the helper's part only

# %% [markdown]
# Only the labels are revealed, not the scores. Scores would tell the client more than
# it asked for: with enough queries they help to copy the model (model extraction) or to
# probe what it was trained on (membership inference, which the reference's discussion of
# security mentions). Revealing the argmax, computed on shares, keeps that to a minimum.
#
# ## 5. Time per image
#
# How long does one prediction take? The reference measured about 50 ms per image for an
# encrypted *training* step and called that acceptable for prediction; prediction needs
# no backward pass, so it is cheaper still. The model stays shared (it is shared once and
# then serves many queries); the client sends its images in batches, and we time batches
# of different sizes.
#
# The number of communication rounds of a forward pass does not depend on the batch size:
# each layer is one Beaver round whatever the number of rows, and the comparisons run on
# all values at once. So bigger batches spread the same rounds over more images.

# %%
def predict_for_client(images):
    """The pipeline of section 3 for one batch: only the client learns the labels."""
    x = smpc.share(normalize(images), alice, bob, crypto_provider=crypto_provider, owner=client)
    with no_grad():
        labels = model(Tensor(x)).value.argmax(axis=1)
    return np.rint(labels.get(receiver=client).float_precision()).astype(int)


timings, rounds = {}, {}
for batch_size in BATCH_SIZES:
    predict_for_client(private_images[:batch_size])        # warm-up, not timed
    per_batch, labels_b = set(), []
    start = time.perf_counter()
    for begin in range(0, N_IMAGES, batch_size):
        with network.measure() as st:
            labels_b.append(predict_for_client(private_images[begin:begin + batch_size]))
        per_batch.add(st.rounds)
    timings[batch_size] = (time.perf_counter() - start) / N_IMAGES
    rounds[batch_size] = per_batch
    print(f"batch size {batch_size:3d}: {timings[batch_size] * 1e3:7.1f} ms per image, "
          f"{sorted(per_batch)} rounds per batch, {st.bytes / batch_size / 1e3:.0f} kB per image")
    assert np.array_equal(np.concatenate(labels_b), predicted)

assert len(set.union(*rounds.values())) == 1     # the same rounds, whatever the batch size

# %% [markdown]
# The fixed costs of a batch (its rounds, Python's overhead, and in every layer's Beaver
# product the opening of the weights' mask, which is as large for one image as for 64)
# are spread over more images, so the time and the bytes per image fall.

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.5))
sizes = np.array(BATCH_SIZES)
ax.plot(sizes, [timings[b] * 1e3 for b in BATCH_SIZES], marker="o")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xlabel("images per batch")
ax.set_ylabel("ms per image")
ax.set_title("Encrypted prediction: time per image")
ax.grid(alpha=0.3, which="both")
fig.tight_layout()
save_figure(fig, "09_time_per_image.png")

# %% [markdown]
# ## 6. The model goes back; the same with `experiments.predict`
#
# At the end the model owner takes the model back; nothing about it changed. The command
# line's `experiments.predict.encrypted_predict` packs sections 3 and 5 into one function
# (there the data owner is alice, one of the workers); it gives the same labels.

# %%
model.get().float_precision()
assert all(np.allclose(p.value, float_state[name], atol=2 ** -16)
           for name, p in model.named_parameters())

labels_again, seconds = encrypted_predict(model, private_images, (alice, bob, crypto_provider),
                                          batch_size=N_IMAGES)
print(f"experiments.predict: {seconds * 1e3:.1f} ms per image (including sharing the model)")
assert np.array_equal(labels_again, predicted)

# %% [markdown]
# ## What we saw
#
# * A trained model and private images, both secret-shared, give the same predictions as
#   the float model (up to a near-tie).
# * The labels are revealed to the client alone; the model owner sees nothing of the
#   images, the client nothing of the model, the workers and the crypto provider only
#   masked values.
# * A prediction takes milliseconds per image in batches; its rounds do not grow with the
#   batch size.
#
# `python -m experiments.predict_command --images 64` runs the same from the command line. This
# is the last of the main path; tutorial 10 shows a second way to compare on shares,
# and the exercises (`exercises/`) let you rebuild the core pieces.
