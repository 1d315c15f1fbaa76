# %% [markdown]
"""Tutorial 04: SecureNN's PrivateCompare step by step, and exactly what the helper sees.

Run it from the repository root::

    python tutorials/04_securenn_private_compare.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds (``SMPC_QUICK=1`` takes smaller samples). Read tutorials 01-03 first.

What you will learn:

1. why "is x positive?" is hard on additive shares: the sign is the top bit of x, and the
   bits of two shares do not add up to the bits of their sum;
2. the three parties' roles: alice and bob hold shares, the crypto provider deals
   randomness *and*, in SecureNN, helps online without learning anything;
3. the plan of SecureNN's comparison, and its heart, PrivateCompare: how a vector c
   has a zero exactly when x > r, and how three masks (a multiplier s, a rotation, a
   re-randomisation z) leave the helper one coin flip and nothing else;
4. PrivateCompare as the textbook implementation ``smpc/securenn/textbook.py`` writes it,
   one line per step of the paper, and the same result from the fast one;
5. what the helper receives, as a picture, with and without the masks.

Tutorial 05 builds the sign bit (DReLU), ReLU and the comparisons from PrivateCompare.
Exercise 4 (``exercises/ex4_private_compare.py``) asks you to write PrivateCompare once
you have read this.
"""

# %% [markdown]
# ## Setting up

# %%
import inspect

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import smpc
from smpc import securenn, sharing
from smpc.securenn import textbook

alice, bob, crypto_provider = smpc.make_parties(seed=4)
holders = (alice, bob)
network = alice.network
rng = np.random.default_rng(4)  # for the tutorial's own examples
L = 2 ** 64                     # the ring of shares: Z_L
P = securenn.P                  # 67, the small prime of PrivateCompare


def msb(values):
    """The top bit (bit 63) of int64 values seen as unsigned 64-bit words."""
    return (np.asarray(values, dtype=np.int64).view(np.uint64) >> np.uint64(63)).astype(int)


# %% [markdown]
# ## 1. Why comparing is hard on shares
#
# A neural network needs ReLU, max(x, 0), and for that it needs one bit: is x >= 0?
# Call that bit DReLU(x) (the derivative of ReLU). Every comparison reduces to it:
# x > y is "not DReLU(y - x)".
#
# In our ring of 64-bit integers, negative numbers are the upper half (tutorial 01): -1
# is 2^64 - 1. So x < 0 exactly when its **top bit**, bit 63, is 1. The sign is one bit of
# x. Can't alice and bob just look at the top bits of their shares?
#
# No: shares add, and bits don't. x = x0 + x1 (mod 2^64), and the top bit of the sum
# depends on the carry coming up from all 63 bits below. Each share is uniformly random,
# so its top bit is a coin flip, whatever x is. Here are 10,000 sharings of +5 and of -5:

# %%
top_bits = {}
for secret in (5, -5):
    x0, x1 = sharing.split(np.full(10_000, secret), 2)
    xor_of_tops = msb(x0) ^ msb(x1)            # "top bit of x0 XOR top bit of x1"
    top_bits[secret] = xor_of_tops.mean()
    print(f"x = {secret:+d}: MSB(x) = {msb(secret)}; top bit of alice's share is 1 in "
          f"{msb(x0).mean():.1%} of sharings; MSB(x0) XOR MSB(x1) is 1 in {xor_of_tops.mean():.1%}")
    assert 0.47 < msb(x0).mean() < 0.53
assert top_bits[5] > 0.99 and top_bits[-5] > 0.99   # the same for both signs

# %% [markdown]
# For a small x, one share is almost always "positive" and the other "negative", so the
# XOR of their top bits is 1 whatever the sign of x: right for -5, wrong for +5. What
# decides is the carry into bit 63 from the 63 bits below, which is 0 for -5 and 1 for +5.
#
# Computing that carry means comparing: it is 1 exactly when the low 63 bits of x0 and x1
# add up past 2^63. Comparison needs a comparison. SecureNN (Wagh, Gupta & Chandran,
# PETS 2019) breaks the circle with a third party.
#
# ### Three parties, three roles
#
# * **alice** (party 0) and **bob** (party 1) hold the additive shares, as before.
# * The **crypto provider** (P2) deals correlated randomness, as in tutorial 02, and in
#   SecureNN it is also the **helper**: during the comparison alice and bob send it
#   *masked* values, it computes on them and sends back fresh shares. Every value it
#   receives is hidden by randomness it does not know (a uniform mask, or a coin it never
#   sees), so it learns nothing. We will check that by recording its view.
#
# The assumption is the usual one: everybody follows the protocol (honest but curious), and
# the helper does not collude with alice or bob. If it did, together they would know
# everything.
#
# ### The plan: an odd modulus turns the top bit into the bottom bit
#
# Reading the top bit is hard; reading the *bottom* bit (is it odd?) is easier, because
# of a trick with an odd modulus. Work modulo L - 1 = 2^64 - 1, which is odd. For a in
# [0, L - 1):
#
# * if the top bit of a is 0 (a < 2^63), then 2a < L - 1: 2a mod (L-1) is 2a, **even**;
# * if it is 1, then 2a >= L - 1 and 2a mod (L-1) = 2a - (L - 1): even minus odd, **odd**.
#
# So MSB(a) = LSB(2a mod (L-1)). Modulo 2^64 itself this fails: 2a mod 2^64 is always
# even. Let us check with Python's big integers.

