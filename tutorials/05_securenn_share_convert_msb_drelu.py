# %% [markdown]
"""Tutorial 05: SecureNN's ShareConvert, ComputeMSB and DReLU, and the comparisons built on them.

Run it from the repository root::

    python tutorials/05_securenn_share_convert_msb_drelu.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds (``SMPC_QUICK=1`` takes smaller samples). Read tutorial 04 (PrivateCompare) first.

What you will learn:

1. ShareConvert: from the ring Z_(2^64) to Z_(2^64 - 1), which is about sharing one wrap
   bit without anybody learning it; what the helper receives, with and without the mask;
2. ComputeMSB: the top bit is the lowest bit of 2a when the modulus is odd, read with a
   masked opening and one PrivateCompare;
3. DReLU and ReLU, and why the inputs must satisfy |x| < 2^62;
4. gt, eq and argmax on shares, each round they take, and how the reference's
   ``pred.eq(target).sum()`` reveals a count and nothing else;
5. the measured bytes and rounds of every step, next to the closed forms in their
   docstrings.

Each protocol is run as ``smpc/securenn/textbook.py`` writes it (one line per step of the
paper) and checked against the framework's fast implementation. A second way to compare,
binary (XOR) sharing, measured against SecureNN, is tutorial 10.

Exercise 5 (``exercises/ex5_drelu.py``) asks you to write ComputeMSB and DReLU once you
have read this.
"""

# %% [markdown]
# ## Setting up

# %%
import inspect
import re
import time

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from smpc import comparisons, securenn, sharing
from smpc.securenn import textbook

alice, bob, crypto_provider = smpc.make_parties(seed=5)
holders = (alice, bob)
network = alice.network
rng = np.random.default_rng(5)  # for the tutorial's own examples
L = 2 ** 64                     # the ring of shares: Z_L
P = securenn.P                  # 67, the small prime of PrivateCompare


def raw_shared(values):
    """Share raw int64 ring values (no fixed-point scaling) between alice and bob."""
    return smpc.SharedTensor(sharing.split(np.asarray(values, dtype=np.int64), 2), holders,
                             crypto_provider, smpc.INTEGER_ENCODER)


def msb(values):
    """The top bit (bit 63) of int64 values seen as unsigned 64-bit words."""
    return (np.asarray(values, dtype=np.int64).view(np.uint64) >> np.uint64(63)).astype(int)


def lm1_value(shares):
    """The value mod L - 1 of two uint64 shares in Z_(L-1), as Python integers."""
    return [(int(u) + int(v)) % (L - 1) for u, v in zip(shares[0], shares[1])]


def numbered_steps(function):
    """The numbered step comments ('# 1. ...') of a function's body."""
    return [line.strip() for line in inspect.getsource(function).splitlines()
            if re.match(r"\s*# \d", line)]


def same_on_the_same_seed(fast, plain, *inputs):
    """Run both implementations from the same seed: equal results, bit for bit?"""
    results = []
    for implementation in (fast, plain):
        crypto_provider.network.randomness.reseed(2019)   # every party's streams afresh
        results.append(implementation(*inputs, holders, crypto_provider))
    return np.array_equal(*results)


# %% [markdown]
# ## 1. ShareConvert: from Z_L to Z_(L-1)
#
# Tutorial 04's plan: DReLU(a) = 1 - MSB(2a), and the MSB is read modulo the odd L - 1.
# But our shares live modulo L = 2^64. Converting them is about one bit. As ordinary
# integers, the shares a0, a1 (each in [0, L)) add up to either a or a + L: the second
# case is a **wrap**, wrap(a0, a1) = 1. Since L = 1 modulo L - 1,
#
#     a = a0 + a1 - wrap(a0, a1) * L = a0 + a1 - wrap(a0, a1)     (mod L - 1)
#
# So the holders only need *shares of the wrap bit*, and then subtract them from their
# shares. Nobody may learn that bit, though: for a small value it is almost exactly the
# sign! Shares of a small positive a are (r, a - r), and r + (a - r) passes 2^64 unless
# r <= a; for a small negative a (a number just below 2^64) it almost never does. It is
# tutorial 04's carry again.

