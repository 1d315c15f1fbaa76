"""exp, log, reciprocal, sqrt, inv_sqrt, sigmoid, tanh, softmax on shares.

Each function is checked against the float function on a grid over its stated range plus
the edges (zero, one unit either side, the ends of the range, values beyond it that must
be clamped), with the error bound its docstring states; and its measured bytes and rounds
against its closed form.
"""
import numpy as np
import pytest
import scipy.special

import smpc
from smpc import exponential, logarithm, reciprocal, sigmoid, softmax, sqrt
from smpc.ranges import clamp, clamp_cost, octave_function, octaves, octaves_cost

ULP = 2.0 ** -16
ENC = smpc.DEFAULT_ENCODER


def encoded(values):
    """The values as the fixed-point encoding sees them (what the shares hold)."""
    return ENC.decode(ENC.encode(values))


def on_shares(parties, fn, values, **kwargs):
    alice, bob, cp = parties
    x = smpc.share(values, alice, bob, crypto_provider=cp)
    with alice.network.measure() as stats:
        y = fn(x, **kwargs)
    return y.get().float_precision(), stats


def positive_grid(low, high):
    return np.concatenate([np.geomspace(low, high * (1 - 1e-6), 400),
                           [low, low + ULP, 1 - ULP, 1.0, 1 + ULP, high - ULP]])


# -- helpers ---------------------------------------------------------------------------------

def test_clamp_is_exact_and_costs_its_closed_form(parties):
    values = np.array([-100.0, -2.0, -2.0 + ULP, 0.0, 3.0, 3.0 + ULP, 1e4])
    y, stats = on_shares(parties, clamp, values, low=-2.0, high=3.0)
    assert np.array_equal(y, np.clip(values, -2.0, 3.0))
    assert (stats.bytes, stats.rounds) == clamp_cost(values.size)


def test_octave_function_gives_f_of_the_octave(parties):
    alice, bob, cp = parties
    values = np.array([2.0 ** -5, 0.75, 1.0, 1.5, 2.0 - ULP, 2.0, 1000.0, 2.0 ** 14, 0.0])
    x = smpc.share(values, alice, bob, crypto_provider=cp)
    with alice.network.measure() as stats:
        bits = octaves(x, -4, 14)
        k = octave_function(bits, -4, float)
    k = k.get().float_precision()
    assert np.array_equal(k, np.maximum(np.floor(np.log2(np.maximum(values, 1e-9))), -5))
    assert (stats.bytes, stats.rounds) == octaves_cost(values.size, 19)


# -- exp --------------------------------------------------------------------------------------

def test_exp_accuracy_and_clamping(parties):
    values = np.concatenate([np.linspace(-16, 2, 500), [0.0, ULP, -ULP, -16.0, -40.0]])
    y, _ = on_shares(parties, exponential.exp, values)
    truth = np.exp(np.clip(encoded(values), -16, 10))
    assert np.max(np.abs(y - truth)) < 0.1          # x^2 / 512 relative at x = 2
    near_zero = np.abs(values) <= 1
    assert np.max(np.abs(y - truth)[near_zero] / truth[near_zero]) < 1e-2
    assert np.max(np.abs(y - truth)[values <= 0]) < 6e-3


def test_exp_top_of_range_and_above(parties):
    y, _ = on_shares(parties, exponential.exp, np.array([10.0, 12.0, 30000.0]))
    # (1 + x/256)^256 at x = 10 is e^(10 - 100/512 + ...): the stated 18% at the top.
    assert np.all(np.abs(y / np.exp(10.0) - 1) < 0.2)
    assert np.allclose(y, y[0], rtol=1e-3)           # all clamped to 10 (rounding differs)


def test_exp_cost_is_its_closed_form(parties):
    values = np.linspace(-3, 3, 7)
    for iterations in (5, 8):
        _, stats = on_shares(parties, exponential.exp, values, iterations=iterations)
        assert (stats.bytes, stats.rounds) == exponential.exp_cost(7, iterations)[:2]
    _, stats = on_shares(parties, exponential.exp_in_range, values)
    assert (stats.bytes, stats.rounds) == exponential.exp_cost(7, clamped=False)[:2]


