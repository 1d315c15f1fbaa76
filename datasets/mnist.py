"""MNIST and Fashion-MNIST: finding the files, downloading them, loading a split.

Both datasets come as the same four IDX files (60,000 training and 10,000
test images of 28x28 pixels, and their labels), so one piece of code serves
both; only the names, mirrors and checksums differ.

Where the files are looked for, in order:

1. ``data_dir`` if the caller gives one: the directory holding the four
   files itself (and nowhere else is searched);
2. otherwise ``$SMPC_DATA_DIR/<dataset>/`` when that environment variable is
   set (``<dataset>`` is ``mnist`` or ``fashion-mnist``, so both datasets can
   share one root without their identical file names colliding);
3. the cache, ``$XDG_CACHE_HOME/smpc-train/<dataset>/`` (default
   ``~/.cache/smpc-train/<dataset>/``);
4. for Fashion-MNIST, Debian's ``/usr/share/datasets/fashion-mnist/`` (from
   ``apt-get install dataset-fashion-mnist``).

A file may be gzip-compressed (``name.gz``) or not (``name``). A missing file
is downloaded, if ``download`` is true, into the first of those directories
(``data_dir``, else ``$SMPC_DATA_DIR/<dataset>``, else the cache), and checked
against the md5 of the official download (or, for MNIST files where we know
it, the sha256 of the decompressed content). Offline, a missing file gives
:class:`DatasetNotFoundError`, which says what is missing, where we looked and
how to provide it.
"""

import os

from datasets.download import Checksum, DownloadError, download as download_file
from datasets.idx import read_idx
from datasets.sample import load_sample
from datasets.split import Split

ENV_VAR = "SMPC_DATA_DIR"

# The file names are the same for both datasets.
SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are neither on disk nor downloadable."""


class DatasetInfo:
    """Everything that distinguishes one MNIST-format dataset from another."""

    def __init__(self, name, title, mirrors, checksums, system_dirs=(), install_hint=""):
        self.name = name                  # "mnist" or "fashion-mnist"
        self.title = title                # for messages
        self.mirrors = list(mirrors)      # URL prefixes, tried in order
        self.checksums = checksums        # file name -> Checksum
        self.system_dirs = list(system_dirs)
        self.install_hint = install_hint  # one extra line for the not-found message


MNIST = DatasetInfo(
    name="mnist",
    title="MNIST",
    mirrors=[
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    # md5 of the official .gz files (as listed by torchvision); sha256 of the
    # decompressed content where known.
    checksums={
        "train-images-idx3-ubyte.gz": Checksum(md5="f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        "train-labels-idx1-ubyte.gz": Checksum(
            md5="d53e105ee54ea40749a09fcbcd1e9432",
            sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        "t10k-images-idx3-ubyte.gz": Checksum(
            md5="9fb629c4189551a2d022fa330f9573f3",
            sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        "t10k-labels-idx1-ubyte.gz": Checksum(
            md5="ec29112dd5afa0611ce80d1b7f02629c",
            sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    },
)

FASHION_MNIST = DatasetInfo(
    name="fashion-mnist",
    title="Fashion-MNIST",
    mirrors=[
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    ],
    # md5 of the official .gz files, as published by Zalando Research.
    checksums={
        "train-images-idx3-ubyte.gz": Checksum(md5="8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train-labels-idx1-ubyte.gz": Checksum(md5="25c81989df183df01b3e8a0aad5dffbe"),
        "t10k-images-idx3-ubyte.gz": Checksum(md5="bef4ecab320f06d8554ea6380940ec79"),
        "t10k-labels-idx1-ubyte.gz": Checksum(md5="bb300cfdad3c16e7a12a480ee83cd310"),
    },
    system_dirs=["/usr/share/datasets/fashion-mnist"],
    install_hint="On Debian/Ubuntu: `apt-get install dataset-fashion-mnist` "
                 "installs it in /usr/share/datasets/fashion-mnist/.",
)

DATASETS = {info.name: info for info in (MNIST, FASHION_MNIST)}


def cache_dir(name):
    """The download cache for one dataset, following the XDG convention."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(root, "smpc-train", name)


def search_dirs(info, data_dir=None):
    """The directories searched for ``info``'s files, in order (see module doc)."""
    if data_dir is not None:
        return [os.fspath(data_dir)]
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(os.path.join(os.environ[ENV_VAR], info.name))
    dirs.append(cache_dir(info.name))
    dirs.extend(info.system_dirs)
    return dirs


def find_file(filename, dirs):
    """The first existing ``dir/filename`` (or its uncompressed twin), else None."""
    names = [filename]
    if filename.endswith(".gz"):
        names.append(filename[: -len(".gz")])
    for directory in dirs:
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                return path
    return None


def _not_found_message(info, missing, dirs, target_dir, download_errors):
    lines = [f"{info.title}: missing {', '.join(missing)}.", "Looked in:"]
    lines += [f"  {d}" for d in dirs]
    if download_errors:
        lines.append("Downloading failed:")
        lines += [str(err) for err in download_errors]
    lines += [
        "To provide the files, do one of:",
        "  - pass data_dir=DIR (a directory holding the .gz files);",
        f"  - set {ENV_VAR}=ROOT and put the files in ROOT/{info.name}/;",
        f"  - go online and load it again with download=True (it is saved in {target_dir}).",
    ]
    if info.install_hint:
        lines.append(f"  - {info.install_hint}")
    lines.append("Offline, load_dataset('sample') gives real MNIST digits shipped with the package.")
    return "\n".join(lines)


def load_mnist(name="mnist", split="train", data_dir=None, download=True, mirrors=None,
               timeout=30.0, log=print):
    """Load one split of MNIST or Fashion-MNIST as a :class:`Split`.

    ``mirrors`` replaces the dataset's list of URL prefixes (the tests point it
    at a local server); ``log`` receives one line per download attempt.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {sorted(DATASETS)}")
    if split not in SPLIT_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    info = DATASETS[name]
    dirs = search_dirs(info, data_dir)
    target_dir = dirs[0]  # data_dir, else $SMPC_DATA_DIR/<name>, else the cache
    mirrors = info.mirrors if mirrors is None else list(mirrors)

    paths, missing, errors = [], [], []
    for filename in SPLIT_FILES[split]:
        path = find_file(filename, dirs)
        if path is None and download and not errors:  # one file unreachable: the next is too
            try:
                path = download_file(filename, mirrors, target_dir, info.checksums[filename],
                                     timeout=timeout, log=log)
            except DownloadError as err:
                errors.append(err)
        if path is None:
            missing.append(filename)
        paths.append(path)
    if missing:
        raise DatasetNotFoundError(_not_found_message(info, missing, dirs, target_dir, errors))

    images = read_idx(paths[0], ndim=3)
    labels = read_idx(paths[1], ndim=1)
    description = f"{info.title} {split} set ({len(labels)} images) from {os.path.dirname(paths[0])}."
    return Split(images, labels, name, split, description, paths)


def load_dataset(name="sample", split="train", data_dir=None, download=True, **kwargs):
    """Load ``split`` ("train" or "test") of ``name`` ("sample", "mnist", "fashion-mnist").

    Returns a :class:`Split`, which unpacks as ``images, labels`` (uint8,
    shapes [N, 28, 28] and [N]) and has a ``description`` of its origin.
    ``"sample"`` is the offline MNIST sample shipped with the package
    (``data_dir`` and ``download`` do not apply to it); see ``datasets.sample``.
    """
    if name == "sample":
        return load_sample(split)
    return load_mnist(name, split, data_dir=data_dir, download=download, **kwargs)
