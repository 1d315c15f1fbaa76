# %% [markdown]
"""Tutorial 10: a second way to compare, binary (XOR) sharing, measured against SecureNN.

Run it from the repository root::

    python tutorials/10_binary_sharing_comparison.py

It prints what it finds and saves one figure under ``tutorials/figures/`` (set the
environment variable ``SMPC_TUTORIAL_OUTPUT`` to save it elsewhere). It runs in a few
seconds (``SMPC_QUICK=1`` times fewer repeats). Read tutorials 04-05 (SecureNN comparison)
first: this one computes the same bit, DReLU(x) = (x >= 0), another way.

What you will learn:

1. binary (XOR) sharing, where XOR is free and AND costs one round with a dealer's AND
   triple, and why each holder's additive share is already an XOR sharing of itself;
2. the sign of x = x0 + x1 as MSB(x0) XOR MSB(x1) XOR (the carry into bit 63), checked
   in plaintext;
3. the carry by a tree of (generate, propagate) blocks: 7 levels of AND gates, counted
   in plaintext;
4. ``smpc.binary`` on shares, switched on with ``smpc.config.using(comparison="binary")``,
   and measured against SecureNN on the same 100x100 tensor: online bytes and rounds,
   the dealer's offline bytes, what the helper receives, and the time;
5. the valid range: binary is right for every 64-bit value, including those SecureNN
   gets wrong.
"""

# %% [markdown]
# ## Setting up
#
# The same parties as in tutorials 04-05: alice and bob hold additive shares modulo
# L = 2^64, the crypto provider deals correlated randomness (and, in SecureNN, helps
# online).

# %%
import time

# Must precede NumPy: BLAS threads, figures inline or to files, the repository on sys.path
from tutorial_setup import QUICK, save_figure

import matplotlib.pyplot as plt
import numpy as np

import smpc
from smpc import binary, comparisons, sharing

alice, bob, crypto_provider = smpc.make_parties(seed=9)
holders = (alice, bob)
network = alice.network
rng = np.random.default_rng(9)  # for the tutorial's own examples
L = 2 ** 64                     # the ring of shares: Z_L


def raw_shared(values):
    """Share raw int64 ring values (no fixed-point scaling) between alice and bob."""
    return smpc.SharedTensor(sharing.split(np.asarray(values, dtype=np.int64), 2), holders,
                             crypto_provider, smpc.INTEGER_ENCODER)


# %% [markdown]
# ## 1. Binary sharing, and the sign as a carry
#
# SecureNN (tutorials 04-05) stays with additive shares and brings in a helper. The other
# classic route (ABY, Demmler, Schneider & Zohner 2015; CrypTen, Knott et al. 2021)
# changes the sharing: **binary (XOR) shares**, x = x0 XOR x1 bit by bit. On XOR shares,
# XOR is free (each holder XORs its own) and AND costs one round, with an *AND triple*
# from the dealer: it is Beaver's trick (tutorial 02) modulo 2. Then addition is a
# circuit, and the sign is one of its output bits.
#
# The nice part: alice's additive share x0 is a number she knows, so (x0, 0) is already
# an XOR sharing of x0, and likewise for bob. Tutorial 04 (section 1) showed that the top
# bits of the shares alone do not give the sign: the carry from below decides. Precisely,
# the sign of x = x0 + x1 is
#
#     MSB(x) = MSB(x0) XOR MSB(x1) XOR (carry into bit 63)
#
# and the carry is the only thing that needs ANDs. First, in plaintext:

# %%
x0, x1 = sharing.split(rng.integers(-(2 ** 63), 2 ** 63 - 1, 10_000), 2).view(np.uint64)
low = np.uint64(2 ** 63 - 1)
carry = ((x0 & low) + (x1 & low)) >> np.uint64(63)          # the carry into bit 63
sign = (x0 >> np.uint64(63)) ^ (x1 >> np.uint64(63)) ^ carry
assert (sign == (x0 + x1) >> np.uint64(63)).all()
print("MSB(x0 + x1) = MSB(x0) XOR MSB(x1) XOR carry: true for 10,000 random sharings")

# %% [markdown]
# ### One AND gate by hand, and back to additive shares
#
# As tutorial 02 did for Beaver's product, here is one AND on XOR shares written out. The
# dealer deals an **AND triple**: random bits alpha, beta and gamma = alpha AND beta, each
# XOR-shared. To compute z = x AND y from XOR shares of x and y:
#
# 1. each holder sends the other x_j XOR alpha_j and y_j XOR beta_j, so both learn
#    d = x XOR alpha and e = y XOR beta: one round; alpha and beta are one-time pads, so
#    d and e are uniform bits that say nothing about x or y;
# 2. holder j computes z_j = gamma_j XOR (d AND beta_j) XOR (e AND alpha_j), and alice
#    also XORs in d AND e. Then z_0 XOR z_1 = (d XOR alpha) AND (e XOR beta) = x AND y,
#    the same algebra as Beaver's with + replaced by XOR and * by AND.
#
# We do it on 8 bits at once, with our own triple:

