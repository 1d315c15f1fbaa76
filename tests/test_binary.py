"""Binary (XOR) sharing, AND gates, A2B and the binary DReLU (smpc/binary).

The same questions as for SecureNN's DReLU: is the sign right everywhere (here on
the whole signed 64-bit range), does the measured traffic equal the closed forms,
and does what each holder receives look the same whatever the input is?
"""
import numpy as np
import pytest
from scipy.stats import chi2, norm

import smpc
from smpc import binary
from smpc.binary import words
from smpc.errors import ProtocolError, TripleReuseError
from smpc.randomness import default_source
from smpc.sharing import reconstruct, split

THREE = ("alice", "bob", "carol")
EDGES = np.array([0, 1, -1, 2 ** 63 - 1, -(2 ** 63 - 1), -(2 ** 63), 2, -2,
                  2 ** 62, -(2 ** 62), 2 ** 62 - 1, -(2 ** 62) - 1], dtype=np.int64)


def parties(n_holders=2, seed=0, **kwargs):
    *holders, cp = smpc.make_parties(seed=seed, names=THREE[:n_holders], **kwargs)
    return tuple(holders), cp


def random_words(shape, width=64):
    return words.random_words(default_source, shape, width)


# -- words: packing and the bit-reversal permutation ------------------------------------
@pytest.mark.parametrize("width", words.WIDTHS)
@pytest.mark.parametrize("count", [1, 7, 8, 13, 1000])
def test_pack_round_trips_and_takes_ceil_n_w_over_8_bytes(width, count):
    smpc.manual_seed(1)
    values = random_words((count,), width)
    payload = words.pack(values, width)
    assert payload.nbytes == words.packed_nbytes(count, width) == -(-count * width // 8)
    np.testing.assert_array_equal(words.unpack(payload, width, count), values)


def test_bit_reversal_permute_moves_bit_i_to_reverse6_i():
    smpc.manual_seed(2)
    x = random_words((3, 50))
    bits = np.unpackbits(x.view(np.uint8), bitorder="little").reshape(3, 50, 64)
    reverse6 = [int(f"{i:06b}"[::-1], 2) for i in range(64)]
    expected = np.packbits(bits[..., reverse6], axis=-1, bitorder="little").view(np.uint64)
    np.testing.assert_array_equal(words.bit_reversal_permute(x), expected.reshape(3, 50))
    np.testing.assert_array_equal(words.bit_reversal_permute(words.bit_reversal_permute(x)), x)
    assert words.bit_reversal_permute(np.array([1 << 1], np.uint64))[0] == 1 << 32


# -- XOR sharing ------------------------------------------------------------------------
@pytest.mark.parametrize("count", [2, 3])
@pytest.mark.parametrize("width", [64, 16, 4, 1])
def test_split_xor_reconstructs(count, width):
    smpc.manual_seed(3)
    value = random_words((5, 7), width)
    shares = binary.split_xor(value, count, width)
    assert shares.shape == (count, 5, 7) and shares.dtype == words.dtype_for(width)
    np.testing.assert_array_equal(binary.reconstruct_xor(shares), value)
    assert not np.array_equal(shares[-1], value) or width == 1


def test_share_xor_from_and_open_cost_b_n_w_per_message():
    (alice, bob), cp = parties()
    network = alice.network
    value = np.arange(13, dtype=np.uint8) % 2
    with network.measure() as stats:
        shares = binary.share_xor_from(network.local, value, (alice, bob), width=1)
        (opened,) = binary.open_xor([shares], (alice, bob), 1)
    np.testing.assert_array_equal(opened, value)
    # 2 messages to share, 2 to open, ceil(13 / 8) = 2 bytes each
    assert stats.bytes == 4 * 2 and stats.rounds == 2


# -- AND gates --------------------------------------------------------------------------
@pytest.mark.parametrize("n_holders", [2, 3])
@pytest.mark.parametrize("width", [64, 32, 8, 4, 2, 1])
def test_and_shared_is_bitwise_and(n_holders, width):
    holders, cp = parties(n_holders, seed=width)
    x, y = random_words((4, 25), width), random_words((4, 25), width)
    z = binary.and_shared(binary.split_xor(x, n_holders, width), binary.split_xor(y, n_holders, width),
                          holders, cp, width=width)
    np.testing.assert_array_equal(binary.reconstruct_xor(z), x & y)


@pytest.mark.parametrize("prg_seeds", [True, False])
def test_and_private_is_bitwise_and_and_costs_16n(prg_seeds):
    (alice, bob), cp = parties(prg_seeds=prg_seeds)
    x, y = random_words((300,)), random_words((300,))
    with alice.network.measure() as stats:
        z = binary.and_private(np.stack([x, y]), (alice, bob), cp)
    np.testing.assert_array_equal(binary.reconstruct_xor(z), x & y)
    expected = binary.costs.private_and_cost(300, prg_seeds)
    assert (stats.bytes, stats.rounds, stats.offline_bytes) == (
        expected.bytes, expected.rounds, expected.offline_bytes) == (16 * 300, 1, stats.offline_bytes)


def test_and_triple_reuse_raises():
    (alice, bob), cp = parties()
    holders = (alice, bob)
    x = binary.split_xor(random_words((10,)), 2)
    triple = binary.and_triple(cp, holders, (10,))
    binary.and_shared(x, x, holders, cp, triple=triple)
    with pytest.raises(TripleReuseError):
        binary.and_shared(x, x, holders, cp, triple=triple)
    private = binary.private_and_triple(cp, holders, (10,))
    binary.and_private(x, holders, cp, triple=private)
    with pytest.raises(TripleReuseError):
        binary.and_private(x, holders, cp, triple=private)
    pair = binary.bit_pair(cp, holders, (10,))
    bits = binary.split_xor(np.ones(10, np.uint8), 2, 1)
    binary.b2a_bit(bits, holders, cp, pair=pair)
    with pytest.raises(TripleReuseError):
        binary.b2a_bit(bits, holders, cp, pair=pair)


# -- A2B, the carry, B2A ------------------------------------------------------------------
@pytest.mark.parametrize("prg_seeds", [True, False])
def test_a2b_reconstructs_full_range_and_costs_368n_in_7_rounds(prg_seeds):
    (alice, bob), cp = parties(prg_seeds=prg_seeds)
    x = np.concatenate([EDGES, default_source.ring((5000,))]).reshape(-1, 2)
    shares = split(x, 2)
    with alice.network.measure() as stats:
        xor_shares = binary.a2b(shares, (alice, bob), cp)
    assert xor_shares.shape == shares.shape and xor_shares.dtype == np.uint64
    np.testing.assert_array_equal(binary.reconstruct_xor(xor_shares).view(np.int64), x)
    n = x.size
    expected = binary.a2b_cost(n, prg_seeds)
    assert (stats.bytes, stats.rounds, stats.offline_bytes) == (
        expected.bytes, expected.rounds, expected.offline_bytes)
    assert (stats.bytes, stats.rounds) == (368 * n, 7)


def test_carry_into_top_bit_matches_plain_addition():
    (alice, bob), cp = parties()
    x = np.concatenate([EDGES, default_source.ring((20000,))])
    shares = split(x, 2)
    carry = binary.reconstruct_xor(binary.carry_into_top_bit(shares, (alice, bob), cp))
    low = shares.view(np.uint64) & np.uint64(2 ** 63 - 1)      # bits 0..62 of each share
    np.testing.assert_array_equal(carry, (low[0] + low[1]) >> np.uint64(63))


def test_b2a_bit_gives_additive_shares_of_the_bit():
    (alice, bob), cp = parties()
    bits = (random_words((1001,), 1)).astype(np.uint8)
    out = binary.b2a_bit(binary.split_xor(bits, 2, 1), (alice, bob), cp)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(reconstruct(out), bits.astype(np.int64))


# -- DReLU ----------------------------------------------------------------------------------
def drelu(x, holders, cp):
    return reconstruct(binary.drelu_bits(split(x, 2), holders, cp))


def test_drelu_at_the_edges_of_the_signed_range():
    """No 2^62 bound as in SecureNN: 0, +-1, +-(2^63 - 1) and -2^63 are all right."""
    holders, cp = parties()
    for _ in range(20):                                        # many different share splits
        np.testing.assert_array_equal(drelu(EDGES, holders, cp), (EDGES >= 0).astype(np.int64))


def test_drelu_on_100k_random_values_of_the_whole_ring():
    holders, cp = parties()
    x = default_source.ring((100_000,))
    np.testing.assert_array_equal(drelu(x, holders, cp), (x >= 0).astype(np.int64))


def test_drelu_on_fixed_point_shares_keeps_the_shape():
    holders, cp = parties()
    values = np.array([[-3.5, 0.0, 2.25], [1e-4, -1e-4, 3e4]])
    shared = smpc.share(values, *holders, crypto_provider=cp)
    bits = binary.drelu_bits(shared.shares, holders, cp)
    assert bits.shape == (2, 2, 3) and bits.dtype == np.int64
    np.testing.assert_array_equal(reconstruct(bits), [[0, 1, 1], [1, 0, 1]])
    scalar = binary.drelu_bits(split(np.int64(-5), 2), holders, cp)
    assert scalar.shape == (2,) and reconstruct(scalar) == 0


def test_drelu_takes_non_contiguous_shares():
    holders, cp = parties()
    x = default_source.ring((3, 4, 5))
    bits = binary.drelu_bits(split(x, 2).transpose(0, 3, 1, 2), holders, cp)
    assert bits.shape == (2, 5, 3, 4)
    np.testing.assert_array_equal(reconstruct(bits), (x.transpose(2, 0, 1) >= 0).astype(np.int64))


def test_selected_by_the_comparison_setting():
    holders, cp = parties()
    values = np.linspace(-3, 3, 25).reshape(5, 5)
    x = smpc.share(values, *holders, crypto_provider=cp)
    with smpc.config.using(comparison="binary"), holders[0].network.measure() as stats:
        relu, bit = smpc.relu_with_drelu(x)
    np.testing.assert_allclose(relu.get().float_precision(), np.maximum(values, 0), atol=1e-4)
    np.testing.assert_array_equal(bit.get().float_precision(), (values >= 0).astype(float))
    assert stats.rounds == binary.drelu_cost(25).rounds + 1     # + the Beaver product


def test_drelu_needs_two_holders():
    holders, cp = parties(3)
    with pytest.raises(ProtocolError):
        binary.drelu_bits(split(EDGES, 3), holders, cp)


@pytest.mark.parametrize("prg_seeds", [True, False])
@pytest.mark.parametrize("shape", [(1,), (13,), (100, 100), (64, 128)])
def test_drelu_measured_cost_equals_closed_form(prg_seeds, shape):
    holders, cp = parties(prg_seeds=prg_seeds)
    n = int(np.prod(shape))
    x = default_source.ring(shape)
    with holders[0].network.measure() as stats:
        binary.drelu_bits(split(x, 2), holders, cp)
    expected = binary.drelu_cost(n, prg_seeds)
    assert (stats.bytes, stats.rounds, stats.offline_bytes) == (
        expected.bytes, expected.rounds, expected.offline_bytes)
    # The formulas written in smpc/binary/drelu.py:
    c2, c8 = -(-n // 2), -(-n // 8)
    c4 = -(-n // 4)
    assert stats.bytes == 78 * n + 2 * c4 + 2 * c8 and stats.rounds == 8
    if prg_seeds:
        assert stats.offline_bytes == 31 * n + c2 + c8
    else:
        assert stats.offline_bytes == 138 * n + 6 * c2 + 8 * c8


# -- privacy: what a holder receives does not depend on x --------------------------------
def bits_of(payload):
    """(values, bits per value) 0/1 array of a payload; a uint8 payload is one value per byte."""
    payload = np.ascontiguousarray(payload)
    bits = np.unpackbits(payload.view(np.uint8), bitorder="little")
    return bits.reshape(payload.size, 8 * payload.dtype.itemsize)


def pair_counts(received, own):
    """counts[k, j] = number of rows with received bit k = 1 and own bit j = 1.

    Bit-sliced like the protocol itself: pack each column of bits into uint64
    words (64 rows per word), AND every received column with every own column
    and count the ones (no float products, so no BLAS threads).
    """
    def columns(bits):
        return np.ascontiguousarray(np.packbits(bits, axis=0).T).view(np.uint64)
    ones = np.bitwise_count(columns(received)[:, None, :] & columns(own)[None, :, :])
    return ones.sum(axis=-1, dtype=np.int64)


def views_of_drelu(x, seed, runs):
    """Per holder: its own share's bits and, per message, the bits it received, over ``runs`` runs."""
    holders, cp = parties(seed=seed)
    own = {"alice": [], "bob": []}
    received = {"alice": [], "bob": []}
    for _ in range(runs):
        shares = split(x, 2)
        with holders[0].network.record_views() as views:
            result = binary.drelu_bits(shares, holders, cp)
        np.testing.assert_array_equal(reconstruct(result), (x >= 0).astype(np.int64))
        assert not views.get("crypto_provider"), "the crypto provider must receive nothing"
        for j, name in enumerate(own):
            own[name].append(bits_of(shares[j]))
            received[name].append([bits_of(m.payload) for m in views[name]])
    return own, received


def test_holders_views_are_uniform_and_independent_of_the_input():
    """Every holder's view looks the same for x = 0 and for x = -2^63 + 12345.

    1. Each received bit is a fair coin: one pooled chi-square over all bit
       positions of all messages (goodness of fit), and one for homogeneity
       between the two inputs (bits of one uniform message are independent, so
       the pooled statistics are chi-square distributed).
    2. Jointly with the holder's *own share*: for every received bit k and own
       bit j, the count of (1, 1) must agree between the two inputs (z-test,
       Bonferroni over all pairs).  Marginals alone would miss a leak such as
       sending one's share unmasked, which is uniform but tied to the other's.
    """
    n, runs = 4096, 4
    inputs = [np.zeros(n, np.int64), np.full(n, -(2 ** 63) + 12345, np.int64)]
    observed = [views_of_drelu(x, seed=100 + k, runs=runs) for k, x in enumerate(inputs)]
    for name in ("alice", "bob"):
        (own_a, recv_a), (own_b, recv_b) = [(o[name], r[name]) for o, r in observed]
        assert [[m.shape for m in run] for run in recv_a] == [[m.shape for m in run] for run in recv_b]
        fit = homogeneity = 0.0
        dof = 0
        z_max, pairs = 0.0, 0
        for index in range(len(recv_a[0])):
            a = np.concatenate([run[index] for run in recv_a])
            b = np.concatenate([run[index] for run in recv_b])
            m = a.shape[0]
            if m < 64:                          # the dealer's seeds: 2 words, nothing to test
                continue
            ones_a, ones_b = a.sum(axis=0), b.sum(axis=0)
            fit += np.sum((ones_a - m / 2) ** 2 + (ones_b - m / 2) ** 2) / (m / 4)
            pooled = np.clip((ones_a + ones_b) / (2 * m), 1e-9, 1 - 1e-9)
            homogeneity += np.sum((ones_a - ones_b) ** 2 / (2 * m * pooled * (1 - pooled)))
            dof += a.shape[1]
            if m % (n * runs):                  # packed sub-byte bits: no row per element
                continue
            # Row r of a message belongs to element r % n of its run.
            joint = []
            for recv, own in ((recv_a, own_a), (recv_b, own_b)):
                mine = np.concatenate(own)                                # (runs * n, 64)
                chunks = np.concatenate([run[index].reshape(-1, n, run[index].shape[1])
                                         for run in recv], axis=1)
                joint.append(np.stack([pair_counts(chunk, mine) for chunk in chunks]))
            # Each count sums n * runs rows; under the null a (1, 1) has probability 1/4.
            z = (joint[0] - joint[1]) / np.sqrt(2 * n * runs * 3 / 16)
            z_max, pairs = max(z_max, np.abs(z).max()), pairs + z.size
        assert dof > 0 and pairs > 0
        assert chi2.sf(fit, 2 * dof) > 1e-4, (name, fit, 2 * dof)
        assert chi2.sf(homogeneity, dof) > 1e-4, (name, homogeneity, dof)
        assert z_max < norm.isf(1e-4 / (2 * pairs)), (name, z_max, pairs)
