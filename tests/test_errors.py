"""Bad input gets a clear error (the right type, a message that says what was wrong), never a number."""
import numpy as np
import pytest

import smpc
from smpc.beaver import beaver_product
from smpc.errors import (FixedPointRangeError, PartyMismatchError, ProtocolError, SMPCError,
                         TripleReuseError)
from smpc.fixed_point import FixedPointEncoder
from smpc.sharing import split


@pytest.fixture
def two(parties):
    alice, bob, cp = parties
    return alice, bob, cp, lambda x, **kw: smpc.share(np.asarray(x, float), alice, bob, crypto_provider=cp, **kw)


# -- the fixed-point range -------------------------------------------------------------------
@pytest.mark.parametrize("value", [32768.0 + 2 ** -16, -1e6, 1e300])
def test_value_outside_the_range(two, value):
    _, _, _, share = two
    with pytest.raises(FixedPointRangeError, match=r"outside the fixed-point range \[-32768, 32768\]"):
        share([1.0, value])
    with pytest.raises(FixedPointRangeError, match="outside the fixed-point range"):
        smpc.fix_precision(np.array([value]))
    x = share([1.0, 2.0])
    for op in (lambda: x + value, lambda: x * np.array([value, 1.0]), lambda: value - x):
        with pytest.raises(FixedPointRangeError, match="outside the fixed-point range"):
            op()


def test_the_reference_encoder_states_its_own_range(two):
    _, _, _, share = two
    with pytest.raises(FixedPointRangeError, match=r"\[-2.14748e\+06, 2.14748e\+06\].*base=10, precision=3"):
        share([3e6], encoder=FixedPointEncoder(10, 3))


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nan_and_infinity(two, value):
    _, _, _, share = two
    with pytest.raises(FixedPointRangeError, match="cannot encode NaN or infinity"):
        share([0.0, value])
    with pytest.raises(FixedPointRangeError, match="NaN or infinity"):
        share([1.0]) * value


def test_integers_out_of_range_are_refused_not_wrapped(two):
    _, _, _, share = two
    x = share([1.0])
    with pytest.raises(FixedPointRangeError, match="outside the fixed-point range"):
        x + 2 ** 70  # used to be a raw OverflowError
    with pytest.raises(FixedPointRangeError, match=r"40000.0 is outside .*\[-32768, 32768\]"):
        x + 40000  # used to be accepted beyond the range once scaled by 2^16
    assert (x * 40000).get().float_precision()[0] == 40000.0  # a product by an integer is exact


# -- shares expected -------------------------------------------------------------------------
def test_a_float_tensor_where_shares_are_expected(two):
    alice, bob, cp, _ = two
    with pytest.raises(TypeError, match="shares must be int64 ring elements, got float64.*smpc.share"):
        smpc.SharedTensor(np.ones((2, 3)), (alice, bob), cp)


def test_shares_must_match_the_holders(two):
    alice, bob, cp, _ = two
    with pytest.raises(ValueError, match="need one share row per holder played here.*2 holders.*shares of shape \\(3, 4\\)"):
        smpc.SharedTensor(np.zeros((3, 4), np.int64), (alice, bob), cp)
    with pytest.raises(ValueError, match="at least two holders"):
        smpc.share(np.ones(3), alice, crypto_provider=cp)


def test_operands_of_unknown_type(two):
    _, _, _, share = two
    with pytest.raises(TypeError, match="cannot combine a SharedTensor with str"):
        share([1.0]) + "1"


# -- shapes ---------------------------------------------------------------------------------
def test_add_of_shapes_that_do_not_broadcast(two):
    _, _, _, share = two
    x, y = share(np.ones((2, 3))), share(np.ones((4,)))
    for op in (lambda: x + y, lambda: x - y, lambda: x + np.ones(4), lambda: np.ones(4) - x,
               lambda: x + smpc.fix_precision(np.ones(4))):
        with pytest.raises(ValueError, match=r"cannot add or subtract tensors of shapes \(2, 3\) and \(4,\)"):
            op()


def test_products_of_incompatible_shapes(two):
    _, _, _, share = two
    x = share(np.ones((2, 3)))
    cases = [(lambda: x * share(np.ones(4)), r"multiply elementwise tensors of shapes \(2, 3\) and \(4,\)"),
             (lambda: x * np.ones((3, 2)), r"multiply elementwise tensors of shapes \(2, 3\) and \(3, 2\)"),
             (lambda: x @ share(np.ones((2, 3))), r"matrix-multiply tensors of shapes \(2, 3\) and \(2, 3\)"),
             (lambda: x @ np.ones((4, 5)), r"matrix-multiply tensors of shapes \(2, 3\) and \(4, 5\)"),
             (lambda: np.ones((4, 5)) @ x, r"matrix-multiply tensors of shapes \(4, 5\) and \(2, 3\)"),
             (lambda: share(np.ones((2, 2, 3))) @ share(np.ones((3, 3, 1))), r"\(2, 2, 3\) and \(3, 3, 1\)")]
    for op, message in cases:
        with pytest.raises(ValueError, match=message):
            op()


