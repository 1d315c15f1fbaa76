"""Misuse at the public entry points is refused before any work, with a clear error.

Parties and roles, real-number dtypes, encoders, public divisors, empty means,
triples and masked pairs checked before they are used up, what a second ``get()``
means, IDX paths that are directories.
"""
import datetime
import re
from fractions import Fraction

import numpy as np
import pytest

import nn
import smpc
from datasets import read_idx
from smpc import beaver, safe_truncation
from smpc.truncation import truncate
from smpc.errors import FixedPointRangeError, PartyMismatchError, TripleReuseError


@pytest.fixture
def run(parties):
    alice, bob, cp = parties
    return alice, bob, cp, lambda v, **kw: smpc.share(np.asarray(v, float), alice, bob,
                                                       crypto_provider=cp, **kw)


# -- parties and roles ------------------------------------------------------------------------
def test_a_party_named_twice_as_holder_is_refused(run):
    alice, bob, cp, _ = run
    with pytest.raises(PartyMismatchError, match=r"\['alice', 'alice'\] name a party more than once"):
        smpc.share(np.ones(2), alice, alice, crypto_provider=cp)
    carol_net = smpc.make_parties(seed=0, names=("alice", "bob", "carol"))
    with pytest.raises(PartyMismatchError, match="more than once"):
        smpc.share(np.ones(2), carol_net[0], carol_net[1], carol_net[0], crypto_provider=carol_net[3])


def test_the_crypto_provider_or_the_local_client_cannot_hold_a_share(run):
    alice, bob, cp, _ = run
    with pytest.raises(PartyMismatchError, match="crypto provider .* cannot hold a share"):
        smpc.share(np.ones(2), alice, cp, crypto_provider=cp)
    with pytest.raises(PartyMismatchError, match="local client .* cannot hold a share"):
        smpc.share(np.ones(2), alice, alice.network.local, crypto_provider=cp)


def test_a_worker_as_crypto_provider_is_refused(run):
    alice, bob, cp, _ = run
    with pytest.raises(PartyMismatchError, match="Worker\\('bob'\\) is not a crypto provider"):
        smpc.share(np.ones(2), alice, bob, crypto_provider=bob)


@pytest.mark.parametrize("bad", ["bob", None, 3])
def test_something_else_in_place_of_a_party_is_a_type_error(run, bad):
    alice, bob, cp, _ = run
    with pytest.raises(TypeError, match="the holder must be a party"):
        smpc.share(np.ones(2), alice, bad, crypto_provider=cp)
    with pytest.raises(TypeError, match="the crypto provider must be a party"):
        smpc.share(np.ones(2), alice, bob, crypto_provider=bad)
    with pytest.raises(TypeError, match="the owner must be a party"):
        smpc.share(np.ones(2), alice, bob, crypto_provider=cp, owner=bad or "x")
    with pytest.raises(TypeError, match="receiver of get\\(\\) must be a party"):
        smpc.share(np.ones(2), alice, bob, crypto_provider=cp).get(bad or "x")


def test_shares_built_directly_are_checked_too(run):
    alice, bob, cp, _ = run
    with pytest.raises(PartyMismatchError, match="more than once"):
        smpc.SharedTensor(np.zeros((2, 3), np.int64), (alice, alice), cp)
    with pytest.raises(PartyMismatchError, match="not a crypto provider"):
        smpc.SharedTensor(np.zeros((2, 3), np.int64), (alice, bob), alice)


def test_a_model_shared_among_a_party_twice_is_refused_and_unchanged(run):
    alice, _, cp, _ = run
    model = nn.Sequential(nn.Linear(3, 2))
    model.fix_precision()
    with pytest.raises(PartyMismatchError, match="more than once"):
        model.share(alice, alice, crypto_provider=cp)


def test_valid_sharings_still_work(run, three_parties):
    _, _, _, share = run
    assert share([1.5, -2.0]).get().float_precision().tolist() == [1.5, -2.0]
    a, b, c, cp = three_parties
    x = smpc.share(np.array([3.0]), a, b, c, crypto_provider=cp, owner=a)
    assert x.get(receiver=b).float_precision().tolist() == [3.0]


# -- only real numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("values, dtype_word", [
    (np.array([1 + 2j]), "complex values of dtype complex128"),
    (np.array(["1.5"]), "string values of dtype <U3"),
    (np.array([b"1"]), "bytes values"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime values of dtype datetime64"),
    (np.array([1], dtype="timedelta64[s]"), "time delta values"),
    (np.array([datetime.date(2020, 1, 1)], dtype=object), "Python object values of dtype object"),
    (["1.5", "2"], "string values"),
])
def test_values_that_are_not_real_numbers_are_refused_by_dtype(run, values, dtype_word):
    alice, bob, cp, _ = run
    x = smpc.share(np.ones(1), alice, bob, crypto_provider=cp)
    for attempt in (lambda: smpc.share(values, alice, bob, crypto_provider=cp),
                    lambda: smpc.fix_precision(values),
                    lambda: smpc.DEFAULT_ENCODER.encode(values),
                    lambda: x + values, lambda: x * values):
        with pytest.raises(TypeError, match=f"only real numbers can be encoded.*{dtype_word}"):
            attempt()