def test_exp_refuses_bad_iteration_counts(parties):
    alice, bob, cp = parties
    x = smpc.share(np.zeros(2), alice, bob, crypto_provider=cp)
    with pytest.raises(ValueError, match="at least 4"):
        exponential.exp(x, iterations=3)
    with pytest.raises(ValueError, match="whole number"):
        exponential.exp(x, iterations=2.5)


def test_exp_on_floats_clamps_the_same_way():
    assert np.allclose(exponential.exp(np.array([-40.0, 0.0, 20.0])),
                       np.exp([-16.0, 0.0, 10.0]))


# -- reciprocal, inv_sqrt, sqrt, log ----------------------------------------------------------

def relative_error(y, truth, floor=2.0 ** -4):
    big = np.abs(truth) > floor
    return np.max(np.abs(y - truth)[big] / np.abs(truth[big]))


def test_reciprocal_accuracy_over_its_range(parties):
    values = positive_grid(2.0 ** -12, 2.0 ** 15)
    y, _ = on_shares(parties, reciprocal.reciprocal, values)
    truth = 1 / encoded(values)
    assert relative_error(y, truth) < 5e-4
    assert np.max(np.abs(y - truth)[truth <= 2.0 ** -4]) < 4 * ULP


def test_reciprocal_clamps_below_its_range(parties):
    y, _ = on_shares(parties, reciprocal.reciprocal, np.array([0.0, -5.0, 2.0 ** -14]))
    assert np.allclose(y, 2.0 ** 12, rtol=1e-3)
    assert np.allclose(reciprocal.reciprocal(np.array([0.0, 2.0])), [4096.0, 0.5])


def test_reciprocal_narrow_range_and_cost(parties):
    values = np.array([0.5, 1.0, 1.7, 3.0, 7.99])
    y, stats = on_shares(parties, reciprocal.reciprocal, values, low=0.5, high=8.0)
    assert np.max(np.abs(y * encoded(values) - 1)) < 5e-4
    assert (stats.bytes, stats.rounds) == reciprocal.reciprocal_cost(5, low=0.5, high=8.0)[:2]
    _, stats = on_shares(parties, reciprocal.reciprocal, values, iterations=1)
    assert (stats.bytes, stats.rounds) == reciprocal.reciprocal_cost(5, 1)[:2]


def test_reciprocal_refuses_ranges_that_are_not_powers_of_two(parties):
    with pytest.raises(ValueError, match="power of two"):
        reciprocal.reciprocal(np.ones(2), low=0.3)
    with pytest.raises(ValueError, match="low < high"):
        reciprocal.reciprocal(np.ones(2), low=4.0, high=2.0)


def test_inv_sqrt_and_sqrt_accuracy(parties):
    values = positive_grid(2.0 ** -12, 2.0 ** 15)
    y, stats = on_shares(parties, sqrt.inv_sqrt, values)
    truth = 1 / np.sqrt(encoded(values))
    assert relative_error(y, truth) < 1e-3
    assert (stats.bytes, stats.rounds) == sqrt.inv_sqrt_cost(values.size)[:2]
    y, stats = on_shares(parties, sqrt.sqrt, values)
    truth = np.sqrt(encoded(values))
    assert relative_error(y, truth) < 5e-3
    assert (stats.bytes, stats.rounds) == sqrt.inv_sqrt_cost(values.size, root=True)[:2]


def test_inv_sqrt_from_below_with_a_narrow_range(parties):
    values = np.concatenate([positive_grid(2.0 ** -4, 2.0 ** 8), [0.0, 1000.0]])
    y, stats = on_shares(parties, sqrt.inv_sqrt, values, guess="below", low=2.0 ** -4,
                         high=2.0 ** 8)
    truth = 1 / np.sqrt(np.clip(encoded(values), 2.0 ** -4, 2.0 ** 8))
    assert relative_error(y, truth) < 1e-3
    assert sqrt.below_iterations(2.0 ** -4, 2.0 ** 8) == 14
    assert (stats.bytes, stats.rounds) == sqrt.inv_sqrt_cost(
        values.size, guess="below", low=2.0 ** -4, high=2.0 ** 8)[:2]