# %%
for a in [5, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 2, 12345678912345]:
    top_bit = a >> 63
    print(f"a = {a:>20}: MSB = {top_bit}, LSB(2a mod (L-1)) = {(2 * a) % (L - 1) & 1}, "
          f"LSB(2a mod L) = {(2 * a) % L & 1}")
    assert top_bit == (2 * a) % (L - 1) & 1
    assert (2 * a) % L & 1 == 0

# %% [markdown]
# The chain for DReLU(a), which tutorial 05 walks through:
#
# 1. **Double**: each holder doubles its share, giving shares of 2a (why: tutorial 05).
# 2. **ShareConvert**: shares of 2a modulo L become shares of 2a modulo L - 1.
# 3. **ComputeMSB**: shares of MSB(2a), through the bottom bit of 2 * (2a) mod (L - 1).
#    Reading a bottom bit takes a masked opening and one comparison of a secret number
#    with a public one: **PrivateCompare**.
# 4. DReLU = 1 - MSB.
#
# Steps 2 and 3 both call PrivateCompare, so it is the heart of the protocol, and the
# subject of this tutorial.
#
# ## 2. PrivateCompare: a zero exactly when x > r
#
# The setting: alice and bob hold shares of a secret number x; not of x itself, but of
# each of its 64 bits, each bit shared in the field Z_p with p = 67 (a *field*: every
# non-zero element has an inverse; 67 is larger than any sum we will form). They also
# know a public number r. At the end the helper learns the bit (x > r), *flipped by a
# coin beta that alice and bob drew together and the helper never sees*. To the helper,
# beta XOR (x > r) is a fair coin; tutorial 05 shows how the holders use it.
#
# How can bits decide x > r? Compare from the top: x > r exactly when, at the highest bit
# position i where x and r differ, x has a 1 and r a 0. For every position i, define (for
# beta = 0; all arithmetic modulo p)
#
#     w_k = x_k XOR r_k            (1 where x and r differ at position k)
#     c_i = r_i - x_i + 1 + sum over k > i of w_k
#
# If x and r agree on every bit above i, the sum is 0, and c_i = r_i - x_i + 1 is 0
# exactly when x_i = 1 and r_i = 0. If they differ somewhere above i, the sum is at least
# 1 and c_i cannot be 0 (all terms are small, below p). So **some c_i is zero exactly when
# x > r**, and then exactly one.
#
# Here is c *in the clear*, from the plain bits of x and r, for three pairs (on shares,
# the holders compute shares of the same numbers; that is section 4):

# %%
def c_in_the_clear(x, r):
    """c_i for beta = 0 from the plain bits of x and r (int64, shape (n, 64))."""
    x_bits, r_bits = textbook.bits_of(x), textbook.bits_of(r)
    w = x_bits ^ r_bits
    return (r_bits - x_bits + 1 + (np.cumsum(w[:, ::-1], axis=1)[:, ::-1] - w)) % P


def show_low_bits(label, row, count=8):
    above = sorted(set(row[count:].tolist()))
    print(f"  {label:20s} positions 0..{count - 1}: {row[:count].tolist()}, positions {count}..63: "
          f"{'all ' + str(above[0]) if len(above) == 1 else 'mixed'}")


x_demo = np.array([13, 9, 13], dtype=np.uint64)           # 13 = 0b1101, 9 = 0b1001
r_demo = np.array([9, 13, 13], dtype=np.uint64)
c_demo = c_in_the_clear(x_demo, r_demo)
for k in range(3):
    print(f"x = {x_demo[k]}, r = {r_demo[k]} (x > r: {x_demo[k] > r_demo[k]})")
    show_low_bits("c", c_demo[k])
    assert ((c_demo[k] == 0).sum() == 1) == (x_demo[k] > r_demo[k])
