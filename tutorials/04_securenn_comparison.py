# %% [markdown]
"""Tutorial 04: SecureNN comparison step by step, and exactly what the helper sees.

Run it from the repository root::

    python tutorials/04_securenn_comparison.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds (``SMPC_QUICK=1`` takes smaller samples). Read tutorials 01-03 first.

What you will learn:

1. why "is x positive?" is hard on additive shares: the sign is the top bit of x, and the
   bits of two shares do not add up to the bits of their sum;
2. the three parties' roles: alice and bob hold shares, the crypto provider deals
   randomness *and*, in SecureNN, helps online without learning anything;
3. PrivateCompare by hand on a few values: the vector c, the masking by s_i, the random
   rotation, and what the helper receives; then a histogram showing that the helper's
   messages look the same whatever the secret is;
4. ShareConvert (from the ring Z_(2^64) to Z_(2^64 - 1): sharing one wrap bit), ComputeMSB
   (the top bit is the lowest bit of 2a when the modulus is odd), DReLU and ReLU, and why
   the inputs must satisfy |x| < 2^62;
5. gt, eq and argmax on shares, and how the reference's ``pred.eq(target).sum()``
   reveals a count and nothing else;
6. the measured bytes and rounds of every step, next to the closed forms in their
   docstrings.

A second way to compare, binary (XOR) sharing, measured against SecureNN, is tutorial 10.

Exercise 4 (``exercises/ex4_private_compare.py``) asks you to write PrivateCompare, and
exercise 5 (``exercises/ex5_drelu.py``) ComputeMSB and DReLU, once you have read this.
"""

# %% [markdown]
# ## Setting up

# %%
import inspect
import re
import time

# Must precede NumPy: BLAS threads, headless matplotlib, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import smpc
from smpc import comparisons, securenn, sharing

alice, bob, crypto_provider = smpc.make_parties(seed=4)
holders = (alice, bob)
network = alice.network
rng = np.random.default_rng(4)  # for the tutorial's own examples
L = 2 ** 64                     # the ring of shares: Z_L
P = securenn.P                  # 67, the small prime of PrivateCompare
enc = smpc.DEFAULT_ENCODER      # base 2, 16 fractional bits


def raw_shared(values):
    """Share raw int64 ring values (no fixed-point scaling) between alice and bob."""
    return smpc.SharedTensor(sharing.split(np.asarray(values, dtype=np.int64), 2), holders,
                             crypto_provider, smpc.INTEGER_ENCODER)


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

# %% [markdown]
# The missing piece is the carry into bit 63, and computing a carry means comparing: it is
# 1 exactly when the low 63 bits of x0 and x1 add up past 2^63. Comparison needs a
# comparison. SecureNN (Wagh, Gupta & Chandran, PETS 2019) breaks the circle with a third
# party.
#
# ### Three parties, three roles
#
# * **alice** (party 0) and **bob** (party 1) hold the additive shares, as before.
# * The **crypto provider** (P2) deals correlated randomness, as in tutorial 02 — and in
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
# The chain for DReLU(a), which the rest of this tutorial walks through:
#
# 1. **Double**: each holder doubles its share, giving shares of 2a. Why double? The next
#    step cannot take the one value L - 1 (which is odd, and 2a is always even), and as
#    long as |a| < 2^62, 2a still lies in the signed range (|2a| < 2^63), so it has the
#    same sign as a. That is the **valid range**: |a| < 2^62. Fixed-point encodings are at
#    most 2^31 (tutorial 01), so every difference of two encoded values is far inside it.
# 2. **ShareConvert**: shares of 2a modulo L become shares of 2a modulo L - 1.
# 3. **ComputeMSB**: shares of MSB(2a), through the bottom bit of 2 * (2a) mod (L - 1),
#    with one **PrivateCompare**.
# 4. DReLU = 1 - MSB (the public 1 added by alice only).
#
# PrivateCompare is the heart of it, so we start there.
#
# ## 2. PrivateCompare by hand
#
# The setting: alice and bob hold shares of a secret number x — not of x itself, but of
# each of its 64 bits, each bit shared in the field Z_p with p = 67 (a *field*: every
# non-zero element has an inverse; 67 is larger than any sum we will form). They also
# know a public number r. At the end, the helper learns the bit (x > r), *flipped by a
# coin beta that alice and bob drew together and the helper never sees*. To the helper,
# beta XOR (x > r) is a fair coin; its use comes in section 4.
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
# Everything in c_i is linear in the bits of x (XOR with a *public* bit is linear:
# x_k XOR r_k = x_k + r_k - 2 r_k x_k), so each holder computes its own share of every
# c_i from its bit shares, without talking. Public constants (r_i, the + 1) are added by
# one holder only: bob in these formulas (j = 1 for bob, j = 0 for alice).
#
# We write it in a few lines of NumPy, with our own bit shares (exercise 4 asks for the
# same in full).