def test_sqrt_clamps_and_refuses_unknown_guesses(parties):
    y, _ = on_shares(parties, sqrt.sqrt, np.array([0.0, -1.0]))
    assert np.allclose(y, 2.0 ** -6, atol=4 * ULP)
    assert np.allclose(sqrt.sqrt(np.array([0.0, 4.0])), [2.0 ** -6, 2.0])
    with pytest.raises(ValueError, match="guess"):
        sqrt.inv_sqrt(np.ones(2), guess="magic")


def test_log_accuracy_and_cost(parties):
    values = np.concatenate([positive_grid(2.0 ** -12, 2.0 ** 15), [0.0, -3.0]])
    y, stats = on_shares(parties, logarithm.log, values)
    truth = np.log(np.maximum(encoded(values), 2.0 ** -12))
    assert np.max(np.abs(y - truth)) < 3e-4
    assert (stats.bytes, stats.rounds) == logarithm.log_cost(values.size)[:2]


# -- sigmoid, tanh ---------------------------------------------------------------------------

def test_sigmoid_and_tanh_accuracy_and_cost(parties):
    values = np.concatenate([np.linspace(-20, 20, 800), [0.0, ULP, -ULP, 16.0, -16.0,
                                                          32000.0, -32000.0]])
    y, stats = on_shares(parties, sigmoid.sigmoid, values)
    assert np.max(np.abs(y - scipy.special.expit(encoded(values)))) < 3e-3
    assert (stats.bytes, stats.rounds) == sigmoid.sigmoid_cost(values.size)[:2]
    y, _ = on_shares(parties, sigmoid.tanh, values)
    assert np.max(np.abs(y - np.tanh(encoded(values)))) < 5e-3
    assert np.allclose(sigmoid.sigmoid(np.array([-50.0, 0.0, 50.0])),
                       scipy.special.expit([-16.0, 0.0, 16.0]))


# -- softmax ----------------------------------------------------------------------------------

def logits():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 3, (6, 10))
    x[0] = 0.0                                   # all equal
    x[1, 4] = 50.0                               # one far above the others
    x[2] = np.linspace(-30, 30, 10)              # spread beyond the clamp
    return x


def test_softmax_and_log_softmax_accuracy_and_cost(parties):
    x = logits()
    floats = scipy.special.softmax(encoded(x), axis=1)
    y, stats = on_shares(parties, softmax.softmax, x, axis=1)
    assert np.max(np.abs(y - floats)) < 5e-3
    assert (stats.bytes, stats.rounds) == softmax.softmax_cost(x.shape, 1, "softmax")
    y, stats = on_shares(parties, softmax.log_softmax, x, axis=1)
    assert np.max(np.abs(y - softmax.log_softmax(encoded(x), axis=1))) < 5e-3
    assert (stats.bytes, stats.rounds) == softmax.softmax_cost(x.shape, 1, "log_softmax")


def test_softmax_along_another_axis_and_in_floats(parties):
    x = logits().T                               # classes along axis 0
    y, _ = on_shares(parties, softmax.softmax, x, axis=0)
    assert np.max(np.abs(y - scipy.special.softmax(encoded(x), axis=0))) < 5e-3
    # Floats: exact apart from the documented clamp at -16.
    unclamped = np.all(x - x.max(axis=0) > -16, axis=0)
    assert 0 < unclamped.sum() < x.shape[1]
    floats = softmax.log_softmax(x, axis=0)
    assert np.allclose(floats[:, unclamped], scipy.special.log_softmax(x, axis=0)[:, unclamped])
    assert np.all(floats[:, ~unclamped] >= -16.01)
    with pytest.raises(ValueError, match="axis"):
        softmax.softmax(x, axis=2)