# %%
def xor_split(bits):
    """XOR shares (uint8 0/1, shape (2, n)) of the bits ``bits``."""
    mask = rng.integers(0, 2, len(bits)).astype(np.uint8)
    return np.stack([mask, bits ^ mask])


x_bits = rng.integers(0, 2, 8).astype(np.uint8)
y_bits = rng.integers(0, 2, 8).astype(np.uint8)
alpha, beta = rng.integers(0, 2, 8).astype(np.uint8), rng.integers(0, 2, 8).astype(np.uint8)
x_sh, y_sh = xor_split(x_bits), xor_split(y_bits)
alpha_sh, beta_sh, gamma_sh = xor_split(alpha), xor_split(beta), xor_split(alpha & beta)

d = (x_sh[0] ^ alpha_sh[0]) ^ (x_sh[1] ^ alpha_sh[1])     # opened: x XOR alpha
e = (y_sh[0] ^ beta_sh[0]) ^ (y_sh[1] ^ beta_sh[1])       # opened: y XOR beta
z_sh = np.stack([gamma_sh[j] ^ (d & beta_sh[j]) ^ (e & alpha_sh[j]) for j in (0, 1)])
z_sh[0] ^= d & e                                         # the public term, alice only
print("x       :", x_bits.tolist())
print("y       :", y_bits.tolist())
print("opened d:", d.tolist(), " e:", e.tolist(), " (uniform: x and y masked)")
print("z0 ^ z1 :", (z_sh[0] ^ z_sh[1]).tolist(), " = x AND y:", (x_bits & y_bits).tolist())
assert ((z_sh[0] ^ z_sh[1]) == (x_bits & y_bits)).all()
library = binary.and_shared(x_sh, y_sh, holders, crypto_provider, width=1)
assert (binary.reconstruct_xor(library) == (x_bits & y_bits)).all()   # the library agrees

# %% [markdown]
# The result is XOR-shared; the rest of the framework wants additive shares in Z_L. A bit
# b is the same number 0 or 1 in both worlds, but its XOR shares do not add up to it. The
# dealer deals a random bit r *both ways* (XOR shares and additive shares, a "daBit"), and
# one opening finishes the job:
#
# 1. the holders open c = b XOR r (r is a one-time pad: c is a uniform bit);
# 2. b = c XOR r = c + r - 2cr, and with c public that is linear in r: holder j outputs
#    (1 - 2c) times its additive share of r, and alice also adds c.

# %%
b_sh = z_sh                                                 # the XOR-shared bits from above
r_bits = rng.integers(0, 2, 8).astype(np.uint8)
r_xor, r_add = xor_split(r_bits), sharing.split(r_bits.astype(np.int64), 2)
c = (b_sh[0] ^ r_xor[0]) ^ (b_sh[1] ^ r_xor[1])             # opened: b XOR r
c_int = c.astype(np.int64)
b_add = np.stack([(1 - 2 * c_int) * r_add[j] for j in (0, 1)])
b_add[0] += c_int                                           # the public c, alice only
print("additive shares (first 3 values):", b_add[:, :3].tolist())
print("their sum mod 2^64:", sharing.reconstruct(b_add).tolist(), " = the bits:",
      (x_bits & y_bits).tolist())
assert (sharing.reconstruct(b_add) == (x_bits & y_bits)).all()

# %% [markdown]
# Each AND costs one round and, per holder, one bit of d and one of e sent to the other:
# 4 bits per AND gate for two holders. With 64 bits packed in a uint64, one NumPy `&` is
# 64 gates. The sign needs a chain of ANDs for its carry; next, how to make that chain
# short.

# %% [markdown]
# ## 2. The carry by a tree
#
# A carry is computed with *generate* g_i = a_i AND b_i (a carry starts at bit i) and
# *propagate* p_i = a_i XOR b_i (an incoming carry passes through). Two neighbouring
# blocks of bits combine as G = G_high OR (P_high AND G_low), P = P_high AND P_low. A
# ripple-carry adder would take 63 rounds of ANDs; a **tree** combines pairs of blocks,
# 64 -> 32 -> ... -> 1, in 6 rounds, and only the carry into bit 63 is kept. Here is that
# tree in plaintext, counting AND gates per level (each level is one round on shares):