assert c_demo[0].tolist()[:8] == [2, 2, 0, 1, 1, 1, 1, 1]   # the zero at bit 2, where 13 and 9 differ

# %% [markdown]
# For x = 13, r = 9 the zero sits at position 2, the highest bit where they differ. Above
# it, where both are 0, c_i = 1; below it, the sum of differences makes c_i >= 2. For
# x = 9, r = 13, and for x = r, there is no zero.
#
# With beta = 1 the holders ask the opposite question, "is x <= r?", i.e. "is x < r + 1?":
# the same vector against t = r + 1 with the first two terms negated, x_i - t_i + 1 + sum
# of differences above, which has a zero exactly when x < t. The helper cannot tell which
# question was asked, so the bit it learns, beta XOR (x > r), is a fair coin to it.
# (One pair has no r + 1 in the ring: r = 2^64 - 1 with beta = 1, whose answer is always
# yes; the holders then send a fixed vector with one zero.)
#
# ### Masking: what must not reach the helper
#
# The helper will receive both holders' shares and add them, so it sees c itself.
# Unmasked, c says far more than one bit: the 1s above the zero tell that x and r agree on
# their top 61 bits (so both lie between 8 and 15), and the zero's position tells where
# they first differ. Three masks fix that, all drawn *in common* by alice and bob (from a
# shared PRG key, no messages):
#
# 1. multiply every c_i by a random s_i in {1, ..., p-1}: a zero stays zero, and every
#    other value becomes a uniformly random non-zero value (p is prime);
# 2. move the 64 positions of each row around at random, so the zero's position is
#    random. The paper uses a random permutation; we rotate each row by a random amount,
#    which is enough because only the zero's position carries information;
# 3. alice adds a random z_i to her share and bob subtracts it: the sum is unchanged, but
#    the two messages are now a fresh random pair. Why this matters: in SecureNN the helper
#    itself dealt the shares of x's bits, so without z_i it could relate each message to
#    shares it knows (alice's message divided by bob's would cancel s_i).
#
# Then each holder sends its 64 numbers to the helper, who adds them modulo p and says
# "1" if the row has a zero. On the sum (what the helper computes), masks 1 and 2 look
# like this:

# %%
s = rng.integers(1, P, (3, 64))                # common random multipliers
shift = rng.integers(0, 64, 3)                 # common random rotation per row
helper_sum = np.stack([np.roll(row, -k) for row, k in zip(s * c_demo % P, shift)])
print("x = 13, r = 9: c     =", c_demo[0][:16].tolist(), "...")
print("         helper sees =", helper_sum[0][:16].tolist(), "...")
print("helper's answers (x > r):", (helper_sum == 0).any(axis=1).tolist())
assert (helper_sum == 0).any(axis=1).tolist() == [True, False, False]
print(f"entries equal to 1: {(c_demo[0] == 1).sum()} in c, {(helper_sum[0] == 1).sum()} "
      f"in what the helper sees")
assert (c_demo[0] == 1).sum() == 61

# %% [markdown]
# The sum is 63 random non-zero numbers and one zero in a random place: "x > r" and
# nothing else.
#
# ## 3. Who adds the constants, and why it is all local
#
# Everything in c_i is linear in the bits of x: XOR with a *public* bit is linear,
# x_k XOR r_k = x_k + r_k - 2 r_k x_k. So each holder computes its own share of every
# c_i from its shares of the bits, without talking. A public constant (r_i, the + 1) must
# be added once, not by both: in SecureNN's formulas party 1 adds it, so they carry a
# factor j (j = 0 for alice, j = 1 for bob), e.g. w_k = x_k + j r_k - 2 r_k x_k.
#
# ## 4. The textbook implementation
#
# `smpc/securenn/textbook.py` writes PrivateCompare the way the paper states it, one
# commented line per step, in plain int64 NumPy with `% P`. Read it now; these are its
# steps (the comments of the function's body):

# %%
steps = [line.strip() for line in inspect.getsource(textbook.private_compare).splitlines()
         if line.strip()[:3] in {f"# {d}" for d in "123456789"}]
print("\n".join(steps))
assert len(steps) >= 6

# %% [markdown]
# It takes alice's and bob's Z_p shares of the bits of x, shape (2, n, 64), the public r,
# the holders' coin beta, and the parties; it sends the two messages through the network
# and returns what the helper learns. Here we deal the bit shares ourselves (in ShareConvert
# and ComputeMSB the helper deals them), and record every message:

