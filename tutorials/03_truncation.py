# %% [markdown]
"""Tutorial 03: truncation, and when the two-party trick fails.

Run it from the repository root::

    python tutorials/03_truncation.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in about
ten seconds. Read tutorials 01 and 02 first.

What you will learn:

1. why every product of fixed-point numbers must be divided by the scale ("truncated");
2. SecureML's trick: alice and bob each divide their own share, with no message at all;
3. why that is right within one unit almost always, and *wildly* wrong with probability
   about |x| / 2^64 — measured on a million values per magnitude and plotted;
4. what that probability means for a network in training;
5. division by any public integer (a mean, the loss divided by the batch size).

Exercise 3 (``exercises/ex3_truncation.py``) asks you to write the local truncation.
"""

# %% [markdown]
# ## Setting up

# %%
# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from smpc import sharing
from smpc.truncation import truncate_local

enc = smpc.DEFAULT_ENCODER  # base 2, 16 fractional bits
F = enc.precision
smpc.manual_seed(3)
rng = np.random.default_rng(3)

# %% [markdown]
# ## 1. Why products need truncating
#
# With 16 fractional bits, 1.5 is stored as 1.5 * 2^16 and 2.0 as 2.0 * 2^16. Their
# integer product is 3.0 * 2^32: it carries the scale *twice*. To get back to 3.0 * 2^16
# we must divide by 2^16, that is, drop the lowest 16 bits. On a public integer that is a
# right shift. On shares it is the question of this tutorial.

# %%
p = enc.encode(1.5) * enc.encode(2.0)
print("encode(1.5) * encode(2.0) =", p, "= 3 * 2^32:", p == 3 * 2 ** 32)
print("after >> 16:", p >> F, "which decodes to", enc.decode(p >> F))
assert p == 3 * 2 ** 32 and enc.decode(p >> F) == 3.0

# %% [markdown]
# Without truncation the scales pile up: after a second product the number would carry
# 2^48, after a fourth it would no longer fit in 64 bits at all.
#
# ## 2. The two-party local trick (SecureML)
#
# Mohassel and Zhang (SecureML, 2017) noticed that two parties can truncate *without
# talking*:
#
# * alice computes floor(x0 / 2^16), an arithmetic right shift of her share;
# * bob computes -floor(-x1 / 2^16), which is his share divided and rounded *up*.
#
# If the two shares, read as ordinary signed integers, add up to x exactly (no wrap
# around 2^64), then the two results add up to x / 2^16 rounded down or up: within one
# unit in the last place. Let us try it on a million shared products.

# %%
n = 1_000_000
products = rng.integers(-2 ** 40, 2 ** 40, n)  # encodings of products, with 32 fractional bits
shares = sharing.split(products, 2)
truncated = sharing.reconstruct(truncate_local(shares, 2 ** F))
error = truncated - (products >> F)  # in units in the last place, against rounding down
values, counts = np.unique(error, return_counts=True)
print("error (ulp) -> how often:", dict(zip(values.tolist(), counts.tolist())))
assert set(values.tolist()) <= {0, 1}

# %% [markdown]
# Every result is the exact quotient rounded down, or one more: an error of at most
# 2^-16 in real terms, the same size as the rounding in the encoding itself.
#
# ### Why it can fail
#
# The shares are (r, x - r) with r uniform on the ring. Read as signed 64-bit integers,
# r + (x - r) equals x *only if computing x - r did not wrap around*. If it did, the
# signed sum is x + 2^64 or x - 2^64, and after dividing each part by 2^16 the result is
# off by 2^64 / 2^16 = 2^48 units: a number near ±2^32 = ±4.3 billion instead of x.
# We call that a *wild* error.
#
# For x > 0, x - r wraps when r lies in a stretch of length x just above the bottom of
# the signed range, -2^63 <= r < -2^63 + x (then x - r passes 2^63 - 1); r is uniform over
# 2^64 values, so that happens with probability x / 2^64. Here is one such case, built on
# purpose, with r five above the bottom:

# %%
x = np.array([enc.encode(3.0) * enc.encode(1.0)])  # 3.0, still carrying 32 bits
r = np.array([-2 ** 63 + 5], dtype=np.int64)        # an unlucky mask: x - r wraps
unlucky = np.stack([r, x - r])
print("shares:", unlucky.ravel(), "  their sum:", sharing.reconstruct(unlucky))
print("truncated locally and decoded:", enc.decode(sharing.reconstruct(truncate_local(unlucky, 2 ** F))))
assert abs(enc.decode(sharing.reconstruct(truncate_local(unlucky, 2 ** F)))[0]) > 1e9