# %%
a_demo = np.array([6, -10, 2 ** 40, -(2 ** 40)], dtype=np.int64)   # even values (section 3)
a_shares = sharing.split(a_demo, 2).view(np.uint64)
for k in range(len(a_demo)):
    a0, a1 = int(a_shares[0, k]), int(a_shares[1, k])
    wrap = int(a0 + a1 >= L)
    print(f"a = {a_demo[k]:>15}: wrap = {wrap}; a0 + a1 - wrap = a (mod L-1): "
          f"{(a0 + a1 - wrap) % (L - 1) == int(a_demo[k]) % L % (L - 1)}")
    assert (a0 + a1 - wrap) % (L - 1) == int(a_demo[k]) % L % (L - 1)
for secret in (6, -6):
    many = sharing.split(np.full(10_000, secret), 2).view(np.uint64)
    wrap_rate = np.mean(many[0] + many[1] < many[0])
    print(f"the shares of {secret:+d} wrap in {wrap_rate:.2%} of 10,000 sharings")
    assert wrap_rate > 0.99 if secret > 0 else wrap_rate < 0.01

# %% [markdown]
# Sharing the wrap bit, in the steps of `textbook.share_convert` (SecureNN, Algorithm 2):

# %%
print("\n".join(numbered_steps(textbook.share_convert)))

# %% [markdown]
# In words: alice and bob send the helper their shares **masked** by a common random r,
# so the helper sees x = a + r, uniform whatever a is; it notes whether *that* sum wrapped
# (delta) and deals shares of delta and of x's 64 bits (in Z_p); one PrivateCompare of x
# against r - 1 tells whether adding r to a wrapped around (x < r means it did); and each
# holder adds up its wrap pieces locally, since wrap(a0, a1) is a fixed combination of
# wrap(a0, r0), wrap(a1, r1), delta, r's own wrap alpha and the comparison bit.
#
# The input must not be L - 1 (the bookkeeping of wraps cannot tell L - 1 from 0 there):
# DReLU feeds it 2a, which is even, so it never is. Its **4 rounds**: (1) the masked
# shares to the helper; (2) the helper's shares of the bits of x and of delta; (3)
# PrivateCompare; (4) the helper's shares of its bit.

# %%
with network.measure() as st, network.record_views() as views:
    converted = textbook.share_convert(sharing.split(a_demo, 2), holders, crypto_provider)
print("values mod L-1 after ShareConvert:", lm1_value(converted))
print(f"cost: {st.bytes} bytes for {len(a_demo)} values in {st.rounds} rounds; "
      f"the helper received {sum(m.nbytes for m in views['crypto_provider'])} bytes")
assert lm1_value(converted) == [int(v) % L % (L - 1) for v in a_demo]
assert (st.bytes, st.rounds) == (304 * len(a_demo), 4)
assert sum(m.nbytes for m in views["crypto_provider"]) == (16 + 128) * len(a_demo)  # a + r, PrivateCompare
same = same_on_the_same_seed(securenn.share_convert, textbook.share_convert, sharing.split(a_demo, 2))
print("the fast securenn.share_convert gives the same shares on the same seed:", same)
assert same

# %% [markdown]
# ### What the helper sees in ShareConvert
#
# Its one look at the data is x = a + r. We run ShareConvert on many copies of two very
# different secrets, 6 and -2^40, and plot x / 2^64 as the helper receives it; and, for
# contrast, what it would receive **without the mask r**: alice's share and bob's share of
# a, whose sum is a itself.

# %%
view_n = 2000 if QUICK else 20_000
seen = {}
for secret, label in [(6, "6"), (-(2 ** 40), "-2^40")]:
    copies = sharing.split(np.full(view_n, 2 * secret), 2)
    with network.record_views() as views:
        securenn.share_convert(copies, holders, crypto_provider)
    masked = [m.payload.view(np.uint64) for m in views["crypto_provider"]
              if m.protocol == "share_convert" and m.payload.dtype.itemsize == 8]
    seen[label] = dict(with_mask=(masked[0] + masked[1]).astype(np.float64) / 2.0 ** 64,
                        without=(copies[0] + copies[1]).view(np.uint64).astype(np.float64) / 2.0 ** 64)
    assert abs(seen[label]["with_mask"].mean() - 0.5) < 0.05

fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for (secret, values), color in zip(seen.items(), ["tab:blue", "tab:orange"]):
    style = dict(histtype="step", linewidth=1.5, color=color, label=f"input 2a for a = {secret}")
    axes[0].hist(values["with_mask"], bins=np.linspace(0, 1, 33), density=True, **style)
    axes[1].hist(values["without"], bins=np.linspace(0, 1, 33), **style)
axes[0].set_title("with the mask: x = a + r, uniform for both")
axes[1].set_title("without the mask: the sum of the shares is a itself")
for ax in axes:
    ax.set_xlabel("value received, / 2^64")
    ax.legend(fontsize=8, loc="lower center")
axes[0].set_ylabel("density")
axes[1].set_ylabel("count")
fig.tight_layout()
save_figure(fig, "05_share_convert_view.png")

# %% [markdown]
# With the mask the two secrets look the same (a flat histogram); without it, all copies
# of a secret land in one bin, and the helper reads the secret off.
#
# ## 2. ComputeMSB: the top bit as the bottom bit of 2a
#
# Now a is shared modulo L - 1, and MSB(a) = LSB(2a mod (L-1)) (tutorial 04). To find the
# lowest bit of y = 2a without revealing y, the helper deals shares of a random x (and of
# its bits, and of its lowest bit), and alice and bob open r = y + x (mod L - 1), which is
# uniform and says nothing about y. Then
#
#     LSB(y) = LSB(r) XOR LSB(x) XOR (x > r)
#
# because r = y + x either did not wrap (r = y + x as integers, LSBs add) or wrapped once,
# subtracting the odd L - 1 and flipping the LSB, and it wrapped exactly when x > r. The
# last bit is a PrivateCompare of the helper's x against the public r. Let us check the
# identity on plain numbers first:

# %%
ys = [int(v) for v in rng.integers(0, 2 ** 63, 1000)] + [0, 1, L - 2]
xs = [int(v) % (L - 1) for v in rng.integers(0, 2 ** 64, len(ys), dtype=np.uint64)]
for y, x in zip(ys, xs):
    r = (y + x) % (L - 1)
    assert y & 1 == (r & 1) ^ (x & 1) ^ int(x > r)
print(f"LSB(y) = LSB(r) XOR LSB(x) XOR (x > r) held for all {len(ys)} pairs")

# %% [markdown]
# In the protocol the helper shares (x > r) flipped by the holders' coin beta, and its own
# LSB(x). Alice and bob know beta and LSB(r), so XOR with those is local (u XOR b =
# u + b - 2bu for a public bit b); the one XOR of two *shared* bits, u + v - 2uv, costs a
# Beaver product. The steps of `textbook.compute_msb` (SecureNN, Algorithm 4):

# %%
print("\n".join(numbered_steps(textbook.compute_msb)))

# %% [markdown]
# Its **4 online rounds**: (1) open r; (2) PrivateCompare; (3) the helper's shares of its
# bit; (4) the Beaver product's opening. Step 1 is dealt offline, before the data exists,
# and is not counted. It takes shares in Z_(L-1), here the output of ShareConvert:

# %%
values = np.array([3, -3, 2 ** 61, -(2 ** 61), 0], dtype=np.int64)
doubled = 2 * values
with network.measure() as st:
    in_lm1 = textbook.share_convert(sharing.split(doubled, 2), holders, crypto_provider)
    top = sharing.reconstruct(textbook.compute_msb(in_lm1, holders, crypto_provider))
print("a               :", values.tolist())
print("MSB(2a) (shared):", top.tolist(), "  -> 1 exactly for the negative ones")
assert top.tolist() == msb(doubled).tolist() == [0, 1, 0, 1, 0]
print(f"ShareConvert + ComputeMSB: {st.bytes} bytes for {len(values)} values, {st.rounds} rounds")
assert (st.bytes, st.rounds) == ((304 + 192) * len(values), 8)
same = same_on_the_same_seed(securenn.compute_msb, textbook.compute_msb, in_lm1)
print("the fast securenn.compute_msb gives the same shares on the same seed:", same)
assert same

