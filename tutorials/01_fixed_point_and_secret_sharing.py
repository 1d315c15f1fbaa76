# %% [markdown]
"""Tutorial 01: fixed point and additive secret sharing.

Run it from the repository root::

    python tutorials/01_fixed_point_and_secret_sharing.py

It prints what it finds and saves two figures under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save them elsewhere). It runs in a few
seconds. Editors that understand the percent-cell format (VS Code, Jupytext, Spyder) open
this file as a notebook: every ``# %%`` line starts a cell.

What you will learn:

1. how real numbers become integers (fixed point), in base 2 with 16 fractional bits and
   in the reference's base 10 with 3 digits, and what happens to a number that does not fit;
2. how an integer is split into two *additive shares* modulo 2^64, so that alice and bob
   each hold a number that on its own says nothing about the secret;
3. a picture of that "nothing": one party's share for two very different secrets;
4. how the secret comes back (reconstruction), and how shares are refreshed.

Exercise 1 (``exercises/ex1_sharing.py``) asks you to write ``share`` and ``reconstruct``
yourself once you have read this.
"""

# %% [markdown]
# ## Setting up
#
# The first cell makes the script runnable from a fresh clone (it puts the repository on
# the import path), chooses matplotlib's file-only backend, and decides where figures go.

# %%
# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from smpc import sharing

smpc.manual_seed(2024)  # one seed makes every random number below reproducible

# %% [markdown]
# ## 1. Fixed point: real numbers as integers
#
# Secret sharing works on integers, and neural networks work on real numbers. The bridge
# is *fixed point*: pick a scale, multiply by it, round to the nearest integer.
#
# Our default scale is 2^16 = 65536 ("base 2, 16 fractional bits"). The number 1.5 is
# stored as the integer 1.5 * 65536 = 98304. The smallest step between two stored values,
# one *unit in the last place* (ulp), is 1/65536, about 0.000015; rounding to the nearest
# step makes an error of at most half of that.

# %%
enc = smpc.FixedPointEncoder(base=2, precision=16)
values = np.array([1.5, -2.25, 0.1, 3.14159265])
encoded = enc.encode(values)
decoded = enc.decode(encoded)
print(enc)
print("values :", values)
print("encoded:", encoded)
print("decoded:", decoded)
print(f"ulp = {enc.ulp:.3g}; largest rounding error here: {np.max(np.abs(decoded - values)):.3g}")

assert encoded[0] == 98304
assert np.all(np.abs(decoded - values) <= enc.ulp / 2)

# %% [markdown]
# The PySyft walk-through we rebuild used base 10 with 3 decimal digits
# (`precision_fractional = 3`): 0.123 is stored as 123, and one ulp is 0.001. Our encoder
# does that too. Notice how 0.1 is exact in base 10 but not in base 2, while the base-2
# encoding is finer everywhere.

# %%
enc10 = smpc.FixedPointEncoder(base=10, precision=3)
encoded10 = enc10.encode(values)
print(enc10)
print("encoded:", encoded10)
print("decoded:", enc10.decode(encoded10))
assert enc10.encode(0.123) == 123
assert np.all(np.abs(enc10.decode(encoded10) - values) <= enc10.ulp / 2)

# %% [markdown]
# ### The range, and what happens outside it
#
# Encodings are 64-bit integers, but we cannot use all 64 bits. When two encodings are
# multiplied (tutorial 02), the product carries the scale twice and must still fit in the
# ring before it is scaled back down (tutorial 03); SecureNN's comparisons (tutorials 04-05)
# need values below 2^62 in size. So an encoding may be at most 2^31 in size, and the
# product of two such is at most 2^62. With 16 fractional bits that means |x| <= 32768;
# with 3 decimal digits |x| <= 2147483.648.
#
# A value outside the range is refused with an error that says what the range is — never
# silently wrapped into a wrong number.

# %%
print(f"base 2, 16 bits : |x| <= {enc.max_value:g}")
print(f"base 10, 3 digits: |x| <= {enc10.max_value:g}")
try:
    enc.encode([1.0, 40000.0])
except smpc.FixedPointRangeError as error:
    print("FixedPointRangeError:", error)
else:
    raise AssertionError("40000 should not fit in 16 fractional bits")

assert enc.max_value == 32768 and enc10.max_value == 2147483.648
assert enc.encode(32768.0) == 2 ** 31  # the edge itself still fits

