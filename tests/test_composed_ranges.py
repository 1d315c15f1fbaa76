"""Composed operations keep every truncation inside its method's range, and a stated bound.

The masked truncation is correct only for values ``|x| <= 2^47`` (see
``smpc/safe_truncation.py``); local truncation fails with probability ``|x| / 2^64``.
So every operation must hand its truncation a value within that range whenever its
inputs and its result are in the fixed-point range:

* ``x * y``, ``x * c`` with ``|y|, |c| <= 1``: ``|x y| scale^2 <= 2^31 scale = 2^47``;
* ``x / d`` for a real ``d``: ``x * r`` with ``r < 2^16``, below ``2^47``;
* ``x / n`` for an integer and ``mean`` over ``n``: the encoding (or sum) itself.

Error bound of a composition, element by element, with ``u`` the encoder's unit and
``b`` the bound so far (starting at ``u/2``, the encoding):

==============================  ==================================================
operation                       bound after it
==============================  ==================================================
``x * y`` (shared or public)    ``|y| b + (|x| + b) u/2 + 2u``
``x / n`` (integer)             ``b / n + 2u``
``x / d`` (real)                ``(b (1 + 2^-16) + |x| 2^-16) / d + 2u``
``mean`` over ``n``             ``mean(b) + 2u``;  ``sum``: ``sum(b)``
``x + y`` (shared)              ``b + u/2``
==============================  ==================================================

(``2u``: a truncation's result lies within ``[-2, +1]`` units of the exact quotient
for every method: local and masked add 0 or 1 to the floor, exact subtracts 0 or 1,
or adds -1, 0, +1 for a divisor that is not a power of two.)  A wild error is one far
outside this bound; the property test below asserts none, under every method.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import smpc
from smpc import shared_tensor
from smpc.config import TRUNCATION_METHODS
from smpc.sharing import reconstruct
from strategies import ENCODER_IDS, ENCODERS, REL, SETTINGS, float_arrays

MASKED_LIMIT = 2 ** 47
RECIPROCAL_REL = 2.0 ** -16
SHAPE = (4, 3)


@pytest.fixture
def recorded(monkeypatch):
    """Every (largest |value|, divisor) handed to a truncation by a SharedTensor operation."""
    seen = []
    real = shared_tensor.truncate

    def recording(shares, divisor, holders, crypto_provider):
        if int(divisor) > 1:
            seen.append((int(np.abs(reconstruct(shares).astype(object)).max(initial=0)), divisor))
        return real(shares, divisor, holders, crypto_provider)

    monkeypatch.setattr(shared_tensor, "truncate", recording)
    return seen


def assert_in_masked_range(recorded, may_be_empty=False):
    assert recorded or may_be_empty, "nothing was truncated"
    if not recorded:
        return
    worst = max(v for v, _ in recorded)
    assert worst <= MASKED_LIMIT, f"a truncation got |x| = 2^{np.log2(worst):.2f} > 2^47"


# -- the audit's case, and real divisors in general -------------------------------------------
def test_division_by_a_real_near_one_stays_in_the_masked_range_and_is_never_wild(recorded):
    """x / 1.01 for x in [-32768, -31000]: the value truncated used to reach 2^48."""
    alice, bob, cp = smpc.make_parties(seed=3)
    x = np.linspace(-32768, -31000, 200_000)
    u = smpc.DEFAULT_ENCODER.ulp
    with smpc.config.using(truncation="masked"):
        got = (smpc.share(x, alice, bob, crypto_provider=cp) / 1.01).get().float_precision()
    bound = (u / 2 * (1 + RECIPROCAL_REL) + np.abs(x) * RECIPROCAL_REL) / 1.01 + 2 * u
    assert np.max(np.abs(got - x / 1.01) - bound) <= 0
    assert_in_masked_range(recorded)


@pytest.mark.parametrize("divisor", [1.0001, 1.01, 1.5, 1.9999, 2.0001, 3.3, 1000.5, 65535.9,
                                     2.0 ** 20 + 0.5, 0.99, 0.5001, 0.25, 1 / 3, 2.0 ** -15])
def test_every_real_divisor_keeps_the_truncated_value_below_2_to_47(recorded, divisor):
    alice, bob, cp = smpc.make_parties(seed=4)
    enc = smpc.DEFAULT_ENCODER
    # The largest inputs whose quotient is still in the range.
    top = min(enc.max_value, enc.max_value * divisor)
    x = np.array([top, -top, top / 3, enc.ulp, 0.0, -enc.ulp])
    with smpc.config.using(truncation="masked"):
        got = (smpc.share(x, alice, bob, crypto_provider=cp) / divisor).get().float_precision()
    u = enc.ulp
    bound = (u / 2 * (1 + RECIPROCAL_REL) + np.abs(x) * RECIPROCAL_REL) / divisor + 2 * u
    assert np.all(np.abs(got - x / divisor) <= bound + REL * np.abs(x / divisor))
    assert_in_masked_range(recorded, may_be_empty=divisor <= 2.0 ** -15)  # r = 2^15: no truncation


def test_products_and_means_at_the_ends_of_the_range_stay_in_the_masked_range(recorded):
    alice, bob, cp = smpc.make_parties(seed=5)
    big = np.array([32768.0, -32768.0, 32767.99, -1.0])
    x = smpc.share(big, alice, bob, crypto_provider=cp)
    one = smpc.share(np.array([1.0, 1.0, -1.0, -0.5]), alice, bob, crypto_provider=cp)
    with smpc.config.using(truncation="masked"):
        product = (x * one).get().float_precision()
        public = (x * -1.0).get().float_precision()
        mean = x.mean().get().float_precision()
    np.testing.assert_allclose(product, big * [1, 1, -1, -0.5], atol=3 * 2 ** -16 + 32768 * 2 ** -17)
    np.testing.assert_allclose(public, -big, atol=2 ** -15)
    np.testing.assert_allclose(mean, big.mean(), atol=2 ** -14)
    assert_in_masked_range(recorded)


# -- random compositions against float64 ------------------------------------------------------
OPERATIONS = ("mul_shared", "mul_public", "div_int", "div_real", "div_small", "mean", "sum", "add")


def apply(op, data, x, ref, bound, encoder, share):
    """One operation on the shares, on the float64 reference, and on the error bound.

    Returns ``None`` when the operation's result could leave the fixed-point range
    (it is then skipped: results out of range are the caller's error, not ours).
    """
    u, top = encoder.ulp, encoder.max_value
    magnitude = np.abs(ref) + bound
    if op in ("mul_shared", "mul_public"):
        if op == "mul_shared":
            y = data.draw(float_arrays(SHAPE, 1.0, u), label="y")
            out = x * share(y)
        else:
            y = data.draw(st.floats(-1, 1), label="c")
            out = x * y
        y_abs = np.abs(y)
        return out, ref * y, y_abs * bound + magnitude * u / 2 + 2 * u
    if op == "div_int":
        n = data.draw(st.integers(2, 1000), label="n")
        return x / n, ref / n, bound / n + 2 * u
    if op in ("div_real", "div_small"):
        d = data.draw(st.floats(1.0, 100.0) if op == "div_real" else st.floats(0.05, 1.0),
                      label="d")
        if float(d).is_integer() or np.max(magnitude) / d > top:
            return None
        return x / d, ref / d, (bound * (1 + RECIPROCAL_REL) + np.abs(ref) * RECIPROCAL_REL) / d + 2 * u
    if op in ("mean", "sum"):
        axis = data.draw(st.sampled_from([0, 1]), label="axis")
        n = SHAPE[axis]
        if op == "sum" and np.max(magnitude.sum(axis=axis)) > top:
            return None
        reduced = x.mean(axis, keepdims=True) if op == "mean" else x.sum(axis, keepdims=True)
        out_ref = ref.mean(axis, keepdims=True) if op == "mean" else ref.sum(axis, keepdims=True)
        out_bound = bound.sum(axis, keepdims=True) / (n if op == "mean" else 1) + (
            2 * u if op == "mean" else 0)
        zero = share(np.zeros(SHAPE))     # broadcast back to the full shape, exactly
        return reduced + zero, np.broadcast_to(out_ref, SHAPE), np.broadcast_to(out_bound, SHAPE)
    y = data.draw(float_arrays(SHAPE, 1.0, u), label="y")
    if np.max(magnitude) + 1 > top:
        return None
    return x + share(y), ref + y, bound + u / 2


@pytest.mark.parametrize("method", TRUNCATION_METHODS)
@pytest.mark.parametrize("encoder", ENCODERS, ids=ENCODER_IDS)
@SETTINGS
@given(data=st.data())
def test_random_compositions_stay_within_the_stated_bound(method, encoder, data):
    alice, bob, cp = smpc.make_parties(seed=11)

    def share(values):
        return smpc.share(values, alice, bob, crypto_provider=cp, encoder=encoder)

    ref = data.draw(float_arrays(SHAPE, encoder.max_value, encoder.ulp), label="x")
    ref = encoder.decode(encoder.encode(ref))  # the start is exact; the encoding error is in b
    bound = np.full(SHAPE, encoder.ulp / 2)
    x = share(ref)
    ops = data.draw(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=5), label="ops")
    truncated = []
    real_truncate = shared_tensor.truncate

    def recording(shares, divisor, holders, crypto_provider):
        if int(divisor) > 1:
            truncated.append(int(np.abs(reconstruct(shares).astype(object)).max(initial=0)))
        return real_truncate(shares, divisor, holders, crypto_provider)

    shared_tensor.truncate = recording
    try:
        with smpc.config.using(truncation=method):
            for op in ops:
                step = apply(op, data, x, ref, bound, encoder, share)
                if step is not None:
                    x, ref, bound = step
            got = x.get().float_precision()
    finally:
        shared_tensor.truncate = real_truncate
    error = np.abs(got - ref)
    assert np.all(error <= bound + REL * np.abs(ref)), (
        f"{ops}: error {error.max():.3g} > bound {bound.max():.3g} ({method})")
    assert all(v <= MASKED_LIMIT for v in truncated), (ops, [np.log2(v) for v in truncated])