def test_matmul_needs_matrices(two):
    _, _, _, share = two
    with pytest.raises(ValueError, match="at least two dimensions; reshape a vector"):
        share(np.ones(3)) @ share(np.ones((3, 2)))


# -- parties --------------------------------------------------------------------------------
def test_tensors_shared_among_different_parties(two):
    _, _, _, share = two
    alice2, bob2, cp2 = smpc.make_parties()
    x = share(np.ones(3))
    y = smpc.share(np.ones(3), alice2, bob2, crypto_provider=cp2)
    for op in (lambda: x + y, lambda: x - y, lambda: x * y, lambda: x.reshape(1, 3) @ y.reshape(3, 1),
               lambda: smpc.concatenate([x, y]), lambda: x.index_add([0], y)):
        with pytest.raises(PartyMismatchError, match="shared among different parties"):
            op()


def test_sharing_among_parties_of_different_networks(two):
    alice, _, cp, _ = two
    _, bob2, _ = smpc.make_parties()
    with pytest.raises(PartyMismatchError, match="on a different network"):
        smpc.share(np.ones(2), alice, bob2, crypto_provider=cp)


# -- protocols ------------------------------------------------------------------------------
def test_a_reused_triple(two):
    alice, bob, cp, _ = two
    xs, ys = split(np.arange(3), 2), split(np.arange(3), 2)
    triple = cp.mul_triple([alice, bob], (3,), (3,))
    beaver_product(xs, ys, [alice, bob], cp, triple=triple)
    with pytest.raises(TripleReuseError, match="already used; reusing a triple reveals"):
        beaver_product(xs, ys, [alice, bob], cp, triple=triple)


def test_truncation_with_more_than_two_holders(three_parties):
    *holders, cp = three_parties
    x = smpc.share(np.ones(3), *holders, crypto_provider=cp)
    with pytest.raises(ProtocolError, match="exactly two holders, these shares have 3"):
        x * x
    assert np.allclose((x + x * 2).get().float_precision(), 3.0)  # linear ops still work


@pytest.mark.parametrize("divisor, error, message", [
    ("2", TypeError, "divided by a public positive number, not '2'"),
    (True, TypeError, "not True"),
    (0, ValueError, "positive finite number, got 0"),
    (-4, ValueError, "positive finite number, got -4"),
    (float("nan"), ValueError, "positive finite number, got nan"),
    (float("inf"), ValueError, "positive finite number, got inf"),
])
def test_dividing_by_a_bad_divisor(two, divisor, error, message):
    _, _, _, share = two
    with pytest.raises(error, match=message):
        share([1.0]) / divisor


@pytest.mark.parametrize("divisor", [2.5, 0.3, 64.0, 100000.5, 300000.5, 7])
def test_dividing_by_a_real_keeps_its_precision(two, divisor):
    """A reciprocal far below the encoder's unit (1 / 300000.5) must not round to zero."""
    _, _, _, share = two
    x = np.array([1.0, -2.5, 1000.0, 30000.0])
    got = (share(x) / divisor).get().float_precision()
    np.testing.assert_allclose(got, x / divisor, rtol=2 ** -15, atol=2 * 2 ** -16)


def test_powers_other_than_one_and_two(two):
    _, _, _, share = two
    with pytest.raises(ValueError, match=r"\*\* 1 and \*\* 2, not \*\* 3"):
        share([1.0]) ** 3


def test_requires_grad_belongs_to_autograd(two):
    alice, bob, cp, _ = two
    with pytest.raises(TypeError, match="requires_grad belongs to autograd"):
        smpc.fix_precision(np.ones(2)).share(alice, bob, crypto_provider=cp, requires_grad=True)


def test_every_smpc_error_is_an_SMPCError():
    for cls in (FixedPointRangeError, PartyMismatchError, ProtocolError, TripleReuseError):
        assert issubclass(cls, SMPCError)


def test_fixed_precision_tensors_hold_encodings_only():
    with pytest.raises(TypeError, match="encode floats with smpc.fix_precision"):
        smpc.FixedPrecisionTensor(np.array([1.5]))
    fixed = smpc.fix_precision(np.array([1.5]))
    with pytest.raises(ValueError, match="already encoded"):
        smpc.fix_precision(fixed, encoder=smpc.FixedPointEncoder(10, 3))
    with pytest.raises(TypeError, match="positive integer, not 2.5"):
        fixed / 2.5
    with pytest.raises(TypeError, match="positive integer, not 0"):
        fixed / 0