def test_real_numbers_of_every_kind_are_accepted():
    enc = smpc.DEFAULT_ENCODER
    for values in (np.array([True, False]), np.array([3], np.uint8), np.array([-2], np.int16),
                   np.array([0.5], np.float32), [1, 2.5], [Fraction(1, 4)], 7, 2.0):
        decoded = enc.decode(enc.encode(values))
        np.testing.assert_allclose(decoded, np.asarray(values, dtype=float), atol=enc.ulp)


# -- encoders ---------------------------------------------------------------------------------
def test_an_encoder_given_as_a_setting_string_is_refused_with_the_fix(run):
    alice, bob, cp, share = run
    advice = r"encoder must be a smpc.FixedPointEncoder, got str '10:3'.*encoder_from_setting\('10:3'\)"
    with pytest.raises(TypeError, match=advice):
        share([1.0], encoder="10:3")
    with pytest.raises(TypeError, match=advice):
        smpc.fix_precision(np.ones(2), encoder="10:3")
    with pytest.raises(TypeError, match="got int 16"):
        smpc.FixedPrecisionTensor(np.ones(2, np.int64), 16)
    model = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(TypeError, match=advice):
        model.fix_precision("10:3")


@pytest.mark.parametrize("setting", ["abc", "10:x", "", "10:3:1", "-4", "2.5"])
def test_bad_encoder_settings_are_explained(setting):
    with pytest.raises(ValueError, match="number of fractional bits such as 16, or base:digits"):
        smpc.encoder_from_setting(setting)


def test_good_encoder_settings():
    assert smpc.encoder_from_setting("10:3") == smpc.FixedPointEncoder(10, 3)
    assert smpc.encoder_from_setting(" 12 ") == smpc.FixedPointEncoder(2, 12)
    assert smpc.encoder_from_setting(16) == smpc.DEFAULT_ENCODER


# -- public divisors --------------------------------------------------------------------------
@pytest.mark.parametrize("divisor, message", [
    (1e-10, r"reciprocal 1e\+10 is outside the fixed-point range .* divide by at least 3.05176e-05"),
    (2 ** -16, "reciprocal 65536 is outside"),
    (2 ** 70, "above 2\\^31 every quotient .* is below one unit"),
    (1e300, "above 2\\^31"),
    (float(2 ** 31 + 1), "above 2\\^31"),
    (10 ** 400, "above 2\\^31"),
])
def test_divisors_out_of_range_are_refused_before_any_work(run, divisor, message):
    alice, _, _, share = run
    x = share([1.0, -2.0])
    network = alice.network
    with network.measure() as traffic:
        with pytest.raises(FixedPointRangeError, match=message):
            x / divisor
    assert traffic.bytes == 0 and traffic.rounds == 0


def test_divisors_at_the_ends_of_the_range_work(run):
    _, _, _, share = run
    x = share([0.5, -0.25])
    np.testing.assert_allclose((x / 2 ** -15).get().float_precision(), [16384, -8192], atol=2e-3)
    np.testing.assert_allclose((x / 2 ** 31).get().float_precision(), [0, -2 ** -16], atol=2e-5)
    y = share([30000.0])
    np.testing.assert_allclose((y / 2 ** 31).get().float_precision(), [0.0], atol=2e-5)


def test_the_reference_encoding_divides_by_small_reals_without_truncating(run):
    """Base 10 allows 1 / d above 2^15: then x is multiplied by round(1 / d), exactly."""
    alice, bob, cp, _ = run
    enc = smpc.FixedPointEncoder(10, 3)
    x = smpc.share(np.array([0.002, -0.001]), alice, bob, crypto_provider=cp, encoder=enc)
    got = (x / 1e-5).get().float_precision()
    np.testing.assert_allclose(got, [200.0, -100.0], rtol=2 ** -16)
    with pytest.raises(FixedPointRangeError, match="divide by at least 4.65661e-07"):
        x / 1e-7


# -- empty tensors ----------------------------------------------------------------------------
def test_the_mean_of_an_empty_tensor_is_refused(run):
    _, _, _, share = run
    with pytest.raises(ValueError, match=r"mean of an empty tensor \(shape \(0,\)\)"):
        share(np.zeros(0)).mean()
    with pytest.raises(ValueError, match="mean of an empty tensor"):
        share(np.zeros((3, 0))).mean(axis=0)
    assert share(np.zeros((0, 3))).sum().get().float_precision() == 0.0  # a sum of nothing is 0