# %%
def carry_tree(a, b):
    """Carry out of a + b (Python ints below 2^64) by a tree of (G, P) blocks; AND gates per round."""
    G = [(a >> i) & (b >> i) & 1 for i in range(64)]       # round 1: one AND per bit
    Pr = [((a >> i) ^ (b >> i)) & 1 for i in range(64)]     # free
    ands = [64]
    while len(G) > 1:
        G = [G[k + 1] | (Pr[k + 1] & G[k]) for k in range(0, len(G), 2)]
        Pr = [Pr[k + 1] & Pr[k] for k in range(0, len(Pr), 2)]
        ands.append(2 * len(G) if len(G) > 1 else 1)        # the last level needs no P
    return G[0], ands


for k in range(200):
    c, ands = carry_tree((int(x0[k]) << 1) % L, (int(x1[k]) << 1) % L)   # drop bit 63: carry into it
    assert c == int(carry[k])
print("AND gates per round:", ands, f"- {len(ands)} rounds, {sum(ands)} gates per value")
assert len(ands) == 7

# %% [markdown]
# ## 3. On shares: binary against SecureNN, measured
#
# On shares, `smpc.binary.drelu_bits` runs that tree: the first round is a "private"
# AND (alice's word with bob's), then 6 rounds of batched ANDs whose words shrink by half
# each time (64 bits of a value travel in one uint64, so one NumPy `&` is 64 gates), and
# one last round turns the XOR-shared bit back into an additive share with a random bit
# pair from the dealer: 8 rounds, like SecureNN's. The dealer hands out AND triples and
# bit pairs *offline*, before any data exists, and **receives nothing**.
#
# Switch protocols with `smpc.config.using(comparison="binary")` (or set
# `smpc.config.settings.comparison` for a whole run). Same tensor, both protocols,
# measured here (SecureNN's numbers too, not copied from tutorial 05): online bytes and
# rounds, the dealer's offline bytes, what the helper received, and the time (best of
# several runs, with plaintext `x >= 0` for scale).

# %%
shape = (100, 100)
size = shape[0] * shape[1]
repeats = 3 if QUICK else 10
tensor = smpc.share(rng.normal(size=shape), alice, bob, crypto_provider=crypto_provider)
plain = tensor.get().float_precision()


def best_time(call):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


rows = {}
for method in smpc.config.COMPARISON_METHODS:
    with smpc.config.using(comparison=method):
        with network.measure() as st, network.record_views() as views:
            bit = comparisons.drelu(tensor)
        assert (bit.get().values == (plain >= 0)).all()
        with network.measure() as st_relu:
            relu_out, _ = comparisons.relu_with_drelu(tensor)
        assert np.allclose(relu_out.get().float_precision(), np.maximum(plain, 0))
        seconds = best_time(lambda: comparisons.drelu(tensor))
        relu_seconds = best_time(lambda: comparisons.relu_with_drelu(tensor))
        helper_got = sum(m.nbytes for m in views["crypto_provider"])
    rows[method] = dict(bytes=st.bytes, rounds=st.rounds, offline=st.offline_bytes, helper=helper_got,
                        ms=seconds * 1000, relu_bytes=st_relu.bytes, relu_rounds=st_relu.rounds,
                        relu_ms=relu_seconds * 1000)
plain_ms = best_time(lambda: plain >= 0) * 1000

print(f"DReLU on a {shape[0]}x{shape[1]} tensor ({size:,} values); plaintext x >= 0: {plain_ms:.3f} ms")
print(f"{'':30} {'SecureNN':>12} {'binary':>12}")
for label, key, fmt in [("online bytes per value", "bytes", lambda v: f"{v / size:.2f}"),
                        ("online rounds", "rounds", str),
                        ("dealer's offline bytes per value", "offline", lambda v: f"{v / size:.2f}"),
                        ("bytes the helper received", "helper", lambda v: f"{v:,}"),
                        ("time, DReLU (best)", "ms", lambda v: f"{v:.1f} ms"),
                        ("ReLU: online bytes per value", "relu_bytes", lambda v: f"{v / size:.2f}"),
                        ("ReLU: rounds", "relu_rounds", str),
                        ("time, ReLU (best)", "relu_ms", lambda v: f"{v:.1f} ms")]:
    print(f"{label:32} {fmt(rows['securenn'][key]):>12} {fmt(rows['binary'][key]):>12}")

closed = binary.drelu_cost(size)
assert (rows["securenn"]["bytes"], rows["securenn"]["rounds"]) == (496 * size, 8)
assert (rows["securenn"]["relu_bytes"], rows["securenn"]["relu_rounds"]) == (528 * size, 9)
assert (rows["binary"]["bytes"], rows["binary"]["rounds"], rows["binary"]["offline"]) == \
    (closed.bytes, closed.rounds, closed.offline_bytes)
assert rows["binary"]["helper"] == 0 and rows["securenn"]["helper"] > 0
assert rows["binary"]["bytes"] * 6 < rows["securenn"]["bytes"]
print(f"binary's closed form (smpc.binary.drelu_cost): {closed.bytes:,} bytes, {closed.rounds} rounds, "
      f"{closed.offline_bytes:,} offline bytes: as measured")

