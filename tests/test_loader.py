"""Tests for datasets.loader: normalisation, one-hot targets and the DataLoader."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datasets import DataLoader, MNIST_MEAN, MNIST_STD, normalize, one_hot


def make_data(n=103, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    # Write each example's index into its first pixels, so a batch tells
    # which examples it holds (index = 256*a + b).
    images[:, 0, 0] = np.arange(n) // 256
    images[:, 0, 1] = np.arange(n) % 256
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def indices_of(x):
    """Recover the example indices written by make_data from a normalised batch."""
    pixels = np.rint((x[:, :2] * MNIST_STD + MNIST_MEAN) * 255).astype(int)
    return pixels[:, 0] * 256 + pixels[:, 1]


def test_normalize_values_and_shape():
    images = np.array([[[0, 255], [51, 0]]], dtype=np.uint8)
    x = normalize(images)
    assert x.shape == (1, 4) and x.dtype == np.float64
    np.testing.assert_allclose(x[0, 0], (0 - 0.1307) / 0.3081)
    np.testing.assert_allclose(x[0, 1], (1 - 0.1307) / 0.3081)
    np.testing.assert_allclose(x[0, 2], (0.2 - 0.1307) / 0.3081)


def test_normalize_accepts_flat_images():
    images = np.arange(2 * 784).reshape(2, 784) % 256
    np.testing.assert_array_equal(normalize(images), normalize(images.reshape(2, 28, 28)))


def test_one_hot():
    y = one_hot(np.array([3, 0, 9], dtype=np.uint8))
    assert y.shape == (3, 10) and y.dtype == np.float64
    assert y.sum(axis=1).tolist() == [1, 1, 1]
    assert y.argmax(axis=1).tolist() == [3, 0, 9]


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError):
        one_hot(np.array([10]))
    with pytest.raises(ValueError):
        one_hot(np.array([[1]]))


def test_batch_shapes_and_len():
    images, labels = make_data(103)
    loader = DataLoader(images, labels, batch_size=10)
    batches = list(loader)
    assert len(loader) == len(batches) == 11
    assert all(x.shape == (10, 784) and y.shape == (10, 10) for x, y in batches[:-1])
    assert batches[-1][0].shape == (3, 784) and batches[-1][1].shape == (3, 10)
    assert all(x.dtype == np.float64 and y.dtype == np.float64 for x, y in batches)


def test_drop_last():
    images, labels = make_data(103)
    loader = DataLoader(images, labels, batch_size=10, drop_last=True)
    batches = list(loader)
    assert len(loader) == len(batches) == 10
    assert all(x.shape == (10, 784) for x, _ in batches)
    # With an exact multiple nothing is dropped.
    assert len(DataLoader(images[:100], labels[:100], batch_size=10, drop_last=True)) == 10


def test_unshuffled_order_is_the_data_order():
    images, labels = make_data(25)
    x, y = next(iter(DataLoader(images, labels, batch_size=25)))
    assert indices_of(x).tolist() == list(range(25))
    np.testing.assert_array_equal(y, one_hot(labels))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 70), drop_last=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_every_example_once_per_epoch(n, batch_size, drop_last, seed):
    images, labels = make_data(n)
    loader = DataLoader(images, labels, batch_size, shuffle=True, seed=seed, drop_last=drop_last)
    for _ in range(2):
        seen = [i for x, _ in loader for i in indices_of(x)]
        assert len(seen) == len(set(seen))
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size
        else:
            assert sorted(seen) == list(range(n))


def test_targets_follow_their_inputs_when_shuffled():
    images, labels = make_data(50)
    for x, y in DataLoader(images, labels, batch_size=7, shuffle=True, seed=3):
        np.testing.assert_array_equal(y.argmax(axis=1), labels[indices_of(x)])


def test_seeded_shuffling_is_reproducible_and_differs_per_epoch():
    images, labels = make_data(60)

    def epochs(seed, count=3):
        loader = DataLoader(images, labels, batch_size=8, shuffle=True, seed=seed)
        return [np.concatenate([indices_of(x) for x, _ in loader]) for _ in range(count)]

    first, second = epochs(7), epochs(7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)           # same seed, same epochs
    assert not np.array_equal(first[0], first[1])     # a new order each epoch
    assert not np.array_equal(first[0], epochs(8)[0])  # another seed, another order


def test_unseeded_shuffling_still_covers_everything():
    images, labels = make_data(30)
    seen = [i for x, _ in DataLoader(images, labels, 4, shuffle=True) for i in indices_of(x)]
    assert sorted(seen) == list(range(30))


def test_bad_arguments():
    images, labels = make_data(10)
    with pytest.raises(ValueError):
        DataLoader(images, labels[:5])
    with pytest.raises(ValueError):
        DataLoader(images, labels, batch_size=0)


def test_works_on_the_real_sample():
    from datasets import load_dataset

    images, labels = load_dataset("sample", "test")
    loader = DataLoader(images, labels, batch_size=64)
    assert len(loader) == 10
    x = np.concatenate([x for x, _ in loader])
    # The standardisation uses the training set's statistics, so on real
    # digits the batch mean is near 0 and the standard deviation near 1.
    assert abs(x.mean()) < 0.1 and abs(x.std() - 1) < 0.1
