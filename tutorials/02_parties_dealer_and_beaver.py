# %% [markdown]
"""Tutorial 02: parties, the crypto provider, and Beaver multiplication.

Run it from the repository root::

    python tutorials/02_parties_dealer_and_beaver.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds. Read tutorial 01 first.

What you will learn:

1. who takes part: alice and bob hold shares, the crypto provider deals randomness, and
   every message between them goes through one network that counts it;
2. why adding shares is free and multiplying them is not;
3. Beaver multiplication, step by step with the raw shares and a triple, then as ``x * y``;
4. why a triple may be used only once (what reuse would leak);
5. how the dealer can send only corrections, from PRG keys agreed once, instead of full shares;
6. how many bytes and rounds a product costs, and a matrix product the size of the
   reference model's first layer.

Exercise 2 (``exercises/ex2_beaver.py``) asks you to write Beaver multiplication yourself.
"""

# %% [markdown]
# ## Setting up

# %%
import time

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from smpc import sharing
from smpc.beaver import beaver_product
from smpc.truncation import truncate_local

SCALE = smpc.DEFAULT_ENCODER.scale  # 2^16

# %% [markdown]
# ## 1. The parties
#
# The PySyft walk-through has two *workers*, alice and bob, who hold the shares, and a
# *crypto provider* who supplies random numbers with special relations between them
# (correlated randomness). There is also you, the local client called "me", who owns the
# data or the model at the start and gets the results at the end.
#
# `make_parties` creates them all on one `Network`. All parties live in this one Python
# process, so "sending" a message is handing over an array — but every hand-over goes
# through the network, which counts the bytes and the communication rounds and can record
# what each party received. The separation between parties is a discipline of the code:
# a party's step only ever reads its own share and what it was sent.

# %%
alice, bob, crypto_provider = smpc.make_parties(seed=0)
network = alice.network
print("parties on the network:", list(network.parties))
print("the local client:", network.local)
assert bob.network is network and crypto_provider.network is network

# %% [markdown]
# ## 2. Adding is free
#
# Share x and y between alice and bob. To add them, each party adds its own two shares:
# (x0 + y0) + (x1 + y1) = x + y. Nobody sends anything. Adding a *public* number c is
# free as well, but only one party may add it (alice here); if both did, the secret
# would grow by 2c instead of c.

# %%
x = smpc.share(np.array([1.5, -2.0, 0.25]), alice, bob, crypto_provider=crypto_provider)
y = smpc.share(np.array([4.0, 3.0, -8.0]), alice, bob, crypto_provider=crypto_provider)

with network.measure() as stats:
    total = x + y + 10
print("x + y + 10 =", total.get().float_precision(), "|", stats.messages, "messages")
assert stats.messages == 0
assert np.array_equal(total.shares[1], x.shares[1] + y.shares[1])  # bob added no 10
assert np.array_equal(total.get().float_precision(), [15.5, 11.0, 2.25])

# %% [markdown]
# ## 3. Multiplying is not
#
# For x * y = (x0 + x1)(y0 + y1) = x0 y0 + x0 y1 + x1 y0 + x1 y1, the cross terms x0 y1
# and x1 y0 need one party's share *and* the other's. Sending shares across would reveal
# the secrets. Beaver's trick (1991) solves it with help prepared in advance.
#
# The crypto provider draws random a and b, computes c = a * b, and gives alice and bob
# shares of all three: a *Beaver triple*. The triple does not depend on x or y at all, so
# it can be made before any data exists (the *offline phase*). Then, online:
#
# 1. each party computes its share of e = x - a and f = y - b, and they **open** e and f
#    (each sends its shares to the other). Since a and b are uniform and secret, e and f
#    are uniformly random numbers: opening them reveals nothing about x or y;
# 2. each party j computes z_j = c_j + e * b_j + a_j * f, and alice alone adds e * f.
#
# Check: the z_j sum to c + e b + a f + e f = (a + e)(b + f) = x * y.
#
# Let us do it by hand on the raw shares (stacked int64 arrays, party axis first).

