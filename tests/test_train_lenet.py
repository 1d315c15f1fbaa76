"""``smpc-train --model lenet``, shortened: the CNN on shares tracks the plaintext run.

One training batch of 64 and 64 test images of the embedded sample, in all three
modes with the same seed (same initialisation and batch order): the encrypted and
public-model runs must agree with plaintext on the per-batch loss within 1% and on the
test count within one image (1.6 points of 64; the README's full-epoch figure is the
1-point check). Slow: the two 5x5 convolutions and max pooling on shares take seconds.
"""
import numpy as np
import pytest

from experiments import train_mnist
from experiments.model import lenet

SHORT = ["--model", "lenet", "--epochs", "1", "--train-size", "64", "--test-size", "64", "--quiet"]


def run_mode(mode):
    args = train_mnist.parse_args(SHORT + ["--mode", mode])
    train, test, _ = train_mnist.load_data(args)
    history, _ = train_mnist.run(args, mode, train, test, log=lambda *a: None)
    return history


@pytest.mark.slow
def test_lenet_on_shares_tracks_plaintext_in_every_mode():
    plaintext = run_mode("plaintext")
    for mode in ("encrypted", "public-model"):
        shared = run_mode(mode)
        np.testing.assert_allclose(shared.losses, plaintext.losses, rtol=0.01, err_msg=mode)
        assert abs(shared.accuracies[-1] - plaintext.accuracies[-1]) * 64 <= 1, mode
        assert all(b > 0 for b in shared.batch_bytes)


def test_the_default_model_is_still_the_mlp():
    args = train_mnist.parse_args([])
    assert args.model == "mlp"


def test_an_unknown_model_is_refused(capsys):
    with pytest.raises(SystemExit):
        train_mnist.parse_args(["--model", "resnet"])
    assert "invalid choice: 'resnet'" in capsys.readouterr().err


def test_lenet_shapes_and_bad_choices():
    model = lenet()
    assert [tuple(p.shape) for p in model.parameters()] == [
        (16, 1, 5, 5), (16,), (16, 16, 5, 5), (16,), (100, 256), (100,), (10, 100), (10,)]
    with pytest.raises(ValueError, match="pool must be"):
        lenet(pool="min")