# %% [markdown]
# SecureNN's 496 bytes and 8 rounds per value are the closed form of tutorial 05
# (section 5), measured again here on this tensor.
#
# ## 4. The valid range
#
# SecureNN doubles its input, so it is right only for |a| < 2^62 (tutorial 05, section 3).
# The adder is exact for *every* 64-bit input, so the edge values that SecureNN gets
# wrong come out right. Both protocols, on the same edge values:

# %%
edges = np.array([0, 1, -1, 2 ** 62 - 1, -(2 ** 62), 2 ** 62, -(2 ** 62) - 1, -(2 ** 63)], dtype=np.int64)
got_by_method = {}
for method in smpc.config.COMPARISON_METHODS:
    with smpc.config.using(comparison=method):
        got_by_method[method] = comparisons.drelu(raw_shared(edges)).get().values
print("edges:         ", edges.tolist())
print("binary DReLU:  ", got_by_method["binary"].tolist())
print("SecureNN DReLU:", got_by_method["securenn"].tolist())
assert (got_by_method["binary"] == (edges >= 0)).all()                 # binary: right everywhere
assert (got_by_method["securenn"][:5] == (edges[:5] >= 0)).all()      # SecureNN: right inside |a| < 2^62
assert (got_by_method["securenn"][5:] != (edges[5:] >= 0)).all()      # and wrong just outside

# %%
fig, (ax_bytes, ax_time) = plt.subplots(1, 2, figsize=(10, 3.5))
names = ["SecureNN", "binary"]
online = [rows[m]["bytes"] / size for m in ("securenn", "binary")]
offline = [rows[m]["offline"] / size for m in ("securenn", "binary")]
ax_bytes.bar(np.arange(2) - 0.2, online, 0.4, label="online", color="tab:blue")
ax_bytes.bar(np.arange(2) + 0.2, offline, 0.4, label="offline (dealer)", color="tab:gray")
ax_bytes.set_xticks(range(2), names)
ax_bytes.set_ylabel("bytes per value")
ax_bytes.set_title("DReLU: communication")
ax_bytes.legend()
ax_time.bar(names, [rows[m]["ms"] for m in ("securenn", "binary")], color=["tab:blue", "tab:green"])
ax_time.set_ylabel("milliseconds (best run)")
ax_time.set_title(f"DReLU on {shape[0]}x{shape[1]}: time in this process")
fig.tight_layout()
save_figure(fig, "10_securenn_vs_binary.png")

# %% [markdown]
# ## 5. In short
#
# | | SecureNN | binary (XOR) sharing |
# |---|---|---|
# | idea | stay additive; odd modulus L - 1, MSB = LSB(2a); PrivateCompare bit by bit in Z_67 | add the two shares with a carry tree of AND gates on XOR shares |
# | online cost (measured above) | 496 bytes per value, 8 rounds | about 79 bytes per value, 8 rounds |
# | valid inputs | \|x\| < 2^62 (doubling must keep the sign) | every 64-bit value |
# | the crypto provider | online helper: receives masked values, computes, sends shares | dealer only: AND triples and bit pairs, offline; receives nothing |
# | why | one byte per bit of every value, twice | 64 AND gates in one uint64 operation; words halve each round |
#
# Both assume honest-but-curious parties and a crypto provider that does not collude.
# The binary dealer could be replaced by a two-party way of making triples (oblivious
# transfer or homomorphic encryption, as ABY does), because it is never online; SecureNN's
# helper cannot. The rounds are equal, so on a network where latency dominates the two
# are closer than the bytes suggest. SecureNN stays the default (it is the protocol of
# the reference); `smpc.config.settings.comparison = "binary"` switches a whole training
# run.
#
# ## What we saw
#
# * On XOR shares XOR is free and AND costs one round; each holder's additive share is
#   already an XOR sharing of itself, so the sign of x0 + x1 is MSB(x0) XOR MSB(x1) XOR
#   the carry into bit 63.
# * A tree of (generate, propagate) blocks finds that carry in 7 levels of AND gates, 64
#   gates to a uint64 word; with the conversion back to additive shares, 8 rounds.
# * Measured on the same 100x100 tensor: binary DReLU computes the same bit as SecureNN
#   with about a sixth of the bytes (about 79 against 496 per value) in the same 8 rounds,
#   and the bytes equal `smpc.binary.drelu_cost`.
# * The crypto provider only deals, offline, and receives nothing online; there is no
#   range limit: the edge values SecureNN gets wrong outside |x| < 2^62 come out right.
#
# `smpc.config.using(comparison="binary")` switches one block of code,
# `smpc.config.settings.comparison = "binary"` (or `smpc-train --comparison binary`) a
# whole run. Implementation notes and more numbers: `smpc/binary/NOTES.md`.
