"""One split of a labelled image dataset: the images, their labels, and where they came from.

Every loader in this package returns a :class:`Split`. It unpacks like a plain
pair, so the common case stays short::

    images, labels = load_dataset("sample", "train")

but it also remembers a human-readable ``description`` of its origin. That
matters for the offline sample, whose *training* digits are in fact taken
from the official *test* file: anything that reports results on it should
say so, and ``split.description`` is the sentence to print.
"""

import numpy as np

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10


class Split(tuple):
    """An ``(images, labels)`` pair with a few facts attached.

    ``images`` is uint8 of shape [N, 28, 28] (pixel values 0-255),
    ``labels`` is uint8 of shape [N] (class numbers 0-9).
    """

    def __new__(cls, images, labels, dataset, split, description, files=()):
        check_images_and_labels(images, labels, where=f"{dataset}/{split}")
        self = super().__new__(cls, (images, labels))
        self.dataset = dataset          # "sample", "mnist" or "fashion-mnist"
        self.split = split              # "train" or "test"
        self.description = description  # one sentence: where these digits come from
        self.files = tuple(files)       # the files read, for the curious
        return self

    @property
    def images(self):
        return self[0]

    @property
    def labels(self):
        return self[1]

    def __repr__(self):
        return f"<Split {self.dataset}/{self.split}: {len(self.labels)} images. {self.description}>"


def check_images_and_labels(images, labels, where="dataset"):
    """Raise ValueError unless images and labels look like an MNIST-style split."""
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise ValueError(f"{where}: expected uint8 images and labels, got {images.dtype} and {labels.dtype}")
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{where}: expected images of shape [N, 28, 28], got {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"{where}: {len(images)} images but labels of shape {labels.shape}; "
            "the image and label files do not belong together"
        )
    if len(labels) and labels.max() >= NUM_CLASSES:
        raise ValueError(f"{where}: labels must be 0-9, found {labels.max()}")
