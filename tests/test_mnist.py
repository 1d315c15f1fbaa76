"""Tests for the offline sample and for finding MNIST / Fashion-MNIST files on disk.

Downloading is tested in test_download.py; here nothing touches the network
(``download=False``, or every file already present).
"""

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import mnist, sample
from datasets.idx import read_idx, write_idx

# The official MNIST files, where the loader looks for them first ($SMPC_DATA_DIR/mnist);
# the tests that need them are skipped when they are not there.
OFFICIAL_MNIST = Path(os.environ.get("SMPC_DATA_DIR", "/nonexistent")) / "mnist"
needs_official = pytest.mark.skipif(not (OFFICIAL_MNIST / "t10k-images-idx3-ubyte.gz").exists(),
                                    reason="the official MNIST test files are not in $SMPC_DATA_DIR/mnist")
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No env var, a private cache, and no system directories."""
    monkeypatch.delenv("SMPC_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist.FASHION_MNIST, "system_dirs", [str(tmp_path / "no-debian")])
    return tmp_path


def fake_split(directory, split="test", n=5, seed=0, compress=True):
    """Write a tiny MNIST-format split into ``directory``; return its arrays."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    os.makedirs(directory, exist_ok=True)
    image_name, label_name = mnist.SPLIT_FILES[split]
    if not compress:
        image_name, label_name = image_name[:-3], label_name[:-3]
    write_idx(os.path.join(directory, image_name), images)
    write_idx(os.path.join(directory, label_name), labels)
    return images, labels


# --- the shipped sample ----------------------------------------------------

def test_sample_shapes_and_types():
    for split, n in (("test", 640), ("train", 6000)):
        images, labels = datasets.load_dataset("sample", split)
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8
        assert labels.shape == (n,) and labels.dtype == np.uint8
        assert images.max() == 255 and images.min() == 0


def test_sample_label_counts():
    _, test_labels = datasets.load_dataset("sample", "test")
    _, train_labels = datasets.load_dataset("sample", "train")
    assert np.bincount(test_labels).tolist() == [56, 75, 72, 65, 69, 59, 57, 61, 57, 69]
    assert np.bincount(train_labels).tolist() == [610, 685, 614, 602, 564, 520, 580, 617, 590, 618]