# %% [markdown]
# ## 3. Measuring the failure rate
#
# The prediction: a wild error happens with probability about |x| / 2^64 per element.
# We check it for magnitudes |x| from 2^44 to 2^62, a million fresh sharings each, and
# count the results that are off by more than one unit.

# %%
magnitudes = list(range(44, 63, 2))
measured, predicted, wild_counts = [], [], []
for k in magnitudes:
    size = rng.integers(2 ** (k - 1), 2 ** k, n)           # |x| in [2^(k-1), 2^k)
    x = size * rng.choice(np.array([-1, 1]), n)
    result = sharing.reconstruct(truncate_local(sharing.split(x, 2), 2 ** F))
    wild = np.abs(result - (x >> F)) > 1
    wild_counts.append(int(wild.sum()))
    measured.append(wild.mean())
    predicted.append(np.mean(np.abs(x) / 2.0 ** 64))

print(f"{'|x| about':>10} {'wild':>8} {'measured rate':>14} {'|x|/2^64':>10}")
for k, count, m, pr in zip(magnitudes, wild_counts, measured, predicted):
    print(f"{'2^' + str(k):>10} {count:>8} {m:>14.3g} {pr:>10.3g}")

# %% [markdown]
# The measured rate follows |x| / 2^64. As a check with a tolerance: wherever we expect
# at least 100 wild errors, the count is within 5 standard deviations (a Poisson count of
# mean m has standard deviation sqrt(m)).

# %%
for count, pr in zip(wild_counts, predicted):
    expected_count = pr * n
    if expected_count >= 100:
        assert abs(count - expected_count) < 5 * np.sqrt(expected_count), (count, expected_count)

# The number quoted in our protocol notes: |x| uniform below 2^50 gives about 3.1e-5.
x = rng.integers(-2 ** 50, 2 ** 50, n)
rate_50 = np.mean(np.abs(sharing.reconstruct(truncate_local(sharing.split(x, 2), 2 ** F)) - (x >> F)) > 1)
print(f"|x| uniform below 2^50: wild rate {rate_50:.2g} (|x|/2^64 predicts {2.0 ** 49 / 2 ** 64:.2g})")
assert 1e-5 < rate_50 < 6e-5

# %%
fig, (ax_rate, ax_err) = plt.subplots(1, 2, figsize=(11, 4))
shown = [i for i, c in enumerate(wild_counts) if c > 0]
ax_rate.errorbar([predicted[i] for i in shown], [measured[i] for i in shown],
                 yerr=[np.sqrt(wild_counts[i]) / n for i in shown],
                 fmt="o", color="tab:red", label="measured (1M values each)")
line = np.array([min(predicted), 1])
ax_rate.plot(line, line, "k--", linewidth=1, label="rate = |x| / 2^64")
ax_rate.set_xscale("log")
ax_rate.set_yscale("log")
ax_rate.set_xlabel("|x| / 2^64 (x = the product before truncation)")
ax_rate.set_ylabel("fraction of wildly wrong results")
ax_rate.set_title("Local truncation fails with probability |x| / 2^64")
ax_rate.legend()

ax_err.bar([str(v) for v in values], counts, color="tab:blue")
ax_err.set_xlabel("error in units in the last place (|x| < 2^40)")
ax_err.set_ylabel("count out of 1,000,000")
ax_err.set_title("Otherwise: exact, or one unit too high")
fig.tight_layout()
save_figure(fig, "03_truncation_failure_rate.png")

# %% [markdown]
# ## 4. What the rate means in practice
#
# x is the product *before* truncation, carrying 32 fractional bits. A real product of
# size v is stored as v * 2^32, so it fails with probability v * 2^32 / 2^64 = v / 2^32.
# That is small for the numbers a network computes with — and not zero:

# %%
print(f"{'real value of the product':>26} {'wild chance per element':>24} {'per 10^6 elements':>18}")
for v in [0.01, 1.0, 100.0, 10_000.0, 2.0 ** 30]:
    chance = v * 2.0 ** 32 / 2.0 ** 64
    print(f"{v:>26,.2f} {chance:>24.2g} {chance * 1e6:>18.2g}")