# -- one-use correlated randomness ------------------------------------------------------------
def test_a_triple_of_the_wrong_shape_is_refused_and_not_used_up(run):
    alice, bob, cp, share = run
    x, y = share(np.ones((2, 3))), share(np.ones((2, 3)))
    wrong = cp.mul_triple((alice, bob), (3,), (3,))
    with pytest.raises(ValueError, match="do not match the operands .* the triple was not used"):
        beaver.beaver_product(x.shares, y.shares, (alice, bob), cp, "mul", triple=wrong)
    assert not wrong.used
    pair = cp.square_pair((alice, bob), (4,))
    with pytest.raises(ValueError, match="square pair of shape \\(4,\\) does not match"):
        beaver.beaver_square(x.shares, (alice, bob), cp, pair=pair)
    assert not pair.used
    square = cp.square_pair((alice, bob), (2, 3))
    with pytest.raises(ValueError, match="a square triple cannot serve a mul product"):
        beaver.beaver_product(x.shares, y.shares, (alice, bob), cp, "mul", triple=square)
    mul = cp.mul_triple((alice, bob), (2, 3), (2, 3))
    with pytest.raises(ValueError, match="a mul triple is not a square pair"):
        beaver.beaver_square(x.shares, (alice, bob), cp, pair=mul)
    assert not square.used and not mul.used


def test_a_masked_truncation_pair_cannot_be_reused(run):
    alice, bob, cp, share = run
    x = share([1.0, 2.0]) * 3.0          # a product, still at scale^2 before truncation
    holders = (alice, bob)
    pair = safe_truncation.masked_pair(cp, holders, (2,), 2 ** 16)
    product = x.shares * np.int64(2 ** 16)
    first = safe_truncation.truncate_masked(product, 2 ** 16, holders, cp, pair=pair)
    assert smpc.FixedPrecisionTensor(first.sum(0)).float_precision().tolist() == [3.0, 6.0]
    with pytest.raises(TripleReuseError, match="masked truncation pair .* already used"):
        safe_truncation.truncate_masked(product, 2 ** 16, holders, cp, pair=pair)


def test_a_masked_pair_for_another_shape_or_divisor_is_refused_unused(run):
    alice, bob, cp, share = run
    holders = (alice, bob)
    x = share([1.0, 2.0])
    for shape, divisor in (((3,), 2 ** 16), ((2,), 1000)):
        pair = safe_truncation.masked_pair(cp, holders, shape, divisor)
        with pytest.raises(ValueError, match="does not fit truncating .* the pair was not used"):
            safe_truncation.truncate_masked(x.shares, 2 ** 16, holders, cp, pair=pair)
        assert not pair.used


# -- what get() means -------------------------------------------------------------------------
def test_get_reveals_and_leaves_the_shares_so_a_second_get_is_the_same_reveal(run):
    alice, _, _, share = run
    x = share([1.5, -2.0])
    shares_before = x.shares.copy()
    with alice.network.measure() as first:
        a = x.get().float_precision()
    with alice.network.measure() as second:
        b = x.get().float_precision()
    assert a.tolist() == b.tolist() == [1.5, -2.0]
    assert first.bytes == second.bytes == 8 * 2 * 2 and first.rounds == second.rounds == 1
    assert np.array_equal(x.shares, shares_before)          # nothing moved or changed
    assert (x + 1).get().float_precision().tolist() == [2.5, -1.0]  # still usable


def test_a_models_get_moves_it_so_a_second_get_is_refused(run):
    alice, bob, cp, _ = run
    model = nn.Sequential(nn.Linear(2, 2))
    model.fix_precision().share(alice, bob, crypto_provider=cp)
    model.get()
    with pytest.raises(TypeError, match="get\\(\\) needs shared parameters"):
        model.get()


# -- files --------------------------------------------------------------------------------------
def test_read_idx_of_a_directory_says_so(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory, not an IDX file"):
        read_idx(tmp_path)


def test_huge_integer_divisors_are_refused_at_every_level(run):
    alice, bob, cp, share = run
    x = share([1.0, -2.0])
    with pytest.raises(ValueError,
                       match=r"divides by an integer in \[1, 2\^62\), got 1180591620717411303424"):
        truncate(x.shares, 2 ** 70, (alice, bob), cp)   # was silently wrong (an int64 shifted by 70)
    with pytest.raises(FixedPointRangeError, match="every quotient would be 0"):
        smpc.fix_precision(np.array([1.0])) / 2 ** 70
    with pytest.raises(ValueError, match="precision must be a non-negative integer, got True"):
        smpc.FixedPointEncoder(2, True)


def test_shape_errors_speak_of_the_data_not_of_the_party_axis(run):
    _, _, _, share = run
    x = share(np.ones((1, 3)))
    with pytest.raises(ValueError, match=re.escape("cannot reshape a tensor of shape (1, 3) (3 values) "
                                                   "into (7,)")):
        x.reshape(7)
    assert x.reshape(-1).shape == (3,) and x.reshape(3, 1).shape == (3, 1)
    for bad in ((2, 1), (3, 1), (0, 0)):   # axis 2 used to wrap around to axis 0 silently
        with pytest.raises(ValueError, match=re.escape(f"transpose axes {bad} are not a permutation")):
            x.transpose(*bad)
    assert x.transpose(1, 0).shape == (3, 1) and x.transpose(-1, -2).shape == (3, 1)
    with pytest.raises(ValueError, match="concatenate needs at least one shared tensor"):
        smpc.concatenate([])