# %% [markdown]
# ## 2. The ring of 64-bit integers
#
# NumPy's `int64` arithmetic *wraps around*: add 1 to the largest int64 and you get the
# smallest. Mathematically, `+`, `-` and `*` on int64 arrays are arithmetic modulo
# 2^64 — the ring Z_(2^64) — and that is exactly what additive secret sharing needs, for
# free. Negative numbers are just the upper half of the ring: -1 is 2^64 - 1.

# %%
biggest = np.array([2 ** 63 - 1], dtype=np.int64)
print("2^63 - 1 + 1 =", biggest + 1, " (= -2^63: it wrapped around)")
minus_one = np.array([-1], dtype=np.int64)
print("-1 seen as an unsigned 64-bit number:", minus_one.view(np.uint64), "= 2^64 - 1")
assert (biggest + 1)[0] == -2 ** 63
assert int(minus_one.view(np.uint64)[0]) == 2 ** 64 - 1

# %% [markdown]
# ## 3. Additive secret sharing
#
# To share a secret integer x between alice and bob:
#
# 1. draw r uniformly at random from all 2^64 ring elements;
# 2. give alice r and bob x - r (computed modulo 2^64).
#
# Together they can rebuild x = r + (x - r). Alone, each holds a uniformly random number:
# alice's r obviously, and bob's x - r too, because subtracting a uniform r from anything
# gives a uniform result. `smpc.sharing.split` does exactly this (for any number of
# parties: all shares but the last are random, the last makes the sum right).

# %%
secret = enc.encode([1.5, -2.25, 0.1])
shares = sharing.split(secret, 2)
print("secret (encoded):", secret)
print("alice's share   :", shares[0])
print("bob's share     :", shares[1])
print("their sum       :", shares[0] + shares[1])
assert np.array_equal(shares[0] + shares[1], secret)

# %% [markdown]
# The two shares are stacked in one array with the *party axis* first: `shares[0]` is
# alice's, `shares[1]` is bob's. Reconstruction is the sum along that axis, which wraps
# modulo 2^64 like everything else:

# %%
print("reconstructed:", enc.decode(sharing.reconstruct(shares)))
assert np.array_equal(sharing.reconstruct(shares), secret)

# %% [markdown]
# ## 4. Why one share says nothing: a picture
#
# Take two very different secrets — a salary of 0.5 and one of 30000 — and share each of
# them 200,000 times with fresh randomness. Then look only at *alice's* share, the way a
# curious alice would. If her share carried any information, its distribution would differ
# between the two secrets. We plot each share as a fraction of the ring, share / 2^64,
# which lies in [0, 1).

# %%
samples = 200_000
secrets = {"secret = 0.5": 0.5, "secret = 30000": 30000.0}
alice_views = {}
for label, value in secrets.items():
    many = np.full(samples, enc.encode(value))
    alice_views[label] = sharing.split(many, 2)[0].view(np.uint64) / 2.0 ** 64

fig, axes = plt.subplots(1, 2, figsize=(10, 3.5), sharey=True)
bins = 50
for ax, (label, view) in zip(axes, alice_views.items()):
    ax.hist(view, bins=bins, range=(0, 1), color="tab:blue")
    ax.axhline(samples / bins, color="black", linestyle="--", linewidth=1, label="uniform")
    ax.set_title(f"alice's share, {label}")
    ax.set_xlabel("share / 2^64")
    ax.legend(loc="lower right")
axes[0].set_ylabel("count")
fig.suptitle("One share alone is uniformly random, whatever the secret")
fig.tight_layout()
save_figure(fig, "01_one_share_histogram.png")

# %% [markdown]
# Both histograms are flat, and flat in the same way. We check it with numbers too: every
# bin count should be within a few standard deviations (about sqrt(4000) = 63) of the
# 4000 expected, and the two secrets' histograms should be as close to each other as two
# uniform samples are.

# %%
expected = samples / bins
sigma = np.sqrt(expected * (1 - 1 / bins))
counts = {label: np.histogram(v, bins=bins, range=(0, 1))[0] for label, v in alice_views.items()}
for label, c in counts.items():
    worst = np.max(np.abs(c - expected)) / sigma
    print(f"{label}: worst bin is {worst:.1f} standard deviations from uniform")
    assert worst < 5
a, b = counts.values()
print(f"largest difference between the two histograms: {np.max(np.abs(a - b))} "
      f"(two uniform samples differ by about {np.sqrt(2) * sigma:.0f} per bin)")
assert np.max(np.abs(a - b)) < 5 * np.sqrt(2) * sigma

