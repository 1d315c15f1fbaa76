"""Encrypted prediction: a trained model and private inputs, both secret-shared.

The reference's companion use: a model owner shares a trained model, a data
owner shares images, the workers compute the predicted classes on shares, and
only the data owner learns them.  Run on its own with::

    python -m experiments.predict_command --images 64

(which first trains a plaintext model for a few epochs, to have one to share).
"""
import argparse
import time

import numpy as np

import smpc
from autograd import Tensor, no_grad
from datasets import normalize


def encrypted_predict(model, images, parties, encoder=None, batch_size=64):
    """Predicted classes of ``images`` (uint8 [N, 28, 28]) under a shared copy of ``model``.

    ``model`` holds float parameters; it is copied, encoded and shared among the
    workers in ``parties = (alice, bob, crypto_provider)``.  Returns the labels,
    revealed to the data owner only (alice here), and the seconds per image.
    """
    *workers, cp = parties
    state = {name: p.value.copy() for name, p in model.named_parameters()}
    model.fix_precision(encoder).share(*workers, crypto_provider=cp, requires_grad=False)
    try:
        data_owner = workers[0]
        predictions = []
        start = time.perf_counter()
        with no_grad():
            for begin in range(0, len(images), batch_size):
                x = normalize(images[begin:begin + batch_size])
                x_shared = Tensor(smpc.share(x, *workers, crypto_provider=cp, encoder=encoder,
                                             owner=data_owner))
                labels = model(x_shared).value.argmax(axis=1)
                predictions.append(labels.get(receiver=data_owner).float_precision())
        seconds = (time.perf_counter() - start) / max(len(images), 1)
    finally:
        model.load_state_dict(state)  # the owner's float model, untouched
    return np.rint(np.concatenate(predictions)).astype(np.int64), seconds


def report_encrypted_prediction(model, test_data, args, count=64, log=print, parties=None):
    """Time encrypted prediction on the first ``count`` test images and print it."""
    images, labels = test_data[0][:count], test_data[1][:count]
    parties = parties or smpc.make_parties(seed=args.seed + 1)
    predicted, seconds = encrypted_predict(model, images, parties, args.encoder)
    data_owner = parties[0]
    if data_owner.network.plays(data_owner):
        accuracy = f"accuracy {100 * float((predicted == labels).mean()):.0f}%"
    else:  # the labels went to alice's process alone
        accuracy = "accuracy known to alice only"
    log(f"Encrypted prediction: {len(images)} images, {seconds * 1e3:.1f} ms per image, "
        f"{accuracy} (model and images shared; labels revealed to alice only)")
    return predicted, seconds
