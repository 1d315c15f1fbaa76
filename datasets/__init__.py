"""Datasets: IDX files, MNIST and Fashion-MNIST, the offline sample, data loaders.

The pieces, bottom up (one concept per module):

* ``idx``            read and write IDX files, the format MNIST is stored in;
* ``download``       fetch a file from mirrors, check it, write it atomically;
* ``split``          the ``(images, labels)`` pair every loader returns;
* ``sample``         real MNIST digits shipped with the package, for offline use;
* ``mnist``          find/download MNIST and Fashion-MNIST; ``load_dataset``;
* ``loader``         mini-batches: normalisation, one-hot targets, shuffling;
* ``private_loader`` the same batches, secret-shared between the data owners.

Typical use::

    from datasets import load_dataset, DataLoader
    images, labels = load_dataset("sample", "train")
    for x, y in DataLoader(images, labels, batch_size=64, shuffle=True, seed=0):
        ...   # x: float64 [64, 784], y: one-hot float64 [64, 10]
"""

from datasets.download import Checksum, DownloadError, download
from datasets.idx import IDXFormatError, read_idx, write_idx
from datasets.loader import MNIST_MEAN, MNIST_STD, DataLoader, normalize, one_hot
from datasets.mnist import DATASETS, DatasetNotFoundError, cache_dir, load_dataset, load_mnist
from datasets.private_loader import PrivateDataLoader
from datasets.sample import SampleDamagedError, load_sample
from datasets.split import Split

__all__ = [
    "IDXFormatError", "read_idx", "write_idx",
    "Checksum", "DownloadError", "download",
    "Split", "load_sample", "SampleDamagedError",
    "DATASETS", "DatasetNotFoundError", "cache_dir", "load_dataset", "load_mnist",
    "MNIST_MEAN", "MNIST_STD", "DataLoader", "normalize", "one_hot",
    "PrivateDataLoader",
]