# %% [markdown]
# How many truncations does one training step of the reference's network (784-128-64-10,
# batch 64) make? Roughly: one per output of each matrix product (forward, and the
# gradient products of backward) and one per weight for the update `lr * grad`. Backward
# has two products per layer, `grad @ W.T` for the layer's input and `x.T @ grad` for its
# weights, except in the first layer: its input is the images, whose gradient nobody
# needs, so it is never computed (tutorial 06).

# %%
layers, batch = [(784, 128), (128, 64), (64, 10)], 64
per_step = sum(batch * n_out                               # forward: x @ W
               + (batch * n_in if layer > 0 else 0)        # backward: grad @ W.T, not for the images
               + 2 * n_in * n_out                          # backward: x.T @ grad, then lr * grad
               for layer, (n_in, n_out) in enumerate(layers))
worst_chance = 100.0 * 2.0 ** 32 / 2.0 ** 64  # every product as large as 100
print(f"about {per_step:,} truncations per step; if every product were as large as 100, "
      f"{per_step * worst_chance:.4f} wild errors per step, one in {1 / (per_step * worst_chance):.0f} steps")
assert per_step == 243_584

# %% [markdown]
# The biases' updates and the loss add about 1,500 more: measured in a real training step
# (`benchmarks/bench_truncation.py`), 245,067 values per batch.

# %% [markdown]
# Most products in training are far smaller than 100 (gradients especially), so the real
# rate is lower still; but over a long run the chance is not zero, and one wild error in
# a weight ruins the model. This is the trade-off of the trick: no communication, a small
# but real chance of failure. Keep values small (the fixed-point range of tutorial 01
# exists for this), and see the safer methods at the end.
#
# The reference calls `.refresh()` before dividing its loss. Our shares are always fresh
# and uniform, so the rate is |x| / 2^64 with or without it (measured here at |x| near
# 2^60, where it is 1/16); a refresh costs nothing, so the reference's line still works.

# %%
alice, bob, crypto_provider = smpc.make_parties(seed=4)
x_raw = rng.integers(2 ** 59, 2 ** 60, 200_000)
shared = smpc.SharedTensor(sharing.split(x_raw, 2), (alice, bob), crypto_provider,
                           smpc.INTEGER_ENCODER)
for label, tensor in [("without refresh", shared), ("with refresh", shared.refresh())]:
    rate = np.mean(np.abs((tensor / 2 ** F).get().values - (x_raw >> F)) > 1)
    print(f"{label:16}: wild rate {rate:.4f}   (|x|/2^64 predicts {np.mean(x_raw) / 2.0 ** 64:.4f})")
    assert abs(rate - np.mean(x_raw) / 2.0 ** 64) < 0.005

# %% [markdown]
# ## 5. Dividing by a public integer
#
# Nothing in the trick needs 2^16: alice computes floor(x0 / d) and bob
# -floor(-x1 / d) for any positive integer d, with the same error of one unit and the same
# |x| / 2^64 failure chance. That is how a shared tensor is divided by a public integer
# (the reference divides its loss by the batch size), and how `mean` works. Division by
# a *secret* number is another matter, not needed for training.
#
# Note the results below: 10 / 3 comes out as 3.3333435, off by less than one ulp
# (1.5e-5), because of the rounding down or up of the two shares.

# %%
x = smpc.share(np.array([10.0, -7.5, 1.0, 1000.0]), alice, bob, crypto_provider=crypto_provider)
with alice.network.measure() as st:
    thirds = x / 3
print("x / 3     :", thirds.get().float_precision())
print("expected  :", np.array([10.0, -7.5, 1.0, 1000.0]) / 3)
print("x.mean()  :", x.mean().get().float_precision(), " messages sent by the division:", st.messages)
assert st.messages == 0
assert np.allclose(thirds.get().float_precision(), np.array([10.0, -7.5, 1.0, 1000.0]) / 3, atol=2 * enc.ulp)
assert abs(x.mean().get().float_precision() - 250.875) <= 2 * enc.ulp

# %% [markdown]
# A SharedTensor refuses to divide by anything but a public positive integer; for a real
# divisor d, multiply by 1 / d (a public fixed-point number). Be aware that 1 / d is then
# itself rounded to 16 bits: 0.4 becomes 26214 / 65536 = 0.3999939, a *relative* error
# of 1.5e-5 that grows with x (1000 * 0.4 comes out as 399.994).

# %%
try:
    x / 2.5
except TypeError as error:
    print("TypeError:", error)
print("x * (1 / 2.5):", (x * (1 / 2.5)).get().float_precision())
assert np.allclose((x * (1 / 2.5)).get().float_precision(), np.array([4.0, -3.0, 0.4, 400.0]), rtol=3e-5)