# %%
holders = (alice, bob)
triple = crypto_provider.mul_triple(holders, x.shape, y.shape)
a, b, c = triple.consume()  # each is a (2, 3) array: alice's row and bob's row
assert np.array_equal(sharing.reconstruct(c), sharing.reconstruct(a) * sharing.reconstruct(b))

# Step 1: local subtraction, then one round of openings (both in parallel).
e_shares, f_shares = x.shares - a, y.shares - b
with network.measure() as stats, network.record_views() as views:
    e, f = sharing.open_many_among([e_shares, f_shares], holders)
print("opened e =", e)
print("opened f =", f)

# Step 2: local products; the public e * f is added by alice only.
z = c + e * b + a * f
z[0] += e * f

# %% [markdown]
# The result carries the fixed-point scale twice (2^16 * 2^16), so it must be divided by
# 2^16 once. Tutorial 03 is all about that step; here we just call it.

# %%
product = truncate_local(z, SCALE)
by_hand = smpc.DEFAULT_ENCODER.decode(sharing.reconstruct(product))
print("x * y by hand:", by_hand)
assert np.allclose(by_hand, [6.0, -6.0, -2.0], atol=2 / SCALE)
print(f"opening e and f: {stats.bytes} bytes in {stats.rounds} round")
assert stats.rounds == 1 and stats.bytes == 2 * 2 * 8 * 3  # 2 values, 2 directions, 3 int64s

# %% [markdown]
# What did alice *receive* during the protocol? Only bob's shares of e and f — random
# numbers, in one message (both openings travel together: one message per direction
# however many values a round opens). The network recorded her view:

# %%
for message in views["alice"]:
    print(f"alice received from {message.sender}: {message.payload}")
assert [(m.sender, m.payload.size) for m in views["alice"]] == [("bob", 6)]  # e's 3, then f's 3

# %% [markdown]
# The same with the operator: `x * y` asks the crypto provider for a fresh triple, runs
# the two steps above and truncates.

# %%
with network.measure() as stats:
    xy = x * y
print("x * y        :", xy.get().float_precision())
print(f"cost online  : {stats.bytes} bytes in {stats.rounds} round; "
      f"offline (dealer): {stats.offline_bytes} bytes")
assert np.allclose(xy.get().float_precision(), [6.0, -6.0, -2.0], atol=2 / SCALE)

# %% [markdown]
# ## 4. A triple is used once
#
# Our triple has been consumed. Using it again raises `TripleReuseError`:

# %%
try:
    beaver_product(x.shares, y.shares, holders, crypto_provider, triple=triple)
except smpc.TripleReuseError as error:
    print("TripleReuseError:", error)
else:
    raise AssertionError("a triple must not be usable twice")

# %% [markdown]
# Why so strict? Suppose the same a masked two different secrets x and x2. Both openings
# are public: e = x - a and e2 = x2 - a. Anyone who saw them computes
# e - e2 = x - x2: the mask cancels, and the *difference of two secrets* is out in the
# open. Let us show it with the raw arithmetic (the protocol itself refuses to do this).

# %%
x2 = smpc.share(np.array([1.0, 1.0, 1.0]), alice, bob, crypto_provider=crypto_provider)
leak_triple = crypto_provider.mul_triple(holders, x.shape, y.shape)
a_shared, _, _ = leak_triple.consume()
e_first = sharing.reconstruct(x.shares - a_shared)   # opened in a first product
e_second = sharing.reconstruct(x2.shares - a_shared)  # opened again with the SAME a
leaked = smpc.DEFAULT_ENCODER.decode(e_first - e_second)
print("e - e2 =", leaked, " which is exactly x - x2 =", np.array([1.5, -2.0, 0.25]) - 1.0)
assert np.array_equal(leaked, [0.5, -3.0, -0.75])

