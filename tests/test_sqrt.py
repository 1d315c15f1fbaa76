"""The inverse square root on shares (smpc.sqrt) against float NumPy.

Reference values are computed from the *encoded* input (what the shares hold), so the
tolerance is the protocol's own: ``8 * ulp * max(1, y)`` (see smpc/sqrt.py).
"""
import numpy as np
import pytest

import smpc
from smpc.errors import ProtocolError
from smpc.sqrt import DEFAULT_ITERATIONS, inv_sqrt, valid_range

ENC = smpc.DEFAULT_ENCODER
ULP = ENC.ulp
LOW, HIGH = valid_range(ENC)


def shared_inv_sqrt(parties, values, iterations=None):
    alice, bob, cp = parties
    x = smpc.share(np.asarray(values, dtype=float), alice, bob, crypto_provider=cp)
    return inv_sqrt(x, iterations).get().float_precision()


def expected(values):
    return 1.0 / np.sqrt(ENC.decode(ENC.encode(values)))


def assert_close(values, result):
    want = expected(values)
    bound = 8 * ULP * np.maximum(1.0, want)
    assert np.all(np.abs(result - want) <= bound), np.max(np.abs(result - want) / bound)


def test_valid_range_for_16_bits():
    assert (LOW, HIGH) == (2.0 ** -8, 2.0 ** 15)


def test_random_values_across_the_whole_range(parties):
    rng = np.random.default_rng(3)
    values = 2.0 ** rng.uniform(-8, 15, size=(40, 25))
    result = shared_inv_sqrt(parties, values)
    assert result.shape == values.shape
    assert_close(values, result)


def test_edges_of_the_range_and_one_ulp_inside(parties):
    values = np.array([LOW, LOW + ULP, HIGH - ULP, HIGH, 1.0, 1.0 - ULP, 1.0 + ULP, 4.0, 2.0 ** 14])
    assert_close(values, shared_inv_sqrt(parties, values))


def test_values_outside_the_range_are_computed_at_its_edges(parties):
    alice, bob, cp = parties
    below = smpc.share(np.array([0.0, -3.0, LOW - ULP]), alice, bob, crypto_provider=cp)
    above = smpc.share(np.array([HIGH]), alice, bob, crypto_provider=cp) + HIGH  # 2^16 on shares
    low_result = inv_sqrt(below).get().float_precision()
    high_result = inv_sqrt(above).get().float_precision()
    assert np.all(np.abs(low_result - 1 / np.sqrt(LOW)) <= 8 * ULP / np.sqrt(LOW))
    assert np.abs(high_result - 1 / np.sqrt(HIGH)) <= 8 * ULP


def test_more_iterations_converge_and_none_is_the_start(parties):
    values = 2.0 ** np.linspace(-8, 15, 47)
    errors = [np.max(np.abs(shared_inv_sqrt(parties, values, k) - expected(values)) * np.sqrt(values))
              for k in (0, 1, 2, DEFAULT_ITERATIONS)]
    assert errors[0] > 0.1                   # the start is only within a factor sqrt(2)
    assert errors[0] > errors[1] > errors[2] > errors[3]
    assert errors[3] < 3e-3                 # relative: one unit of 2^-16 against y = 2^-7.5


def test_cost_matches_the_closed_form(parties):
    alice, bob, cp = parties
    n = 10
    x = smpc.share(np.linspace(1, 100, n), alice, bob, crypto_provider=cp)
    with alice.network.measure() as stats:
        inv_sqrt(x)
    brackets = int(np.log2(HIGH / LOW)) + 1
    assert brackets == 24
    assert stats.rounds == 8 + 1 + 3 * DEFAULT_ITERATIONS
    assert stats.bytes == 496 * brackets * n + 64 * n + 96 * DEFAULT_ITERATIONS * n


def test_bad_inputs(parties):
    alice, bob, cp = parties
    with pytest.raises(TypeError, match="SharedTensor"):
        inv_sqrt(np.array([1.0]))
    x = smpc.share(np.array([1.0]), alice, bob, crypto_provider=cp)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="iterations"):
            inv_sqrt(x, bad)
    base10 = smpc.FixedPointEncoder(base=10, precision=3)
    y = smpc.share(np.array([1.0]), alice, bob, crypto_provider=cp, encoder=base10)
    with pytest.raises(ProtocolError, match="base-2 encoder"):
        inv_sqrt(y)
