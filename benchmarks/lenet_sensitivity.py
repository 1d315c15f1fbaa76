"""How far apart two *plaintext* LeNet runs end up when their start differs by one unit.

Run from the repository root::

    python benchmarks/lenet_sensitivity.py              # 6 perturbed runs, about 1 minute
    python benchmarks/lenet_sensitivity.py --runs 10

The encrypted LeNet is compared with plaintext epoch by epoch (the README's LeNet
section).  Fixed-point arithmetic on shares rounds every product to 2^-16, so the two
runs differ by a unit in the last place from the first step on.  How much such a
difference alone moves the test accuracy says how closely the encrypted run *can* track:
this trains the reference recipe (``smpc-train --model lenet``, seed 1, 20 epochs on the
embedded sample) in plaintext once as it is, then ``--runs`` times with every initial
weight moved by +-2^-16 (random signs, one seed per run), and prints per run the largest
gap to the unperturbed run's accuracy, in points, and the epoch where it falls.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np  # noqa: E402

from experiments import train_mnist  # noqa: E402
from experiments.model import MODELS  # noqa: E402

UNIT = 2.0 ** -16  # one unit in the last place of the default fixed-point encoding


def moved_by_one_unit(make_model, seed):
    """A model factory whose initial weights are moved by +-UNIT each."""
    def make(*args, **kwargs):
        model = make_model(*args, **kwargs)
        rng = np.random.default_rng(seed)
        for p in model.parameters():
            p.value = p.value + rng.choice([-UNIT, UNIT], size=np.shape(p.value))
        return model
    return make


def accuracies(args, data):
    history, _ = train_mnist.run(args, "plaintext", *data, log=lambda *a, **k: None)
    return np.array(history.accuracies)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=6)
    p.add_argument("--epochs", type=int, default=20)
    options = p.parse_args(argv)
    args = train_mnist.parse_args(["--model", "lenet", "--mode", "plaintext", "--quiet",
                                   "--epochs", str(options.epochs)])
    train, test, _ = train_mnist.load_data(args)
    n_test = len(test[1])
    reference = accuracies(args, (train, test))
    print(f"unperturbed: {(reference * n_test).round().astype(int).tolist()} of {n_test}")
    original = MODELS["lenet"]
    try:
        for seed in range(options.runs):
            MODELS["lenet"] = moved_by_one_unit(original, seed)
            gap = np.abs(accuracies(args, (train, test)) - reference) * 100
            print(f"moved by one unit (seed {seed}): largest gap {gap.max():.2f} points at "
                  f"epoch {int(gap.argmax()) + 1}; epochs more than 1 point apart: "
                  f"{int((gap > 1).sum())} of {options.epochs}")
    finally:
        MODELS["lenet"] = original


if __name__ == "__main__":
    main()
