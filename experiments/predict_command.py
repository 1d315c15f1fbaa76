"""Encrypted prediction on its own: train a plaintext model, then predict on shares::

    python -m experiments.predict_command --images 64
"""
import argparse

from .cli_errors import clean_errors
from .predict import report_encrypted_prediction
from .train_mnist import load_data, parse_args, run


def main(argv=None):
    p = argparse.ArgumentParser(description="Encrypted prediction with a freshly trained model")
    p.add_argument("--images", type=int, default=64)
    p.add_argument("--epochs", type=int, default=5)
    own = p.parse_args(argv)
    for option, value in (("--images", own.images), ("--epochs", own.epochs)):
        if value < 1:
            p.error(f"{option} {value}: must be a whole number of at least 1")
    args = parse_args(["--mode", "plaintext", "--epochs", str(own.epochs), "--quiet"])
    with clean_errors("experiments.predict_command"):
        train_data, test_data, _ = load_data(args)
        _, model = run(args, "plaintext", train_data, test_data)
        report_encrypted_prediction(model, test_data, args, count=own.images)


if __name__ == "__main__":
    main()