# %% [markdown]
# ### Why the mask must cover the whole ring
#
# The randomness matters. Suppose someone "shares" by drawing r only from a small range,
# say 0 <= r < 2^20, and gives bob x - r. Bob's share now sits just below the secret:
# it gives the secret away to within 2^20 units (16 in real terms). The picture below
# shows bob's share in that broken scheme for the same two secrets, on one axis: the two
# histograms do not even overlap, and each sits right below its secret. With r uniform over all of Z_(2^64), the shift by x is a rotation of a
# uniform distribution, which changes nothing.

# %%
bad_views = {}
for label, value in secrets.items():
    r_small = smpc.default_source.integers(0, 2 ** 20, samples)
    bad_views[label] = enc.decode(enc.encode(value) - r_small)

fig, ax = plt.subplots(figsize=(9, 3.5))
shared_bins = np.linspace(-1000, 31000, 129)       # one axis for both secrets
for (label, view), color in zip(bad_views.items(), ["tab:red", "tab:purple"]):
    ax.hist(view, bins=shared_bins, color=color, alpha=0.7, label=f"bob's share, {label}")
    ax.axvline(secrets[label], color=color, linestyle="--", linewidth=1)
ax.set_xlabel("bob's share, decoded (dashed: the secret)")
ax.set_ylabel("count")
ax.legend(fontsize=8)
ax.set_title("A broken scheme: with a mask from a small range, bob's share sits just below the secret")
fig.tight_layout()
save_figure(fig, "01_small_mask_leaks.png")

low, high = bad_views.values()
assert low.max() < high.min()  # bob could tell the two secrets apart every single time

# %% [markdown]
# ## 5. Sharing with parties: `share`, `get`, `float_precision`
#
# In practice you do not call `split` by hand. You create the parties — alice, bob and a
# crypto provider, whom tutorial 02 introduces properly — and share an array of floats.
# This encodes it (fixed point), splits it, and sends one share to each worker through
# the network. `get()` sends the shares back to you ("me", the local client) and sums
# them; `float_precision()` decodes. These are the names the PySyft walk-through uses.

# %%
alice, bob, crypto_provider = smpc.make_parties(seed=1)
x = smpc.share(np.array([1.5, -2.25, 0.1]), alice, bob, crypto_provider=crypto_provider)
print(x)
print("alice holds:", x.shares[0])
print("bob holds  :", x.shares[1])
back = x.get().float_precision()
print("x.get().float_precision():", back)
assert np.allclose(back, [1.5, -2.25, 0.1], atol=enc.ulp)

# %% [markdown]
# The reference's spelling works too: first `fix_precision()` (floats to public
# fixed-point integers), then `.share(...)`:

# %%
y = smpc.fix_precision(np.array([0.25, 4.0])).share(alice, bob, crypto_provider=crypto_provider)
print(y.get().float_precision())
assert np.array_equal(y.get().float_precision(), [0.25, 4.0])

# %% [markdown]
# ## 6. Refreshing shares
#
# Shares can be re-randomised without changing the secret: add a fresh sharing of zero,
# (s, -s). Alice adds s, bob adds -s; the sum is unchanged, but the new shares are
# independent of the old ones. The workers can do this without sending anything, because
# they can both derive s from a random key they agreed on once. The reference calls
# `.refresh()` before dividing the loss; tutorial 03 measures what it changes there.

# %%
x_new = x.refresh()
print("old alice share:", x.shares[0])
print("new alice share:", x_new.shares[0])
with alice.network.measure() as stats:
    x.refresh()
print("messages sent by refresh():", stats.messages)
assert not np.any(x_new.shares[0] == x.shares[0])
assert np.array_equal(x_new.get().float_precision(), x.get().float_precision())
assert stats.messages == 0

# %% [markdown]
# ## What we saw
#
# * Reals become integers by fixed point: `round(x * 2^16)` by default, `round(x * 1000)`
#   in the reference's setting; values outside the range are refused with a clear error.
# * int64 arithmetic *is* arithmetic modulo 2^64.
# * A secret x is shared as (r, x - r) with r uniform on the ring; each share alone is
#   uniform whatever x is (the flat histograms), and a mask from a small range would leak.
# * The sum of the shares gives x back; a refresh changes the shares and not the sum.
#
# A word on randomness: this simulation draws its random numbers from NumPy's PCG64
# generator, seeded so that runs are reproducible. That generator is *not*
# cryptographically secure (its output can be predicted); a real deployment would draw
# shares from `secrets` / `os.urandom` or a cryptographic PRG.
#
# Next: tutorial 02 computes on shares — adding is local, multiplying needs help from the
# crypto provider. Or try exercise 1 first:
# `pytest tests/exercises -m ex_sharing --implementation=learner`.