# %%
def bits_of(values):
    """The 64 bits of uint64 values, least significant first: shape (n, 64)."""
    words = np.ascontiguousarray(values, dtype="<u8")
    return np.unpackbits(words.view(np.uint8).reshape(-1, 8), axis=-1, bitorder="little")


def share_bits_in_zp(values):
    """Shares in Z_p (uint8, shape (2, n, 64)) of the 64 bits of uint64 values."""
    bits = bits_of(values).astype(np.int64)
    u = rng.integers(0, P, bits.shape)
    return np.stack([u, (bits - u) % P]).astype(np.uint8)


def holder_c(j, x_bit_share, r, beta):
    """Holder j's shares of c_i (int64, (n, 64)), from its Z_p shares of x's bits.

    beta = 0: c_i = j r_i - x_i + j + sum_{k>i} (x_k XOR r_k)        -> a zero iff x > r
    beta = 1: the same against t = r + 1, with the first two terms negated,
              c_i = x_i - j t_i + j + sum_{k>i} (x_k XOR t_k)       -> a zero iff x < t, i.e. x <= r
    (r = 2^64 - 1 with beta = 1 needs a special pattern; not used here.)
    """
    x = x_bit_share.astype(np.int64)
    q = bits_of(np.asarray(r, dtype=np.uint64) + np.asarray(beta, dtype=np.uint64)).astype(np.int64)
    w = (x + j * q - 2 * q * x) % P                            # shares of x_k XOR q_k
    above = np.cumsum(w[:, ::-1], axis=1)[:, ::-1] - w         # sum over k > i
    sign = np.where(np.asarray(beta)[:, None] == 1, -1, 1)
    return (sign * (j * q - x) + j + above) % P


def show_low_bits(label, row, count=8):
    above = sorted(set(row[count:].tolist()))
    print(f"  {label:28s} positions 0..{count - 1}: {row[:count].tolist()}, positions {count}..63: "
          f"{'all ' + str(above[0]) if len(above) == 1 else 'random-looking'}")


x_demo = np.array([13, 9, 13], dtype=np.uint64)           # 13 = 0b1101, 9 = 0b1001
r_demo = np.array([9, 13, 13], dtype=np.uint64)
beta0 = np.zeros(3, dtype=np.uint8)
x_bits = share_bits_in_zp(x_demo)
c_alice, c_bob = (holder_c(j, x_bits[j], r_demo, beta0) for j in (0, 1))
c_sum = (c_alice + c_bob) % P
for k in range(3):
    print(f"x = {x_demo[k]}, r = {r_demo[k]} (x > r: {x_demo[k] > r_demo[k]})")
    show_low_bits("alice's share of c", c_alice[k])
    show_low_bits("c = alice's + bob's (mod p)", c_sum[k])
    assert ((c_sum[k] == 0).sum() == 1) == (x_demo[k] > r_demo[k])
assert c_sum[0].tolist()[:8] == [2, 2, 0, 1, 1, 1, 1, 1]   # the zero at bit 2, where 13 and 9 differ