# %% [markdown]
# ## 3. DReLU and ReLU
#
# Put together, `textbook.drelu_bits`: DReLU(a) = 1 - MSB(ShareConvert(2a)), 4 + 4 = **8
# rounds**. Why double first? ShareConvert cannot take the one value L - 1, which is odd,
# and 2a is always even; and as long as |a| < 2^62, 2a still lies in the signed range
# (|2a| < 2^63), so it has the same sign as a. That is the **valid range**: exactly
# -2^62 <= a < 2^62. One step outside, doubling overflows and the sign comes out wrong.
# The inputs are secret, so nobody can check the range during the protocol; it is a
# promise the encoding keeps: fixed-point encodings are at most 2^31 (tutorial 01), so
# every difference of two encoded values is far inside it. On shares the framework calls
# `securenn.drelu_bits`, or `smpc.comparisons.drelu` / `x.relu()` on a SharedTensor.

# %%
edges = np.array([0, 1, -1, 2 ** 62 - 1, -(2 ** 62), 2 ** 62, -(2 ** 62) - 1, -(2 ** 63)], dtype=np.int64)
got = sharing.reconstruct(textbook.drelu_bits(sharing.split(edges, 2), holders, crypto_provider))
print(f"{'a':>22} {'a >= 0':>7} {'DReLU':>6}")
for a, bit in zip(edges, got):
    print(f"{a:>22} {int(a >= 0):>7} {bit:>6}{'' if bit == (a >= 0) else '   <- outside |a| < 2^62'}")
assert (got[:5] == (edges[:5] >= 0)).all()        # inside the range: right
assert (got[5:] != (edges[5:] >= 0)).all()        # outside: wrong, as predicted
assert np.array_equal(got, comparisons.drelu(raw_shared(edges)).get().values)   # the fast path too

# %% [markdown]
# ReLU(x) = DReLU(x) * x: one more Beaver product, so **9 rounds**. The bit is an integer
# (scale 1), so the product needs no truncation. `relu_with_drelu` returns the bit too, and
# the autograd ReLU keeps it for the backward pass (tutorial 06): the gradient of ReLU is
# grad * bit, one Beaver product in one round, where recomputing the comparison would cost
# a whole DReLU again.

# %%
n_relu = 1000
x = smpc.share(rng.normal(size=n_relu), alice, bob, crypto_provider=crypto_provider)
grad = smpc.share(rng.normal(size=n_relu), alice, bob, crypto_provider=crypto_provider)
with network.measure() as forward:
    relu, bit = comparisons.relu_with_drelu(x)
with network.measure() as backward_kept:
    grad_in = grad * bit
with network.measure() as backward_again:
    grad_again = grad * comparisons.drelu(x)
plain_x = x.get().float_precision()
assert np.allclose(relu.get().float_precision(), np.maximum(plain_x, 0))
assert np.allclose(grad_in.get().float_precision(), grad.get().float_precision() * (plain_x >= 0))
for label, cost in [("forward: ReLU and its bit", forward), ("backward with the kept bit", backward_kept),
                    ("backward recomputing DReLU", backward_again)]:
    print(f"{label:28s} {cost.bytes / n_relu:6.0f} bytes per value, {cost.rounds} round(s)")
assert (forward.bytes, forward.rounds) == (528 * n_relu, 9)
assert (backward_kept.bytes, backward_kept.rounds) == (32 * n_relu, 1)
assert (backward_again.bytes, backward_again.rounds) == ((496 + 32) * n_relu, 9)

# %% [markdown]
# ## 4. gt, eq and argmax on shares
#
# Everything else is built on DReLU, and returns shared 0/1 bits at integer scale:
#
# * x.gt(y) = 1 - DReLU(y - x), and ge, lt, le alike: one DReLU each, 8 rounds;
# * x.eq(y) = (x >= y) + (x <= y) - 1: two DReLUs, batched into one call, so still 8 rounds;
# * x.max(axis) and x.argmax(axis): a tournament. Pair up neighbours, compare all pairs at
#   once, keep the winners (SelectShare: left + bit * (right - left)), repeat. For n
#   candidates that is ceil(log2 n) levels, not n - 1 comparisons in a row.