# %% [markdown]
# ## 5. What the dealer sends: full shares or PRG keys
#
# A triple for n_a, n_b and n_c numbers could be sent as full shares: alice and bob each
# get 8 bytes per number of a, b and c, that is 8 * 2 * (n_a + n_b + n_c) bytes.
#
# There is a cheaper way (CrypTen's trusted third party does it): the dealer and each
# party agree once, when the session starts, on a long-lived *key* for a pseudo-random
# generator, and both expand that party's shares of a, b and c from it. The dealer
# holds both keys, so it knows a and b (defined as the sums of the expanded shares) and
# computes c = a * b. Only one thing must still travel per triple: a correction for
# bob's share of c, so that the shares of c sum to a * b. That is 8 * n_c bytes.
#
# We measure both for a matrix triple the size of the reference model's first layer
# (a batch of 64 images of 784 pixels, times a 784 x 128 weight matrix).

# %%
shape_x, shape_w, shape_out = (64, 784), (784, 128), (64, 128)
n_a, n_b, n_c = (int(np.prod(s)) for s in (shape_x, shape_w, shape_out))
offline = {}
for prg_seeds in (False, True):
    a_, b_, dealer = smpc.make_parties(seed=1, prg_seeds=prg_seeds)
    with a_.network.measure() as stats:
        dealer.matmul_triple((a_, b_), shape_x, shape_w)
    offline[prg_seeds] = stats.offline_bytes
    print(f"prg_seeds={prg_seeds!s:5}: the dealer sends {stats.offline_bytes:>9,} bytes "
          f"in {stats.offline_messages} messages")
assert offline[False] == 8 * 2 * (n_a + n_b + n_c)
assert offline[True] == 8 * n_c
print(f"keys save a factor of {offline[False] / offline[True]:.0f}")

# %% [markdown]
# (The keys are expanded with NumPy's PCG64, which is fine for a simulation but not a
# cryptographic PRG; a real deployment would use AES in counter mode or similar.)
#
# ## 6. Bytes and rounds
#
# Every protocol states its cost, and the network lets us check it. With two parties,
# a product of shared x (n_x numbers) and y (n_y numbers) opens e and f: each party sends
# both to the other, 8 bytes a number, so 16 (n_x + n_y) bytes, all in one round.
# Squaring, `x ** 2`, needs only e = x - a and a pair (a, a^2): half the bytes.
# `alice.network.measure()` gives the totals and a breakdown per protocol.

# %%
n = 1000
u = smpc.share(np.linspace(-1, 1, n), alice, bob, crypto_provider=crypto_provider)
v = smpc.share(np.linspace(2, 3, n), alice, bob, crypto_provider=crypto_provider)
rows = []
for name, operation, expected in [
        ("u + v", lambda: u + v, 0),
        ("u * v", lambda: u * v, 16 * (n + n)),
        ("u ** 2", lambda: u ** 2, 16 * n),
        ("u * 3.0 (public)", lambda: u * 3.0, 0),
        ("u.get()", lambda: u.get(), 8 * 2 * n)]:
    with alice.network.measure() as st:
        operation()
    rows.append((name, st.bytes, st.rounds, st.offline_bytes))
    assert st.bytes == expected, (name, st.bytes, expected)

print(f"{'operation':18} {'online bytes':>13} {'rounds':>7} {'dealer bytes':>13}")
for name, nbytes, rounds, offline_bytes in rows:
    print(f"{name:18} {nbytes:>13,} {rounds:>7} {offline_bytes:>13,}")

# %% [markdown]
# The breakdown per protocol says which part of a computation cost what. A little
# expression with two products and a square takes three rounds: operations run one
# after the other here, even when (like `u * v` and `u ** 2`) they could share a round.

# %%
with alice.network.measure() as st:
    w = (u * v + u ** 2) * v
print(st)
for protocol, cost in st.by_protocol.items():
    print(f"  {protocol:14} {cost.bytes:>8,} bytes, {cost.rounds} rounds, {cost.messages} messages")
assert st.rounds == 3
assert st.by_protocol["beaver_mul"].rounds == 2 and st.by_protocol["beaver_square"].rounds == 1

# %% [markdown]
# ## 7. Matrix products
#
# A neural network layer is a matrix product. Beaver's trick works unchanged with a
# *matrix* triple: a and b of the shapes of x and W, and c = a @ b. Open e = x - a and
# f = W - b, then z_j = c_j + e @ b_j + a_j @ f, plus e @ f for alice. The order of the
# factors matters for matrices, and each product keeps it.
#
# Here is the reference's first layer, on shares: 64 images times a 784 x 128 weight
# matrix. It costs 16 * (64 * 784 + 784 * 128) bytes in one round, whatever the inner
# dimension: that is the beauty of a matrix triple.