# %% [markdown]
# For x = 13, r = 9 the zero sits at position 2, the highest bit where they differ. Above
# it, where both are 0, c_i = 1; below it, the sum of differences makes c_i >= 2. For
# x = 9, r = 13, and for x = r, there is no zero. Alice's share alone is noise.
#
# ### Masking: what must not reach the helper
#
# The helper will receive both shares and add them, so it sees c itself. Unmasked, c
# says far more than one bit: the 1s above the zero tell that x and r agree on their top
# 61 bits (so both lie between 8 and 15), and the zero's position tells where they first
# differ.
# Three masks fix that, all drawn *in common* by alice and bob (from a shared PRG key, no
# messages):
#
# 1. multiply every c_i by a random s_i in {1, ..., p-1}: a zero stays zero, and every
#    other value becomes a uniformly random non-zero value (p is prime);
# 2. move the 64 positions of each row around at random, so the zero's position is
#    random. The paper uses a random permutation; ours rotates each row by a random amount,
#    which is enough because only the zero's position carries information;
# 3. alice adds a random z_i to her share and bob subtracts it: the sum is unchanged, but
#    the two messages are now a fresh random pair. (The helper itself dealt the bit shares
#    in ShareConvert and ComputeMSB, so without z_i it could relate a message to shares it
#    knows.)
#
# Then each holder sends its 64 numbers to the helper, who adds them modulo p and says
# "1" if the row has a zero.

# %%
s = rng.integers(1, P, (3, 64))                # common random multipliers
z = rng.integers(0, P, (3, 64))                # common re-randomisation
shift = rng.integers(0, 64, 3)                 # common random rotation per row
d_alice = (s * c_alice + z) % P
d_bob = (s * c_bob - z) % P
d_alice = np.stack([np.roll(row, -k) for row, k in zip(d_alice, shift)])
d_bob = np.stack([np.roll(row, -k) for row, k in zip(d_bob, shift)])
helper_sum = (d_alice + d_bob) % P             # what the helper computes
helper_bit = (helper_sum == 0).any(axis=1)
print("x = 13, r = 9: the helper receives")
print("  from alice:", d_alice[0].tolist())
print("  from bob:  ", d_bob[0].tolist())
print("  their sum: ", helper_sum[0].tolist())
print("helper's answers (x > r):", helper_bit.tolist())
assert helper_bit.tolist() == [True, False, False]
print(f"entries equal to 1 in c: {(c_sum[0] == 1).sum()} before masking, "
      f"{(helper_sum[0] == 1).sum()} after")
assert (c_sum[0] == 1).sum() == 61

# %% [markdown]
# The sum is 63 random non-zero numbers and one zero in a random place: "x > r" and
# nothing else. With beta = 1 the holders test x <= r instead (the formula of
# `holder_c`), and the helper learns beta XOR (x > r) without knowing which question was
# asked: a fair coin.
#
# The library's `smpc.securenn.private_compare(bit_shares, r, beta, holders, helper)` does
# all of this (faster, on uint8 bit planes) and sends the two messages through the
# network. Our hand-made version and the library agree on 2,000 random cases, including
# x = r and neighbours:

# %%
n = 2000
x_many = rng.integers(0, 2 ** 64, n, dtype=np.uint64)
r_many = x_many + rng.integers(-2, 3, n).astype(np.int64).view(np.uint64)  # x - 2 .. x + 2
r_many[: n // 2] = rng.integers(0, 2 ** 64, n // 2, dtype=np.uint64)       # and far apart
beta_many = rng.integers(0, 2, n).astype(np.uint8)
r_many[(beta_many == 1) & (r_many == np.uint64(L - 1))] = 0                  # skip the special case
bit_shares = share_bits_in_zp(x_many)
by_hand = ((holder_c(0, bit_shares[0], r_many, beta_many)
            + holder_c(1, bit_shares[1], r_many, beta_many)) % P == 0).any(axis=1)
with network.measure() as st, network.record_views() as views:
    helper_learns = securenn.private_compare(bit_shares, r_many, beta_many.astype(bool),
                                             holders, crypto_provider)
truth = x_many > r_many
print(f"by hand == library: {np.mean(by_hand == helper_learns):.0%}; "
      f"library == beta XOR (x > r): {np.mean(helper_learns == (beta_many.astype(bool) ^ truth)):.0%}; "
      f"the helper's bit equals x > r in {np.mean(helper_learns == truth):.1%} of cases")
assert (by_hand == helper_learns).all()
assert (helper_learns == (beta_many.astype(bool) ^ truth)).all()
assert 0.45 < np.mean(helper_learns == truth) < 0.55
received = views["crypto_provider"]
print("the helper received:", [(m.sender, m.payload.shape, str(m.payload.dtype)) for m in received],
      f"- {st.bytes:,} bytes in {st.rounds} round")
assert [m.sender for m in received] == ["alice", "bob"] and st.rounds == 1
assert st.bytes == 128 * n and not views["alice"] and not views["bob"]

# %% [markdown]
# 64 numbers below 67 from each holder, one byte each: 128 bytes per compared value, one
# round; alice and bob receive nothing.
#
# ## 3. What the helper sees, as a picture
#
# A claim like "the helper learns nothing" is checked by looking at its **view**: every
# message it receives. `network.record_views()` records it. We run the whole DReLU (it
# calls PrivateCompare twice, in ShareConvert and ComputeMSB) on many copies of two very
# different secrets, -0.5 and 1000.0, and compare what the helper got:
#
# * the Z_p numbers of PrivateCompare from alice (bob's look the same);
# * the position of the zero in each row of their sum (if there is one), and how many
#   rows have a zero;
# * the masked values a + r of ShareConvert (next section), scaled to [0, 1).

# %%
view_n, view_runs = (2000, 2) if QUICK else (20_000, 4)


def helper_view(value):
    """What the helper receives during DReLU of view_n copies of ``value``, over view_runs runs."""
    entries, zero_rows, positions, masked = [], [], [], []
    for _ in range(view_runs):
        x = smpc.share(np.full(view_n, value), alice, bob, crypto_provider=crypto_provider)
        with network.record_views() as views:
            bit = comparisons.drelu(x)
        assert (bit.get().values == (value >= 0)).all()
        got = views["crypto_provider"]
        compare = [m.payload for m in got if m.protocol == "private_compare"]
        for from_alice, from_bob in zip(compare[0::2], compare[1::2]):
            entries.append(from_alice.ravel())
            zero = (from_alice.astype(int) + from_bob) % P == 0
            zero_rows.append(zero.any(axis=1))
            positions.append(np.nonzero(zero)[1])
        convert = [m.payload for m in got if m.protocol == "share_convert" and m.payload.dtype.itemsize == 8]
        masked.append(convert[0].view(np.uint64) + convert[1].view(np.uint64))   # x = a + r
    return (np.concatenate(entries), np.concatenate(zero_rows), np.concatenate(positions),
            np.concatenate(masked).astype(np.float64) / 2.0 ** 64)


views_by_value = {value: helper_view(value) for value in (-0.5, 1000.0)}
(e_a, z_a, p_a, m_a), (e_b, z_b, p_b, m_b) = views_by_value.values()


def same_distribution(sample_a, sample_b, bins):
    table = np.array([np.histogram(sample_a, bins)[0], np.histogram(sample_b, bins)[0]])
    return stats.chi2_contingency(table[:, table.sum(axis=0) > 0]).pvalue


checks = {
    "Z_p entries from alice": same_distribution(e_a, e_b, np.arange(P + 1)),
    "position of the zero": same_distribution(p_a, p_b, np.arange(65)),
    "ShareConvert's a + r": same_distribution(m_a, m_b, np.linspace(0, 1, 33)),
    "rows with a zero": same_distribution(z_a.astype(int), z_b.astype(int), np.arange(3)),
}
print(f"rows with a zero: {z_a.mean():.3f} for -0.5, {z_b.mean():.3f} for 1000.0 (a fair coin: 0.5)")
for name, pvalue in checks.items():
    print(f"  same distribution for both secrets? {name:24s} chi-square p = {pvalue:.2f}")
    assert pvalue > 1e-3, name
for sample in (z_a, z_b):
    assert abs(sample.mean() - 0.5) < 5 * np.sqrt(0.25 / sample.size)
assert stats.chisquare(np.bincount(p_a, minlength=64)).pvalue > 1e-3   # uniform position

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
for (value, (entries, _, positions, masked)), color in zip(views_by_value.items(),
                                                           ["tab:blue", "tab:orange"]):
    style = dict(histtype="step", linewidth=1.5, color=color, density=True, label=f"secret = {value}")
    axes[0].hist(entries, bins=np.arange(P + 1), **style)
    axes[1].hist(positions, bins=np.arange(65), **style)
    axes[2].hist(masked, bins=np.linspace(0, 1, 33), **style)
axes[0].set_xlabel("value in Z_67 sent by alice in PrivateCompare")
axes[1].set_xlabel("position of the zero in the sum of the two messages")
axes[2].set_xlabel("ShareConvert: a + r received, / 2^64")
for ax in axes:
    ax.set_ylabel("density")
    ax.legend(fontsize=8, loc="lower right")
fig.suptitle("What the helper receives during DReLU: the same for two very different secrets")
fig.tight_layout()
save_figure(fig, "04_helper_view.png")

# %% [markdown]
# Flat histograms, the same for both secrets: every number the helper receives is uniform
# (entries of Z_67, zero positions, masked ring values), and whether a row has a zero is a
# coin flip. A statistical test is not a proof — the proof is the argument of section 2 —
# but it catches a missing mask at once (without the s_i, the sums would be mostly 1s, as
# the unmasked c of section 2 was).
#
# ## 4. ShareConvert: from Z_L to Z_(L-1)
#
# ComputeMSB works modulo the odd L - 1, but our shares live modulo L = 2^64. Converting
# is about one bit. As ordinary integers, the shares a0, a1 (each in [0, L)) add up to
# either a or a + L: the second case is a **wrap**, wrap(a0, a1) = 1. Since L = 1 modulo
# L - 1,
#
#     a = a0 + a1 - wrap(a0, a1) * L = a0 + a1 - wrap(a0, a1)     (mod L - 1)
#
# So the holders only need *shares of the wrap bit*, and then subtract them from their
# shares. Nobody may learn that bit, though: for a small value it is almost exactly the
# sign! Shares of a small positive a are (r, a - r), and r + (a - r) passes 2^64 unless
# r <= a; for a small negative a (a number just below 2^64) it almost never does. It is
# the carry of section 1 again.

# %%
a_demo = np.array([6, -10, 2 ** 40, -(2 ** 40)], dtype=np.int64)   # even values (section 1)
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
# Sharing the wrap bit (`securenn.share_convert`, steps in its docstring):
#
# 1. alice and bob draw in common a random r with shares r0, r1 (they know its own wrap
#    alpha), and each sends the helper its share **masked**: a_j + r_j. That is what the
#    third histogram above showed: a + r, uniform;
# 2. the helper adds them, x = a + r, notes whether *that* sum wrapped (delta), and sends
#    back shares of delta and of the 64 bits of x (in Z_p);
# 3. one PrivateCompare of x against r - 1 tells whether adding r to a wrapped around
#    (x < r means it did); the helper learns this bit flipped by the holders' coin, and
#    shares it back;
# 4. each holder adds up its wrap pieces locally: wrap(a0, a1) is a fixed combination of
#    wrap(a0, r0), wrap(a1, r1), delta, alpha and the comparison bit.
#
# Four rounds. The input must not be L - 1 (the protocol's bookkeeping of wraps cannot
# tell L - 1 from 0 there): DReLU feeds it 2a, which is even, so it never is.

# %%
def lm1_value(shares):
    """The value mod L - 1 of two uint64 shares in Z_(L-1), as Python integers."""
    return [(int(u) + int(v)) % (L - 1) for u, v in zip(shares[0], shares[1])]


with network.measure() as st, network.record_views() as views:
    converted = securenn.share_convert(sharing.split(a_demo, 2), holders, crypto_provider)
print("values mod L-1 after ShareConvert:", lm1_value(converted))
print(f"cost: {st.bytes} bytes for {len(a_demo)} values in {st.rounds} rounds; "
      f"the helper received {sum(m.nbytes for m in views['crypto_provider'])} bytes")
assert lm1_value(converted) == [int(v) % L % (L - 1) for v in a_demo]
assert (st.bytes, st.rounds) == (304 * len(a_demo), 4)
assert sum(m.nbytes for m in views["crypto_provider"]) == (16 + 128) * len(a_demo)  # a + r, PrivateCompare

# %% [markdown]
# ## 5. ComputeMSB: the top bit as the bottom bit of 2a
#
# Now a is shared modulo L - 1, and MSB(a) = LSB(2a mod (L-1)) (section 1). To find the
# lowest bit of y = 2a without revealing y, the helper deals shares of a random x (and of
# its bits, and of its lowest bit), and alice and bob open r = y + x (mod L - 1), which is
# uniform and says nothing about y. Then
#
#     LSB(y) = LSB(r) XOR LSB(x) XOR (x > r)
#
# because r = y + x either did not wrap (r = y + x as integers, LSBs add) or wrapped once,
# subtracting the odd L - 1 and flipping the LSB — and it wrapped exactly when x > r. The
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
# Beaver product. `securenn.compute_msb` takes shares in Z_(L-1) — here, the output of
# ShareConvert:

# %%
values = np.array([3, -3, 2 ** 61, -(2 ** 61), 0], dtype=np.int64)
doubled = 2 * values
with network.measure() as st:
    in_lm1 = securenn.share_convert(sharing.split(doubled, 2), holders, crypto_provider)
    top = sharing.reconstruct(securenn.compute_msb(in_lm1, holders, crypto_provider))
print("a               :", values.tolist())
print("MSB(2a) (shared):", top.tolist(), "  -> 1 exactly for the negative ones")
assert top.tolist() == msb(doubled).tolist() == [0, 1, 0, 1, 0]
print(f"ShareConvert + ComputeMSB: {st.bytes} bytes for {len(values)} values, {st.rounds} rounds")
assert (st.bytes, st.rounds) == ((304 + 192) * len(values), 8)

# %% [markdown]
# ## 6. DReLU and ReLU
#
# Put together: DReLU(a) = 1 - MSB(ShareConvert(2a)), `securenn.drelu_bits` on raw
# shares, or `smpc.comparisons.drelu` / `x.relu()` on a SharedTensor. The valid range is
# exactly |a| < 2^62 (more precisely -2^62 <= a < 2^62): one step outside, doubling
# overflows and the sign comes out wrong. The inputs are secret, so nobody can check the
# range during the protocol; it is a promise the encoding keeps.

# %%
edges = np.array([0, 1, -1, 2 ** 62 - 1, -(2 ** 62), 2 ** 62, -(2 ** 62) - 1, -(2 ** 63)], dtype=np.int64)
got = comparisons.drelu(raw_shared(edges)).get().values
print(f"{'a':>22} {'a >= 0':>7} {'DReLU':>6}")
for a, bit in zip(edges, got):
    print(f"{a:>22} {int(a >= 0):>7} {bit:>6}{'' if bit == (a >= 0) else '   <- outside |a| < 2^62'}")
assert (got[:5] == (edges[:5] >= 0)).all()        # inside the range: right
assert (got[5:] != (edges[5:] >= 0)).all()        # outside: wrong, as predicted

# %% [markdown]
# ReLU(x) = DReLU(x) * x: one more Beaver product. The bit is an integer (scale 1), so
# the product needs no truncation. `relu_with_drelu` returns the bit too, and the
# autograd ReLU keeps it for the backward pass (tutorial 06): the gradient of ReLU is
# grad * bit, one Beaver product, where recomputing the comparison (as the old reference
# did) would cost a whole DReLU again.

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
assert backward_again.bytes == (496 + 32) * n_relu

# %% [markdown]
# ## 7. gt, eq and argmax on shares
#
# Everything else is built on DReLU, and returns shared 0/1 bits at integer scale:
#
# * x.gt(y) = 1 - DReLU(y - x), and ge, lt, le alike (one DReLU each);
# * x.eq(y) = (x >= y) + (x <= y) - 1: two DReLUs, batched into one call;
# * x.max(axis) and x.argmax(axis): a tournament. Pair up neighbours, compare all pairs at
#   once, keep the winners (SelectShare: left + bit * (right - left)), repeat. For n
#   candidates that is ceil(log2 n) rounds of comparisons, not n - 1 in a row.

# %%
u_plain = np.array([1.5, -2.0, 3.25, 0.0])
v_plain = np.array([1.5, 2.0, -3.0, 0.0001])
u = smpc.share(u_plain, alice, bob, crypto_provider=crypto_provider)
v = smpc.share(v_plain, alice, bob, crypto_provider=crypto_provider)
for name, result, expected in [("u > v", u.gt(v), u_plain > v_plain),
                               ("u == v", u.eq(v), u_plain == v_plain),
                               ("u <= 0", u <= 0, u_plain <= 0)]:
    print(f"{name:7s}: {result.get().values.tolist()}")
    assert (result.get().values == expected).all()

scores_plain = rng.normal(size=(6, 10))
scores = smpc.share(scores_plain, alice, bob, crypto_provider=crypto_provider)
with network.measure() as st:
    winner = scores.argmax(axis=1)
print("argmax on shares:", winner.get().values.tolist(), "  in the clear:", scores_plain.argmax(axis=1).tolist())
assert (winner.get().values == scores_plain.argmax(axis=1)).all()
print(f"argmax of 6 rows of 10: {st.rounds} rounds = 9 * ceil(log2 10)")
assert st.rounds == 9 * 4

# %% [markdown]
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
# ## 8. Bytes and rounds of every step
#
# Each protocol's docstring states its cost in closed form, for 2 holders and n values; the
# network measures it. Here they are side by side, for n = 10,000, with the time each step
# took on this machine.

# %%
n = 2000 if QUICK else 10_000
a_raw = rng.integers(-(2 ** 40), 2 ** 40, n)
a_sh = sharing.split(a_raw, 2)
a_st = raw_shared(a_raw)
b_st = raw_shared(rng.integers(-(2 ** 40), 2 ** 40, n))
x_bits_sh = share_bits_in_zp(rng.integers(0, 2 ** 64, n, dtype=np.uint64))
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
# * The sign of a shared number is its top bit, but top bits of shares say nothing: the
#   carry from below decides.
# * Modulo the odd L - 1, the top bit of a is the bottom bit of 2a, and a bottom bit can be
#   read through a masked opening plus one comparison of a secret with a public number.
# * PrivateCompare: each holder forms its share of c_i (zero exactly at the decisive bit
#   when x > r), masks it by s_i, re-randomises and rotates it, and the helper learns only
#   beta XOR (x > r), a coin flip to it. Its view looks the same for any secret.
# * ShareConvert shares one wrap bit; ComputeMSB reads MSB = LSB(2a mod L-1); DReLU is 1 -
#   MSB of 2a, valid for |a| < 2^62; ReLU adds one product and keeps its bit for backward.
# * gt, eq, argmax and `pred.eq(target).sum()` build on DReLU; only the count is revealed.
# * Measured costs equal the closed forms: DReLU 496 bytes per value in 8 rounds.
#
# Next: tutorial 06 (autograd on shares). Exercises 4 and 5:
# `pytest tests/exercises -m ex_private_compare --implementation=learner` and
# `pytest tests/exercises -m ex_drelu --implementation=learner`.
#
# A second way to compute the same bit, binary (XOR) sharing with a carry tree, measured
# against SecureNN on the same tensor: tutorial 10
# (`python tutorials/10_binary_sharing_comparison.py`).