# %%
u_plain = np.array([1.5, -2.0, 3.25, 0.0])
v_plain = np.array([1.5, 2.0, -3.0, 0.0001])
u = smpc.share(u_plain, alice, bob, crypto_provider=crypto_provider)
v = smpc.share(v_plain, alice, bob, crypto_provider=crypto_provider)
for name, compute, expected in [("u > v", lambda: u.gt(v), u_plain > v_plain),
                                ("u == v", lambda: u.eq(v), u_plain == v_plain),
                                ("u <= 0", lambda: u <= 0, u_plain <= 0)]:
    with network.measure() as st:
        result = compute()
    print(f"{name:7s}: {result.get().values.tolist()}  ({st.rounds} rounds)")
    assert (result.get().values == expected).all() and st.rounds == 8

scores_plain = rng.normal(size=(6, 10))
scores = smpc.share(scores_plain, alice, bob, crypto_provider=crypto_provider)
with network.measure() as st:
    winner = scores.argmax(axis=1)
print("argmax on shares:", winner.get().values.tolist(), "  in the clear:", scores_plain.argmax(axis=1).tolist())
assert (winner.get().values == scores_plain.argmax(axis=1)).all()
print(f"argmax of 6 rows of 10: {st.rounds} rounds = 9 per level x 4 levels (10 -> 5 -> 3 -> 2 -> 1)")
assert st.rounds == 9 * 4

# %% [markdown]
# Each level of the tournament takes **9 rounds**: one DReLU on the differences of all
# pairs of all rows at once (8 rounds), then one Beaver product (1 round) that moves the
# winner's value and its index together. Ten candidates need four levels: 10 -> 5 -> 3
# (the odd one waits) -> 2 -> 1, so 36 rounds, whatever the number of rows.
#
# ### Counting correct predictions, revealing only the count
#
# The reference tests its model on shares with `pred.eq(target.view_as(pred)).sum()`:
# the predictions and the labels stay shared, eq compares them, and sum adds the bits
# locally. Only the final sum is revealed. We record what the local client ("me") receives:

# %%
labels_plain = scores_plain.argmax(axis=1).copy()
labels_plain[[1, 4]] = (labels_plain[[1, 4]] + 1) % 10           # two wrong predictions
labels = smpc.share(labels_plain, alice, bob, crypto_provider=crypto_provider,
                    encoder=smpc.INTEGER_ENCODER)                  # shared labels, integer scale
pred = scores.argmax(axis=1)
correct = pred.eq(labels).sum()
with network.record_views() as views:
    count = correct.get().values
print(f"correct: {count} of 6; the client received {len(views['me'])} messages of "
      f"{[m.nbytes for m in views['me']]} bytes: one share of one number from each holder")
assert count == 4 and [m.nbytes for m in views["me"]] == [8, 8]

# %% [markdown]
# ## 5. Bytes and rounds of every step
#
# Each protocol's docstring states its cost in closed form, for 2 holders and n values; the
# network measures it. Here they are side by side, for n = 10,000 (2,000 with
# `SMPC_QUICK=1`), with the time each step of the fast implementation took on this machine.

# %%
n = 2000 if QUICK else 10_000
a_raw = rng.integers(-(2 ** 40), 2 ** 40, n)
a_sh = sharing.split(a_raw, 2)
a_st = raw_shared(a_raw)
b_st = raw_shared(rng.integers(-(2 ** 40), 2 ** 40, n))
x_bits = textbook.bits_of(rng.integers(0, 2 ** 64, n, dtype=np.uint64))
u_bits = rng.integers(0, P, x_bits.shape)
x_bits_sh = np.stack([u_bits, (x_bits - u_bits) % P]).astype(np.uint8)
r_pub = rng.integers(0, 2 ** 63, n).astype(np.uint64)
beta_pub = rng.integers(0, 2, n).astype(bool)
a_lm1 = securenn.share_convert(2 * a_sh, holders, crypto_provider)
bits_st = comparisons.drelu(a_st)