def test_sample_files_match_recorded_checksums_and_readme():
    readme = (Path(sample.SAMPLE_DIR) / "README.md").read_text()
    for name, digest in sample.SAMPLE_SHA256.items():
        data = (Path(sample.SAMPLE_DIR) / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert f"`{name}`: `{digest}`" in readme
    assert "Yann LeCun, Corinna Cortes" in readme and "Burges" in readme


def test_sample_train_and_test_are_disjoint():
    test_images, _ = datasets.load_dataset("sample", "test")
    train_images, _ = datasets.load_dataset("sample", "train")
    test_rows = {img.tobytes() for img in test_images}
    assert not any(img.tobytes() in test_rows for img in train_images)
    assert sample.TEST_RANGE[1] <= sample.TRAIN_RANGE[0]


def test_sample_says_where_its_training_part_comes_from(caplog):
    with caplog.at_level("INFO", logger="datasets.sample"):
        train = datasets.load_dataset("sample", "train")
    assert "from the official MNIST test file (test images 4000-9999)" in train.description
    assert train.description in caplog.text
    assert train.dataset == "sample" and train.split == "train"


@needs_official
def test_sample_is_exactly_the_documented_slices_of_the_official_test_file():
    images = read_idx(OFFICIAL_MNIST / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(OFFICIAL_MNIST / "t10k-labels-idx1-ubyte.gz")
    for split, (start, stop) in (("test", sample.TEST_RANGE), ("train", sample.TRAIN_RANGE)):
        got_images, got_labels = datasets.load_dataset("sample", split)
        np.testing.assert_array_equal(got_images, images[start:stop])
        np.testing.assert_array_equal(got_labels, labels[start:stop])


def test_damaged_sample_is_reported(tmp_path, monkeypatch):
    for name in sample.SAMPLE_SHA256:
        (tmp_path / name).write_bytes((Path(sample.SAMPLE_DIR) / name).read_bytes())
    (tmp_path / sample.SAMPLE_FILES["test"][1]).write_bytes(b"not the labels")
    monkeypatch.setattr(sample, "SAMPLE_DIR", str(tmp_path))
    with pytest.raises(datasets.SampleDamagedError, match="reinstall"):
        datasets.load_dataset("sample", "test")


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load_dataset("cifar", "train")
    with pytest.raises(ValueError, match="split"):
        datasets.load_dataset("sample", "validation")


# --- finding the full datasets on disk -------------------------------------

def test_data_dir_argument(isolated):
    images, labels = fake_split(isolated / "mine")
    split = datasets.load_dataset("mnist", "test", data_dir=isolated / "mine", download=False)
    np.testing.assert_array_equal(split.images, images)
    np.testing.assert_array_equal(split.labels, labels)


def test_uncompressed_files_are_found_too(isolated):
    images, _ = fake_split(isolated / "raw", compress=False)
    got, _ = datasets.load_dataset("mnist", "test", data_dir=isolated / "raw", download=False)
    np.testing.assert_array_equal(got, images)


def test_environment_variable_uses_a_subdirectory_per_dataset(isolated, monkeypatch):
    mnist_images, _ = fake_split(isolated / "root" / "mnist", seed=1)
    fashion_images, _ = fake_split(isolated / "root" / "fashion-mnist", seed=2)
    monkeypatch.setenv("SMPC_DATA_DIR", str(isolated / "root"))
    np.testing.assert_array_equal(datasets.load_dataset("mnist", "test", download=False)[0], mnist_images)
    np.testing.assert_array_equal(
        datasets.load_dataset("fashion-mnist", "test", download=False)[0], fashion_images)


def test_cache_respects_xdg_cache_home(isolated, monkeypatch):
    assert mnist.cache_dir("mnist") == str(isolated / "cache" / "smpc-train" / "mnist")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist.cache_dir("mnist") == os.path.join(os.path.expanduser("~"), ".cache", "smpc-train", "mnist")


def test_cache_is_searched(isolated):
    images, _ = fake_split(mnist.cache_dir("mnist"), split="train")
    np.testing.assert_array_equal(datasets.load_dataset("mnist", "train", download=False)[0], images)


def test_fashion_looks_in_debian_directory(isolated, monkeypatch):
    images, _ = fake_split(isolated / "usr-share")
    monkeypatch.setattr(mnist.FASHION_MNIST, "system_dirs", [str(isolated / "usr-share")])
    got = datasets.load_dataset("fashion-mnist", "test", download=False)
    np.testing.assert_array_equal(got.images, images)
    assert "Fashion-MNIST test set" in got.description


def test_offline_and_missing_gives_a_helpful_error(isolated):
    with pytest.raises(datasets.DatasetNotFoundError) as info:
        datasets.load_dataset("fashion-mnist", "train", download=False)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert mnist.cache_dir("fashion-mnist") in message        # where it looked
    assert str(isolated / "no-debian") in message
    assert "data_dir" in message and "SMPC_DATA_DIR" in message  # how to provide them
    assert "apt-get install dataset-fashion-mnist" in message
    assert isinstance(info.value, FileNotFoundError)


def test_images_and_labels_that_do_not_belong_together(isolated):
    fake_split(isolated / "d", n=5)
    write_idx(isolated / "d" / "t10k-labels-idx1-ubyte.gz", np.zeros(7, dtype=np.uint8))
    with pytest.raises(ValueError, match="do not belong together"):
        datasets.load_dataset("mnist", "test", data_dir=isolated / "d", download=False)


@needs_official
def test_real_official_test_file_loads(isolated):
    split = datasets.load_dataset("mnist", "test", data_dir=OFFICIAL_MNIST, download=False)
    assert split.images.shape == (10000, 28, 28)
    assert np.bincount(split.labels).sum() == 10000


@pytest.mark.skipif(not DEBIAN_FASHION.exists(), reason="dataset-fashion-mnist not installed")
def test_real_debian_fashion_mnist(monkeypatch):
    monkeypatch.delenv("SMPC_DATA_DIR", raising=False)
    split = datasets.load_dataset("fashion-mnist", "test", data_dir=DEBIAN_FASHION, download=False)
    assert split.images.shape == (10000, 28, 28)
    assert np.bincount(split.labels).tolist() == [1000] * 10
