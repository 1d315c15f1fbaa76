"""``smpc-train --dp-epsilon``: DP-SGD runs in every mode, encrypted tracking plaintext."""
import re

import numpy as np
import pytest

from experiments import train_mnist
from nn.dp.accounting import epsilon_for

DP = ["--dp-epsilon", "8", "--dp-clip", "2", "--lr", "0.1", "--epochs", "2",
      "--train-size", "320", "--test-size", "128", "--quiet"]


def run_mode(mode, *extra):
    args = train_mnist.parse_args(DP + ["--mode", mode, *extra])
    train, test, _ = train_mnist.load_data(args)
    return train_mnist.run(args, mode, train, test, log=lambda *a: None)


@pytest.mark.slow
def test_encrypted_dp_training_tracks_plaintext_dp_training():
    plain, _ = run_mode("plaintext")
    encrypted, model = run_mode("encrypted")
    assert abs(encrypted.accuracies[-1] - plain.accuracies[-1]) <= 0.02
    assert plain.accuracies[-1] > 0.3                       # it learns despite the noise
    assert all(p.value.dtype == np.float64 for p in model.parameters())
    # the epsilon spent after each epoch, ending at (just below) the target
    assert encrypted.epsilons == plain.epsilons
    assert encrypted.epsilons[0] < encrypted.epsilons[1] <= 8.0
    assert encrypted.epsilons[1] == pytest.approx(
        epsilon_for(encrypted.noise_multiplier, 64 / 320, 10, 1e-5), rel=1e-9)
    assert encrypted.losses == []                           # no loss is revealed


@pytest.mark.slow
def test_the_epsilon_is_printed_after_every_epoch(capsys):
    train_mnist.main(DP[:-1] + ["--mode", "public-model", "--dp-noise", "holders"])
    out = capsys.readouterr().out
    assert "noise multiplier" in out and "holders draws it" in out
    spent = re.findall(r"Test set \[public-model, DP\]: Accuracy: \d+/128 \(\d+%\)\t"
                       r"Privacy spent: epsilon = (\d+\.\d+) at delta = 1e-05 after (\d+) steps", out)
    assert [int(steps) for _, steps in spent] == [5, 10]
    assert float(spent[0][0]) < float(spent[1][0]) <= 8.0
    assert "Loss:" not in out


@pytest.mark.parametrize("argv, message", [
    (["--dp-epsilon", "0"], "above 0, got 0"),
    (["--dp-epsilon", "1", "--dp-delta", "1"], "--dp-delta 1: must be in (0, 1)"),
    (["--dp-epsilon", "1", "--dp-clip", "500"], "--dp-clip 500: the clip norm C must be"),
    (["--dp-epsilon", "1", "--dp-noise", "me"], "invalid choice"),
])
def test_bad_dp_options_are_refused_clearly(argv, message, capsys):
    with pytest.raises(SystemExit):
        train_mnist.parse_args(argv)
    assert message in capsys.readouterr().err