steps = [  # name, the call, closed form (bytes, rounds), the docstring that states it (and its row)
    ("PrivateCompare", lambda: securenn.private_compare(x_bits_sh, r_pub, beta_pub, holders, crypto_provider),
     (128 * n, 1), securenn.private_compare, None),
    ("ShareConvert", lambda: securenn.share_convert(2 * a_sh, holders, crypto_provider),
     (304 * n, 4), securenn.share_convert, None),
    ("ComputeMSB", lambda: securenn.compute_msb(a_lm1, holders, crypto_provider),
     (192 * n, 4), securenn.compute_msb, None),
    ("DReLU", lambda: securenn.drelu_bits(a_sh, holders, crypto_provider),
     (496 * n, 8), securenn.drelu_bits, None),
    ("ReLU (with its bit)", lambda: securenn.relu_shares(a_sh, holders, crypto_provider),
     (528 * n, 9), securenn.relu_shares, None),
    ("SelectShare", lambda: comparisons.select_share(bits_st, a_st, b_st),
     (32 * n, 1), securenn.select_share_shares, None),
    ("gt", lambda: a_st.gt(b_st), (496 * n, 8), comparisons, "drelu"),
    ("eq", lambda: a_st.eq(b_st), (992 * n, 8), comparisons, "eq"),
]


def stated_cost(documented, row=None):
    """The closed form a docstring states: its bold '**B n bytes, R rounds**' (or '**R round**
    (B n bytes ...)'), or for ``row`` the last column of that row of its cost table."""
    doc = inspect.getdoc(documented) or ""
    if row is not None:
        line = next((line for line in doc.splitlines() if line.startswith(f"``{row}")), "")
        return re.split(r"\s{2,}", line.strip())[-1] if line else "(not stated)"
    found = re.search(r"\*\*(\d+ ?n bytes, \d+ rounds?)\*\*", doc)
    if found:
        return found.group(1)
    found = re.search(r"\*\*(\d+ rounds?)\*\* \((\d+ ?n bytes)", doc)
    return f"{found.group(2)}, {found.group(1)}" if found else "(not stated)"


print(f"n = {n:,} values")
print(f"{'step':20} {'bytes/value':>11} {'rounds':>7} {'time':>9}   closed form in the docstring")
measured_costs = {}
for name, call, (closed_bytes, closed_rounds), documented, row in steps:
    with network.measure() as st:
        start = time.perf_counter()
        call()
        seconds = time.perf_counter() - start
    measured_costs[name] = st
    print(f"{name:20} {st.bytes / n:>11.0f} {st.rounds:>7} {seconds * 1000:>7.1f}ms   {stated_cost(documented, row)}")
    assert (st.bytes, st.rounds) == (closed_bytes, closed_rounds), name

# %% [markdown]
# The measured numbers are the closed forms, exactly. Where the bytes go in one DReLU:
# PrivateCompare's 64 bytes per value from each holder, twice (in ShareConvert and in
# ComputeMSB), is 256 of the 496; the helper's shares of x's 64 bits in ShareConvert
# another 128. SecureNN spends one byte per *bit* of every value, and that is what the
# binary sharing of tutorial 10 attacks.

# %%
for protocol, cost in measured_costs["DReLU"].by_protocol.items():
    print(f"  DReLU, inside {protocol:16s} {cost.bytes / n:5.0f} bytes per value, {cost.rounds} round(s)")
assert measured_costs["DReLU"].by_protocol["private_compare"].bytes == 256 * n

# %% [markdown]
# ## What we saw
#
# * ShareConvert shares one wrap bit: the helper sees only a + r, uniform.
# * ComputeMSB reads MSB = LSB(2a mod L-1) through a masked opening and one PrivateCompare.
# * DReLU is 1 - MSB of 2a, valid for -2^62 <= a < 2^62, in 8 rounds; ReLU adds one product
#   (9 rounds) and keeps its bit for the backward pass.
# * gt, eq, argmax (9 rounds per level) and `pred.eq(target).sum()` build on DReLU; only
#   the count is revealed.
# * The textbook implementation and the fast one give the same shares on the same seed, and
#   the measured costs equal the closed forms: DReLU 496 bytes per value in 8 rounds.
#
# Next: tutorial 06 (autograd on shares). Exercise 5:
# `pytest tests/exercises -m ex_drelu --implementation=learner`.
#
# A second way to compute the same bit, binary (XOR) sharing with a carry tree, measured
# against SecureNN on the same tensor: tutorial 10
# (`python tutorials/10_binary_sharing_comparison.py`).
