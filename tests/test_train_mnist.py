"""The main job (``smpc-train``), shortened: encrypted training tracks plaintext training.

The full default run (20 epochs, 640 + 640 images) is documented in the README
with its figures; here the same property is checked on a shorter run:

* final test accuracy of the encrypted run within 2 points of the plaintext run
  with the same seed (same initialisation, same batch order);
* mean training loss of every epoch within 5% of the plaintext loss.
"""
import re
import subprocess
import sys

import numpy as np
import pytest

from experiments import train_mnist

SHORT = ["--epochs", "3", "--train-size", "256", "--test-size", "192", "--quiet"]


def run_mode(mode, *extra):
    args = train_mnist.parse_args(SHORT + ["--mode", mode, *extra])
    train, test, _ = train_mnist.load_data(args)
    history, model = train_mnist.run(args, mode, train, test, log=lambda *a: None)
    return history, model


@pytest.fixture(scope="module")
def plaintext():
    return run_mode("plaintext")[0]


@pytest.mark.parametrize("comparison, truncation", [
    ("securenn", "local"), ("binary", "local"), ("securenn", "masked"), ("binary", "exact")])
def test_encrypted_training_tracks_plaintext(plaintext, comparison, truncation):
    """Every protocol choice keeps the accuracy and loss of plaintext training."""
    encrypted, model = run_mode("encrypted", "--comparison", comparison,
                                "--truncation", truncation)
    assert abs(encrypted.accuracies[-1] - plaintext.accuracies[-1]) <= 0.02
    np.testing.assert_allclose(encrypted.epoch_losses, plaintext.epoch_losses, rtol=0.05)
    # the model went back to its owner as floats
    assert all(p.value.dtype == np.float64 for p in model.parameters())
    # and it learned something: loss fell, accuracy beats chance (10%)
    assert encrypted.epoch_losses[-1] < encrypted.epoch_losses[0]
    assert encrypted.accuracies[-1] > 0.3


def test_public_model_tracks_plaintext(plaintext):
    public, _ = run_mode("public-model")
    assert abs(public.accuracies[-1] - plaintext.accuracies[-1]) <= 0.02
    np.testing.assert_allclose(public.epoch_losses, plaintext.epoch_losses, rtol=0.05)


def test_square_activation_and_reference_precision_train():
    history, _ = run_mode("encrypted", "--activation", "square", "--precision", "10:3")
    assert history.epoch_losses[-1] < history.epoch_losses[0]


def test_encrypted_batches_report_communication():
    history, _ = run_mode("encrypted")
    assert min(history.batch_bytes) > 0 and min(history.batch_rounds) > 0


def test_log_lines_follow_the_reference(capsys):
    train_mnist.main(["--epochs", "1", "--train-size", "128", "--test-size", "64",
                      "--mode", "encrypted"])
    out = capsys.readouterr().out
    assert re.search(r"Train Epoch: 1 \[64/128 \(50%\)\]\tLoss: \d+\.\d{6}\tTime: \d+\.\d{3}s"
                     r"\tComm: \d+\.\d\d MB, \d+ rounds", out)
    assert re.search(r"Test set \[encrypted\]: Accuracy: \d+/64 \(\d+%\)", out)
    assert re.search(r"Encrypted prediction: 64 images, [\d.]+ ms per image", out)


def test_plot_is_written(tmp_path):
    path = tmp_path / "curves.png"
    train_mnist.main(SHORT[:1] + ["1"] + ["--train-size", "64", "--test-size", "64",
                                          "--mode", "plaintext,public-model", "--quiet",
                                          "--plot", str(path)])
    assert path.stat().st_size > 1000


@pytest.mark.parametrize("argv, message", [
    (["--mode", "secret"], "--mode 'secret'"),
    (["--train-size", "100000"], "larger than the"),
    (["--precision", "10:12"], "--precision"),
    (["--activation", "tanh"], "invalid choice"),
    (["--train-size", "-5"], "at least 1, got -5"),
    (["--test-size", "0"], "at least 1, got 0"),
    (["--epochs", "0"], "at least 1, got 0"),
    (["--log-interval", "0"], "at least 1, got 0"),
    (["--batch-size", "0"], "at least 1, got 0"),
    (["--lr", "0"], "above 0, got 0"),
    (["--momentum", "1.5"], "must be in [0, 1)"),
    (["--mode", ","], "names no mode"),
])
def test_bad_options_are_refused_clearly(argv, message, capsys):
    with pytest.raises(SystemExit) as err:
        args = train_mnist.parse_args(argv)
        train_mnist.load_data(args)
    text = str(err.value) + capsys.readouterr().err
    assert message in text


def test_command_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "experiments.train_mnist", "--epochs", "1",
                             "--train-size", "64", "--test-size", "64", "--quiet",
                             "--activation", "square"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Test set [encrypted]: Accuracy:" in result.stdout