# %% [markdown]
# One more limit: the trick relies on there being exactly *two* shares. With three
# holders a sum of three shares can wrap twice, and the argument above breaks down;
# `truncate_local` refuses:

# %%
try:
    truncate_local(sharing.split(np.array([2 ** 20]), 3), 2 ** F)
except smpc.ProtocolError as error:
    print("ProtocolError:", error)
else:
    raise AssertionError("local truncation must refuse three holders")

# %% [markdown]
# ## 6. Safer truncations: local, masked, exact
#
# Two truncations never fail wildly (`smpc/safe_truncation.py`, and the section
# "Truncation" of `docs/PROTOCOLS.md`); choose one for a block of code with
# `smpc.config.using(truncation=...)`:
#
# * `masked`: the dealer hands out shares of a random r and of r >> f; the holders open
#   z = x + 2^47 + r, which cannot wrap, and shift the public z. One round. It needs
#   |x| < 2^47, and z hides x only *statistically* (up to a distance of about 2^-15).
# * `exact`: the holders compute the wrap bit of their two shares with the SecureNN
#   helper (ShareConvert's first steps, tutorial 05) and correct for it. No failure and no
#   leak, at the price of a PrivateCompare per value and 4 rounds: the masked shares to
#   the helper, its shares of the bits, the PrivateCompare, its shares of the wrap bit.
#
# `local` sends nothing, so it shows 0 rounds below.
#
# We run all three on the same shared values, |x| uniform below 2^47 (real products up
# to 32768 in size), and count time, bytes, rounds and wild errors.

# %%
import time  # noqa: E402

count = 50_000 if QUICK else 250_000
x_raw = rng.integers(-2 ** 47 + 1, 2 ** 47, count)
x_shared = smpc.SharedTensor(sharing.split(x_raw, 2), (alice, bob), crypto_provider,
                             smpc.INTEGER_ENCODER)
print(f"{count:,} values, |x| below 2^47; error in ulps against floor(x / 2^16)")
print(f"{'method':8} {'time':>8} {'online MB':>10} {'rounds':>7} {'wild':>6} {'errors seen':>14}")
results = {}
for method in smpc.config.TRUNCATION_METHODS:
    with smpc.config.using(truncation=method), alice.network.measure() as st:
        start = time.perf_counter()
        out = x_shared / 2 ** F
        seconds = time.perf_counter() - start
    err = out.get().values - (x_raw >> F)
    wild = np.abs(err) > 1
    results[method] = int(wild.sum())
    seen = sorted(set(np.unique(err[~wild]).tolist()))
    print(f"{method:8} {seconds:>7.2f}s {st.bytes / 1e6:>10.1f} {st.rounds:>7} {wild.sum():>6} {str(seen):>14}")
    assert set(seen) <= {-1, 0, 1}

print(f"(local: about {count * np.mean(np.abs(x_raw)) / 2.0 ** 64:.1f} wild errors expected "
      f"in {count:,} values at this size)")
assert results["masked"] == 0 and results["exact"] == 0

# %% [markdown]
# Read the table as a trade-off. `local` is free and fast and, at this size, fails about
# four times in a million values (section 3 measured that rate at scale; this sample is
# smaller because `exact` takes a few seconds per million). `masked` costs one round and the dealer's pairs, and never fails
# for values in its range, but hides x only statistically. `exact` never fails and leaks
# nothing beyond what SecureNN's helper is allowed to see, and is the most expensive.
# The default stays `local`; switch with `smpc.config.using(truncation="masked")` (or
# `smpc.config.settings.truncation = "exact"` for a whole run).

# %% [markdown]
# ## What we saw
#
# * A product of two fixed-point numbers carries the scale twice and must be divided by
#   it once.
# * Two parties can do that without talking: alice rounds her share down, bob rounds his
#   up. The result is right within one unit...
# * ...except with probability about |x| / 2^64, when it is wrong by about 2^48 units.
#   Measured: the rate follows |x| / 2^64 from 2^46 to 2^62.
# * Dividing by any public positive integer works the same way; it needs two holders.
# * `masked` and `exact` truncation never fail wildly, for a round of communication
#   (masked) or a PrivateCompare (exact).
#
# Next: tutorials 04 and 05, how SecureNN compares secret-shared numbers. Exercise 3:
# `pytest tests/exercises -m ex_truncation --implementation=learner`.