# %%
rng = np.random.default_rng(0)
images = rng.random((64, 784))
weights = rng.normal(0, 0.05, (784, 128))
x_img = smpc.share(images, alice, bob, crypto_provider=crypto_provider)
w_fc1 = smpc.share(weights, alice, bob, crypto_provider=crypto_provider)

start = time.perf_counter()
with alice.network.measure() as st:
    hidden = x_img @ w_fc1
seconds = time.perf_counter() - start
error = np.abs(hidden.get().float_precision() - images @ weights)
print(f"x @ W on shares: {seconds * 1000:.0f} ms, {st.bytes:,} bytes in {st.rounds} round; "
      f"largest error {error.max():.2g} ({error.max() * 2 ** 16:.0f} ulps of 2^-16)")
assert st.bytes == 16 * (64 * 784 + 784 * 128) and st.rounds == 1
assert error.max() < 1e-3

# %% [markdown]
# The error is a few tens of ulps at most (one ulp is 2^-16): each input was rounded to
# 16 bits, the rounding errors of 784 products add up in the sum, and the result was
# truncated once.
#
# A picture of where the bytes go for this layer: the online opening of e and f, and the
# dealer's triple with and without keys.

# %%
fig, ax = plt.subplots(figsize=(7, 3))
labels = ["online: open e and f", "dealer: full shares", "dealer: PRG keys"]
amounts = np.array([st.bytes, offline[False], offline[True]]) / 1e6
ax.barh(labels, amounts, color=["tab:blue", "tab:gray", "tab:green"])
for i, amount in enumerate(amounts):
    ax.text(amount, i, f" {amount:.2f} MB", va="center")
ax.set_xlabel("megabytes for one 64x784 @ 784x128 product")
ax.set_xlim(0, amounts.max() * 1.3)
ax.invert_yaxis()
fig.tight_layout()
save_figure(fig, "02_matmul_bytes.png")

# %% [markdown]
# ## 8. The dealer works a step ahead
#
# A triple depends on no data, only on shapes, and a training step asks for the same
# shapes every time its batch has the same size. So a program can run its steps inside
# `network.preprocessing.step(key, next_key)`: the first step of a key is dealt as
# above and its requests are recorded as a *plan*; every later step of that key is
# prepared when the step before it begins. With the parties in separate processes, the
# crypto provider deals it in a background thread while alice and bob compute
# (`smpc/preprocessing.py`). Here, three steps of one product each:

# %%
a_, b_, dealer = smpc.make_parties(seed=1)
steps = dealer.network.preprocessing
for step in range(3):
    with steps.step(("train", 4), next_key=("train", 4)):
        t = dealer.mul_triple((a_, b_), (4,), (4,))
        ta, tb, tc = (v.sum(axis=0) for v in t.consume())
        assert np.array_equal(tc, ta * tb)            # still a triple, still used once
print("plan of ('train', 4):", [r.describe() for r in steps.plans[("train", 4)]])
print("steps that ran on prepared triples:", steps.prepared_steps)

# %% [markdown]
# ## What we saw
#
# * Additions (and public constants, added by one party) are local and free.
# * Beaver's trick turns a product of secrets into openings of uniformly random e = x - a
#   and f = y - b plus local arithmetic, using a triple from the crypto provider.
# * A triple is used once: reusing one reveals x - x2.
# * With keys agreed once, the dealer sends only a correction instead of most of the triple.
# * Triples need only shapes, so the dealer can prepare a step's triples before it runs.
# * A product of n_x and n_y numbers costs 16 (n_x + n_y) bytes in one round; a matrix
#   product costs the same, whatever its inner dimension.
#
# One thing is still hiding in plain sight: every product had to be divided by 2^16. That
# division on shares is tutorial 03. Exercise 2:
# `pytest tests/exercises -m ex_beaver --implementation=learner`.
