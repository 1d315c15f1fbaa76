"""Privacy accounting (nn.dp.accounting) against the dp-accounting library used directly.

The reference run's settings: 640 training images, batches of 64 (Poisson rate 0.1),
20 epochs of 10 steps, delta 1e-5.
"""
import logging

import numpy as np
import pytest

import dp_accounting
from dp_accounting.pld import PLDAccountant
from dp_accounting.rdp import RdpAccountant
from nn.dp import rate_for_batch_size, steps_for
from nn.dp.accounting import ORDERS, PrivacyLedger, epsilon_for, noise_multiplier_for

RATE, STEPS, DELTA = rate_for_batch_size(64, 640), steps_for(20, 0.1), 1e-5


def direct_epsilon(sigma, accountant):
    """The library on its own: one subsampled Gaussian step, composed STEPS times."""
    step = dp_accounting.PoissonSampledDpEvent(0.1, dp_accounting.GaussianDpEvent(sigma))
    accountant.compose(step, STEPS)
    return accountant.get_epsilon(DELTA)


@pytest.fixture(scope="module")
def sigma():
    return noise_multiplier_for(3.0, DELTA, RATE, STEPS)


def test_reference_settings():
    assert (RATE, STEPS) == (0.1, 200)


def test_epsilon_equals_the_library_computed_directly(sigma, caplog):
    ours = epsilon_for(sigma, RATE, STEPS, DELTA)
    assert ours == pytest.approx(direct_epsilon(sigma, RdpAccountant(ORDERS)), rel=1e-12)
    with caplog.at_level(logging.ERROR, logger="absl"):   # the default grid warns, see ORDERS
        default_grid = direct_epsilon(sigma, RdpAccountant())
    assert ours == pytest.approx(default_grid, rel=0.01)
    # PLD accounting is tighter than RDP, and not by much at these settings
    pld = direct_epsilon(sigma, PLDAccountant())
    assert 0.6 * ours < pld <= ours


def test_calibration_meets_the_target_tightly(sigma):
    assert epsilon_for(sigma, RATE, STEPS, DELTA) <= 3.0
    assert epsilon_for(0.98 * sigma, RATE, STEPS, DELTA) > 3.0
    tighter = [noise_multiplier_for(eps, DELTA, RATE, STEPS) for eps in (1.0, 3.0, 8.0)]
    assert tighter[0] > tighter[1] > tighter[2] > 0


def test_the_ledger_composes_epoch_by_epoch(sigma):
    ledger = PrivacyLedger(sigma, RATE, DELTA)
    spent = []
    for _ in range(20):
        ledger.record_steps(10)
        spent.append(ledger.epsilon)
    assert ledger.steps == STEPS
    assert np.all(np.diff(spent) > 0)
    assert spent[-1] == pytest.approx(epsilon_for(sigma, RATE, STEPS, DELTA), rel=1e-9)


@pytest.mark.parametrize("epsilon, delta, message", [
    (0, 1e-5, "epsilon must be a number above 0"), (-1, 1e-5, "above 0"),
    (3, 0, "delta must be in"), (3, 1, "delta must be in")])
def test_bad_targets(epsilon, delta, message):
    with pytest.raises(ValueError, match=message):
        noise_multiplier_for(epsilon, delta, RATE, STEPS)
