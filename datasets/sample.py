"""The offline sample: real MNIST digits shipped inside the package.

A fresh machine with no network and no data files can still train and
evaluate, on real handwritten digits rather than random noise. The sample is
made by ``datasets/make_sample.py`` from the official MNIST test file
(MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges):

* ``split="test"``:  official test images 0-639, the 640 images the reference
  walk-through evaluated on;
* ``split="train"``: official test images 4000-9999 (6,000 images), disjoint
  from the test part.

The training part therefore comes from the official *test* file. The split
returned carries a ``description`` saying so, and it is logged at INFO level,
so that whoever reports a result on it can say so too.
"""

import hashlib
import logging
import os

from datasets.idx import read_idx
from datasets.split import Split

logger = logging.getLogger(__name__)

SAMPLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample")

# [start, stop) indices into the official 10,000-image test file.
TEST_RANGE = (0, 640)
TRAIN_RANGE = (4000, 10000)

SAMPLE_FILES = {
    "test": ("sample-test-images-idx3-ubyte.gz", "sample-test-labels-idx1-ubyte.gz"),
    "train": ("sample-train-images-idx3-ubyte.gz", "sample-train-labels-idx1-ubyte.gz"),
}

# sha256 of the shipped files (the gzip bytes), as listed in sample/README.md.
# Checked on every load: 1 MB hashes in milliseconds, and a damaged install
# is caught with a clear message instead of odd training results.
SAMPLE_SHA256 = {
    "sample-test-images-idx3-ubyte.gz":
        "285e1f622758f197380940caf5b55d86cad0bce1f8138b036792473c86b0536e",
    "sample-test-labels-idx1-ubyte.gz":
        "2b1a33e85296a3767107f74a447e3baa19597e786cd113c50afef2780cebda13",
    "sample-train-images-idx3-ubyte.gz":
        "eb879c814587d8593be23d30310325eebd5d02e5fd9a2ccd8779eaa68a3d08d6",
    "sample-train-labels-idx1-ubyte.gz":
        "6a7cb47a7e4639480bf8e55e3fb1d6cf3cd29814a053202ee2a2b968d85f69b4",
}

DESCRIPTIONS = {
    "test": "MNIST sample, test part: official MNIST test images 0-639 "
            "(the images the reference evaluated on).",
    "train": "MNIST sample, train part: 6000 images taken from the official MNIST "
             "test file (test images 4000-9999), disjoint from the sample's test part; "
             "the official training images are not shipped.",
}


class SampleDamagedError(RuntimeError):
    """A shipped sample file does not match its recorded checksum."""


def _checked_path(name):
    path = os.path.join(SAMPLE_DIR, name)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != SAMPLE_SHA256[name]:
        raise SampleDamagedError(
            f"{path}: sha256 {digest} does not match the recorded {SAMPLE_SHA256[name]}. "
            "The installed package is damaged: reinstall it, or regenerate the sample "
            "with `python -m datasets.make_sample DIR_WITH_OFFICIAL_T10K_FILES`."
        )
    return path


def load_sample(split="train"):
    """Load the sample's ``"train"`` or ``"test"`` part as a :class:`Split`."""
    if split not in SAMPLE_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    image_path, label_path = (_checked_path(name) for name in SAMPLE_FILES[split])
    images = read_idx(image_path, ndim=3)
    labels = read_idx(label_path, ndim=1)
    logger.info(DESCRIPTIONS[split])
    return Split(images, labels, "sample", split, DESCRIPTIONS[split], (image_path, label_path))