# %%
def share_bits_in_zp(values):
    """Shares in Z_p (uint8, shape (2, n, 64)) of the 64 bits of uint64 values."""
    bits = textbook.bits_of(values)
    u = rng.integers(0, P, bits.shape)
    return np.stack([u, (bits - u) % P]).astype(np.uint8)


n = 2000
x_many = rng.integers(0, 2 ** 64, n, dtype=np.uint64)
r_many = x_many + rng.integers(-2, 3, n).astype(np.int64).view(np.uint64)  # x - 2 .. x + 2
r_many[: n // 2] = rng.integers(0, 2 ** 64, n // 2, dtype=np.uint64)       # and far apart
beta_many = rng.integers(0, 2, n).astype(bool)
bit_shares = share_bits_in_zp(x_many)
with network.measure() as st, network.record_views() as views:
    helper_learns = textbook.private_compare(bit_shares, r_many, beta_many, holders, crypto_provider)
truth = x_many > r_many
print(f"helper's bit == beta XOR (x > r): {np.mean(helper_learns == (beta_many ^ truth)):.0%}; "
      f"it equals x > r itself in {np.mean(helper_learns == truth):.1%} of cases (a coin)")
assert (helper_learns == (beta_many ^ truth)).all()
assert 0.45 < np.mean(helper_learns == truth) < 0.55
received = views["crypto_provider"]
print("the helper received:", [(m.sender, m.payload.shape, str(m.payload.dtype)) for m in received],
      f"- {st.bytes:,} bytes in {st.rounds} round")
assert [m.sender for m in received] == ["alice", "bob"] and st.rounds == 1
assert st.bytes == 128 * n and not views["alice"] and not views["bob"]

# %% [markdown]
# 64 numbers below 67 from each holder, one byte each: 128 bytes per compared value, in
# **one round** (both holders send at the same time, and nothing comes back: what the
# helper does with its bit, dealing shares of it to the holders, is the next step of the
# protocols that call PrivateCompare, in tutorial 05).
#
# The framework runs a fast implementation, `smpc.securenn.private_compare`: the same
# protocol on bit planes of uint8 with reused buffers (which is why it is hard to read,
# and why `textbook.py` exists). With the same seed both draw the same randomness in the
# same order, so they send the same messages and the helper learns the same bits:

# %%
outputs = {}
for name, implementation in [("textbook", textbook.private_compare), ("fast", securenn.private_compare)]:
    crypto_provider.network.randomness.reseed(2019)   # every party's streams afresh
    with network.record_views() as views:
        outputs[name] = implementation(bit_shares, r_many, beta_many, holders, crypto_provider)
    outputs[name + " messages"] = [m.payload for m in views["crypto_provider"]]
same_messages = all(np.array_equal(a, b) for a, b in
                    zip(outputs["textbook messages"], outputs["fast messages"]))
print(f"same answers: {np.array_equal(outputs['textbook'], outputs['fast'])}; "
      f"same messages, byte for byte: {same_messages}")
assert np.array_equal(outputs["textbook"], outputs["fast"]) and same_messages

# %% [markdown]
# ## 5. What the helper sees, as a picture
#
# A claim like "the helper learns nothing" is checked by looking at its **view**: every
# message it receives. `network.record_views()` records it. We run PrivateCompare on two
# very different secret situations, x just above r (x = r + 1) and x far below r, with a
# fresh random coin beta per value, and compare what the helper got:
#
# * the Z_p numbers of alice's message (bob's look the same);
# * the position of the zero in each row of their sum (if there is one), and how many
#   rows have a zero;
# * and, for contrast, what the helper would add up **without the masks**: the values of
#   c itself (rows with beta = 0), computed in the clear as in section 2.

# %%
view_n = 4000 if QUICK else 40_000
situations = {}
for label, offset in [("x = r + 1", 1), ("x far below r", -(2 ** 40))]:
    r_view = rng.integers(2 ** 41, 2 ** 63, view_n).astype(np.uint64)
    x_view = r_view + np.asarray(offset, dtype=np.int64).view(np.uint64)
    beta_view = rng.integers(0, 2, view_n).astype(bool)
    with network.record_views() as views:
        answer = textbook.private_compare(share_bits_in_zp(x_view), r_view, beta_view,
                                          holders, crypto_provider)
    assert (answer == beta_view ^ (x_view > r_view)).all()
    from_alice, from_bob = (m.payload for m in views["crypto_provider"])
    zero = (from_alice.astype(int) + from_bob) % P == 0
    situations[label] = dict(entries=from_alice.ravel(), rows_with_zero=zero.any(axis=1),
                             positions=np.nonzero(zero)[1],
                             unmasked=c_in_the_clear(x_view[~beta_view], r_view[~beta_view]).ravel())


def same_distribution(sample_a, sample_b, bins):
    table = np.array([np.histogram(sample_a, bins)[0], np.histogram(sample_b, bins)[0]])
    return stats.chi2_contingency(table[:, table.sum(axis=0) > 0]).pvalue


a, b = situations.values()
checks = {
    "Z_p entries from alice": same_distribution(a["entries"], b["entries"], np.arange(P + 1)),
    "position of the zero": same_distribution(a["positions"], b["positions"], np.arange(65)),
    "rows with a zero": same_distribution(a["rows_with_zero"].astype(int),
                                          b["rows_with_zero"].astype(int), np.arange(3)),
}
print(f"rows with a zero: {a['rows_with_zero'].mean():.3f} and {b['rows_with_zero'].mean():.3f} "
      f"(a fair coin: 0.5)")
for name, pvalue in checks.items():
    print(f"  same distribution in both situations? {name:24s} chi-square p = {pvalue:.2f}")
    assert pvalue > 1e-3, name
unmasked_p = same_distribution(a["unmasked"], b["unmasked"], np.arange(P + 1))
print(f"  without the masks, the values of c:                 chi-square p = {unmasked_p:.0e}")
assert unmasked_p < 1e-6
print(f"  without the masks: c_i = 1 in {np.mean(a['unmasked'] == 1):.0%} of entries for x = r + 1, "
      f"c_i >= 2 in {np.mean(b['unmasked'] >= 2):.0%} for x far below r")
assert np.mean(a["unmasked"] == 1) > 0.9 and np.mean(b["unmasked"] >= 2) > 0.5
assert stats.chisquare(np.bincount(a["positions"], minlength=64)).pvalue > 1e-3  # uniform

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
for (label, seen), color in zip(situations.items(), ["tab:blue", "tab:orange"]):
    style = dict(histtype="step", linewidth=1.5, color=color, density=True, label=label)
    axes[0].hist(seen["entries"], bins=np.arange(P + 1), **style)
    axes[1].hist(seen["positions"], bins=np.arange(65), **style)
    axes[2].hist(seen["unmasked"], bins=np.arange(P + 1), **style)
axes[0].set_xlabel("value in Z_67 sent by alice")
axes[1].set_xlabel("position of the zero in the sum of the two messages")
axes[2].set_xlabel("without the masks: the values of c (log scale)")
axes[2].set_yscale("log")
axes[2].set_xlim(0, 25)
for ax in axes:
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="lower right")
axes[0].set_title("with the masks: the same")
axes[2].set_title("without them: different at a glance")
fig.suptitle("What the helper receives in PrivateCompare, for two very different secrets")
fig.tight_layout()
save_figure(fig, "04_helper_view.png")

# %% [markdown]
# With the masks: flat histograms, the same for both situations. Every number the helper
# receives is uniform, the zero's position is uniform, and whether a row has a zero is a
# coin flip. Without them (right): for x = r + 1 almost every entry of c is 1 (x and r
# agree on all high bits), with one 0 per row where beta = 0; for x far below r most of
# the entries are 2 or more and there is no 0: the helper would tell the two apart from
# a single row. A statistical test is
# not a proof (the proof is the argument of section 2), but it catches a missing mask at
# once.
#
# ## What we saw
#
# * The sign of a shared number is its top bit, but top bits of shares say nothing: the
#   carry from below decides.
# * Modulo the odd L - 1, the top bit of a is the bottom bit of 2a, and a bottom bit can be
#   read through a masked opening plus one comparison of a secret with a public number.
# * PrivateCompare: each holder forms its share of c_i (zero exactly at the decisive bit
#   when x > r), masks it by s_i, rotates it, re-randomises it with z_i, and the helper
#   learns only beta XOR (x > r), a coin flip to it: 128 bytes per value, one round.
# * `smpc/securenn/textbook.py` is the protocol as the paper writes it; the fast path
#   sends the same bytes.
#
# Next: tutorial 05 (ShareConvert, ComputeMSB, DReLU, ReLU and the comparisons built on
# them). Exercise 4: `pytest tests/exercises -m ex_private_compare --implementation=learner`.
